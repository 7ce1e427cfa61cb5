"""Who is using the app: sign-in (password form, trusted proxy header, OIDC), the session's account, the scope guard.

app.py calls `gate()` before navigation. With no accounts file the app runs
open (an implicit admin of everything, as for the demo); with one, nothing
but the sign-in form shows until the session has an account. Three ways in:
- a password checked against the accounts file (works offline);
- a trusted reverse-proxy header (`$DASHBOARD_AUTH_HEADER`, e.g.
  X-Forwarded-User) naming an account;
- OIDC through `st.login` when `.streamlit/secrets.toml` has an `[auth]`
  section; the identity's email maps to an account.
A password sign-in also gives the browser a signed, HTTP-only cookie, so that the
device stays signed in for a working day in every tab (dashboard/storage/sessions.py,
set by the route of dashboard/ui/server.py).

The scope is enforced where data is read: every cached read (reads.py: the
reads of data.py and analysis_data.py) calls `require_in_scope(code)` before it
returns anything, so a page that skipped the context's checks still gets
nothing outside the account's subtree. Drawing the sign-in form is signin.py's.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import pathlib

import streamlit as st

from .. import i18n
from ..domain import codes
from ..domain.messages import InputError, Message
from ..intake import ingest
from ..storage import access, sessions
from ..storage.access import Account

log = logging.getLogger(__name__)
SESSION = "_account"
_SIGNED_OUT = "_signed_out"
_COOKIE_TO_SET = "_session_cookie"  # the token the next run hands to the browser ("" : the cookie is dropped)
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
    _hand_cookie_to_browser()
    account = current()
    if account is not None:
        return account
    if st.session_state.pop(_SIGNED_OUT, False):
        if oidc_configured() and st.user.is_logged_in:
            st.logout()  # st.logout is not for callbacks: it runs here, in the script
        return None  # a proxy header would sign straight back in: show the form once after signing out
    account = _from_header(every) or _from_oidc(every)
    if account is not None:
        sign_in(account, "header" if _header_name() else "oidc")
        return account
    account = sessions.account_of(accounts_file(), every, st.context.cookies.get(sessions.COOKIE), access.now())
    if account is not None:  # this device signed in with a password earlier today (sessions.py)
        sign_in(account, "cookie")
    return account


def _hand_cookie_to_browser() -> None:
    """Has the server set (or drop) the HTTP-only sign-in cookie, once, on the run after a sign-in (or a sign-out):
    the page posts the token to the server's route (dashboard/ui/server.py), whose answer carries the cookie."""
    token = st.session_state.pop(_COOKIE_TO_SET, None)
    if token is None:
        return
    request = json.dumps({"method": "POST", "body": token, "credentials": "same-origin",
                          "headers": {sessions.ROUTE_HEADER: "1"}})
    st.html(f"<script>fetch({json.dumps(sessions.ROUTE)}, {request});</script>", unsafe_allow_javascript=True)


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


def sign_in(account: Account, via: str) -> None:
    st.session_state[SESSION] = account
    record(account.name, "login", via)
    if via == "password":  # the device stays signed in for the day (a proxy header or OIDC signs it in anyway)
        st.session_state[_COOKIE_TO_SET] = sessions.issue(accounts_file(), account, access.now())


def record(user: str, action: str, detail: str) -> None:
    """Into the access log beside the accounts file; a log that cannot be written must not keep anyone out."""
    try:
        access.record(access.log_path(accounts_file()), user, action, detail)
    except OSError:
        log.warning("could not record %s of %s", action, user, exc_info=True)


def sign_out() -> None:
    """Button callback: forgets the session's account; the run that follows shows the sign-in form (and ends the
    OIDC identity too, which would otherwise sign the user straight back in)."""
    account = st.session_state.pop(SESSION, None)
    if account is not None:
        record(account.name, "logout", "")  # which also ends the account's cookie on every device (sessions.py)
    st.session_state[_SIGNED_OUT] = True
    st.session_state[_COOKIE_TO_SET] = ""


def not_permitted(lang: str) -> None:
    """A page the role may not use, reached by its URL: say so, show nothing of it."""
    st.warning(i18n.t("acc_page_not_permitted", lang), icon=":material/lock:")
