"""数据导入 without Streamlit: uploaded bytes to a checked plan, the preview tables, the load history in words.

Why a module of plain functions: AppTest cannot upload a file, so everything
between the uploaded bytes and the confirm button lives here and is tested
directly with the fixtures. The work itself is the CLI's code path,
`ingest.plan` then `ingest.commit`, and `loads.rollback`/`loads.restore`;
nothing here reads a file any other way or writes the store by itself.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import pathlib
import tempfile
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property

import pandas as pd

from .. import i18n
from ..analysis import rollup
from ..domain import codes, fields, indicators
from ..domain.messages import InputError, Message
from ..intake import ingest, kinds, limits, loads, population
from ..intake import units as units_core
from ..storage import access
from ..storage.store import Store

PREVIEW_ROWS = 1_000        # rows of parsed values shown; a 500,000-row file still loads whole
MESSAGE_ROWS = 1_000        # errors or warnings listed per file; the count says how many there are
PICKER_UNITS = 5_000        # units offered in a selector; villages then grids are left out beyond that
NAME_PROBLEMS = ("err_unknown_name", "err_ambiguous_name")


def current_user() -> str:
    """Who imports or changes something when no account is signed in (the app running open): the OS user."""
    return ingest.current_user()


@dataclass(frozen=True)
class Upload:
    """One uploaded file, kept in memory only (never written anywhere but a temp file to read it)."""
    name: str
    data: bytes = b""

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def key(self) -> str:
        """Stable across reruns and independent of the name: the same bytes uploaded twice are one file."""
        return self.sha256[:16]


@dataclass(frozen=True)
class Overrides:
    """What the user corrected of the inferred values; None means 'as inferred'."""
    domain: str | None = None
    snapshot_date: dt.date | None = None
    round: int | None = None
    parent: str | None = None
    sheet: str | None = None      # the workbook sheet to read, where the one chosen is not the right one

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.domain, self.snapshot_date, self.round, self.parent, self.sheet))


def uploads(files) -> list[Upload]:
    """The uploader's files as Uploads, each content once, in the order given."""
    seen, out = set(), []
    for f in files or []:
        upload = Upload(f.name, f.getvalue())
        if upload.key not in seen:
            seen.add(upload.key)
            out.append(upload)
    return out


def plan_upload(store: Store, upload: Upload, overrides: Overrides = Overrides(),
                on_progress: ingest.Progress | None = None, scope: str = access.ALL) -> ingest.Plan:
    """Checks an uploaded file exactly as `python -m dashboard ingest` would; stores nothing.

    The bytes go to a temp file only because the readers read paths; the file
    is deleted before this returns. Its suffix follows the content, not the
    name, so a file of any name is read (XLSX, ODS, old binary .xls, else
    text: see kinds.suffix_for).
    """
    try:  # Streamlit's server.maxUploadSize says the same; this holds for any way the bytes arrive
        limits.check_size(len(upload.data), upload.name, limits.MAX_UPLOAD_MB)
    except InputError as exc:
        return ingest.Plan(file=upload.name, sha256=upload.sha256, errors=exc.messages)
    with _as_file(upload) as path:
        plan = ingest.plan(store, path, domain=overrides.domain, snapshot_date=overrides.snapshot_date,
                           round=overrides.round, parent=overrides.parent, sheet=overrides.sheet,
                           display_name=upload.name, on_progress=on_progress)
    return within_scope(plan, scope)


SCOPE_EXAMPLES = 10  # codes named in the message; the count says how many rows there are


def scope_errors(plan: ingest.Plan, scope: str) -> list[Message]:
    """A clerk may load rows of the scope's units only: one message naming the file, how many rows are outside
    and the first codes (with their file rows), so the file can be split or sent to whoever may load it."""
    if scope == access.ALL or plan.frame.empty or "code" not in plan.frame:
        return []
    codes_ = plan.frame["code"].astype(str)
    outside = codes_[[not access.scope_contains(scope, c) for c in codes_]]
    if outside.empty:
        return []
    examples = ", ".join(f"{code} ({row})" for row, code in outside.head(SCOPE_EXAMPLES).items())
    return [Message("acc_import_outside", {"file": plan.file, "rows": len(outside), "scope": scope,
                                           "examples": examples})]


