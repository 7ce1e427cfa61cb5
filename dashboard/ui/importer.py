"""数据导入 page: upload report files, check what was understood, confirm; the load history; report templates.

Nothing is stored before the user confirms: each uploaded file is planned
(`import_model.plan_upload`, the CLI's `ingest.plan`) and shown with what was
inferred, the matched units, names that match nothing, the parsed values,
warnings and errors. Confirming commits that very plan. The uploaded files
are kept in the session (`FILES`), the plans per file and correction
(`PLANS`, keyed by the store version so a change to the store re-checks
them) and the results of confirmed files (`OUTCOMES`). A button only records
the request (`PENDING`); the page body carries it out at the top of the next
run, where the progress of a long write can be shown, and draws the results.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging

import pandas as pd
import streamlit as st

from .. import i18n
from ..analysis import rollup
from ..domain import codes, fields
from ..domain.messages import InputError, Message, rows_meant
from ..intake import ingest, kinds, limits
from ..output import templates
from ..output import import_model
from ..output.import_model import Overrides, Upload
from ..storage import settings
from ..storage.store import StoreBusy
from . import admin, auth, context, controls, data, downloads, setup_view, shell
from .admin import Admin
from .controls import md_escape

FILES, PLANS, OUTCOMES, PENDING = "imp-files", "imp-plans", "imp-outcomes", "imp-pending"
KINDS = "imp-kinds"  # upload key -> the kind told from its content
UPLOADS = "imp-uploader-round"  # a new uploader (empty) each time the list is cleared
TABLE_HEIGHT = 300
log = logging.getLogger(__name__)


def page() -> Admin | None:
    """admin.page() for 数据导入, except that a store without units opens too: setting a county up starts here."""
    shell._leave_pages_directory_mode()  # noqa: SLF001 - the same deep-link fix as every page
    lang = context.lang()
    shell._sidebar(lang)  # noqa: SLF001 - the same sidebar and style as every page
    if not auth.may_open("page_import"):
        auth.not_permitted(lang)
        return None
    with shell.guard(lang):
        store = data.store()
        table = auth.filter_units(admin.units(store)) if store.exists() else _no_units()
        code = data.default_unit(store, table, st.query_params.get("unit"))
        if data.shows_demo(store, code):
            st.badge(i18n.t("demo_label", lang), icon=":material/science:", color="violet")
        st.title(i18n.t("page_import", lang), anchor=False)
        return Admin(store=store, lang=lang, units=table, unit_code=code or "")
    return None


def _no_units() -> pd.DataFrame:
    return pd.DataFrame(columns=["code", "num", "name", "level", "prefix_len", "parent_code", "active"])


def render(adm: Admin) -> None:
    controls.tabs("imp-tabs", [(i18n.t("imp_tab_upload_any", adm.lang), lambda: upload_section(adm)),
                               (i18n.t("imp_tab_history", adm.lang), lambda: history_section(adm)),
                               (i18n.t("imp_tab_template", adm.lang), lambda: template_section(adm))])


# ---- upload, preview, confirm --------------------------------------------------------

def _uploader_key() -> str:
    return f"imp-upload-{st.session_state.get(UPLOADS, 0)}"


def uploader_words(lang: str) -> str:
    """The uploader's own words ("Upload", "100MB per file") in the page's language. Streamlit 1.67 offers no
    setting for them (streamlit/streamlit#13500), so its text is hidden and ours drawn in its place (CSS)."""
    button = json.dumps(i18n.t("imp_upload_button", lang), ensure_ascii=False)
    limit = json.dumps(i18n.t("imp_upload_limit", lang, mb=limits.MAX_UPLOAD_MB), ensure_ascii=False)
    zone = '[data-testid="stFileUploaderDropzone"]'
    return (f'<style>{zone} button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}'
            f'{zone} button [data-testid="stMarkdownContainer"] p::after {{ content: {button}; font-size: 1rem; }}'
            f'[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}'
            f'[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: {limit};'
            f' font-size: 0.875rem; }}</style>')


def _take_uploads() -> None:
    """Uploader callback: the files now in the uploader become the files on the page."""
    st.session_state[FILES] = import_model.uploads(st.session_state.get(_uploader_key()))


def upload_section(adm: Admin) -> None:
    setup_view.status(adm)
    st.html(uploader_words(adm.lang))
    st.file_uploader(i18n.t("imp_upload_label_any", adm.lang), accept_multiple_files=True, key=_uploader_key(),
                     on_change=_take_uploads, help=i18n.t("imp_upload_help", adm.lang))
    staged: list[Upload] = st.session_state.get(FILES, [])
    if not staged:
        st.caption(i18n.t("imp_upload_hint_any", adm.lang))
        return
    _carry_out_requests(adm, staged)
    plans, used, setup_used = {}, set(), set()
    for upload in _in_setup_order(staged):
        with st.container(border=True, key=f"imp-file-{upload.key}"):
            plan = file_panel(adm, upload, used, setup_used)
            if plan is not None:
                plans[upload.key] = plan
    _forget_plans_except(used)
    setup_view.forget_except(setup_used)
    ready = [k for k, p in plans.items() if p.ok]
    with st.container(horizontal=True):
        if len(ready) > 1:
            st.button(i18n.t("imp_confirm_all", adm.lang, files=len(ready)), type="primary", key="imp-confirm-all",
                      on_click=_request, args=(ready, "confirm"))
        st.button(i18n.t("imp_clear", adm.lang), key="imp-clear", type="tertiary", icon=":material/clear_all:",
                  on_click=_clear)


def _in_setup_order(staged: list[Upload]) -> list[Upload]:
    """Units first, then boundaries, register, reports: the order in which they can be confirmed."""
    return sorted(staged, key=lambda u: kinds.SETUP_ORDER.index(kind_chosen(u)))


def kind_detected(upload: Upload) -> str:
    """What the file is, from its bytes; told once per file (a boundary zip is opened to tell)."""
    found = st.session_state.setdefault(KINDS, {})
    if upload.key not in found:
        found[upload.key] = import_model.kind_of(upload)
    return found[upload.key]


def kind_chosen(upload: Upload) -> str:
    """The kind the user set for the file, else the one told from its content."""
    return st.session_state.get(f"imp-kind-{upload.key}") or kind_detected(upload)


def _kind_picker(adm: Admin, upload: Upload) -> str:
    """The file's kind, as told from its content; a selector corrects it (a report taken for a list, say)."""
    key = f"imp-kind-{upload.key}"
    if key not in st.session_state:
        st.session_state[key] = kind_detected(upload)
    st.selectbox(i18n.t("imp_kind_label", adm.lang), kinds.KINDS, key=key, help=i18n.t("imp_kind_help", adm.lang),
                 format_func=lambda k: i18n.t(f"imp_kind_{k}", adm.lang), width=220)
    return st.session_state[key]


def _clear() -> None:
    """Takes the files off the page (they were never kept anywhere else); loads already made stay."""
    for key in (FILES, PLANS, OUTCOMES, PENDING, KINDS, setup_view.SETUP_PLANS):
        st.session_state.pop(key, None)
    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1


def _request(keys: list[str], action: str, load_id: int | None = None) -> None:
    """Button callback: remember what was asked; the page does it in its body, where the progress can show."""
    st.session_state.setdefault(PENDING, {}).update({key: (action, load_id) for key in keys})


def _carry_out_requests(adm: Admin, staged: list[Upload]) -> None:
    """Loads (or restores) the files the user confirmed in the last run, then draws the page again with the results."""
    pending = st.session_state.pop(PENDING, {})
    asked = [(u, pending[u.key]) for u in staged if u.key in pending]
    if not asked:
        return
    # every plan first, at this store version (cached from the run that showed them), then the writes
    plans = {u.key: planned(adm, u, st.session_state.get(_overrides_key(u), Overrides()), set())
             for u, (action, _) in asked if action == "confirm"}
    for upload, (action, load_id) in asked:
        if action == "setup":
            st.session_state.setdefault(OUTCOMES, {})[upload.key] = setup_view.commit(adm, upload, kind_chosen(upload))
        elif action == "confirm" and plans[upload.key].ok:
            _commit(adm, upload.key, plans[upload.key])
        elif action == "restore":
            _restore_from_upload(adm, upload, load_id)
    st.rerun()


def file_panel(adm: Admin, upload: Upload, used: set, setup_used: set) -> ingest.Plan | None:
    """One file: its outcome once confirmed, else its plan with the confirm button; returns a report plan still
    to confirm (a setup file is confirmed on its own)."""
    st.markdown(f"**{md_escape(upload.name)}**")
    outcome = st.session_state.get(OUTCOMES, {}).get(upload.key)
    if outcome is not None and outcome["kind"].startswith("setup_"):
        setup_view.show_outcome(adm, outcome)
        if outcome["kind"] == "setup_done":
            return None
        st.session_state[OUTCOMES].pop(upload.key, None)  # a refused file is checked again below
    elif outcome is not None:
        show_outcome(adm, upload, outcome)
        return None
    kind = _kind_picker(adm, upload)
    if kind != kinds.REPORT:
        setup_view.panel(adm, upload, kind, setup_used, _request)
        return None
    overrides = st.session_state.get(_overrides_key(upload), Overrides())
    plan = planned(adm, upload, overrides, used)
    show_plan(adm, plan)
    corrections(adm, upload, plan, overrides)
    earlier = import_model.earlier_load(admin.history(adm.store), plan)
    if earlier is not None and earlier["status"] == "rolled_back":
        load_id = int(earlier["load_id"])
        st.warning(i18n.t("imp_was_rolled_back", adm.lang, load_id=load_id))
        st.button(i18n.t("imp_restore_load", adm.lang, load_id=load_id), key=f"imp-restore-{upload.key}",
                  type="primary", on_click=_request, args=([upload.key], "restore", load_id))
        return None
    if earlier is not None:
        st.info(i18n.t("imp_already_loaded", adm.lang, load_id=int(earlier["load_id"])))
    st.button(i18n.t("imp_confirm", adm.lang), key=f"imp-confirm-{upload.key}", type="primary",
              disabled=not plan.ok, help=None if plan.ok else i18n.t("imp_fix_first", adm.lang),
              on_click=_request, args=([upload.key], "confirm"))
    return plan


def _overrides_key(upload: Upload) -> str:
    return f"imp-ovr-{upload.key}"


def planned(adm: Admin, upload: Upload, overrides: Overrides, used: set) -> ingest.Plan:
    """The file's plan for these corrections at the store's current version; checked once, with progress shown."""
    key = (upload.key, upload.name, overrides, adm.store.version(), auth.scope())
    used.add(key)
    cache = st.session_state.setdefault(PLANS, {})
    if key not in cache:
        size = i18n.t("imp_size_mb", adm.lang, mb=f"{len(upload.data) / 1e6:.1f}")
        with progress(i18n.t("imp_checking", adm.lang, file=upload.name, size=size), adm.lang) as report:
            cache[key] = _checked(adm, upload, overrides, report)
    return cache[key]


def _checked(adm: Admin, upload: Upload, overrides: Overrides, report) -> ingest.Plan:
    """The plan; a file that breaks the reader in a way nobody foresaw is refused alone, the page carries on."""
    try:
        return import_model.plan_upload(adm.store, upload, overrides, report, scope=auth.scope())
    except StoreBusy:
        raise
    except Exception as exc:  # noqa: BLE001 - one odd file must not take the page (and the other files) down
        log.exception("checking %s failed", upload.name)
        return ingest.Plan(file=upload.name, sha256=upload.sha256,
                           errors=[Message("err_unreadable", {"file": upload.name, "detail": type(exc).__name__})])


def _forget_plans_except(used: set) -> None:
    """Plans of removed files or older store versions are dropped (a large file's plan is large)."""
    cache = st.session_state.get(PLANS, {})
    for key in [k for k in cache if k not in used]:
        del cache[key]


@contextlib.contextmanager
def progress(label: str, lang: str, first_stage: str = "start"):
    """A status box with a progress bar fed by ingest's stages; gone once done (the result replaces it)."""
    box = st.empty()
    try:
        with box.status(label, expanded=True):
            bar = st.progress(0.0, text=i18n.t(f"imp_stage_{first_stage}", lang))

            def report(fraction: float, stage: str) -> None:
                bar.progress(min(max(float(fraction), 0.0), 1.0), text=i18n.t(f"imp_stage_{stage}", lang))
            yield report
    finally:
        box.empty()


def show_plan(adm: Admin, plan: ingest.Plan) -> None:
    """What was inferred, names that matched nothing, errors, warnings, then the parsed values."""
    lang = adm.lang
    facts = import_model.facts(plan, adm.units, lang)
    st.markdown(" · ".join(f"{md_escape(label)} **{md_escape(value)}**" for label, value in facts))
    for conflict in plan.conflicts:  # which date (hour, round, domain) was used is the first thing to check
        st.warning(md_escape(conflict.text(lang)), icon=":material/rule:")
    if plan.ok:
        st.success(i18n.t("imp_ready", lang, rows=i18n.fmt_count(len(plan.frame), lang)), icon=":material/task_alt:")
    else:
        st.error(i18n.t("imp_errors", lang, errors=i18n.fmt_count(rows_meant(plan.errors), lang)),
                 icon=":material/error:")
    names = import_model.name_problems(plan, lang)
    others = [m for m in plan.errors if m.key not in import_model.NAME_PROBLEMS]
    if not names.empty:
        st.markdown(f"**{i18n.t('imp_names_title', lang)}**")
        st.caption(i18n.t("imp_names_hint", lang))
        if len(plan.errors) - len(others) > len(names):
            st.caption(i18n.t("imp_messages_first", lang, shown=i18n.fmt_count(len(names), lang)))
        st.dataframe(names, hide_index=True, width="stretch", height=_height(len(names)))
    if others:
        _messages(i18n.t("imp_errors_title", lang, count=i18n.fmt_count(rows_meant(others), lang)), others, lang)
    notes = [m for m in plan.warnings if m not in plan.conflicts]
    if notes:
        _messages(i18n.t("imp_warnings_title", lang, count=i18n.fmt_count(rows_meant(notes), lang)), notes, lang)
    rows = import_model.preview_rows(plan, adm.units, lang)
    if not rows.empty:
        title = i18n.t("imp_values_title", lang, rows=i18n.fmt_count(len(plan.frame), lang))
        if len(plan.frame) > len(rows):
            title += i18n.t("imp_values_first", lang, shown=i18n.fmt_count(len(rows), lang))
        st.markdown(f"**{title}**")
        st.dataframe(rows, hide_index=True, width="stretch", height=_height(len(rows)),
                     column_config={c: st.column_config.NumberColumn(c, format="localized")
                                    for c in rows.columns[3:]})


def _messages(title: str, messages: list, lang: str, few: int = 4) -> None:
    """A few messages as lines, many as a table (row, column, message) that scrolls."""
    st.markdown(f"**{md_escape(title)}**")
    if len(messages) <= few:
        st.markdown("\n".join(f"- {md_escape(m.text(lang))}" for m in messages))
        return
    table = import_model.messages_table(messages, lang)
    for more in (m for m in messages if "more_rows" in m.values):  # "and N more": said above the long table too
        st.caption(md_escape(more.text(lang)))
    if len(messages) > len(table):
        st.caption(i18n.t("imp_messages_first", lang, shown=i18n.fmt_count(len(table), lang)))
    st.dataframe(table, hide_index=True, width="stretch", height=_height(len(table)),
                 column_config={table.columns[2]: st.column_config.TextColumn(width="large")})


def _height(rows: int) -> int | str:
    return "auto" if rows <= 8 else TABLE_HEIGHT


def corrections(adm: Admin, upload: Upload, plan: ingest.Plan, overrides: Overrides) -> None:
    """Domain, date, round and the parent unit, for a file whose name or title says too little (blank = inferred)."""
    lang, key = adm.lang, upload.key
    with st.expander(i18n.t("imp_corrections", lang), expanded=overrides.any or not plan.ok or bool(plan.conflicts),
                     icon=":material/edit:"):
        with st.form(key=f"imp-form-{key}", border=False):
            domains = [None, *settings.enabled_domains(adm.store)]
            left, right = st.columns(2)
            left.selectbox(i18n.t("imp_fact_domain", lang), domains, index=domains.index(overrides.domain),
                           key=f"imp-domain-{key}",
                           format_func=lambda d: i18n.t("imp_inferred", lang) if d is None
                           else fields.DOMAIN_LABELS[d][lang])
            right.date_input(i18n.t("imp_fact_date", lang), value=overrides.snapshot_date, key=f"imp-date-{key}",
                             format="YYYY-MM-DD", help=i18n.t("imp_blank_inferred", lang))
            left, right = st.columns(2)  # a second row, so that a phone stacks them in reading order
            left.number_input(i18n.t("imp_fact_round", lang), min_value=1, max_value=99, step=1,
                              value=overrides.round, key=f"imp-round-{key}", help=i18n.t("imp_blank_inferred", lang))
            choices = import_model.unit_choices(adm.units)
            options, label = [None, *choices["code"]], import_model.unit_label(choices, lang)
            right.selectbox(i18n.t("imp_fact_parent", lang), options,
                            index=options.index(overrides.parent) if overrides.parent in options else 0,
                            key=f"imp-parent-{key}", help=i18n.t("imp_parent_help", lang),
                            format_func=lambda c: i18n.t("imp_inferred", lang) if c is None else label(c))
            sheets = [None, *([plan.sheet] if plan.sheet else []), *plan.other_sheets]
            if len(sheets) > 2:  # a workbook of several sheets: which one holds the data
                left.selectbox(i18n.t("imp_sheet_label", lang), sheets, key=f"imp-sheet-{key}",
                               index=sheets.index(overrides.sheet) if overrides.sheet in sheets else 0,
                               help=i18n.t("imp_sheet_help", lang),
                               format_func=lambda n: i18n.t("imp_inferred", lang) if n is None else n)
            apply, reset = st.columns(2)
            apply.form_submit_button(i18n.t("imp_recheck", lang), on_click=_set_overrides, args=(upload,),
                                     icon=":material/refresh:")
            reset.form_submit_button(i18n.t("imp_reset", lang), on_click=_reset_overrides, args=(upload,),
                                     disabled=not overrides.any)


def _set_overrides(upload: Upload) -> None:
    key, state = upload.key, st.session_state
    chosen_round = state.get(f"imp-round-{key}")
    state[_overrides_key(upload)] = Overrides(
        domain=state.get(f"imp-domain-{key}"), snapshot_date=state.get(f"imp-date-{key}"),
        round=int(chosen_round) if chosen_round is not None else None, parent=state.get(f"imp-parent-{key}"),
        sheet=state.get(f"imp-sheet-{key}"))


def _reset_overrides(upload: Upload) -> None:
    st.session_state.pop(_overrides_key(upload), None)
    for name in ("domain", "date", "round", "parent", "sheet"):
        st.session_state.pop(f"imp-{name}-{upload.key}", None)


def _commit(adm: Admin, key: str, plan: ingest.Plan) -> None:
    """Stores one plan (progress shown) and keeps what happened for the file's panel."""
    outcomes = st.session_state.setdefault(OUTCOMES, {})
    try:
        with progress(i18n.t("imp_writing", adm.lang, file=plan.file), adm.lang, "writing") as report:
            result = import_model.confirm(adm.store, plan, report, user=auth.user_name(), scope=auth.scope())
    except (InputError, StoreBusy) as exc:
        messages = exc.messages if isinstance(exc, InputError) else None
        outcomes[key] = {"kind": "failed", "plan": plan, "messages": messages}
        return
    kind = "rolled_back" if result.rolled_back else "same" if result.unchanged else "loaded"
    outcomes[key] = {"kind": kind, "plan": plan, "load_id": result.load_id}


def _restore_from_upload(adm: Admin, upload: Upload, load_id: int) -> None:
    """The file was loaded before and rolled back: restore that load rather than load it twice."""
    plan = _any_plan(upload) or st.session_state.get(OUTCOMES, {}).get(upload.key, {}).get("plan")
    import_model.restore(adm.store, adm.store.query("loads_all"), load_id, auth.user_name(),
                         admin.allowed_loads(adm.store))
    st.session_state.setdefault(OUTCOMES, {})[upload.key] = {"kind": "restored", "plan": plan, "load_id": load_id}


def _any_plan(upload: Upload) -> ingest.Plan | None:
    return next((p for k, p in st.session_state.get(PLANS, {}).items() if k[0] == upload.key), None)


def show_outcome(adm: Admin, upload: Upload, outcome: dict) -> None:
    """The load summary: load id and rows, 'unchanged' for a file loaded before, or the offer to restore it."""
    lang, plan = adm.lang, outcome["plan"]
    if outcome["kind"] == "restored":
        st.success(i18n.t("restore_done", lang, load_id=outcome["load_id"]), icon=":material/check_circle:")
        st.page_link("pages/overview.py", label=i18n.t("imp_open_overview", lang), icon=":material/dashboard:")
        return
    if outcome["kind"] == "failed":
        st.error(i18n.t("err_store_busy", lang) if outcome["messages"] is None
                 else "\n\n".join(md_escape(m.text(lang)) for m in outcome["messages"][:20]))
        st.session_state[OUTCOMES].pop(upload.key, None)  # the next run checks the file again
        return
    facts = dict(file=plan.file, domain=fields.DOMAIN_LABELS[plan.domain][lang], date=plan.snapshot_date.isoformat(),
                 rows=i18n.fmt_count(len(plan.frame), lang), load_id=outcome["load_id"])
    if outcome["kind"] == "loaded":
        st.success(md_escape(i18n.t("load_done", lang, **facts)), icon=":material/check_circle:")
        st.caption(md_escape(ingest.summary(adm.store, plan, lang)))  # how it was read, as the CLI says it
        figures = import_model.figures_after(adm.store, plan, adm.units, lang)
        if figures:
            st.markdown(md_escape(figures))
    elif outcome["kind"] == "same":
        st.info(md_escape(i18n.t("load_same", lang, **facts)), icon=":material/info:")
    else:
        st.warning(i18n.t("imp_was_rolled_back", lang, load_id=outcome["load_id"]))
        st.button(i18n.t("imp_restore_load", lang, load_id=outcome["load_id"]), key=f"imp-restore-{upload.key}",
                  type="primary", on_click=_request, args=([upload.key], "restore", outcome["load_id"]))
    st.page_link("pages/overview.py", label=i18n.t("imp_open_overview", lang), icon=":material/dashboard:")


# ---- history -------------------------------------------------------------------------

def history_section(adm: Admin) -> None:
    """Every load (nothing is ever deleted); pick one to roll it back or bring it back."""
    lang = adm.lang
    history = admin.history(adm.store)
    if history.empty:
        st.info(i18n.t("imp_history_empty", lang))
        return
    st.caption(i18n.t("imp_history_hint", lang))
    ids = [int(i) for i in history["load_id"]]
    table = import_model.history_table(history, lang)
    st.dataframe(table, hide_index=True, width="stretch",
                 height=_height(len(history)), key="imp-history-table", selection_mode="single-row",
                 on_select=lambda: _pick_from_table(ids))
    downloads.table(table, i18n.t("imp_tab_history", lang), lang, key="imp-history")
    rows = history.set_index("load_id", drop=False)
    labels = import_model.load_labels(history, lang)  # once, not per option
    chosen = st.selectbox(i18n.t("imp_pick_load", lang), list(rows.index), key="imp-pick-load",
                          format_func=labels.__getitem__)
    if chosen is None:
        return
    status = rows.loc[chosen, "status"]
    if status == "active":
        st.button(i18n.t("imp_rollback", lang, load_id=int(chosen)), key="imp-rollback", icon=":material/undo:",
                  on_click=admin.act, args=("history", lang, _rollback, adm.store, int(chosen), lang))
    else:
        later = [] if status == "rolled_back" else import_model.superseding(adm.store, history, int(chosen))
        if status == "superseded":
            st.caption(i18n.t("imp_superseded_by", lang, loads="、".join(f"#{i}" for i in later) or "—"))
        st.button(i18n.t("imp_restore_load", lang, load_id=int(chosen)), key="imp-restore", icon=":material/restore:",
                  disabled=status == "superseded" and not later,
                  on_click=admin.act, args=("history", lang, _restore, adm.store, int(chosen), lang))
    admin.flash("history")  # the confirmation right under the button that was clicked
    with st.expander(i18n.t("imp_events_title", lang)):
        st.dataframe(_events(adm, lang), hide_index=True, width="stretch", height=TABLE_HEIGHT)


def _pick_from_table(ids: list[int]) -> None:
    """A row ticked in the history table becomes the chosen load below it."""
    rows = st.session_state["imp-history-table"]["selection"]["rows"]
    if rows:
        st.session_state["imp-pick-load"] = ids[rows[0]]


def _rollback(store, load_id: int, lang: str) -> str:
    import_model.roll_back(store, load_id, auth.user_name(), admin.allowed_loads(store))
    return i18n.t("rollback_done", lang, load_id=load_id)


def _restore(store, load_id: int, lang: str) -> str:
    later = import_model.restore(store, store.query("loads_all"), load_id, auth.user_name(),
                                 admin.allowed_loads(store))
    if later:
        return i18n.t("imp_restored_by_rollback", lang, load_id=load_id, loads="、".join(f"#{i}" for i in later))
    return i18n.t("restore_done", lang, load_id=load_id)


def _events(adm: Admin, lang: str) -> pd.DataFrame:
    events = adm.store.query("load_events_all")
    allowed = admin.allowed_loads(adm.store)
    if allowed is not None:
        events = events[events["load_id"].isin(allowed)]
    return pd.DataFrame({
        i18n.t("imp_col_load", lang): events["load_id"].astype(int),
        i18n.t("imp_col_action", lang): [i18n.t(f"imp_action_{a}", lang) if f"imp_action_{a}" in i18n.MESSAGES
                                         else a for a in events["action"]],
        i18n.t("imp_col_time", lang): pd.to_datetime(events["happened_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
        i18n.t("imp_col_user", lang): events["by_user"].astype(str),
    })


# ---- templates -----------------------------------------------------------------------

def template_section(adm: Admin) -> None:
    """下载填报模板: a domain and a unit (the URL's by default); its reporting units' codes and names filled in."""
    lang = adm.lang
    if adm.units.empty:
        st.info(i18n.t("imp_no_units_yet", lang))
        return
    st.caption(i18n.t("imp_template_hint", lang))
    choices = import_model.unit_choices(adm.units[adm.units["active"]])
    options = list(choices["code"])
    left, middle, right = st.columns([2, 3, 2])
    domain = left.selectbox(i18n.t("imp_fact_domain", lang), settings.enabled_domains(adm.store), key="imp-tpl-domain",
                            format_func=lambda d: fields.DOMAIN_LABELS[d][lang])
    code = middle.selectbox(i18n.t("imp_template_unit", lang), options, key="imp-tpl-unit",
                            index=options.index(adm.unit_code) if adm.unit_code in options else 0,
                            format_func=import_model.unit_label(choices, lang))
    unit = choices.set_index("code").loc[code]
    deeper = [lv for lv in codes.LEVELS if codes.PREFIX_LEN[lv] > codes.PREFIX_LEN[unit["level"]]]
    if not deeper:
        st.info(i18n.t("imp_template_leaf", lang))
        return
    level = right.selectbox(i18n.t("imp_template_level", lang), deeper, key=f"imp-tpl-level-{unit['level']}",
                            format_func=lambda lv: codes.LEVEL_LABELS[lv][lang])
    day = dt.date.today()
    frame = templates.template(adm.store, domain, code, level, lang)
    if frame.empty:
        st.info(i18n.t("imp_template_empty", lang))
        return
    title = i18n.t("template_title", lang, unit=rollup.unit(adm.store, code)["name"],
                   domain=fields.DOMAIN_LABELS[domain][lang],
                   date=i18n.t("full_date", lang, year=day.year, month=day.month, day=day.day))
    st.download_button(i18n.t("imp_template_download", lang, rows=len(frame)),  # the file is made on click only
                       data=lambda: templates.xlsx_bytes(frame, title), key="imp-tpl-download", on_click="ignore",
                       file_name=templates.file_name(adm.store, domain, code, day, lang), icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")
    st.dataframe(frame.astype(object).where(frame.notna(), ""), hide_index=True, width="stretch",
                 height=_height(len(frame)))  # blank cells stay blank, as in the file
