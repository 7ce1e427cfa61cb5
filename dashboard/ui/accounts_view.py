"""The administrator's 账号与权限 tab on the settings page: the accounts, add, change role and scope, remove, the record.

Kept simple on purpose: the CLI (`python -m dashboard account …`) is the
primary way to manage accounts. Every change goes through dashboard/storage/access.py
(the same functions as the CLI), in a button callback via `admin.act`, and is
recorded in the access log with the administrator's name.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import i18n
from ..domain.messages import InputError, Message
from ..storage import access
from . import admin, auth, signin
from .admin import Admin


def render(adm: Admin) -> None:
    lang = adm.lang
    path = auth.accounts_file()
    st.caption(i18n.t("acc_section_note", lang, file=str(path)))
    if auth.open_mode():
        st.info(i18n.t("acc_first_note", lang))
    every = auth.accounts()
    if every:
        st.dataframe(pd.DataFrame({
            i18n.t("acc_col_name", lang): [a.name for a in every.values()],
            i18n.t("acc_col_role", lang): [i18n.t(f"acc_role_{a.role}", lang) for a in every.values()],
            i18n.t("acc_col_scope", lang): [signin.scope_label(a.scope, lang) for a in every.values()],
            i18n.t("acc_col_email", lang): [a.email for a in every.values()],
        }), hide_index=True, width="stretch", key="acc-table")
    add, change = st.columns(2)
    with add, st.form("acc-add", clear_on_submit=True):
        st.markdown(f"**{i18n.t('acc_add', lang)}**")
        st.text_input(i18n.t("acc_col_name", lang), key="acc-add-name", max_chars=64)
        _role_select("acc-add-role", lang)
        st.text_input(i18n.t("acc_scope_field", lang), key="acc-add-scope", value=access.ALL)
        st.text_input(i18n.t("acc_email_field", lang), key="acc-add-email")
        st.text_input(i18n.t("acc_password", lang), type="password", key="acc-add-password")
        st.form_submit_button(i18n.t("acc_add", lang), icon=":material/person_add:",
                              on_click=admin.act, args=("accounts", lang, _add, adm, path))
    names = sorted(every)
    with change:
        if names:
            with st.form("acc-change"):
                st.markdown(f"**{i18n.t('acc_change_role', lang)}**")
                st.selectbox(i18n.t("acc_which", lang), names, key="acc-change-name")
                _role_select("acc-change-role", lang)
                st.text_input(i18n.t("acc_scope_field", lang), key="acc-change-scope", value=access.ALL)
                st.form_submit_button(i18n.t("acc_change_role", lang), icon=":material/manage_accounts:",
                                      on_click=admin.act, args=("accounts", lang, _change, adm, path))
            with st.form("acc-remove"):
                st.markdown(f"**{i18n.t('acc_remove', lang)}**")
                st.selectbox(i18n.t("acc_which", lang), names, key="acc-remove-name")
                st.form_submit_button(i18n.t("acc_remove", lang), icon=":material/person_remove:",
                                      on_click=admin.act, args=("accounts", lang, _remove, adm, path))
    admin.flash("accounts")
    if every:  # the record matters once people sign in; the app running open has no one to name
        activity(adm, path)


def activity(adm: Admin, path) -> None:
    """Sign-ins, account changes and load actions, newest first (the CLI's `account log`)."""
    lang = adm.lang
    st.markdown(f"**{i18n.t('acc_activity', lang)}**")
    record = access.activity(adm.store, access.log_path(path)).head(500)
    st.dataframe(pd.DataFrame({
        i18n.t("acc_col_time", lang): pd.to_datetime(record["happened_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
        i18n.t("acc_col_user", lang): record["user"].astype(str),
        i18n.t("acc_col_action", lang): record["action"].astype(str),
        i18n.t("acc_col_detail", lang): record["detail"].astype(str),
    }), hide_index=True, width="stretch", key="acc-activity")


def _role_select(key: str, lang: str) -> None:
    st.selectbox(i18n.t("acc_col_role", lang), list(access.ROLES), key=key,
                 format_func=lambda role: i18n.t(f"acc_role_{role}", lang))


def _value(key: str) -> str:
    return str(st.session_state.get(key) or "").strip()


def _add(adm: Admin, path) -> str:
    account = access.add_account(path, _value("acc-add-name"), _value("acc-add-role"), _value("acc-add-scope"),
                                 str(st.session_state.get("acc-add-password") or ""), _value("acc-add-email"))
    auth.record(auth.user_name(), "account_added", f"{account.name} {account.role} {account.scope}")
    return i18n.t("acc_added", adm.lang, name=account.name, role=account.role, scope=account.scope, file=str(path))


def _change(adm: Admin, path) -> str:
    name = _value("acc-change-name")
    _not_self(name, _value("acc-change-role"))
    account = access.set_role(path, name, _value("acc-change-role"), _value("acc-change-scope"))
    auth.record(auth.user_name(), "role_changed", f"{account.name} {account.role} {account.scope}")
    return i18n.t("acc_role_done", adm.lang, name=account.name, role=account.role, scope=account.scope)


def _remove(adm: Admin, path) -> str:
    name = _value("acc-remove-name")
    _not_self(name, None)
    access.remove_account(path, name)
    auth.record(auth.user_name(), "account_removed", name)
    return i18n.t("acc_removed", adm.lang, name=name)


def _not_self(name: str, role: str | None) -> None:
    """An administrator cannot lock themselves out from this page (the CLI still can)."""
    me = auth.current()
    if me is not None and not auth.open_mode() and me.name == name and role != "admin":
        raise InputError([Message("acc_err_self", {"name": name})])
