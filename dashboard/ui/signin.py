"""What a person sees of signing in: the form (and the provider's button), who is signed in, the scope in words.

The rules (who the session's account is, what it may see) are auth.py's; this module only draws, so it may use
the widgets and reads that themselves depend on auth.
"""
from __future__ import annotations

import streamlit as st

from .. import i18n
from ..domain import codes
from ..storage import access
from . import auth, controls, data


def login_page(lang: str) -> None:
    """The only thing shown before sign-in: the form (and the provider's button when OIDC is set up)."""
    st.title(i18n.t("app_title", lang), anchor=False)
    controls.language_switch(lang)
    st.subheader(i18n.t("acc_sign_in", lang), anchor=False)
    if auth.oidc_configured() and st.user.is_logged_in:
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
    if auth.oidc_configured() and st.button(i18n.t("acc_sign_in_oidc", lang), key="login-oidc"):
        st.login()  # to the provider and back; the next run finds st.user signed in


def _check_password(lang: str) -> None:
    """Form callback: sign in, or say 'wrong name or password' (never which of the two)."""
    name = str(st.session_state.get("login-name", "")).strip()
    password = str(st.session_state.get("login-password", ""))
    st.session_state["login-password"] = ""
    until = access.locked_until(access.log_path(auth.accounts_file()), name, access.now())
    if until is not None:  # no password is checked, right or wrong, until then
        st.session_state["login-locked"] = until
        auth.record(access.logged_name(name), "login_locked", "password")
        return
    account = access.authenticate(auth.accounts(), name, password)
    if account is None:
        st.session_state["login-failed"] = True
        auth.record(access.logged_name(name), "login_failed", "password")
        return
    auth.sign_in(account, "password")


def sidebar(lang: str) -> None:
    """Who is signed in, with what role and scope, and the sign-out button; nothing when the app runs open."""
    if auth.open_mode():
        return
    account = auth.current()
    if account is None:
        return
    st.caption(i18n.t("acc_signed_in_as", lang, name=account.name, role=i18n.t(f"acc_role_{account.role}", lang),
                      scope=scope_label(account.scope, lang)))
    st.button(i18n.t("acc_sign_out", lang), key="sign-out", on_click=auth.sign_out, icon=":material/logout:",
              type="tertiary")


def scope_label(scope_code: str, lang: str) -> str:
    """'all units', or the scope unit's name and level."""
    if scope_code == access.ALL:
        return i18n.t("acc_scope_all", lang)
    try:
        unit = data.unit.unchecked(data.store(), scope_code)
        return f"{unit['name']}（{codes.LEVEL_LABELS[unit['level']][lang]}）" if lang == "zh" else \
            f"{unit['name']} ({codes.LEVEL_LABELS[unit['level']][lang]})"
    except Exception:  # noqa: BLE001 - a scope unit not (yet) in the store: show its code
        return scope_code
