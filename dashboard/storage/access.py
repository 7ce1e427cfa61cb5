"""Accounts, roles and scopes: who may see and do what (no Streamlit here; the UI side is dashboard/ui/auth.py).

An account has a role and a scope. The scope is one unit's subtree (or
`all`): because every code maps to an integer `num` and a unit's subtree is
the range [num, num + span(level)) (dashboard/domain/codes.py), "is this code in my
scope" is a range test on the codes alone, no store lookup needed.

Roles grant permissions:
- admin: everything, including accounts and settings;
- leader: reads within the scope;
- analyst: reads and exports (downloads) within the scope;
- clerk: imports within the scope, and reads within it.

Accounts live in a JSON file (default beside the store, `data/accounts.json`;
`$DASHBOARD_ACCOUNTS` or `--accounts` override it). Passwords are stored as
Argon2id hashes (argon2-cffi). With no accounts file, or an empty one, the
app runs open, as for the demo. The file is written atomically (temp file +
rename), so a crash never leaves it half-written.

Logins, logouts and account changes are recorded with the user in
`access-log.jsonl` beside the accounts file (not in the store: see
`record`); loads and rollbacks are recorded in the store by the ingest and
the load history (`loads.loaded_by`, `load_events`), as before.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import tempfile
from dataclasses import asdict, dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..domain import codes
from ..domain.messages import InputError, Message
from .store import Store, default_path

ALL = "all"
ROLES = ("admin", "leader", "analyst", "clerk")
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"read", "export", "import", "settings", "accounts"}),
    "leader": frozenset({"read"}),
    "analyst": frozenset({"read", "export"}),
    "clerk": frozenset({"read", "import"}),
}
ACCOUNTS_ENV = "DASHBOARD_ACCOUNTS"
_HASHER = PasswordHasher()
_NAME_MAX = 64


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    scope: str = ALL                # "all" or a 12/15-digit unit code
    password_hash: str = ""         # empty: no password login (header or OIDC only)
    email: str = ""                 # the OIDC identity's email that maps to this account

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())

    def sees(self, code: str) -> bool:
        """Whether a unit (or grid) code lies inside this account's scope."""
        return scope_contains(self.scope, code)

    @property
    def scoped(self) -> bool:
        return self.scope != ALL


# ---- scope --------------------------------------------------------------------------------------

def scope_range(scope: str) -> tuple[int, int]:
    """The half-open `num` range of a scope's subtree; the whole code space for `all`."""
    if scope == ALL:
        return 0, 10**15
    lo = codes.num(scope)
    return lo, lo + codes.span(codes.level_of(scope))


def scope_contains(scope: str, code) -> bool:
    """True when `code` is the scope's unit or below it. Anything that is not a division code is outside."""
    if scope == ALL:
        return True
    try:
        number = codes.num(codes.normalize(code))
    except (codes.CodeError, TypeError):
        return False
    lo, hi = scope_range(scope)
    return lo <= number < hi


def outside_scope(scope: str, unit_codes) -> list[str]:
    """The codes (in order, each once) that lie outside the scope: what a clerk's file may not touch."""
    seen: dict[str, None] = {}
    for code in unit_codes:
        if not scope_contains(scope, code):
            seen.setdefault(str(code), None)
    return list(seen)


def normalize_scope(text: str) -> str:
    """`all` or a division code; raises InputError naming the value otherwise."""
    value = str(text).strip()
    if value.lower() == ALL:
        return ALL
    try:
        return codes.normalize(value)
    except codes.CodeError:
        raise InputError([Message("acc_err_scope", {"scope": value})]) from None


