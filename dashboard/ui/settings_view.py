"""设置 page: targets, testing rounds, carry-forward days, the level expected to report daily, unit renames and 撤销.

Every change goes through the core (`configure.put`, `configure.put_round`,
`units.rename`, `units.retire`), the same functions as the CLI, in a button
callback (`admin.act`), and is confirmed next to the button. Nothing is
deleted: a renamed unit keeps its code, figures and earlier names; a retired
unit keeps everything it reported.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from .. import i18n
from ..domain import codes, fields, indicators
from ..domain.messages import InputError, Message
from ..intake import units
from ..output import import_model
from ..storage import configure, settings
from . import accounts_view, admin, auth, controls
from .admin import Admin
from .context import update
from .controls import md_escape, mirror

AUTO = "auto"  # expected_level stored as a non-level means "the finest level that reported lately"


def render(adm: Admin) -> None:
    lang = adm.lang
    sections = [(i18n.t("set_tab_targets", lang), lambda: targets_section(adm)),
                (i18n.t("set_tab_rounds", lang), lambda: rounds_section(adm)),
                (i18n.t("set_tab_reporting", lang), lambda: reporting_section(adm)),
                (i18n.t("set_tab_units", lang), lambda: units_section(adm))]
    if auth.can("accounts"):
        sections.append((i18n.t("acc_section", lang), lambda: accounts_view.render(adm)))
    controls.tabs("set-tabs", sections)


def _default(key: str, value) -> None:
    """The stored value as the widget's starting value, unless the user is editing it in this session."""
    if key not in st.session_state:
        st.session_state[key] = value


# ---- targets -----------------------------------------------------------------------

def targets_section(adm: Admin) -> None:
    """One target per indicator, in percent; a change shows at once on every card, table and map."""
    lang = adm.lang
    st.caption(i18n.t("set_targets_hint", lang))
    current = settings.targets(adm.store)
    domains = settings.enabled_domains(adm.store)
    with st.form("set-targets"):
        columns = st.columns(len(domains))
        for column, domain in zip(columns, domains):
            column.markdown(f"**{fields.DOMAIN_LABELS[domain][lang]}**")
            for ind in indicators.for_domain(domain):
                key = f"set-target-{ind.key}"
                _default(key, round(current[ind.key] * 100, 1))
                column.number_input(i18n.t("set_target_label", lang, indicator=ind.label(lang)), min_value=0.0,
                                    max_value=100.0, step=1.0, format="%.1f", key=key,
                                    help=i18n.t("set_target_default", lang,
                                                target=i18n.fmt_percent(ind.default_target)))
        st.form_submit_button(i18n.t("set_save", lang), type="primary", icon=":material/save:",
                              on_click=admin.act, args=("targets", lang, _save_targets, adm.store, lang))
    admin.flash("targets")  # the confirmation right under the button that was clicked


def _save_targets(store, lang: str) -> str:
    before = settings.targets(store)
    changed = []
    for ind in (i for d in settings.enabled_domains(store) for i in indicators.for_domain(d)):
        value = round(float(st.session_state[f"set-target-{ind.key}"]) / 100, 4)
        if abs(value - before[ind.key]) > 1e-9:
            configure.put(store, f"target.{ind.key}", value)
            changed.append(i18n.t("set_target_changed", lang, indicator=ind.label(lang),
                                  before=i18n.fmt_percent(before[ind.key]), after=i18n.fmt_percent(value)))
    return i18n.t("set_saved", lang, what="；".join(changed) if lang == "zh" else "; ".join(changed)) \
        if changed else i18n.t("set_unchanged", lang)


# ---- testing rounds --------------------------------------------------------------

