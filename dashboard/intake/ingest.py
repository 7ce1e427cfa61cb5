"""Ingest: a report file becomes one load. Plan first (read, validate, warn), then commit.

The CLI and the import page share this path: `plan()` never writes, so a dry
run and the page's preview are the same code as the real thing, and
`commit()` writes one load in one store transaction (all rows or none).
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import pathlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import i18n
from ..domain import codes, fields
from ..domain.messages import InputError, Message, capped, cell
from ..storage import materialize, queries, settings
from ..storage.store import Discard, Store, _fault_point, domain_tables
from . import canonical, checks, limits, matching, reports, sheets


@dataclass
class Plan:
    """What a file would load: the accepted rows, how they were read, and what is wrong."""
    file: str
    sha256: str
    domain: str | None = None
    snapshot_date: dt.date | None = None
    as_of_hour: int | None = None
    round: int | None = None
    level: str | None = None
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    title: str = ""
    parent: str | None = None       # the unit the file's names were resolved within
    sheet: str | None = None        # the workbook sheet read (None for CSV)
    other_sheets: list[str] = field(default_factory=list)  # the workbook's other sheets, not read
    headers: dict[str, str] = field(default_factory=dict)  # field -> its header as the file writes it (messages)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def conflicts(self) -> list[Message]:
        """Where the file's own signals disagree (title vs name date, hour, round, domain): see `decided`."""
        return [m for m in self.warnings if m.key == "warn_conflict"]


@dataclass
class LoadResult:
    load_id: int
    unchanged: bool  # the same file was already loaded for this domain and date
    rolled_back: bool = False  # ... and later rolled back: offer to restore it rather than load it twice


def sha256_of(path: pathlib.Path) -> str:
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


Progress = Callable[[float, str], None]  # (fraction done, stage: read | matched | validated; rows | current | rollups | written)


def _silent(fraction: float, stage: str) -> None:
    """No one is watching the progress (the CLI, tests)."""


def plan(store: Store, path, domain=None, snapshot_date=None, as_of_hour=None, round=None,
         display_name=None, parent=None, sheet=None, on_progress: Progress | None = None) -> Plan:
    """Reads and checks a report file as offices send it; stores nothing. `on_progress` lets a page show stages."""
    path = pathlib.Path(path)
    progress = on_progress or _silent
    result = Plan(file=display_name or path.name, sha256="")
    try:
        sheets.file_size(path, result.file)  # a missing file is an input error, named
        result.sha256 = sha256_of(path)
        fast = canonical.read(store, path, result.file) if sheets.format_of(path) == "csv" else None
        choice = reports.Choice(fast.report, []) if fast else reports.choose(sheets.read_sheets(path, result.file, sheet))
        report = choice.report
        result.sheet, result.other_sheets = report.sheet, choice.others
        if choice.others:
            result.warnings.append(Message("imp_sheet_read", {"sheet": report.sheet, "others": "、".join(choice.others)}))
        progress(0.5, "read")
        _read_into(store, report, result, domain, snapshot_date, as_of_hour, round, parent, progress,
                   fast.rows if fast else None)
        if result.ok and choice.summary is not None:
            result.warnings += summary_mismatches(store, choice.summary, result, parent, f"{report.title} {result.file}")
    except InputError as exc:
        result.errors = exc.messages
    return result


def summary_mismatches(store: Store, summary, result: Plan, parent, context) -> list[Message]:
    """A summary sheet (汇总) beside the detail sheet read: each of its units' figures against the sum of the
    detail rows within that unit; a warning where they differ. A summary whose units cannot be told is not
    checked (it is not what loads)."""
    probe = Plan(file=result.file, sha256="", domain=result.domain)
    try:
        units_ = _codes(store, summary, probe, parent or result.parent, context)
    except InputError:
        return []
    if probe.errors:
        return []
    detail, out = result.frame, []
    for line, unit in units_.iterrows():
        inside = (detail["num"] >= unit["num"]) & (detail["num"] < unit["num"] + codes.span(unit["level"]))
        for name in [c.field for c in summary.by_role("field") if c.field in detail]:
            stated, bad = checks.numbers(pd.Series([summary.frame.at[line, name]]), checks.unit_words_of(name))
            summed = detail.loc[inside, name].sum()
            if not bad.iloc[0] and pd.notna(stated.iloc[0]) and inside.any() and round(stated.iloc[0]) != summed:
                out.append(Message("warn_summary_mismatch", {
                    "file": result.file, "sheet": summary.sheet, "row": line, "column": summary.header_of(name),
                    "stated": int(round(stated.iloc[0])), "summed": int(summed), "detail": result.sheet}, line,
                    summary.header_of(name)))
    return out


