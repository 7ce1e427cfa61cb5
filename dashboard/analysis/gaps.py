"""Where the gaps are: units ranked by people still to cover, the few that hold most of it, and who will be late.

`ranking()` (kept stable: the briefing uses it) ranks the units; `pareto()`
says how few of them hold half (or any share) of the whole gap; `outlook()`
adds each unit's pace (dashboard/analysis/pace.py) and the days it still needs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..domain import indicators
from ..storage import settings
from ..storage.store import Store, one_snapshot
from . import pace, rollup

RANK_COLUMNS = ("code", "name", "level", "parent_code", "ratio", "numerator", "denominator", "target", "gap",
                "ratio_change", "numerator_change", "denominator_source", "carried", "last_reported")


@one_snapshot
def ranking(store: Store, code: str, indicator: str, snapshot_date: dt.date | None = None,
            level: str | None = None) -> pd.DataFrame:
    """Units at `level` (default: the unit's children) under `code`, largest gap first.

    Ranked by the gap in people, not by ratio: a big village at 80 % may need
    more sampling teams tonight than a hamlet at 50 %.
    """
    ind = indicators.BY_KEY[indicator]
    day = snapshot_date or rollup.latest_date(store, ind.domain)
    before_day = rollup.previous_date(store, ind.domain, day) if day else None
    if day and before_day and rollup.latest_date(store, ind.domain, day) == day:  # both dates: one query
        both = rollup.level_rollups(store, code, ind.domain, level, [before_day, day], indicator=indicator)
        now, before = both[day], both[before_day]
    else:
        now = _members(store, code, ind.domain, day, level)
        before = _members(store, code, ind.domain, before_day, level) if before_day else None
    out = _indicator_columns(now, ind)
    if before is not None:
        previous = _indicator_columns(before, ind).set_index("code")
        out["ratio_change"] = out["ratio"] - out["code"].map(previous["ratio"])
        out["numerator_change"] = out["numerator"] - out["code"].map(previous["numerator"])
    else:
        out["ratio_change"] = out["numerator_change"] = pd.NA
    out = out.sort_values(["gap", "ratio"], ascending=[False, True], na_position="last", kind="stable")
    return out[list(RANK_COLUMNS)].reset_index(drop=True)


def _members(store: Store, code: str, domain: str, day, level: str | None) -> pd.DataFrame:
    if level is None:
        return rollup.rollup(store, code, domain, day).children
    return rollup.level_rollup(store, code, domain, level, day)


def _indicator_columns(frame: pd.DataFrame, ind: indicators.Indicator) -> pd.DataFrame:
    out = frame[["code", "name", "level", "num", "carried", "last_reported"]].copy()
    for key in ("ratio", "numerator", "denominator", "target", "gap", "denominator_source"):
        out[key] = frame[f"{ind.key}_{key}"]
    out["parent_code"] = _parents(frame)
    return out


def _parents(frame: pd.DataFrame) -> pd.Series:
    """The village (or township) a unit sits in, from its code: grids repeat names (第1网格) across villages."""
    code = frame["code"]
    village = code.str[:12]
    township = code.str[:9].str.pad(12, side="right", fillchar="0")
    county = code.str[:6].str.pad(12, side="right", fillchar="0")
    return village.where(code.str.len() == 15, township.where(code.str[9:] != "000", county))


# ---- Pareto: how few units hold most of the gap ------------------------------------------------------------------

@dataclass(frozen=True)
class Pareto:
    """How many of the largest gaps together make up `share` of the whole gap."""
    share: float
    total_gap: int
    units_needed: int       # the fewest units (largest gaps first) whose gaps add up to `share` of the total
    units_with_gap: int
    units_total: int


def pareto(ranked: pd.DataFrame, share: float = 0.5) -> tuple[pd.DataFrame, Pareto]:
    """Adds `cum_gap`, `cum_share` and `in_head` (among the units needed) to a ranking, largest gap first.

    Why: sending teams to a handful of units that hold half the missing people
    is the decision this answers; units without a report (gap unknown) count
    in neither the total nor the head.
    """
    out = ranked.sort_values(["gap", "ratio"], ascending=[False, True], na_position="last", kind="stable")
    out = out.reset_index(drop=True)
    gaps = out["gap"].astype("Float64").fillna(0).astype("float64")
    total = float(gaps.sum())
    out["cum_gap"] = gaps.cumsum().astype("int64")
    out["cum_share"] = (out["cum_gap"] / total) if total > 0 else 0.0
    needed = 0 if total <= 0 else int((out["cum_gap"] < share * total - 1e-9).sum()) + 1
    out["in_head"] = out.index < needed
    summary = Pareto(share=share, total_gap=int(total), units_needed=needed,
                     units_with_gap=int((gaps > 0).sum()), units_total=len(out))
    return out, summary


# ---- Outlook: days to the target at each unit's current pace -----------------------------------------------------

OUTLOOK_COLUMNS = RANK_COLUMNS + ("township_code", "pace", "pace_from", "days_left", "finish_date",
                                  "reaches_by_deadline")


@one_snapshot
def outlook(store: Store, code: str, indicator: str, snapshot_date: dt.date | None = None, level: str | None = None,
            days: int | None = None, deadline: dt.date | None = None) -> pd.DataFrame:
    """The ranking with each unit's pace (mean daily increase), days left to the target and whether it makes `deadline`.

    `days` defaults to the `pace_days` setting; `deadline` to the snapshot date
    itself (then only units already at target "reach" it).
    """
    ind = indicators.BY_KEY[indicator]
    values = settings.all_settings(store)
    day = snapshot_date or rollup.latest_date(store, ind.domain)
    out = ranking(store, code, indicator, day, level)
    days = pace.pace_days(values) if days is None else max(1, int(days))
    deadline = deadline or day
    since = pace.round_start(store, code, ind.domain, day) if day else None
    dates = pace.window_dates(rollup.snapshot_dates(store, ind.domain), day, days, since) if day else []
    history = _numerators(store, code, ind, dates, level)
    out = out.merge(pace.daily_pace(history, days), on="code", how="left")
    out["days_left"] = pd.array([pace.days_to_target(g, p) for g, p in zip(out["gap"], out["pace"])], dtype="Int64")
    out["finish_date"] = [pace.finish_date(day, d) if not pd.isna(d) else None for d in out["days_left"]]
    out["reaches_by_deadline"] = [pace.reaches_by(None if pd.isna(d) else int(d), day, deadline)
                                  for d in out["days_left"]]
    out["township_code"] = out["code"].map(township_code)
    return out[list(OUTLOOK_COLUMNS)]


_EMPTY_HISTORY = pd.DataFrame({"code": pd.Series(dtype=str), "snapshot_date": pd.Series(dtype=object),
                               "value": pd.Series(dtype="float64")})


def _numerators(store: Store, code: str, ind: indicators.Indicator, days: list, level) -> pd.DataFrame:
    """Each unit's numerator on each of the snapshot `days` (the rollup rule: carried values included, no value =
    NaN), in one query where the level is stored: a date not seen before cost one query per day of the pace window."""
    frames = rollup.level_rollups(store, code, ind.domain, level, days, indicator=ind.key)
    return pd.concat([pd.DataFrame({"code": frame["code"], "snapshot_date": day,
                                    "value": frame[f"{ind.key}_numerator"].astype("Float64").astype("float64")})
                      for day, frame in frames.items()] or [_EMPTY_HISTORY])


def township_code(code: str) -> str | None:
    """The township a unit lies in (a township: itself); None for a county and above."""
    return code[:9].ljust(12, "0") if len(code) == 15 or code[9:12] != "000" or code[6:9] != "000" else None
