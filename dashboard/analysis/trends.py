"""Trends: an indicator's series per calendar day for one or more units, cumulative and daily increase.

Why a calendar: `rollup.trend` returns only the dates that have data (plus the
end date), so a day without any report would vanish from a chart and the line
would run straight over it. Here every calendar day is a row and a day without
data holds NaN, which a chart draws as a gap: never as zero.

The daily increase is the numerator's change from the previous calendar day
(NaN after a missing day); for testing, counts restart with each round, so on
a round's first day the increase is the day's count itself and across rounds
nothing is subtracted.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..domain import fields, indicators
from ..storage import settings
from ..storage.store import Store
from . import rollup, rounds

MEASURES = ("ratio", "numerator", "increase")
SERIES_COLUMNS = ("snapshot_date", "ratio", "numerator", "denominator", "increase", "target")


def calendar(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def series(frame: pd.DataFrame, indicator: str, first: dt.date, last: dt.date,
           round_starts: list[dt.date] = (), target: float | None = None) -> pd.DataFrame:
    """A rollup-shaped frame (one row per date with data) as one row per calendar day in [first, last]."""
    ind = indicators.BY_KEY[indicator]
    days = calendar(first, last)
    pick = _picker(frame, days)
    out = pd.DataFrame({"snapshot_date": days})
    out["ratio"] = pick(f"{ind.key}_ratio").to_numpy()
    out["numerator"] = pick(f"{ind.key}_numerator").to_numpy()
    out["denominator"] = pick(f"{ind.key}_denominator").to_numpy()
    out["increase"] = daily_increase(out["snapshot_date"], out["numerator"], round_starts)
    out["target"] = target if target is not None else (
        float(frame[f"{ind.key}_target"].iloc[0]) if len(frame) else ind.default_target)
    return out[list(SERIES_COLUMNS)]


def count_series(frame: pd.DataFrame, name: str, first: dt.date, last: dt.date,
                 round_starts: list[dt.date] = ()) -> pd.DataFrame:
    """One field of a rollup-shaped frame (返乡人员, 居家隔离 …) per calendar day, in the shape of `series`: the
    count as `numerator`, its daily increase; no ratio, denominator or target (a count has none)."""
    days = calendar(first, last)
    out = pd.DataFrame({"snapshot_date": days, "ratio": float("nan"), "numerator": _picker(frame, days)(name).to_numpy(),
                        "denominator": float("nan")})
    out["increase"] = daily_increase(out["snapshot_date"], out["numerator"], round_starts)
    out["target"] = float("nan")
    return out[list(SERIES_COLUMNS)]


def _picker(frame: pd.DataFrame, days: list):
    """A column of the frame per calendar day (float, NaN where no data that day or no such column)."""
    known = frame.set_index("snapshot_date") if len(frame) else pd.DataFrame(index=pd.Index([], dtype=object))
    return lambda col: known[col].astype("Float64").astype("float64").reindex(days) if col in known \
        else pd.Series(float("nan"), index=days)


def daily_increase(days: pd.Series, values: pd.Series, round_starts=()) -> pd.Series:
    """Change from the previous calendar day; NaN when either day has no value; a round's first day counts from 0."""
    values = pd.Series(values.to_numpy(dtype="float64"), index=days.index)
    previous = values.shift()
    starts = set(round_starts)
    restart = days.map(lambda d: d in starts).to_numpy()
    previous = previous.where(~restart, 0.0)
    return values - previous


def unit_series(store: Store, code: str, indicator: str, first: dt.date, last: dt.date,
                values: dict[str, str] | None = None) -> pd.DataFrame:
    """One unit's calendar series of an indicator (rollup rule, carried values included)."""
    values = settings.all_settings(store) if values is None else values
    ind = indicators.BY_KEY[indicator]
    frame = rollup.trend(store, code, ind.domain, first, last, values)
    return series(frame, indicator, first, last, [d for _, d in rounds_in(store, code, ind.domain, first, last)],
                  settings.targets(store, values)[indicator])


def unit_count_series(store: Store, code: str, domain: str, name: str, first: dt.date, last: dt.date,
                      values: dict[str, str] | None = None) -> pd.DataFrame:
    """One unit's calendar series of one count of a domain (rollup rule, carried values included)."""
    values = settings.all_settings(store) if values is None else values
    frame = rollup.trend(store, code, domain, first, last, values)
    return count_series(frame, name, first, last, [d for _, d in rounds_in(store, code, domain, first, last)])


def rounds_in(store: Store, code: str, domain: str, first: dt.date, last: dt.date) -> list[tuple[int, dt.date]]:
    """(round, start date) of the testing rounds that began in [first, last] in the unit's county (or counties).

    Counts restart there: the chart marks them and the daily increase starts from 0.
    """
    return rounds.began_within(store, code, first, last) if fields.has_rounds(domain) else []


def children_codes(store: Store, code: str) -> pd.DataFrame:
    """The unit's children (code, name, level): the units a trend can add or compare."""
    return store.query("unit_children", code=code)[["code", "name", "level"]]


def table(per_unit: dict[str, pd.DataFrame], measure: str) -> pd.DataFrame:
    """One column per unit, one row per calendar day, for one measure (the data behind a chart); NaN stays NaN."""
    days = next(iter(per_unit.values()))["snapshot_date"] if per_unit else []
    out = pd.DataFrame({"snapshot_date": list(days)})
    for label, frame in per_unit.items():
        values = frame[measure] * 100 if measure == "ratio" else frame[measure]
        out[label] = values.round(1 if measure in ("ratio", "increase") else 0).to_numpy()
    return out
