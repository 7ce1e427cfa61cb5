"""A device that signed in stays signed in for a working day: a signed token the browser keeps in a cookie.

Streamlit keeps a sign-in in the tab's session only, so a reload or the morning link opened in a new tab asked
for the password again. After a password sign-in the browser is given a token (name, issued, expires, and an
HMAC-SHA256 over them and the account's password hash, keyed by a secret beside the accounts file); a new
session that sends it back is signed in as that account. A token is refused when it is forged or cut, when it
has expired, when the account is gone or its password changed, and when the account signed out after the token
was issued (the `logout` line of the access log): signing out on one device ends every device's day.

The cookie is HTTP-only, so no script in the page can read it: a script's run has no HTTP response to set a
header on, so the page posts the token it was just issued to `ROUTE`, a route of the dashboard's server
(dashboard/ui/server.py), which checks it and answers with the cookie. The token is read on the next connection
through `st.context.cookies`. No Streamlit here: dashboard/ui/auth.py carries the token to the route and back.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import pathlib
import secrets

from . import access
from .access import Account

COOKIE = "dashboard_session"
ROUTE = "/_session"  # the server's route that sets the cookie (POST the token) or drops it (POST nothing)
ROUTE_HEADER = "X-Dashboard"  # the route answers only requests that carry it ("1"): no other site can send it
LIFETIME = dt.timedelta(hours=12)  # a working day, on the device that signed in


def secret_path(accounts: pathlib.Path) -> pathlib.Path:
    return pathlib.Path(accounts).with_name("session-secret")


def _secret(accounts: pathlib.Path) -> bytes:
    """The signing key, made on first use (readable by its owner only); a new key signs every device out."""
    path = secret_path(accounts)
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # two servers racing: one wins, both read it
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        return path.read_bytes().strip()
    except FileExistsError:
        return path.read_bytes().strip()


def _mac(key: bytes, body: str, account: Account) -> str:
    return hmac.new(key, f"{body}|{account.password_hash}".encode(), hashlib.sha256).hexdigest()


def issue(accounts: pathlib.Path, account: Account, at: dt.datetime) -> str:
    """The token for `account`, valid for LIFETIME from `at`: `name.issued.expires.mac` (cookie-safe)."""
    name = base64.urlsafe_b64encode(account.name.encode()).decode().rstrip("=")
    body = f"{name}.{int(at.timestamp())}.{int((at + LIFETIME).timestamp())}"
    return f"{body}.{_mac(_secret(accounts), body, account)}"


def account_of(accounts: pathlib.Path, every: dict[str, Account], token: str | None, at: dt.datetime) -> Account | None:
    """The account a token names, or None when it is not one this server issued and still honours."""
    parts = str(token or "").split(".")
    if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    try:
        name = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    account = every.get(name)
    if account is None or int(parts[2]) <= at.timestamp():
        return None
    if not hmac.compare_digest(_mac(_secret(accounts), ".".join(parts[:3]), account), parts[3]):
        return None
    signed_out = last_sign_out(accounts, name)
    if signed_out is not None and int(parts[1]) <= signed_out.timestamp():
        return None
    return account


def last_sign_out(accounts: pathlib.Path, name: str) -> dt.datetime | None:
    """When the account last signed out (on any device), from the recent access log."""
    times = [access.event_time(e.get("happened_at")) for e in access.recent_events(access.log_path(accounts))
             if e.get("user") == name and e.get("action") == "logout"]
    times = [t for t in times if t is not None]
    return max(times) if times else None
