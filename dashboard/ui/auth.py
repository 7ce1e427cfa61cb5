"""Who is using the app: sign-in (password form, trusted proxy header, OIDC), the session's account, the scope guard.

app.py calls `gate()` before navigation. With no accounts file the app runs
open (an implicit admin of everything, as for the demo); with one, nothing
but the sign-in form shows until the session has an account. Three ways in:
- a password checked against the accounts file (works offline);
- a trusted reverse-proxy header (`$DASHBOARD_AUTH_HEADER`, e.g.
  X-Forwarded-User) naming an account;
- OIDC through `st.login` when `.streamlit/secrets.toml` has an `[auth]`
  section; the identity's email maps to an account.

The scope is enforced where data is read: every cached read in data.py and
analysis_data.py calls `require_in_scope(code)` before it returns anything,
so a page that skipped the context's checks still gets nothing outside the
account's subtree.
"""
from __future__ import annotations

import functools
import logging
import os
import pathlib

import streamlit as st

from .. import access, codes, i18n, ingest
from ..access import Account
from ..messages import InputError, Message

log = logging.getLogger(__name__)
SESSION = "_account"
_SIGNED_OUT = "_signed_out"
HEADER_ENV = "DASHBOARD_AUTH_HEADER"
PAGE_PERMISSION = {"page_import": "import", "page_settings": "settings"}  # every other page: "read"


class NotPermitted(InputError):
    """The account may not see that unit or use that page: said in the user's language, never a traceback."""


# ---- accounts --------------------------------------------------------------------------------------

def accounts_file() -> pathlib.Path:
    return access.accounts_path()


@functools.lru_cache(maxsize=8)
def _read(path: str, stamp: tuple) -> dict[str, Account]:
    return access.load_accounts(pathlib.Path(path))


def accounts() -> dict[str, Account]:
    """The accounts file's accounts, read again only when the file changes (a removed account is out at once)."""
    path = accounts_file()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    return _read(str(path), (stat.st_mtime_ns, stat.st_size, stat.st_ino))


def open_mode() -> bool:
    """No accounts configured: everybody may do everything (the demo)."""
    return not accounts()


def _open_account() -> Account:
    return Account(name=ingest.current_user(), role="admin", scope=access.ALL)


def current() -> Account | None:
    """The signed-in account (the implicit open one when none is configured); None before sign-in."""
    every = accounts()
    if not every:
        return _open_account()
    signed = st.session_state.get(SESSION)
    if signed is None:
        return None
    fresh = every.get(signed.name)  # a changed role or scope applies at the next run; a removed account is out
    if fresh is None:
        st.session_state.pop(SESSION, None)
    return fresh


def user_name() -> str:
    """Who loads or rolls back: the account, or the OS user when the app runs open."""
    account = current()
    return account.name if account is not None else ingest.current_user()


def can(permission: str) -> bool:
    account = current()
    return account is not None and account.can(permission)


def may_open(title_key: str) -> bool:
    return can(PAGE_PERMISSION.get(title_key, "read"))


def scope() -> str:
    """The scope code of the session ('all' when open); NotPermitted before sign-in."""
    account = current()
    if account is None:
        raise NotPermitted([Message("acc_sign_in_first")])
    return account.scope


def in_scope(code) -> bool:
    account = current()
    return account is not None and account.sees(code)


def require_in_scope(code) -> None:
    """The guard of every read: raises NotPermitted (shown as a message) for a unit outside the scope."""
    if not in_scope(code):
        raise NotPermitted([Message("acc_out_of_scope", {"code": str(code)})])


def within() -> tuple[int, int] | None:
    """The scope as a num range, or None for everything."""
    value = scope()
    return None if value == access.ALL else access.scope_range(value)


def filter_units(units):
    """The rows of a units frame (with `num`) inside the scope."""
    bounds = within()
    if bounds is None:
        return units
    return units[(units["num"] >= bounds[0]) & (units["num"] < bounds[1])]


# ---- sign-in -------------------------------------------------------------------------------------

def gate(lang: str) -> Account | None:
    """The session's account, signing in through the proxy header or OIDC when they name one; None means
    the sign-in form must be shown (and nothing else). A broken accounts file shows its message and nothing else:
    the app fails closed, never open."""
    try:
        every = accounts()
    except InputError as broken:
        st.error(broken.messages[0].text(lang))
        st.stop()
    if not every:
        return _open_account()
    account = current()
    if account is not None:
        return account
    if st.session_state.pop(_SIGNED_OUT, False):
        if oidc_configured() and st.user.is_logged_in:
            st.logout()  # st.logout is not for callbacks: it runs here, in the script
        return None  # a proxy header would sign straight back in: show the form once after signing out
    account = _from_header(every) or _from_oidc(every)
    if account is not None:
        _sign_in(account, "header" if _header_name() else "oidc")
    return account


def _header_name() -> str:
    return os.environ.get(HEADER_ENV, "").strip()