def within_scope(plan: ingest.Plan, scope: str) -> ingest.Plan:
    """The plan with an error when rows lie outside the scope: such a file is refused whole, nothing stored."""
    errors = scope_errors(plan, scope)
    if errors:
        plan.errors = [*errors, *plan.errors]
    return plan


def confirm(store: Store, plan: ingest.Plan, on_progress: ingest.Progress | None = None,
            user: str | None = None, scope: str = access.ALL) -> ingest.LoadResult:
    """Stores a checked plan as one load (the same commit as the CLI), in the user's name; refused (InputError)
    when rows lie outside the scope, checked again here so no caller can skip it."""
    errors = scope_errors(plan, scope)
    if errors:
        raise InputError(errors)
    return ingest.commit(store, plan, user or current_user(), on_progress=on_progress)


# ---- what a plan shows ------------------------------------------------------------

def facts(plan: ingest.Plan, units: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """(label, value) of what was inferred: domain, date, as-of hour, round, level, parent, rows; '—' when unknown."""
    level = plan.level or (plan.frame["level"].mode().iloc[0] if "level" in plan.frame and len(plan.frame) else None)
    names = names_of(units, [plan.parent])
    return [
        (i18n.t("imp_fact_domain", lang), fields.DOMAIN_LABELS[plan.domain][lang] if plan.domain else "—"),
        (i18n.t("imp_fact_date", lang), plan.snapshot_date.isoformat() if plan.snapshot_date else "—"),
        (i18n.t("imp_fact_hour", lang), i18n.t("imp_hour_value", lang, hour=plan.as_of_hour)
         if plan.as_of_hour else "—"),
        (i18n.t("imp_fact_round", lang), str(plan.round) if plan.round else "—"),
        (i18n.t("imp_fact_level", lang), codes.LEVEL_LABELS[level][lang] if level else "—"),
        (i18n.t("imp_fact_parent", lang), names.get(plan.parent, plan.parent) if plan.parent else "—"),
        (i18n.t("imp_fact_rows", lang), i18n.fmt_count(len(plan.frame), lang)),
    ]


def preview_rows(plan: ingest.Plan, units: pd.DataFrame, lang: str, limit: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The accepted rows as sent: file row, code, matched name, the domain's fields under UI-language headers."""
    frame = plan.frame.head(limit)
    if frame.empty or plan.domain is None:
        return pd.DataFrame()
    names = names_of(units, frame["code"])
    out = pd.DataFrame({i18n.t("imp_col_row", lang): frame.index.to_numpy(),
                        i18n.t("imp_col_code", lang): frame["code"].to_numpy(),
                        i18n.t("col_name", lang): frame["code"].map(names).to_numpy()})
    for f in fields.domain_fields(plan.domain):
        if f.name in frame:
            out[f.label(lang)] = frame[f.name].to_numpy()
    if "round" in frame:
        out[fields.ROUND_LABELS[lang]] = frame["round"].to_numpy()
    return out


def names_of(units: pd.DataFrame, wanted) -> dict[str, str]:
    """code -> name for the codes wanted only: a province store holds half a million units."""
    found = units[units["code"].isin(list(wanted))]
    return dict(zip(found["code"], found["name"]))


def name_problems(plan: ingest.Plan, lang: str, limit: int = MESSAGE_ROWS) -> pd.DataFrame:
    """Unknown or ambiguous names with the closest known names: what the clerk has to fix or disambiguate."""
    found = [m for m in plan.errors if m.key in NAME_PROBLEMS][:limit]
    rows = [(m.row, m.values.get("value"), i18n.t(f"imp_{m.key}", lang), m.values.get("options")) for m in found]
    return pd.DataFrame(rows, columns=[i18n.t("imp_col_row", lang), i18n.t("imp_col_name_given", lang),
                                       i18n.t("imp_col_problem", lang), i18n.t("imp_col_suggestions", lang)])


def messages_table(messages: list[Message], lang: str, limit: int = MESSAGE_ROWS) -> pd.DataFrame:
    """Row, column and the message in the user's language; only the first `limit` are rendered into text."""
    rows = [("" if m.row is None else str(m.row), m.column or "", m.text(lang)) for m in messages[:limit]]
    return pd.DataFrame(rows, columns=[i18n.t("imp_col_row", lang), i18n.t("imp_col_column", lang),
                                       i18n.t("imp_col_message", lang)])


def earlier_load(history: pd.DataFrame, plan: ingest.Plan) -> pd.Series | None:
    """The load that already holds this very file for its domain and date (then loading again changes nothing)."""
    if not plan.sha256 or plan.domain is None or plan.snapshot_date is None or history.empty:
        return None
    same = history[(history["sha256"] == plan.sha256) & (history["domain"] == plan.domain)
                   & (history["snapshot_date"].map(_day) == plan.snapshot_date)]
    return None if same.empty else same.sort_values("load_id").iloc[-1]


def _day(value) -> dt.date:
    return pd.Timestamp(value).date()


def figures_unit(plan: ingest.Plan, units: pd.DataFrame) -> str | None:
    """The unit whose figures a load changes as a whole: the parent the names were found in, else the nearest
    unit holding every row of the file (a township's file of villages: that township)."""
    if plan.parent or plan.frame.empty:
        return plan.parent
    first = plan.frame["code"].iloc[int(plan.frame["num"].to_numpy().argmin())]
    last = int(plan.frame["num"].max())
    candidates = codes.ancestor_codes(first)  # nearest first
    present = set(units.loc[units["code"].isin(candidates), "code"])
    return next((c for c in candidates if c in present
                 and codes.num(c) <= last < codes.num(c) + codes.span(codes.level_of(c))), None)


def figures_after(store: Store, plan: ingest.Plan, units: pd.DataFrame, lang: str) -> str | None:
    """'金堂县 4月12日：应检尽检完成率 82.4%（84.78万 / 102.91万 人）…': the loaded file's figures as the dashboard now
    counts them (the same rollup as the overview), so the clerk sees at once that they arrived."""
    code = figures_unit(plan, units)
    if code is None or plan.domain is None or plan.snapshot_date is None:
        return None
    row = rollup.rollup(store, code, plan.domain, plan.snapshot_date).unit
    if row is None:
        return None
    parts = []
    for ind in indicators.for_domain(plan.domain):
        ratio, num, den = (row.get(f"{ind.key}_{k}") for k in ("ratio", "numerator", "denominator"))
        if ratio is not None and not pd.isna(ratio):
            parts.append(i18n.t("imp_figure", lang, indicator=ind.label(lang), ratio=i18n.fmt_percent(float(ratio)),
                                num=i18n.fmt_count(num, lang, wan=True), den=i18n.fmt_count(den, lang, wan=True),
                                unit=ind.unit_word(lang)))
    if not parts:
        return None
    name = names_of(units, [code]).get(code, code)
    return i18n.t("imp_figures", lang, name=name, date=i18n.fmt_date(plan.snapshot_date, lang),
                  figures=("；" if lang == "zh" else "; ").join(parts))


# ---- the load history ------------------------------------------------------------

def history_table(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every load, newest first, in words: id, file, short hash, domain, date, rows, time, by whom, status."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    return pd.DataFrame({
        t("imp_col_load"): history["load_id"].astype(int).to_numpy(),
        t("imp_col_file"): history["file_name"].astype(str).to_numpy(),
        t("imp_col_hash"): history["sha256"].astype(str).str[:10].to_numpy(),
        t("imp_col_domain"): [fields.DOMAIN_LABELS.get(d, {}).get(lang, d) for d in history["domain"]],
        t("imp_col_date"): [_day(d) for d in history["snapshot_date"]],
        t("imp_col_rows"): history["rows_accepted"].astype("Int64").to_numpy(),
        t("imp_col_time"): pd.to_datetime(history["loaded_at"]).dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
        t("imp_col_user"): history["loaded_by"].astype(str).to_numpy(),
        t("imp_col_status"): [status_word(s, lang) for s in history["status"]],
    })


def status_word(status: str, lang: str) -> str:
    key = f"imp_status_{status}"
    return i18n.t(key, lang) if key in i18n.MESSAGES else str(status)


def load_labels(history: pd.DataFrame, lang: str) -> dict[int, str]:
    """load id -> '#12 · file.xlsx · 核酸采样 2022-04-12': each load in a selector (its status is in the table and on
    the button: a selector keeps showing the label an option had when it was chosen). By column, not by row: a
    county's 900 loads by `iterrows` took 60-130 ms of every 数据导入 run."""
    days = pd.to_datetime(history["snapshot_date"]).dt.date
    return {int(lid): i18n.t("imp_load_label", lang, load_id=int(lid), file=file,
                             domain=fields.DOMAIN_LABELS.get(domain, {}).get(lang, domain), date=day.isoformat())
            for lid, file, domain, day in zip(history["load_id"], history["file_name"], history["domain"], days)}


def superseding(store: Store, history: pd.DataFrame, load_id: int) -> list[int]:
    """The loads whose rows win over this one's: later (as-of hour, then load id), same domain and date, same units.

    A superseded load comes back by rolling these back (nothing is deleted,
    each can be restored again). Loads of the same date for other units are
    left alone: two townships' files of one day do not supersede each other.
    """
    row = history.set_index("load_id").loc[load_id]
    same_day = history[(history["domain"] == row["domain"]) & (history["status"] != "rolled_back")
                       & (history["snapshot_date"].map(_day) == _day(row["snapshot_date"]))
                       & (history["load_id"] != load_id)]
    rank = lambda hour, lid: (24 if pd.isna(hour) else int(hour), int(lid))  # noqa: E731
    mine = rank(row["as_of_hour"], load_id)
    later = [int(lid) for lid, hour in zip(same_day["load_id"], same_day["as_of_hour"]) if rank(hour, lid) > mine]
    units = set(store.query("load_nums", load_id=load_id)["num"])
    return sorted(lid for lid in later if units & set(store.query("load_nums", load_id=lid)["num"]))


def _allowed(load_ids, allowed: set[int] | None) -> None:
    """Refuses (before anything is written) when a load is not one the account may change: its rows are not all
    inside the scope. `allowed` None means every load (no scope)."""
    refused = [int(i) for i in load_ids if allowed is not None and int(i) not in allowed]
    if refused:
        raise InputError([Message("acc_load_not_permitted", {"load_id": i}) for i in refused])


def roll_back(store: Store, load_id: int, user: str | None = None, allowed: set[int] | None = None) -> None:
    _allowed([load_id], allowed)
    loads.rollback(store, load_id, user or current_user())


def restore(store: Store, history: pd.DataFrame, load_id: int, user: str | None = None,
            allowed: set[int] | None = None) -> list[int]:
    """Makes a load's values current again: a rolled-back load is restored; a superseded one by rolling back
    the loads that supersede it. Returns the loads rolled back on the way."""
    status = history.set_index("load_id").loc[load_id, "status"]
    if status == "rolled_back":
        _allowed([load_id], allowed)
        loads.restore(store, load_id, user or current_user())
        return []
    later = superseding(store, history, load_id)
    _allowed([load_id, *later], allowed)
    for lid in later:
        loads.rollback(store, lid, user or current_user())
    return later


# ---- selectors --------------------------------------------------------------------

def unit_choices(units: pd.DataFrame, limit: int = PICKER_UNITS, with_grids: bool = False) -> pd.DataFrame:
    """Units to offer in a selector, in hierarchy order: all of them in a county; in a province store the
    finest levels are left out until the list is short enough to scroll and type into."""
    out = units if with_grids else units[units["level"] != "grid"]
    for level in ("grid", "village", "township"):
        if len(out) <= limit:
            break
        out = out[out["level"] != level]
    return out


def unit_neighbourhood(units: pd.DataFrame, code: str) -> pd.DataFrame:
    """The units a picker offers around one: its ancestors (the top first), itself and its children, retired ones
    too. A whole county is 4,000 options (190 KB sent on every visit); one level at a time is a few dozen, and the
    sidebar's 查找单位 reaches any unit by name or code."""
    by_code = units.set_index("code", drop=False)
    chain, seen, at = [], set(), code
    while at in by_code.index and at not in seen and len(chain) < len(codes.LEVELS):
        seen.add(at)
        chain.insert(0, at)
        parent = by_code.at[at, "parent_code"]
        at = None if parent is None or pd.isna(parent) else parent
    children = units[units["parent_code"] == code].sort_values("code")["code"].tolist()
    return by_code.loc[chain + children].reset_index(drop=True)


def unit_label(units: pd.DataFrame, lang: str):
    """A format function for unit selectors: '赵镇街道 · 乡镇/街道 · 510121001000' (grid names repeat, codes do not)."""
    mark = i18n.t("set_retired_mark", lang)
    labels = {code: f"{name} · {codes.LEVEL_LABELS[level][lang]} · {code}{'' if bool(active) else mark}"
              for code, name, level, active in zip(units["code"], units["name"], units["level"], units["active"])}

    def label(code) -> str:  # a selectbox asks once per option: a county's 4,000 units, a dict lookup each
        return "" if code is None else labels.get(code, str(code))
    return label


# ---- setting a county up: unit list, boundaries, register --------------------------------------

SETUP_KINDS = (kinds.UNITS, kinds.BOUNDARIES, kinds.REGISTER)
TREE_ROWS = 200      # units listed in the tree preview (a county's townships, with their villages counted)


@dataclass
class SetupPlan:
    """A unit list, boundary file or register checked as the CLI checks it (`units.plan_units`,
    `boundaries.plan_boundaries`, `population.plan_register`); `plan` is None when the file was refused."""
    kind: str
    file: str
    sha256: str
    plan: object = None
    errors: list = dataclass_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.errors


@contextlib.contextmanager
def _as_file(upload: Upload):
    """The upload as a temp file named by what its bytes are (the readers go by the suffix); deleted after."""
    with tempfile.TemporaryDirectory(prefix="dashboard-upload-") as folder:
        path = pathlib.Path(folder) / f"upload{kinds.suffix_for(upload.data)}"
        path.write_bytes(upload.data)
        yield path


def kind_of(upload: Upload) -> str:
    """What the uploaded file is, from its bytes (see dashboard/intake/kinds.py); a file too large is a report, whose
    check then says so."""
    try:
        limits.check_size(len(upload.data), upload.name, limits.MAX_UPLOAD_MB)
    except InputError:
        return kinds.REPORT
    with _as_file(upload) as path:
        return kinds.kind_of(path, upload.name)


def setup_refusal(kind: str, scope: str, plan=None) -> list[Message]:
    """Who may set up: the unit tree and the boundaries belong to the whole store, so only an unscoped account
    changes them; a register, like a report, only within the account's scope."""
    if scope == access.ALL:
        return []
    if kind in (kinds.UNITS, kinds.BOUNDARIES):
        return [Message("imp_setup_unscoped_only", {"scope": scope})]
    frame = getattr(plan, "frame", None)
    outside = [] if frame is None else [c for c in frame["code"] if not access.scope_contains(scope, c)]
    if outside:
        return [Message("acc_import_outside", {"file": plan.file, "rows": len(outside), "scope": scope,
                                               "examples": ", ".join(outside[:SCOPE_EXAMPLES])})]
    return []


def plan_setup(store: Store, upload: Upload, kind: str, scope: str = access.ALL) -> SetupPlan:
    """Checks a setup file exactly as its CLI command would (`units`, `boundaries`, `population`); stores nothing."""
    out = SetupPlan(kind=kind, file=upload.name, sha256=upload.sha256)
    try:
        limits.check_size(len(upload.data), upload.name, limits.MAX_UPLOAD_MB)
        with _as_file(upload) as path:
            out.plan = _PLANNERS[kind](store, path, upload.name)
    except InputError as exc:
        out.errors = exc.messages
        return out
    out.errors = setup_refusal(kind, scope, out.plan)
    return out


_PLANNERS = {
    kinds.UNITS: lambda store, path, name: units_core.plan_units(store, path, display_name=name),
    kinds.BOUNDARIES: lambda store, path, name: _boundaries().plan_boundaries(store, path, display_name=name),
    kinds.REGISTER: lambda store, path, name: population.plan_register(store, path, display_name=name),
}


def _boundaries():
    from ..intake import boundaries  # geometry libraries load only when a boundary file is uploaded
    return boundaries


def confirm_setup(store: Store, setup: SetupPlan, scope: str = access.ALL):
    """Stores a checked setup plan through the CLI's own commit; refused (InputError) outside the account's
    rights, checked again here so no caller can skip it. Returns the core's result."""
    errors = setup.errors or setup_refusal(setup.kind, scope, setup.plan)
    if errors or setup.plan is None:
        raise InputError(errors)
    if setup.kind == kinds.UNITS:
        return units_core.commit_units(store, setup.plan)
    if setup.kind == kinds.BOUNDARIES:
        return _boundaries().commit_boundaries(store, setup.plan)
    return population.commit_register(store, setup.plan)


def setup_done(setup: SetupPlan, result, lang: str) -> str:
    """What was stored, in the CLI's words."""
    if setup.kind == kinds.UNITS:
        return i18n.t("units_done", lang, added=result.added, renamed=result.renamed, unchanged=result.unchanged)
    if setup.kind == kinds.BOUNDARIES:
        return i18n.t("boundaries_done", lang, matched=result.matched, by=i18n.t(f"imp_by_{result.matched_by}", lang),
                      unmatched=len(result.unmatched_features), missing=len(result.units_without_geometry))
    return i18n.t("population_done", lang, rows=result)


def missing_steps(store: Store) -> list[str]:
    """The setup steps still to do, in order (units, boundaries, register, reports): what the page asks for first."""
    if not store.exists():
        return list(kinds.SETUP_ORDER)
    counts = store.query("setup_counts").iloc[0]
    have = {kinds.UNITS: counts["units"], kinds.BOUNDARIES: counts["boundaries"],
            kinds.REGISTER: counts["register"], kinds.REPORT: counts["reports"]}
    return [k for k in kinds.SETUP_ORDER if not have[k]]


# ---- what a setup plan shows ----------------------------------------------------------------------

def units_facts(plan, lang: str) -> list[tuple[str, str]]:
    """New, renamed, unchanged, retired ones named again, and those the list leaves out (kept as they are)."""
    count = lambda n: i18n.fmt_count(n, lang)  # noqa: E731
    facts = [(i18n.t("imp_units_new", lang), count(plan.added)), (i18n.t("imp_units_renamed", lang), count(plan.renamed)),
             (i18n.t("imp_units_unchanged", lang), count(plan.unchanged))]
    if plan.reactivated:
        facts.append((i18n.t("imp_units_reactivated", lang), count(plan.reactivated)))
    if plan.absent:
        facts.append((i18n.t("imp_units_absent", lang), count(plan.absent)))
    return facts


def tree_levels_table(plan, lang: str) -> pd.DataFrame:
    """Per level: units, roots and orphans of the tree the store holds after this list."""
    table = units_core.tree_levels(plan.tree)
    return pd.DataFrame({i18n.t("imp_fact_level", lang): [codes.LEVEL_LABELS[lv][lang] for lv in table["level"]],
                         i18n.t("imp_tree_units", lang): table["units"].to_numpy(),
                         i18n.t("imp_tree_roots", lang): table["roots"].to_numpy(),
                         i18n.t("imp_tree_orphans", lang): table["orphans"].to_numpy()})


def tree_table(plan, lang: str, limit: int = TREE_ROWS) -> pd.DataFrame:
    """The top two levels of the tree with how many units each holds directly: '城关街道 · 12 个下级'."""
    tree = plan.tree
    top = sorted(tree["prefix_len"].unique())[:2]
    shown = tree[tree["prefix_len"].isin(top)].head(limit)
    children = tree["parent_code"].value_counts()
    names = dict(zip(tree["code"], tree["name"]))
    return pd.DataFrame({i18n.t("imp_col_code", lang): shown["code"].to_numpy(),
                         i18n.t("col_name", lang): shown["name"].to_numpy(),
                         i18n.t("imp_fact_level", lang): [codes.LEVEL_LABELS[lv][lang] for lv in shown["level"]],
                         i18n.t("imp_tree_parent", lang): [names.get(p, "") if isinstance(p, str) else ""
                                                           for p in shown["parent_code"]],
                         i18n.t("imp_tree_children", lang): [int(children.get(c, 0)) for c in shown["code"]]})


def orphans_table(plan, lang: str) -> pd.DataFrame:
    """The units that hang in the wrong place, with the parent they got (none, or one that skips a level)."""
    lost = units_core.orphans(plan.tree)
    names = dict(zip(plan.tree["code"], plan.tree["name"]))
    return pd.DataFrame({i18n.t("imp_col_code", lang): lost["code"].to_numpy(),
                         i18n.t("col_name", lang): lost["name"].to_numpy(),
                         i18n.t("imp_tree_parent", lang): [names.get(p, "—") if isinstance(p, str) else "—"
                                                           for p in lost["parent_code"]]})


def boundaries_facts(plan, lang: str) -> list[tuple[str, str]]:
    """Features read, the CRS, how they were matched, matched units, unmatched features."""
    count = lambda n: i18n.fmt_count(n, lang)  # noqa: E731
    return [(i18n.t("imp_geo_features", lang), count(plan.features)),
            (i18n.t("imp_geo_crs", lang), plan.crs or i18n.t("imp_geo_crs_none", lang)),
            (i18n.t("imp_geo_by", lang), i18n.t(f"imp_by_{plan.matched_by}", lang)),
            (i18n.t("imp_geo_matched", lang), count(len(plan.shapes))),
            (i18n.t("imp_geo_unmatched", lang), count(len(plan.unmatched_features)))]


def boundaries_levels_table(plan, lang: str) -> pd.DataFrame:
    table = _boundaries().matched_by_level(plan)
    return pd.DataFrame({i18n.t("imp_fact_level", lang): [codes.LEVEL_LABELS[lv][lang] for lv in table["level"]],
                         i18n.t("imp_geo_matched", lang): table["matched"].to_numpy()})


def boundaries_figure(plan, lang: str, max_features: int = 3_000):
    """A small static map of the file: matched features filled, unmatched ones red; no tiles (offline)."""
    import plotly.graph_objects as go

    outline = plan.outline if len(plan.outline) <= max_features else plan.outline.sample(max_features, random_state=0)
    fig = go.Figure()
    for matched, colour, key in ((True, "#1a9850", "imp_geo_legend_matched"), (False, "#d73027", "imp_geo_legend_unmatched")):
        xs, ys = _rings(outline[outline["matched"] == matched].geometry.simplify(0.0005))
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", line={"width": 0.6, "color": colour},
                                     fillcolor=colour + "40", name=i18n.t(key, lang), hoverinfo="skip"))
    fig.update_layout(height=320, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=True,
                      legend={"orientation": "h", "y": -0.02}, plot_bgcolor="white")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    return fig