def _read_into(store, report, result, domain, snapshot_date, as_of_hour, round, parent, progress=_silent,
               typed: pd.DataFrame | None = None) -> None:
    context = f"{report.title} {result.file}"
    result.title = report.title
    result.headers = {c.field: c.header for c in report.by_role("field")}
    result.domain = _domain_of(report, result, domain)
    enabled = settings.enabled_domains(store)
    if result.domain is None:
        raise InputError([Message("err_no_domain", {"file": result.file, "domains": "/".join(enabled)})])
    if result.domain not in enabled:
        raise InputError([Message("err_domain_off", {"file": result.file, "domain": result.domain,
                                                     "label": fields.DOMAIN_LABELS[result.domain]})])
    result.snapshot_date = _date_of(report, result, snapshot_date)
    result.as_of_hour = decided(result, "hour", as_of_hour, [
        ("title", reports.hour_in(report.title)), ("file_name", reports.hour_in(result.file))])
    result.warnings += _column_notes(report, result.domain)
    conflicts, notes = checks.duplicate_columns(report)
    result.errors += conflicts
    result.warnings += notes
    result.frame = _validated(store, report, result, parent, context, typed)
    progress(0.75, "matched")
    if result.ok:
        result.level = codes.commonest_level(result.frame["prefix_len"])
        result.round = _rounds(store, result, _round_of(report, result, round))
        result.warnings += checks.all_checks(report, result.frame, result.domain, result.file)
        result.warnings += cumulative_drops(store, result)
    progress(1.0, "validated")


def decided(result: Plan, what: str, given, signals: list[tuple[str, object]]):
    """One fact of a file (its date, hour, round, domain) where several places may state it: the value given
    (--date, the page's choice) decides, else the first place that states one. Where the places disagree the
    plan says so, naming each place, its value and the one used, and how to choose: never one taken silently."""
    stated = [(where, value) for where, value in signals if value is not None]
    used = given if given is not None else (stated[0][1] if stated else None)
    if len({value for _, value in stated}) > 1:
        shown = {lang: i18n.t("conflict_separator", lang).join(
            f"{i18n.t('conflict_in_' + where, lang)} {_shown(what, v, lang)}" for where, v in stated)
            for lang in i18n.LANGS}
        why = i18n.in_each("conflict_given") if given is not None else i18n.in_each(f"conflict_in_{stated[0][0]}")
        result.warnings.append(Message("warn_conflict", {
            "file": result.file, "what": i18n.in_each(f"conflict_{what}"), "stated": shown,
            "used": {lang: _shown(what, used, lang) for lang in i18n.LANGS}, "why": why,
            "choose": i18n.in_each(f"conflict_choose_{what}")}))
    return used


def _shown(what: str, value, lang: str) -> str:
    """A fact's value as the message shows it: a domain by its label, a date as YYYY-MM-DD, else as it is."""
    if what == "domain":
        return fields.DOMAIN_LABELS[value][lang]
    if what == "hour":
        return i18n.t("conflict_hour_value", lang, hour=value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _domain_of(report, result, given) -> str | None:
    """The domain: the one given, else the one whose fields the columns carry. A title or file name that speaks
    only of other domains (疫苗 over columns of 核酸采样) is a conflict the plan names: the columns decide."""
    by_columns = fields.infer_domain(report.fields)
    named = [(where, fields.domains_named_in(text)) for where, text in (("title", report.title),
                                                                         ("file_name", result.file))]
    signals = [("columns", by_columns)] + [(where, sorted(found)[0]) for where, found in named
                                           if by_columns and len(found) == 1 and by_columns not in found]
    return decided(result, "domain", given, signals)


def _date_of(report, result, given) -> dt.date:
    """The snapshot date: the one given, else the title's (截至5月4日), else the file name's, else a date column
    with one date; where they disagree the plan says which was used. None anywhere: an error asking for it."""
    from_name = reports.date_in(result.file)
    from_title = reports.date_in(report.title, (from_name or dt.date.today()).year)
    from_column = None
    if "date" in report.frame and report.frame["date"].nunique() == 1:
        try:
            from_column = parse_date(report.frame["date"].iloc[0])
        except InputError:
            if given is None and from_title is None and from_name is None:
                raise  # the only place that states a date cannot be read: say so
    found = decided(result, "date", given, [("title", from_title), ("file_name", from_name),
                                            ("date_column", from_column)])
    if found is None:
        raise InputError([Message("err_no_date", {"file": result.file})])
    return found


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip()[:10])
    except ValueError:
        raise InputError([Message("err_bad_date", {"value": text})]) from None


