"""数据导入 for the files that set a county up: a unit list, a boundary file, a population register.

Each gets its own preview before confirm (units: new, renamed, the tree by
level and its orphans; boundaries: matched units by level, unmatched
features, the CRS read and a small static map; register: new, changed,
unchanged and a few rows) and is stored through the CLI's own commit
(`import_model.confirm_setup`). Plans are kept like report plans (keyed by the
store version, so a unit list confirmed first re-checks the boundary file
below it); the confirm button records the request and the page body carries
it out (see importer.py).
"""
from __future__ import annotations

import streamlit as st

from .. import i18n
from ..domain.messages import InputError
from ..intake import kinds
from ..output import import_model
from ..output.import_model import SetupPlan, Upload
from ..storage.store import StoreBusy
from . import auth
from .admin import Admin
from .controls import md_escape

SETUP_PLANS = "imp-setup-plans"
LISTED = 30  # names listed in a line (unmatched features, units without a boundary)


def status(adm: Admin) -> None:
    """What is still missing, in order; the first missing step is the one to do now."""
    missing = import_model.missing_steps(adm.store)
    if not missing:
        return
    lang = adm.lang
    with st.container(border=True, key="imp-setup-status"):
        st.markdown(f"**{i18n.t('imp_setup_title', lang)}**")
        (st.warning if missing[0] == kinds.UNITS else st.info)(i18n.t(f"imp_missing_{missing[0]}", lang))
        for step in missing[1:]:
            st.caption(i18n.t(f"imp_missing_{step}", lang))
        st.caption(i18n.t("imp_setup_order", lang))


def planned(adm: Admin, upload: Upload, kind: str, used: set) -> SetupPlan:
    """The file's setup plan at the store's current version, checked once per version."""
    key = (upload.key, upload.name, kind, adm.store.version() if adm.store.exists() else "", auth.scope())
    used.add(key)
    cache = st.session_state.setdefault(SETUP_PLANS, {})
    if key not in cache:
        with st.spinner(i18n.t("imp_checking", adm.lang, file=upload.name,
                               size=i18n.t("imp_size_mb", adm.lang, mb=f"{len(upload.data) / 1e6:.1f}"))):
            cache[key] = import_model.plan_setup(adm.store, upload, kind, scope=auth.scope())
    return cache[key]


def forget_except(used: set) -> None:
    cache = st.session_state.get(SETUP_PLANS, {})
    for key in [k for k in cache if k not in used]:
        del cache[key]


def panel(adm: Admin, upload: Upload, kind: str, used: set, request) -> None:
    """One setup file: its preview and its confirm button (which calls `request`)."""
    setup = planned(adm, upload, kind, used)
    lang = adm.lang
    if setup.errors:
        st.error("\n\n".join(md_escape(m.text(lang)) for m in setup.errors[:20]), icon=":material/error:")
    if setup.plan is not None:
        PREVIEWS[kind](adm, setup.plan)
    if setup.ok:
        st.success(i18n.t("imp_setup_ready", lang), icon=":material/task_alt:")
    st.button(i18n.t("imp_setup_confirm", lang, kind=i18n.t(f"imp_kind_{kind}", lang)), type="primary",
              key=f"imp-confirm-{upload.key}", disabled=not setup.ok,
              help=None if setup.ok else i18n.t("imp_fix_first", lang), on_click=request, args=([upload.key], "setup"))


def commit(adm: Admin, upload: Upload, kind: str) -> dict:
    """Stores the file's plan (checked at this store version); the outcome for its panel."""
    setup = planned(adm, upload, kind, set())
    try:
        with st.spinner(i18n.t("imp_writing", adm.lang, file=upload.name)):
            result = import_model.confirm_setup(adm.store, setup, scope=auth.scope())
    except InputError as exc:
        return {"kind": "setup_failed", "text": "\n\n".join(m.text(adm.lang) for m in exc.messages[:20])}
    except StoreBusy:
        return {"kind": "setup_failed", "text": i18n.t("err_store_busy", adm.lang)}
    return {"kind": "setup_done", "text": i18n.t("imp_setup_stored", adm.lang, file=upload.name,
                                                 summary=import_model.setup_done(setup, result, adm.lang))}


def show_outcome(adm: Admin, outcome: dict) -> None:
    """What was stored, then the next step of the setup."""
    if outcome["kind"] == "setup_failed":
        st.error(md_escape(outcome["text"]))
        return
    st.success(md_escape(outcome["text"]), icon=":material/check_circle:")
    missing = import_model.missing_steps(adm.store)
    st.caption(i18n.t("imp_setup_next", adm.lang, step=i18n.t(f"imp_missing_{missing[0]}", adm.lang))
               if missing else i18n.t("imp_setup_all_done", adm.lang))
    if kinds.UNITS not in missing and kinds.REPORT not in missing:
        st.page_link("pages/map.py", label=i18n.t("page_map", adm.lang), icon=":material/map:")


def _facts(facts: list[tuple[str, str]]) -> None:
    st.markdown(" · ".join(f"{md_escape(label)} **{md_escape(value)}**" for label, value in facts))


def units_preview(adm: Admin, plan) -> None:
    lang = adm.lang
    _facts(import_model.units_facts(plan, lang))
    st.markdown(f"**{i18n.t('imp_tree_title', lang)}**")
    st.dataframe(import_model.tree_levels_table(plan, lang), hide_index=True, width="stretch")
    lost = import_model.orphans_table(plan, lang)
    if len(lost):
        st.warning(i18n.t("imp_orphans_title", lang, count=i18n.fmt_count(len(lost), lang)))
        st.dataframe(lost, hide_index=True, width="stretch", height="auto" if len(lost) <= 8 else 300)
    with st.expander(i18n.t("imp_tree_top", lang)):
        st.dataframe(import_model.tree_table(plan, lang), hide_index=True, width="stretch", height=300)


def boundaries_preview(adm: Admin, plan) -> None:
    lang = adm.lang
    _facts(import_model.boundaries_facts(plan, lang))
    if not len(plan.shapes):
        st.warning(i18n.t("imp_geo_nothing", lang))
    else:
        st.dataframe(import_model.boundaries_levels_table(plan, lang), hide_index=True, width="content")
    if plan.unmatched_features:
        st.caption(md_escape(i18n.t("imp_geo_unmatched_list", lang, names="、".join(plan.unmatched_features[:LISTED])
                                    + ("…" if len(plan.unmatched_features) > LISTED else ""))))
    if plan.units_without_geometry:
        st.caption(md_escape(i18n.t("imp_geo_missing_list", lang, count=len(plan.units_without_geometry),
                                    names="、".join(plan.units_without_geometry[:LISTED])
                                    + ("…" if len(plan.units_without_geometry) > LISTED else ""))))
    st.plotly_chart(import_model.boundaries_figure(plan, lang), config={"displayModeBar": False, "staticPlot": True})


def register_preview(adm: Admin, plan) -> None:
    lang = adm.lang
    _facts(import_model.register_facts(plan, lang))
    sample = import_model.register_sample(plan, adm.units, lang)
    if len(sample):
        st.markdown(f"**{i18n.t('imp_reg_sample', lang)}**")
        st.dataframe(sample, hide_index=True, width="stretch")


PREVIEWS = {kinds.UNITS: units_preview, kinds.BOUNDARIES: boundaries_preview, kinds.REGISTER: register_preview}
