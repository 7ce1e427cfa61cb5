"""Data quality: who did not report (completeness), when snapshots landed (timeliness), what looks wrong (anomalies).

Why rows as delivered: the anomaly rules read each unit's current row per date
(queries/quality_rows.sql), not rollups, so a wrong grid figure is found at the
grid, next to the load (id and file) it came from. Each rule is one function
below with its threshold as a parameter, listed in `RULES`: the page shows the
rule and its threshold beside what it flagged, and tests make each one fire and
not fire. Completeness reuses the rollup's reported/carried/expected counts, so
this page and the overview's cards never disagree.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..domain import codes, fields, indicators
from ..storage import settings
from ..storage.store import Store
from . import rollup

COVERAGE_LIMIT = 1.0          # coverage_over_100: numerator above this share of the denominator
SPIKE_WINDOW_DAYS = 7         # daily_spike: the median is taken over the daily increases of the previous 7 days
SPIKE_MIN_INCREASES = 3       # ... of which at least this many must exist (fewer: no judgement)
SPIKE_MIN_INCREASE = 10       # ... and the increase must be at least this many people (households) a day
USUAL_WINDOW_DAYS = 7         # completeness: "usually reports" looks at the previous 7 days
USUAL_MIN_DAYS = 4            # ... and means on at least 4 of them (most)
CONTEXT_DAYS = 14             # rows read before the window: previous values and the previous week's increases

# Every rule, in the order the page lists them. total_mismatch reads the warnings ingest kept at load time
# (the 合计 row itself is compared and dropped then).
RULES = ("coverage_over_100", "cumulative_drop", "denominator_missing", "daily_spike", "total_mismatch",
         "double_reported")
UNCHECKED_RULES: tuple[str, ...] = ()
FLAG_COLUMNS = ("snapshot_date", "rule", "code", "name", "level", "parent_name", "field", "value",
                "reference_field", "reference", "reference_date", "rows_below", "load_id", "file_name")


def spike_factor(values: dict[str, str]) -> float:
    """The `spike_factor` setting (above 1), else the default."""
    try:
        factor = float(values.get("spike_factor", settings.DEFAULT_SPIKE_FACTOR))
    except (TypeError, ValueError):
        return settings.DEFAULT_SPIKE_FACTOR
    return factor if factor > 1 else settings.DEFAULT_SPIKE_FACTOR


def thresholds(factor: float) -> dict[str, dict]:
    """The values each rule uses, for the page to print next to the rule."""
    return {
        "coverage_over_100": {"limit": COVERAGE_LIMIT},
        "cumulative_drop": {},
        "denominator_missing": {},
        "daily_spike": {"factor": factor, "days": SPIKE_WINDOW_DAYS, "min_increases": SPIKE_MIN_INCREASES,
                        "min_increase": SPIKE_MIN_INCREASE},
        "total_mismatch": {},
        "double_reported": {},
    }


# ---- anomaly rules: each takes the delivered rows of one domain and returns flags ---------------------------------

def coverage_over_100(rows: pd.DataFrame, domain: str, limit: float = COVERAGE_LIMIT) -> pd.DataFrame:
    """A row whose numerator exceeds `limit` × its denominator (the report's, else the register's), per indicator.

    Usually people from outside counted in, or a denominator that is too low;
    the figure is loaded as given, so it must be visible somewhere.
    """
    out = []
    for ind in indicators.for_domain(domain):
        den = _denominator(rows, ind.denominator)
        hit = ((den > 0) & (rows[ind.numerator] > limit * den)).fillna(False).astype(bool)
        out.append(_flags(rows[hit], "coverage_over_100", ind.numerator, rows.loc[hit, ind.numerator],
                          ind.denominator, den[hit]))
    return _concat(out)


def cumulative_drop(rows: pd.DataFrame, domain: str) -> pd.DataFrame:
    """A cumulative count below the unit's previous reported value (testing: within the same round).

    A new testing round restarts the counts, so a drop across rounds is not an error.
    """
    out = []
    for name in fields.cumulative_fields(domain):
        frame = rows[rows[name].notna()]  # ordered by unit and date (queries/quality_rows.sql)
        by_unit = frame.groupby("num", sort=False)
        previous, previous_date = by_unit[name].shift(), by_unit["snapshot_date"].shift()
        previous_round = by_unit["round"].shift()
        same_round = (frame["round"].isna() & previous_round.isna()) | (frame["round"] == previous_round)
        hit = (same_round.fillna(False) & (frame[name] < previous).fillna(False)).astype(bool)
        out.append(_flags(frame[hit], "cumulative_drop", name, frame.loc[hit, name], name, previous[hit],
                          previous_date[hit]))
    return _concat(out)


def denominator_missing(rows: pd.DataFrame, domain: str) -> pd.DataFrame:
    """A row with a numerator but a zero or missing denominator (neither reported nor in the register).

    The ratio cannot be computed, and in a rollup the unit's people silently
    drop out of the denominator, which inflates its parent's coverage.
    """
    out = []
    for den_name in dict.fromkeys(i.denominator for i in indicators.for_domain(domain)):
        numerators = [i.numerator for i in indicators.for_domain(domain) if i.denominator == den_name]
        den = _denominator(rows, den_name)
        hit = (rows[numerators].notna().any(axis=1) & (den.isna() | (den == 0))).astype(bool)
        first = rows.loc[hit, numerators].bfill(axis=1).iloc[:, 0] if hit.any() else rows.loc[hit, numerators[0]]
        out.append(_flags(rows[hit], "denominator_missing", den_name, den[hit], numerators[0], first))
    return _concat(out)


def daily_spike(rows: pd.DataFrame, domain: str, factor: float, min_increase: float = SPIKE_MIN_INCREASE,
                window_days: int = SPIKE_WINDOW_DAYS, min_increases: int = SPIKE_MIN_INCREASES) -> pd.DataFrame:
    """A daily increase of an indicator's numerator above `factor` × the unit's median daily increase of the
    previous `window_days` days (same round; at least `min_increases` of them; at least `min_increase` a day).

    The increase since the previous report is spread over the days between, so a
    missed day does not look like a jump. Usually a double count or a cumulative
    figure that was reported as a daily one.
    """
    out = []
    for name in dict.fromkeys(i.numerator for i in indicators.for_domain(domain)):
        frame = rows[rows[name].notna()]
        if frame.empty:  # (assigning to an empty frame would adopt the other series' index)
            continue
        frame = frame.assign(round_key=frame["round"].fillna(0)).sort_values(["num", "round_key", "snapshot_date"])
        series = frame.groupby(["num", "round_key"], sort=False)
        days = (frame["snapshot_date"] - series["snapshot_date"].shift()).dt.days
        frame = frame.assign(increase=(frame[name] - series[name].shift()).astype("float64") / days)
        median = _previous_median(frame, window_days, min_increases)
        hit = ((median > 0) & (frame["increase"] > factor * median) & (frame["increase"] >= min_increase))
        hit = hit.fillna(False).astype(bool)
        out.append(_flags(frame[hit], "daily_spike", name, frame.loc[hit, "increase"].round(1), name,
                          median[hit].round(1)))
    return _concat(out)


def double_reported(rows: pd.DataFrame, domain: str) -> pd.DataFrame:
    """A unit that sent a row for itself and, on the same date, rows for units below it.

    The rollup counts the rows below and ignores its own (never twice); the flag
    shows both figures of the domain's main numerator (own row vs the sum of the
    rows below), so one can see whether the two deliveries even agree.
    """
    name = indicators.BY_KEY[indicators.MAIN_INDICATOR[domain]].numerator
    frame = rows.sort_values(["snapshot_date", "num"]).reset_index(drop=True)
    span = frame["prefix_len"].map({p: codes.span(level) for level, p in codes.PREFIX_LEN.items()})
    ends = (frame["num"] + span).to_numpy()
    below = np.zeros(len(frame), dtype="int64")
    below_sum = np.zeros(len(frame), dtype="float64")
    for _, part in frame.groupby("snapshot_date", sort=False):
        at = part.index.to_numpy()
        nums, stop = part["num"].to_numpy(), np.searchsorted(part["num"].to_numpy(), ends[at], "left")
        inside = stop - np.arange(len(nums)) - 1
        leaves = np.where(inside == 0, part[name].astype("float64").fillna(0).to_numpy(), 0.0)
        sums = np.concatenate([[0.0], np.cumsum(leaves)])
        below[at], below_sum[at] = inside, sums[stop] - sums[np.arange(len(nums)) + 1]
    hit = below > 0
    flags = _flags(frame[hit], "double_reported", name, frame.loc[hit, name], name, pd.Series(below_sum[hit],
                   index=frame.index[hit]))
    flags["rows_below"] = below[hit]
    return flags


def _previous_median(frame: pd.DataFrame, window_days: int, min_increases: int) -> pd.Series:
    """Per row, the median of the same unit's (and round's) increases dated in the previous `window_days` days.

    Rows hold at most one date per unit, so the previous `window_days` rows
    contain every candidate; those outside the window are masked out.
    """
    series = frame.groupby(["num", "round_key"], sort=False)
    earlier = []
    for k in range(1, window_days + 1):
        inside = (frame["snapshot_date"] - series["snapshot_date"].shift(k)).dt.days <= window_days
        earlier.append(series["increase"].shift(k).where(inside).to_numpy(dtype="float64"))
    stack = np.column_stack(earlier) if earlier else np.empty((len(frame), 0))
    enough = (~np.isnan(stack)).sum(axis=1) >= min_increases
    with np.errstate(all="ignore"):
        median = np.where(enough, np.nanmedian(np.where(enough[:, None], stack, 0.0), axis=1), np.nan)
    return pd.Series(median, index=frame.index)


CHECKS = {"coverage_over_100": coverage_over_100, "cumulative_drop": cumulative_drop,
          "denominator_missing": denominator_missing, "daily_spike": daily_spike, "double_reported": double_reported}


def check_rows(rows: pd.DataFrame, domain: str, factor: float) -> pd.DataFrame:
    """Every computable rule over the delivered rows; flags in rule order, newest date first."""
    flags = [CHECKS[key](rows, domain, factor) if key == "daily_spike" else CHECKS[key](rows, domain)
             for key in RULES if key in CHECKS]
    out = _concat(flags)
    order = {key: i for i, key in enumerate(RULES)}
    out = out.assign(_order=out["rule"].map(order))
    return out.sort_values(["snapshot_date", "_order", "num", "field"], ascending=[False, True, True, True],
                           kind="stable").drop(columns="_order").reset_index(drop=True)


def anomalies(store: Store, code: str, domain: str, date_from: dt.date, date_to: dt.date,
              factor: float | None = None, values: dict[str, str] | None = None) -> pd.DataFrame:
    """Flags of every rule for rows of `domain` under `code` dated in [date_from, date_to]."""
    values = settings.all_settings(store) if values is None else values
    factor = spike_factor(values) if factor is None else factor
    rows = delivered_rows(store, code, domain, date_from - dt.timedelta(days=CONTEXT_DAYS), date_to)
    flags = _concat([check_rows(rows, domain, factor), total_mismatch(store, code, domain, date_from, date_to)])
    flags = flags[(flags["snapshot_date"] >= date_from) & (flags["snapshot_date"] <= date_to)]
    return describe(store, flags.reset_index(drop=True))


def delivered_rows(store: Store, code: str, domain: str, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """The current row of each unit and date under `code` with the register's denominators, by unit and date."""
    u = rollup.unit(store, code)
    lo = int(u["num"])
    rows = store.query("quality_rows", domain=domain, lo=lo, hi=lo + codes.span(u["level"]),
                       date_from=date_from, date_to=date_to)
    rows["snapshot_date"] = pd.to_datetime(rows["snapshot_date"])
    return rows