def _round_of(report, result, given) -> int | None:
    """The round (轮次): the one given, else a round column with one round, else the title's or the file name's
    (第三轮); where they disagree the plan says which was used."""
    column = None
    if "round" in report.frame and report.frame["round"].nunique() == 1 and report.frame["round"].iloc[0].isdigit():
        column = int(report.frame["round"].iloc[0])
    return decided(result, "round", given, [("round_column", column), ("title", reports.round_in(report.title)),
                                            ("file_name", reports.round_in(result.file))])


def _column_notes(report, domain: str) -> list[Message]:
    """Say which columns were ignored, and fields of another domain that will not be loaded."""
    ignored = [c.header for c in report.columns if c.role in ("ignored", "unknown") and c.header]
    ignored += [c.header for c in report.by_role("field") if fields.BY_NAME[c.field].domain != domain]
    if not ignored:
        return []
    return [Message("warn_unknown_columns", {"file": report.file, "columns": "、".join(ignored)})]


def _validated(store: Store, report, result: Plan, parent, context, typed: pd.DataFrame | None = None) -> pd.DataFrame:
    """code, num, level, prefix_len and the domain's fields as Int64; errors collected in result. `typed`: the
    rows of a canonical file, already checked and typed in DuckDB (canonical.py): only the domain's fields kept."""
    frame = report.frame
    names = [c.field for c in report.by_role("field") if fields.BY_NAME[c.field].domain == result.domain]
    if not names:
        expected = ", ".join(f.name for f in fields.domain_fields(result.domain))
        raise InputError([Message("err_no_fields", {"file": result.file, "domain": result.domain, "expected": expected})])
    if typed is not None:
        return _with_level(typed[["code", "num", "prefix_len", *names]].copy())
    if frame.empty:
        raise InputError([Message("err_empty_file", {"file": result.file})])
    out = _codes(store, report, result, parent, context)
    scales = {c.field: c.scale for c in report.by_role("field")}
    for name in names:
        header = report.header_of(name)
        out[name] = _counts(frame[name].reindex(out.index), header, result, scales.get(name, 1),
                            checks.unit_words_of(name))
    checks.derive_denominators(report, out)
    return out


def _codes(store: Store, report, result: Plan, parent, context) -> pd.DataFrame:
    """Each row's unit (code, num, level, prefix_len), from its code column, else from its name."""
    if store.query("unit_count")["units"].iloc[0] == 0:
        raise InputError([Message("err_no_units")])
    code_col = report.by_role("code")
    if code_col:
        frame = _from_code_column(store, report.frame["code"], result, code_col[0].header)
    elif report.by_role("name"):
        frame = _from_names(store, report, result, parent, context)
    else:
        raise InputError([Message("err_missing_column", {"file": result.file, "column": "区划代码 | 名称"}),
                          Message("err_unit_column_hint", {
                              "file": result.file, "sheet": report.sheet or "—",
                              "headers": "、".join(c.header for c in report.columns if c.header) or "—"})])
    # a code is one (num, prefix_len): integers hash ~6x faster than 500,000 code strings
    unit_header = (code_col or report.by_role("name"))[0].header  # as the file writes it (村级区划代码, 嘎查村)
    _row_errors(result, "err_duplicate_code", frame.index[(frame["num"] * 16 + frame["prefix_len"]).duplicated()],
                unit_header, frame["code"])
    return frame