# ---- passwords ----------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    """An Argon2id hash with a random salt (argon2-cffi's defaults, RFC 9106's low-memory profile)."""
    if not password:
        raise InputError([Message("acc_err_empty_password")])
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; a malformed or empty hash never matches."""
    if not password_hash or not password:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ---- the accounts file --------------------------------------------------------------------------

def accounts_path(explicit: str | os.PathLike | None = None, store_path: str | os.PathLike | None = None) -> pathlib.Path:
    """`--accounts`, else $DASHBOARD_ACCOUNTS, else `accounts.json` beside the store."""
    if explicit:
        return pathlib.Path(explicit)
    if os.environ.get(ACCOUNTS_ENV):
        return pathlib.Path(os.environ[ACCOUNTS_ENV])
    return pathlib.Path(store_path or default_path()).parent / "accounts.json"


def load_accounts(path: pathlib.Path) -> dict[str, Account]:
    """Every account by name; none when the file does not exist (the app then runs open)."""
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        rows = raw["accounts"] if isinstance(raw, dict) else raw
        accounts = [Account(**{k: str(row.get(k) or "") for k in ("name", "role", "scope", "password_hash", "email")})
                    for row in rows]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError([Message("acc_err_file", {"file": str(path), "detail": type(exc).__name__})]) from None
    return {a.name: Account(a.name, a.role, a.scope or ALL, a.password_hash, a.email) for a in accounts}


def save_accounts(path: pathlib.Path, accounts: dict[str, Account]) -> None:
    """Writes the whole file atomically (readable by its owner only): a temp file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"version": 1, "accounts": [asdict(a) for a in sorted(accounts.values(), key=lambda a: a.name)]}
    handle, temp = tempfile.mkstemp(prefix=".accounts-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(body, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        pathlib.Path(temp).unlink(missing_ok=True)
        raise


def check_account(name: str, role: str, scope: str) -> Account:
    """A new account's fields checked: a plain name, a known role, a valid scope."""
    name = str(name).strip()
    if not name or len(name) > _NAME_MAX or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise InputError([Message("acc_err_name", {"name": name})])
    if role not in ROLES:
        raise InputError([Message("acc_err_role", {"role": role, "roles": ", ".join(ROLES)})])
    return Account(name=name, role=role, scope=normalize_scope(scope))


def add_account(path: pathlib.Path, name: str, role: str, scope: str, password: str, email: str = "") -> Account:
    accounts = load_accounts(path)
    account = check_account(name, role, scope)
    if account.name in accounts:
        raise InputError([Message("acc_err_exists", {"name": account.name})])
    account = Account(account.name, account.role, account.scope, hash_password(password) if password else "",
                      email.strip())
    accounts[account.name] = account
    save_accounts(path, accounts)
    return account


def remove_account(path: pathlib.Path, name: str) -> None:
    accounts = load_accounts(path)
    _existing(accounts, name)
    del accounts[name]
    save_accounts(path, accounts)


def set_password(path: pathlib.Path, name: str, password: str) -> None:
    accounts = load_accounts(path)
    old = _existing(accounts, name)
    accounts[name] = Account(old.name, old.role, old.scope, hash_password(password), old.email)
    save_accounts(path, accounts)


def set_role(path: pathlib.Path, name: str, role: str, scope: str | None = None) -> Account:
    accounts = load_accounts(path)
    old = _existing(accounts, name)
    checked = check_account(name, role, old.scope if scope is None else scope)
    accounts[name] = Account(old.name, checked.role, checked.scope, old.password_hash, old.email)
    save_accounts(path, accounts)
    return accounts[name]


def _existing(accounts: dict[str, Account], name: str) -> Account:
    if name not in accounts:
        raise InputError([Message("acc_err_unknown", {"name": name})])
    return accounts[name]


# ---- signing in ---------------------------------------------------------------------------------

def authenticate(accounts: dict[str, Account], name: str, password: str) -> Account | None:
    """The account when name and password match; None otherwise (the caller says only 'wrong name or password')."""
    account = accounts.get(str(name).strip())
    if account is None:
        _HASHER.hash("timing")  # about as slow as a real check, so a wrong name does not answer faster
        return None
    return account if verify_password(account.password_hash, password) else None


MAX_WRONG_PASSWORDS = 5                  # per account name, within LOCKOUT: then the form refuses that name
LOCKOUT = dt.timedelta(minutes=15)
LOG_TAIL_BYTES = 1 << 20                 # the recent part of the access log a sign-in reads (not years of it)


def locked_until(log: pathlib.Path, name: str, at: dt.datetime) -> dt.datetime | None:
    """When a name may try a password again, if it had MAX_WRONG_PASSWORDS wrong ones in the last LOCKOUT (since its
    last sign-in); None when it may now. Why: the form is the one door a guesser can knock on from the network;
    five tries in fifteen minutes is slow enough to make guessing hopeless and short enough for a leader who
    mistyped. The access log already holds every failed sign-in, so nothing else is kept."""
    wanted = logged_name(name)
    failures = []
    for row in recent_events(log):
        if row.get("user") != wanted:
            continue
        if row.get("action") == "login":
            failures = []
        elif row.get("action") == "login_failed":
            failures.append(row.get("happened_at", ""))
    recent = sorted(t for t in (event_time(text) for text in failures) if t is not None and at - LOCKOUT < t <= at)
    if len(recent) < MAX_WRONG_PASSWORDS:
        return None
    return recent[-MAX_WRONG_PASSWORDS] + LOCKOUT


def logged_name(name) -> str:
    """A typed account name as the access log records it (trimmed, at most 64 characters): what the lock counts by."""
    return str(name).strip()[:64]


def recent_events(log: pathlib.Path) -> list[dict]:
    """The access log's last LOG_TAIL_BYTES as events, oldest first (a line cut by the tail or a crash skipped)."""
    try:
        with open(log, "rb") as file:
            file.seek(max(file.seek(0, os.SEEK_END) - LOG_TAIL_BYTES, 0))
            return _log_rows(file.read().decode("utf-8", errors="replace"))
    except FileNotFoundError:
        return []


def _log_rows(text: str) -> list[dict]:
    """The access log's lines as dicts, in file order; a line cut short (by a crash, or by reading a tail) skipped."""
    rows = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def event_time(text) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None


def by_email(accounts: dict[str, Account], email: str | None) -> Account | None:
    """The account an OIDC identity maps to: its `email` field, or an account named by the email."""
    if not email:
        return None
    wanted = email.strip().lower()
    for account in accounts.values():
        if account.email.lower() == wanted or account.name.lower() == wanted:
            return account
    return None


# ---- the record -----------------------------------------------------------------------------------

LOG_COLUMNS = ["happened_at", "user", "action", "detail"]


def log_path(accounts: pathlib.Path) -> pathlib.Path:
    """The access log lives beside the accounts file: `access-log.jsonl`."""
    return pathlib.Path(accounts).with_name("access-log.jsonl")


def record(path: pathlib.Path, user: str, action: str, detail: str = "") -> None:
    """Appends one event (login, login_failed, logout, account_added, …) with the user and the time.

    Why a file and not a store table: a write to the store changes its version,
    which keys every cached result, and waits for a running load; a sign-in must
    do neither. One JSON line per event, appended in one write.
    """
    line = json.dumps({"happened_at": now().isoformat(timespec="seconds"), "user": str(user), "action": action,
                       "detail": str(detail)}, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        cut = size > 0 and os.pread(fd, 1, size - 1) != b"\n"  # a line cut short by a crash: start a new one
        os.write(fd, (("\n" if cut else "") + line + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def events(path: pathlib.Path) -> pd.DataFrame:
    """Logins and account changes, newest first; a line cut short by a crash is skipped, a missing file is empty."""
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    rows = [{k: row.get(k, "") for k in LOG_COLUMNS} for row in _log_rows(text)]
    frame = pd.DataFrame(rows, columns=LOG_COLUMNS)
    frame["happened_at"] = pd.to_datetime(frame["happened_at"], errors="coerce")
    return frame.iloc[::-1].reset_index(drop=True)


def activity(store: Store, path: pathlib.Path) -> pd.DataFrame:
    """Logins, account changes (the access log) and load actions (the store's load_events) in one list, newest
    first: who did what, when."""
    loads = store.query("load_events_all") if store.exists() else pd.DataFrame(
        columns=["load_id", "action", "happened_at", "by_user"])
    loads = pd.DataFrame({"happened_at": pd.to_datetime(loads["happened_at"]), "user": loads["by_user"],
                          "action": loads["action"], "detail": [f"load #{int(i)}" for i in loads["load_id"]]})
    frames = [f for f in (events(path), loads) if len(f)]
    if not frames:
        return pd.DataFrame(columns=LOG_COLUMNS)
    both = pd.concat(frames, ignore_index=True)
    return both.sort_values("happened_at", ascending=False, kind="stable").reset_index(drop=True)


def now() -> dt.datetime:
    return dt.datetime.now()