def _from_header(every: dict[str, Account]) -> Account | None:
    """A trusted reverse proxy (which did the authentication) names the user in a header."""
    name = _header_name()
    if not name:
        return None
    value = (st.context.headers.get(name) or "").strip()
    return every.get(value) if value else None


def oidc_configured() -> bool:
    """An [auth] section in .streamlit/secrets.toml means an OIDC provider was set up for st.login."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # noqa: BLE001 - a broken secrets file means no OIDC, not a crash
        return False


def _from_oidc(every: dict[str, Account]) -> Account | None:
    if not oidc_configured() or not st.user.is_logged_in:
        return None
    return access.by_email(every, st.user.get("email"))


def _sign_in(account: Account, via: str) -> None:
    st.session_state[SESSION] = account
    record(account.name, "login", via)


def record(user: str, action: str, detail: str) -> None:
    """Into the access log beside the accounts file; a log that cannot be written must not keep anyone out."""
    try:
        access.record(access.log_path(accounts_file()), user, action, detail)
    except OSError:
        log.warning("could not record %s of %s", action, user, exc_info=True)


def login_page(lang: str) -> None:
    """The only thing shown before sign-in: the form (and the provider's button when OIDC is set up)."""
    from . import controls

    st.title(i18n.t("app_title", lang), anchor=False)
    controls.language_switch(lang)
    st.subheader(i18n.t("acc_sign_in", lang), anchor=False)
    if oidc_configured() and st.user.is_logged_in:
        st.warning(i18n.t("acc_oidc_no_account", lang, email=st.user.get("email") or "—"))
        if st.button(i18n.t("acc_sign_out", lang), key="login-oidc-out"):
            st.logout()
        return
    with st.form("login-form", enter_to_submit=True, width=420):
        st.text_input(i18n.t("acc_name", lang), key="login-name", autocomplete="username")
        st.text_input(i18n.t("acc_password", lang), type="password", key="login-password",
                      autocomplete="current-password")
        st.form_submit_button(i18n.t("acc_sign_in_button", lang), type="primary", on_click=_check_password,
                              args=(lang,), key="login-submit")
    failed = st.session_state.pop("login-failed", False)
    locked = st.session_state.pop("login-locked", None)
    if locked:
        st.error(i18n.t("acc_locked", lang, time=locked.strftime("%H:%M")))
    elif failed:
        st.error(i18n.t("acc_wrong", lang))
    if oidc_configured() and st.button(i18n.t("acc_sign_in_oidc", lang), key="login-oidc"):
        st.login()  # to the provider and back; the next run finds st.user signed in


def _check_password(lang: str) -> None:
    """Form callback: sign in, or say 'wrong name or password' (never which of the two)."""
    name = str(st.session_state.get("login-name", "")).strip()
    password = str(st.session_state.get("login-password", ""))
    st.session_state["login-password"] = ""
    until = access.locked_until(access.log_path(accounts_file()), name, access.now())
    if until is not None:  # no password is checked, right or wrong, until then
        st.session_state["login-locked"] = until
        record(access.logged_name(name), "login_locked", "password")
        return
    account = access.authenticate(accounts(), name, password)
    if account is None:
        st.session_state["login-failed"] = True
        record(access.logged_name(name), "login_failed", "password")
        return
    _sign_in(account, "password")


def sign_out() -> None:
    """Button callback: forgets the session's account; the run that follows shows the sign-in form (and ends the
    OIDC identity too, which would otherwise sign the user straight back in)."""
    account = st.session_state.pop(SESSION, None)
    if account is not None:
        record(account.name, "logout", "")
    st.session_state[_SIGNED_OUT] = True


def sidebar(lang: str) -> None:
    """Who is signed in, with what role and scope, and the sign-out button; nothing when the app runs open."""
    if open_mode():
        return
    account = current()
    if account is None:
        return
    st.caption(i18n.t("acc_signed_in_as", lang, name=account.name, role=i18n.t(f"acc_role_{account.role}", lang),
                      scope=scope_label(account.scope, lang)))
    st.button(i18n.t("acc_sign_out", lang), key="sign-out", on_click=sign_out, icon=":material/logout:",
              type="tertiary")


def scope_label(scope_code: str, lang: str) -> str:
    """'all units', or the scope unit's name and level."""
    if scope_code == access.ALL:
        return i18n.t("acc_scope_all", lang)
    from . import data

    try:
        unit = data.unit_unchecked(data.store(), scope_code)
        return f"{unit['name']}（{codes.LEVEL_LABELS[unit['level']][lang]}）" if lang == "zh" else \
            f"{unit['name']} ({codes.LEVEL_LABELS[unit['level']][lang]})"
    except Exception:  # noqa: BLE001 - a scope unit not (yet) in the store: show its code
        return scope_code


def not_permitted(lang: str) -> None:
    """A page the role may not use, reached by its URL: say so, show nothing of it."""
    st.warning(i18n.t("acc_page_not_permitted", lang), icon=":material/lock:")