def rounds_section(adm: Admin) -> None:
    """Rounds set per county (number, start date); testing counts reset with each new round."""
    lang = adm.lang
    st.caption(i18n.t("set_rounds_hint", lang))
    counties = adm.units[adm.units["level"] == "county"]
    rounds = adm.store.query("rounds_all")
    if len(rounds):
        names = dict(zip(counties["num"].astype("int64"), counties["name"]))
        st.dataframe(pd.DataFrame({
            i18n.t("set_col_county", lang): [names.get(int(n), str(n)) for n in rounds["county_num"]],
            i18n.t("set_col_round", lang): rounds["round"].astype(int),
            i18n.t("set_col_start", lang): [pd.Timestamp(d).date() for d in rounds["start_date"]],
        }), hide_index=True, width="stretch")
    else:
        st.info(i18n.t("set_rounds_none", lang))
    if counties.empty:
        st.info(i18n.t("set_no_county", lang))
        return
    with st.form("set-round"):
        left, middle, right = st.columns([3, 1, 2])
        left.selectbox(i18n.t("set_col_county", lang), list(counties["code"]), key="set-round-county",
                       format_func=dict(zip(counties["code"], counties["name"])).get)
        _default("set-round-number", int(rounds["round"].max()) + 1 if len(rounds) else 1)
        middle.number_input(i18n.t("set_col_round", lang), min_value=1, max_value=99, step=1, key="set-round-number")
        _default("set-round-start", dt.date.today())
        right.date_input(i18n.t("set_col_start", lang), key="set-round-start", format="YYYY-MM-DD")
        st.form_submit_button(i18n.t("set_round_save", lang), type="primary", icon=":material/save:",
                              on_click=admin.act, args=("rounds", lang, _save_round, adm.store, lang))
    admin.flash("rounds")


def _save_round(store, lang: str) -> str:
    county, number, start = (st.session_state[k] for k in ("set-round-county", "set-round-number", "set-round-start"))
    configure.put_round(store, county, int(number), start)
    st.session_state["set-round-number"] = int(number) + 1  # ready for the next round
    name = store.query("unit_by_code", code=county)["name"].iloc[0]
    return i18n.t("round_done", lang, county=name, round=int(number), start=start.isoformat())


# ---- reporting ---------------------------------------------------------------------

def reporting_section(adm: Admin) -> None:
    """How many days a missing report is carried forward, and which level is expected to report daily."""
    lang = adm.lang
    values = settings.all_settings(adm.store)
    with st.form("set-reporting"):
        _default("set-carry", settings.carry_days(adm.store, values))
        st.number_input(i18n.t("set_carry_label", lang), min_value=0, max_value=30, step=1, key="set-carry",
                        help=i18n.t("set_carry_help", lang))
        st.markdown(f"**{i18n.t('set_expected_title', lang)}**")
        st.caption(i18n.t("set_expected_hint", lang))
        options = [AUTO, *(lv for lv in codes.LEVELS if codes.PREFIX_LEN[lv] > codes.PREFIX_LEN["county"])]
        domains = settings.enabled_domains(values)
        for column, domain in zip(st.columns(len(domains)), domains):
            key = f"set-expected-{domain}"
            _default(key, settings.expected_level(values, domain) or AUTO)
            column.selectbox(fields.DOMAIN_LABELS[domain][lang], options, key=key,
                             format_func=lambda lv: i18n.t("set_level_auto", lang) if lv == AUTO
                             else codes.LEVEL_LABELS[lv][lang])
        if fields.OPTIONAL_DOMAINS:
            st.markdown(f"**{i18n.t('set_domains_title', lang)}**")
            st.caption(i18n.t("set_domains_hint", lang))
        for domain in fields.OPTIONAL_DOMAINS:
            _default(f"set-domain-{domain}", domain in domains)
            st.toggle(fields.DOMAIN_LABELS[domain][lang], key=f"set-domain-{domain}")
        st.form_submit_button(i18n.t("set_save", lang), type="primary", icon=":material/save:",
                              on_click=admin.act, args=("reporting", lang, _save_reporting, adm.store, lang))
    admin.flash("reporting")


def _save_reporting(store, lang: str) -> str:
    values = settings.all_settings(store)
    changed = []
    carry = int(st.session_state["set-carry"])
    if carry != settings.carry_days(store, values):
        configure.put(store, "carry_days", carry)
        changed.append(i18n.t("set_carry_changed", lang, days=carry))
    for domain in fields.OPTIONAL_DOMAINS:
        wanted = bool(st.session_state[f"set-domain-{domain}"])
        if wanted != (domain in settings.enabled_domains(values)):
            configure.put(store, settings.switch_key(domain), "on" if wanted else "off")
            changed.append(i18n.t("set_domain_on" if wanted else "set_domain_off", lang,
                                  domain=fields.DOMAIN_LABELS[domain][lang]))
    for domain in settings.enabled_domains(values):
        level = st.session_state[f"set-expected-{domain}"]
        if level != (settings.expected_level(values, domain) or AUTO):
            configure.put(store, f"expected_level.{domain}", level)
            changed.append(i18n.t("set_expected_changed", lang, domain=fields.DOMAIN_LABELS[domain][lang],
                                  level=i18n.t("set_level_auto", lang) if level == AUTO
                                  else codes.LEVEL_LABELS[level][lang]))
    return i18n.t("set_saved", lang, what="；".join(changed) if lang == "zh" else "; ".join(changed)) \
        if changed else i18n.t("set_unchanged", lang)