def _from_code_column(store: Store, raw: pd.Series, result: Plan, header: str) -> pd.DataFrame:
    """Codes checked against the unit list in DuckDB (a province file has 500,000 rows); only the codes that are
    not a unit's code as written are cleaned and come back as text."""
    incoming = pa.table({"line": pa.array(raw.index, pa.int64()), "code": pa.array(raw.astype(str), pa.string())})
    with store.read() as cur:
        cur.register("incoming_codes", incoming)
        checked = queries.frame(cur, "code_check").set_index("line")  # by line: DuckDB sorts faster than pandas
        cur.unregister("incoming_codes")
    given = raw if checked.index.equals(raw.index) else raw.reindex(checked.index)  # every row comes back, by line
    checked["code"] = given.where(checked["code"].isna(), checked["code"])  # keeps the given text: no string copy
    _row_errors(result, "err_bad_code", checked.index[~checked["well_formed"]], header, raw)
    _row_errors(result, "err_unknown_code", checked.index[checked["well_formed"] & ~checked["known"]], header,
                checked["code"])
    return _with_level(checked[checked["known"]][["code", "num", "prefix_len"]].astype({"num": "int64", "prefix_len": "int8"}))


def _with_level(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's level (grid, village, …) from its prefix_len, beside its num."""
    frame.insert(2, "level", codes.levels_of_prefix(frame["prefix_len"]))
    return frame


def _from_names(store: Store, report, result: Plan, parent, context) -> pd.DataFrame:
    """Names matched against the unit list (exact, then suffix variants); errors list the closest names."""
    units = matching.with_stems(store.query("units_all"))
    header = report.by_role("name")[0].header
    parents = [(c.header, report.frame[f"parent:{c.level}"]) for c in report.parents]
    if parents:
        resolution = matching.resolve_within(report.frame["name"], parents, units, result.file, header, parent,
                                             context)
    else:
        resolution = matching.resolve(report.frame["name"], units, result.file, header, parent, context)
    result.errors += resolution.errors
    result.parent = resolution.parent
    frame = pd.DataFrame({"code": resolution.codes.dropna()}).rename_axis("line")
    frame["num"] = codes.nums_of(frame["code"])
    frame["level"] = codes.levels_of(frame["code"])
    frame["prefix_len"] = frame["level"].map(codes.PREFIX_LEN).astype("int8")
    return frame


def _counts(raw: pd.Series, name: str, result: Plan, scale: int = 1, unit_words: tuple[str, ...] = ()) -> pd.Series:
    """Non-negative integers; thousands separators, the field's unit word (1623户) and full-width digits allowed;
    empty or an empty marker (—, /, 无) means missing; 万 columns scaled."""
    values, bad = checks.numbers(raw, unit_words)
    values = values * scale
    bad |= (scale == 1) & values.notna() & (values % 1 != 0)
    huge = ~bad & values.notna() & ~(values.abs() <= limits.MAX_COUNT)  # inf and 1e30 too: no count is that large
    bad |= huge
    formula = bad & raw.astype(str).str.startswith("=")  # a formula the file holds no value for (sheets._scanned)
    _row_errors(result, "err_formula_no_value", raw.index[formula], name, raw)
    _row_errors(result, "err_not_number", raw.index[bad & ~huge & ~formula], name, raw)
    _row_errors(result, "err_too_large", raw.index[huge], name, raw, limit=f"{limits.MAX_COUNT:,}")
    _row_errors(result, "err_negative", raw.index[~bad & (values < 0)], name, raw)
    return values.where(~bad).round().astype("Int64")


def _row_errors(result: Plan, key: str, lines: pd.Index, column: str, values: pd.Series, **extra) -> None:
    """One check's failing rows as errors: the first rows one by one, then one "and N more" line (`capped`).

    Why: a province file can fail on all of its 500,000 rows; building (and showing) a message per row took
    seconds, and nobody fixes a file from the 201st line of the same error.
    """
    result.errors += capped((cell(key, result.file, line, column, values[line], **extra) for line in lines),
                            len(lines), f"{key}_more", {"file": result.file, "column": column, **extra},
                            limits.MAX_ROW_MESSAGES)


def _rounds(store: Store, result: Plan, given: int | None) -> int | None:
    """Rows of a domain with rounds carry their round: the one given, else the one running on the date (1 if none set)."""
    if not fields.has_rounds(result.domain):
        return None
    if given is not None:
        result.frame["round"] = given
        return given
    running = store.query("rounds_running", snapshot_date=result.snapshot_date)
    if running.empty:  # no county has a round set: every row is of round 1 (no lookup of 500,000 counties)
        result.frame["round"] = np.ones(len(result.frame), dtype="int64")
        return 1
    by_county = dict(zip(running["county_num"], running["round"]))
    county = result.frame["num"] // codes.span("county") * codes.span("county")
    result.frame["round"] = county.map(by_county).fillna(1).astype("int64")
    return int(result.frame["round"].mode().iloc[0])


def arrow(frame: pd.DataFrame) -> pa.Table:
    """A frame as an Arrow table for DuckDB to scan: 4x faster than scanning pandas' object and nullable columns."""
    return pa.Table.from_pandas(frame, preserve_index=False)


def cumulative_drops(store: Store, result: Plan) -> list[Message]:
    """Cumulative counts below the previous snapshot's (same round for testing): a warning per cell, the first
    `limits.MAX_ROW_MESSAGES` of each column, then how many more. The previous date's rows come from DuckDB
    (queries/previous_counts.sql) and are matched to the file's rows by num in numpy: a province file has 500,000
    rows, and one binary search per row took half the CPU of a hash join of the two in DuckDB."""
    cumulative = [name for name in fields.cumulative_fields(result.domain) if name in result.frame]
    if not cumulative:
        return []
    with store.read() as cur:
        previous = cur.sql(queries.text("previous_counts", {"cumulative": cumulative}), params={
            "domain": result.domain, "snapshot_date": result.snapshot_date}).to_arrow_table()
    if not previous.num_rows:
        return []
    at, matched = _matched(previous["num"].to_numpy(), result.frame["num"].to_numpy(np.int64))
    if fields.has_rounds(result.domain):
        matched &= _same_values(_nullable(result.frame["round"]) if "round" in result.frame else None,
                                _nullable(previous["round"], at))
    day = previous["snapshot_date"][0].as_py().isoformat()
    return [message for name in cumulative
            for message in _drop_messages(result, name, _nullable(result.frame[name]),
                                          _nullable(previous[name], at), matched, day)]


def _matched(previous: np.ndarray, nums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of `nums`, the position of the same num in `previous` (one row per unit) and whether it is there.
    The same units in the same order as the day before (most days' files) need no search at all."""
    if np.array_equal(previous, nums):
        return np.arange(len(nums)), np.ones(len(nums), dtype=bool)
    order = None
    if len(previous) > 1 and not np.all(previous[1:] > previous[:-1]):
        order = np.argsort(previous, kind="stable")
        previous = previous[order]
    at = np.minimum(np.searchsorted(previous, nums), len(previous) - 1)
    return (at if order is None else order[at]), previous[at] == nums


def _nullable(column, at: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A column of integers (pandas or Arrow) as its values (0 where null) and where it is not null, taken at `at`."""
    if isinstance(column, pd.Series):
        values, valid = column.to_numpy(np.int64, na_value=0), column.notna().to_numpy()
    else:
        values = pc.fill_null(column, 0).to_numpy().astype(np.int64, copy=False)
        valid = column.is_valid().to_numpy(zero_copy_only=False)
    return (values, valid) if at is None else (values[at], valid[at])


def _same_values(now: tuple[np.ndarray, np.ndarray] | None, before: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Row by row, whether two nullable columns hold the same (SQL's `is not distinct from`); None: all null."""
    values, valid = before
    if now is None:
        return ~valid
    return (now[1] == valid) & (~valid | (now[0] == values))


def _drop_messages(result: Plan, name: str, now, before, matched: np.ndarray, day: str) -> list[Message]:
    """One column's cells below the previous date's: a warning for each of the first ones by line, then how many
    more."""
    dropped = np.flatnonzero(matched & now[1] & before[1] & (now[0] < before[0]))
    if not len(dropped):
        return []
    lines = result.frame.index.to_numpy()[dropped]
    shown = dropped[np.argsort(lines, kind="stable")][:limits.MAX_ROW_MESSAGES]
    header = result.headers.get(name, name)
    return capped((Message("warn_cumulative_drop", {
        "file": result.file, "row": line, "column": header, "value": value, "previous": previous,
        "previous_date": day}, line, header) for line, value, previous in zip(
            result.frame.index.to_numpy()[shown].tolist(), now[0][shown].tolist(), before[0][shown].tolist())),
        len(dropped), "warn_cumulative_drop_more", {"file": result.file, "column": header}, limits.MAX_ROW_MESSAGES)


def commit(store: Store, plan: Plan, user: str | None = None, on_progress: Progress | None = None) -> LoadResult:
    """Stores a checked plan as one load; the same file again changes nothing."""
    if not plan.ok:
        raise InputError(plan.errors)
    with store.read() as cur:
        same = _same_load(cur, plan)
    if same:
        return same
    with store.write() as con:
        same = _same_load(con, plan)  # checked again under the lock: another writer may have been first
        if same:
            raise Discard
        load_id = queries.rows(con, "next_load_id")[0][0]
        write_load(con, plan, load_id, user, on_progress or _silent)
    (on_progress or _silent)(1.0, "written")
    return same or LoadResult(load_id, unchanged=False)


def _same_load(cursor, plan: Plan) -> LoadResult | None:
    found = queries.rows(cursor, "load_by_sha256", sha256=plan.sha256, domain=plan.domain,
                         snapshot_date=plan.snapshot_date)
    return LoadResult(found[0][0], unchanged=True, rolled_back=found[0][1] == "rolled_back") if found else None


def write_loads(con, plans: list[Plan], first_load_id: int, user: str) -> None:
    """Inside an open write: many loads at once (the demo), set aside as noncurrent, then one rebuild that picks
    the current rows among them (one sort per domain, not one displacement per load)."""
    ids = range(first_load_id, first_load_id + len(plans))
    con.register("incoming_loads", pd.DataFrame([_load_record(p, i, user) for p, i in zip(plans, ids)]))
    queries.execute(con, "loads_append")
    con.register("incoming_facts", arrow(_all_rows(plans, ids)))
    queries.execute(con, "facts_noncurrent_append")
    rebuild_current(con)
    materialize.refresh_all(con)
    con.unregister("incoming_facts")
    con.unregister("incoming_loads")


def _load_record(plan: Plan, load_id: int, user: str | None) -> dict:
    return dict(load_id=load_id, file_name=plan.file, sha256=plan.sha256, domain=plan.domain,
                snapshot_date=plan.snapshot_date, as_of_hour=plan.as_of_hour, round=plan.round, level=plan.level,
                rows_accepted=len(plan.frame), rows_rejected=0, loaded_by=user or current_user())


def _all_rows(plans: list[Plan], ids) -> pd.DataFrame:
    """Every plan's rows in one frame, load columns repeated per row (one concat, not one assign per load)."""
    rows = pd.concat([p.frame for p in plans], ignore_index=True).drop(columns=["level"])
    sizes = [len(p.frame) for p in plans]
    for column, values in (("load_id", list(ids)), ("domain", [p.domain for p in plans]),
                           ("snapshot_date", [p.snapshot_date for p in plans]),
                           ("as_of_hour", [p.as_of_hour for p in plans])):
        rows[column] = np.repeat(np.array(values, dtype=object), sizes)
    return rows.astype({"load_id": "int64"})


def write_load(con, plan: Plan, load_id: int, user: str | None, progress: Progress = _silent) -> None:
    """Inside an open write: record the load, store its rows once (the rows it displaces set aside), refresh the
    rollups; each stage reported (a province file takes most of a second; the benchmark times each stage)."""
    queries.execute(con, "load_insert", **_load_record(plan, load_id, user))
    load = dict(load_id=load_id, domain=plan.domain, snapshot_date=plan.snapshot_date, as_of_hour=plan.as_of_hour)
    rows = _sorted_rows(plan.frame)
    con.register("incoming_rows", rows)
    progress(0.35, "rows")
    statuses_may_change = _store_rows(con, load, rows["num"].to_numpy())
    _fault_point("after_rows")
    con.unregister("incoming_rows")
    progress(0.55, "current")
    refresh_after(con, plan.domain, plan.snapshot_date, statuses=statuses_may_change)
    progress(0.9, "rollups")
    _keep_warnings(con, plan, load_id)
    queries.execute(con, "load_event_insert", load_id=load_id, action="loaded", by_user=user or current_user())


def _store_rows(con, load: dict, nums: np.ndarray) -> bool:
    """The registered `incoming_rows` (units `nums`, sorted) stored once as `load`: on a date with current rows, the
    rows the load displaces are set aside first; a new day has none, and is spared two hash joins of its 500,000
    nums against nothing (30-50 ms of a province day); a whole day sent again displaces without matching them.
    Returns whether any load's status may change: the date had current rows, or the load has none to make current."""
    tables = domain_tables(load["domain"], "facts_table", "noncurrent_table")
    current = queries.frame(con, "facts_day_nums", identifiers=domain_tables(load["domain"], "facts_table"),
                            domain=load["domain"], snapshot_date=load["snapshot_date"])["num"].to_numpy()
    if len(current):
        queries.execute(con, "facts_displace_day" if _covers(nums, current) else "facts_displace", identifiers=tables,
                        **load)
    queries.execute(con, "facts_apply_load", identifiers=tables, **load)
    return bool(len(current)) or not len(nums)


def _covers(nums: np.ndarray, current: np.ndarray) -> bool:
    """Whether every one of `current` is among `nums` (sorted): one binary search each, a few ms for 500,000."""
    if not len(nums):
        return False
    at = np.minimum(np.searchsorted(nums, current), len(nums) - 1)
    return bool(np.array_equal(nums[at], current))


def _sorted_rows(frame: pd.DataFrame) -> pa.Table:
    """A plan's rows as Arrow, by num: stored in unit order (a page's range scan skips whole row groups), sorted
    here once rather than by DuckDB; the load's own columns are constants in the SQL."""
    table = arrow(frame.drop(columns=["level", "code"]))  # a code is its num's digits (the views derive it)
    nums = table["num"]
    if len(nums) > 1 and not pc.all(pc.greater_equal(nums[1:], nums[:-1])).as_py():
        table = table.take(pc.sort_indices(nums))
    return table


def rebuild_current(con) -> None:
    """Inside an open write: every domain's current and noncurrent rows rebuilt from all its loads' rows, and
    every load's status."""
    for domain in fields.DOMAINS:
        queries.execute(con, "facts_rebuild", identifiers=domain_tables(domain, "facts_table", "noncurrent_table"))
    queries.execute(con, "loads_refresh_all_statuses")


def refresh_current(con, nums: pd.DataFrame, domain: str, day) -> None:
    """Inside an open write: after a load, rollback or restore of these units' rows on one date, recompute the
    current rows, the loads' statuses and the stored rollups that depend on them."""
    con.register("touched_nums", nums)
    queries.execute(con, "facts_refresh", identifiers=domain_tables(domain, "facts_table", "noncurrent_table"),
                    domain=domain, snapshot_date=day)
    con.unregister("touched_nums")
    refresh_after(con, domain, day)


def refresh_after(con, domain: str, day, statuses: bool = True) -> None:
    """Inside an open write, once the current rows of these units on one date are right: the loads' statuses and
    the stored rollups that depend on them. `statuses=False` where no load's status can have changed: a load of rows
    on a date with no current rows displaced nothing, and is active as recorded (~11 ms of a province day)."""
    if statuses:
        queries.execute(con, "loads_refresh_status", domain=domain, snapshot_date=day)
    materialize.refresh(con, domain, day)


def summary(store: Store, plan: Plan, lang: str) -> str:
    """One line that says how the file was understood, so the user can check it before loading."""
    parent = store.query("unit_by_code", code=plan.parent)["name"] if plan.parent else pd.Series(dtype=object)
    return i18n.t(
        "plan_summary", lang, file=plan.file, domain=fields.DOMAIN_LABELS[plan.domain][lang],
        date=plan.snapshot_date.isoformat(), rows=len(plan.frame),
        hour=i18n.t("plan_hour", lang, hour=plan.as_of_hour) if plan.as_of_hour else "",
        round=i18n.t("plan_round", lang, round=plan.round) if plan.round else "",
        level=codes.LEVEL_LABELS[plan.level][lang] if plan.level else "",
        parent=i18n.t("plan_parent", lang, name=parent.iloc[0]) if len(parent) else "")


KEPT_WARNINGS = ("warn_total_mismatch",)  # the data-quality page checks these after the load


def _keep_warnings(con, plan: Plan, load_id: int) -> None:
    kept = [m for m in plan.warnings if m.key in KEPT_WARNINGS]
    if not kept:
        return
    con.register("incoming_warnings", pd.DataFrame({
        "load_id": load_id, "key": [m.key for m in kept], "line": [m.row for m in kept],
        "column_name": [m.values.get("field", m.column) for m in kept], "stated": [float(m.values.get("stated", "nan")) for m in kept],
        "summed": [float(m.values.get("summed", "nan")) for m in kept]}))
    queries.execute(con, "load_warnings_append")
    con.unregister("incoming_warnings")


def current_user() -> str:
    return os.environ.get("DASHBOARD_USER") or getpass.getuser()