def _rings(geometries) -> tuple[list, list]:
    """Exterior rings as one trace's coordinates, separated by None (one trace draws thousands of shapes fast)."""
    import shapely

    xs, ys = [], []
    for geom in geometries:
        for part in getattr(geom, "geoms", [geom]):
            if isinstance(part, shapely.Polygon):
                x, y = part.exterior.xy
                xs += [*x, None]
                ys += [*y, None]
    return xs, ys


def register_facts(plan, lang: str) -> list[tuple[str, str]]:
    count = lambda n: i18n.fmt_count(n, lang)  # noqa: E731
    return [(i18n.t("imp_reg_new", lang), count(plan.new)), (i18n.t("imp_reg_changed", lang), count(plan.changed)),
            (i18n.t("imp_reg_unchanged", lang), count(plan.unchanged))]


def register_sample(plan, units: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A few of the entries the file adds or changes: unit, field, before and after."""
    sample = plan.sample
    names = names_of(units, sample["code"])
    return pd.DataFrame({i18n.t("imp_col_code", lang): sample["code"].to_numpy(),
                         i18n.t("col_name", lang): sample["code"].map(names).to_numpy(),
                         i18n.t("imp_reg_field", lang): [fields.BY_NAME[f].label(lang) for f in sample["field"]],
                         i18n.t("imp_reg_before", lang): sample["before"].astype("Int64").to_numpy(),
                         i18n.t("imp_reg_after", lang): sample["after"].astype("Int64").to_numpy()})