# ---- units: rename and retire ----------------------------------------------------------

def units_section(adm: Admin) -> None:
    """Pick a unit, see its names over time, rename it or retire it from a date."""
    lang = adm.lang
    st.caption(i18n.t("set_units_hint", lang))
    choices = import_model.unit_neighbourhood(adm.units, adm.unit_code)  # one level at a time, not 4,000 options
    key = "set-unit"
    mirror(key, adm.unit_code)
    code = st.selectbox(i18n.t("set_unit", lang), list(choices["code"]), key=key,
                        format_func=import_model.unit_label(choices, lang), help=i18n.t("set_unit_help", lang),
                        on_change=lambda: update(unit=None if st.session_state[key] == adm.root_code
                                                 else st.session_state[key]))
    unit = choices.set_index("code").loc[code]
    history = adm.store.query("unit_names_history", code=code)
    st.dataframe(pd.DataFrame({
        i18n.t("col_name", lang): history["name"].astype(str),
        i18n.t("set_col_from", lang): [_day_or_dash(d) for d in history["valid_from"]],
        i18n.t("set_col_to", lang): [_day_or_dash(d) for d in history["valid_to"]],
    }), hide_index=True, width="stretch")
    rename, retire = st.columns(2)
    with rename, st.form("set-rename"):
        st.markdown(f"**{i18n.t('set_rename_title', lang)}**")
        st.text_input(i18n.t("set_new_name", lang), key="set-rename-name", max_chars=60)
        _default("set-rename-date", dt.date.today())
        st.date_input(i18n.t("set_effective", lang), key="set-rename-date", format="YYYY-MM-DD")
        st.form_submit_button(i18n.t("set_rename", lang), icon=":material/edit:",
                              on_click=admin.act, args=("units", lang, _rename, adm.store, code, lang))
    with retire, st.form("set-retire"):
        st.markdown(f"**{i18n.t('set_retire_title', lang)}**")
        _default("set-retire-date", dt.date.today())
        st.date_input(i18n.t("set_effective", lang), key="set-retire-date", format="YYYY-MM-DD")
        st.checkbox(i18n.t("set_retire_sure", lang, name=md_escape(unit["name"])), key="set-retire-sure")
        st.form_submit_button(i18n.t("set_retire", lang), icon=":material/block:", disabled=not bool(unit["active"]),
                              on_click=admin.act, args=("units", lang, _retire, adm.store, code, lang))
    admin.flash("units")
    retired = adm.units[~adm.units["active"].astype(bool)]
    if len(retired):
        st.markdown(f"**{i18n.t('set_retired_title', lang, count=len(retired))}**")
        st.dataframe(pd.DataFrame({i18n.t("col_code", lang): retired["code"], i18n.t("col_name", lang): retired["name"],
                                   i18n.t("imp_fact_level", lang): [codes.LEVEL_LABELS[lv][lang]
                                                                    for lv in retired["level"]]}),
                     hide_index=True, width="stretch")


def _day_or_dash(value) -> str:
    return "—" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _rename(store, code: str, lang: str) -> str | None:
    name = str(st.session_state.get("set-rename-name") or "").strip()
    if not name:
        raise_input("set_err_no_name")
    day = st.session_state["set-rename-date"]
    units.rename(store, code, name, day)
    st.session_state["set-rename-name"] = ""
    return i18n.t("rename_done", lang, code=code, name=name, date=day.isoformat())


def _retire(store, code: str, lang: str) -> str:
    if not st.session_state.get("set-retire-sure"):
        raise_input("set_err_not_sure")
    day = st.session_state["set-retire-date"]
    units.retire(store, code, day)
    st.session_state["set-retire-sure"] = False
    return i18n.t("retire_done", lang, code=code, date=day.isoformat())


def raise_input(key: str):
    """A refused change: said in the user's language where they clicked."""
    raise InputError([Message(key)])