def total_mismatch(store: Store, code: str, domain: str, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """A file's 合计/总计 row that disagreed with the sum of its rows (kept by ingest when the file was loaded).

    Flagged on the unit the file covered: the deepest unit containing all its rows.
    """
    u = rollup.unit(store, code)
    lo = int(u["num"])
    found = store.query("total_mismatches", domain=domain, date_from=date_from, date_to=date_to,
                        lo=lo, hi=lo + codes.span(u["level"]))
    if found.empty:
        return found
    covered = [_common_unit(a, b) for a, b in zip(found["first_code"], found["last_code"])]
    hit = pd.DataFrame({"snapshot_date": pd.to_datetime(found["snapshot_date"]),
                        "num": [codes.num(c) for c in covered], "load_id": found["load_id"]})
    return _flags(hit, "total_mismatch", found["column_name"].values, found["stated"].values,
                  "sum_of_rows", found["summed"].values)


def _common_unit(first: str, last: str) -> str:
    """The deepest division code whose prefix both codes share (a township file's rows -> the township)."""
    for length in (12, 9, 6, 4, 2):
        if first[:length] == last[:length] and len(first) > length:
            return first[:length].ljust(12, "0")
    return first[:2].ljust(12, "0")


def rule_counts(flags: pd.DataFrame) -> dict[str, int | None]:
    """Flags per rule; None for a rule that cannot be checked from the stored data."""
    counts = flags["rule"].value_counts()
    return {key: None if key in UNCHECKED_RULES else int(counts.get(key, 0)) for key in RULES}


def _denominator(rows: pd.DataFrame, name: str) -> pd.Series:
    """The reported denominator, else the register's for that unit (as the rollup fills it, row by row); a field no
    register supplies (not declared `register`) is as reported."""
    reported = rows[name].astype("Float64")
    return reported.fillna(rows[f"reg_{name}"].astype("Float64")) if f"reg_{name}" in rows else reported


def _flags(hit: pd.DataFrame, rule: str, field: str, value, reference_field: str, reference,
           reference_date=None) -> pd.DataFrame:
    """Flag rows for the hit rows; names, codes and files are added later by `describe` (for flagged rows only)."""
    out = pd.DataFrame({
        "snapshot_date": hit["snapshot_date"].dt.date, "rule": rule, "num": hit["num"].astype("int64"),
        "field": field, "value": pd.Series(value, index=hit.index, dtype="Float64"),
        "reference_field": reference_field, "reference": pd.Series(reference, index=hit.index, dtype="Float64"),
        "reference_date": (pd.Series(reference_date, index=hit.index).dt.date if reference_date is not None
                           else pd.Series(None, index=hit.index, dtype=object)),
        "rows_below": pd.Series(pd.NA, index=hit.index, dtype="Int64"),
        "load_id": hit["load_id"].astype("Int64"),
    })
    return out


def describe(store: Store, flags: pd.DataFrame) -> pd.DataFrame:
    """Adds each flag's unit (code, name, level, parent's name) and the file of the load it came from."""
    units = store.query("units_all")
    parents = dict(zip(units["code"], units["name"]))
    by_num = units.set_index("num")
    files = store.query("loads_all").set_index("load_id")["file_name"]
    out = flags.copy()
    out["code"] = out["num"].map(by_num["code"])
    out["name"] = out["num"].map(by_num["name"])
    out["level"] = out["num"].map(by_num["level"])
    out["parent_name"] = out["num"].map(by_num["parent_code"]).map(parents)
    out["file_name"] = out["load_id"].map(files)
    return out[list(FLAG_COLUMNS)]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if frames:
        return pd.concat(frames, ignore_index=True)
    empty = pd.DataFrame({"snapshot_date": pd.Series(dtype="datetime64[ns]"), "num": pd.Series(dtype="int64"),
                          "load_id": pd.Series(dtype="Int64")})
    return _flags(empty, "", "", [], "", [])


# ---- completeness -------------------------------------------------------------------------------------------------

COMPLETENESS_COLUMNS = ("snapshot_date", "expected", "reported", "rate", "carried", "missing")


def expected_level(store: Store, code: str, domain: str, day: dt.date, values: dict[str, str] | None = None):
    """The level expected to report on `day`: the county's setting, else the finest level that reported in 7 days."""
    return rollup.expected_level(store, code, domain, day, values)


def completeness(store: Store, code: str, domain: str, day: dt.date, values: dict[str, str] | None = None,
                 first: dt.date | None = None) -> pd.DataFrame:
    """Per snapshot date up to `day`: expected units, reported today, the rate, carried from earlier days, no data.

    The counts are the rollup's (queries/rollup.sql), for the expected level of `day`.
    """
    dates = rollup.snapshot_dates(store, domain)
    first = first or (min(dates) if dates else day)
    frame = rollup.trend(store, code, domain, first, day, values)
    out = frame[["snapshot_date", "expected", "reported", "carried"]].copy()
    out["missing"] = (out["expected"] - out["reported"] - out["carried"]).clip(lower=0)
    out["rate"] = (out["reported"] / out["expected"].where(out["expected"] > 0)).astype("Float64")
    return out[list(COMPLETENESS_COLUMNS)].reset_index(drop=True)


MISSING_COLUMNS = ("code", "name", "parent_name", "status", "last_reported", "days_reported", "usually_reports")


def missing_units(store: Store, code: str, domain: str, day: dt.date, values: dict[str, str] | None = None,
                  level: str | None = None) -> pd.DataFrame:
    """The units of the expected level that sent nothing on `day`: carried (an earlier row still counts) or missing.

    `days_reported` counts the previous USUAL_WINDOW_DAYS days with a row; a unit
    with at least USUAL_MIN_DAYS of them (`usually_reports`) comes first: its
    silence today is news, while a unit that rarely reports is a known problem.
    """
    values = settings.all_settings(store) if values is None else values
    level = level or expected_level(store, code, domain, day, values)
    if level is None:
        return pd.DataFrame(columns=list(MISSING_COLUMNS))
    members = rollup.level_rollup(store, code, domain, level, day, values)
    absent = members[members["reported"] == 0]
    u = rollup.unit(store, code)
    lo = int(u["num"])
    history = store.query("report_days", domain=domain, lo=lo, hi=lo + codes.span(u["level"]),
                          prefix_len=codes.PREFIX_LEN[level], date_from=day - dt.timedelta(days=USUAL_WINDOW_DAYS),
                          date_to=day - dt.timedelta(days=1))
    days = dict(zip(history["code"], history["days_reported"]))
    names = _parent_names(store, absent["code"])
    out = pd.DataFrame({
        "code": absent["code"], "name": absent["name"], "parent_name": absent["code"].map(names),
        "status": np.where(absent["carried"] > 0, "carried", "missing"),
        "last_reported": [_date_or_none(d) for d in absent["last_reported"]],
        "days_reported": absent["code"].map(days).fillna(0).astype("int64"),
    })
    out["usually_reports"] = out["days_reported"] >= USUAL_MIN_DAYS
    out = out.sort_values(["usually_reports", "status", "days_reported", "code"],
                          ascending=[False, False, False, True], kind="stable")
    return out[list(MISSING_COLUMNS)].reset_index(drop=True)


def _parent_names(store: Store, unit_codes: pd.Series) -> dict[str, str]:
    units = store.query("units_all")
    name = dict(zip(units["code"], units["name"]))
    parent = dict(zip(units["code"], units["parent_code"]))
    return {c: name.get(parent.get(c)) for c in unit_codes}


def _date_or_none(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


# ---- timeliness ---------------------------------------------------------------------------------------------------

TIMELINESS_COLUMNS = ("snapshot_date", "loads", "rolled_back", "as_of_hour", "first_loaded_at", "last_loaded_at",
                      "delay_hours", "first_file")


def timeliness(store: Store, domain: str, within: tuple[int, int] | None = None) -> pd.DataFrame:
    """Per snapshot date: its loads and how many hours after the snapshot's as-of time the first one landed.

    The as-of time is the date at the report's hour (截至18时), end of day when
    the file names none; a negative delay means the file came before that hour.
    `within` (an account's scope as a num range) keeps the loads with rows in
    it, and names a file only when its load lies wholly inside.
    """
    lo, hi = within or (None, None)
    frame = store.query("load_timeliness", domain=domain, lo=lo, hi=hi)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    hour = frame["as_of_hour"].astype("Float64").fillna(24).astype("float64")
    as_of = pd.to_datetime(frame["snapshot_date"]) + pd.to_timedelta(hour, unit="h")
    frame["delay_hours"] = ((pd.to_datetime(frame["first_loaded_at"]) - as_of).dt.total_seconds() / 3600).round(1)
    return frame[list(TIMELINESS_COLUMNS)]
