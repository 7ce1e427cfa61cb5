"""Where the gaps are: units ranked by people still to cover, with the change since the previous snapshot."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from . import indicators, rollup
from .store import Store

RANK_COLUMNS = ("code", "name", "level", "parent_code", "ratio", "numerator", "denominator", "target", "gap",
                "ratio_change", "numerator_change", "denominator_source", "carried", "last_reported")


def ranking(store: Store, code: str, indicator: str, snapshot_date: dt.date | None = None,
            level: str | None = None) -> pd.DataFrame:
    """Units at `level` (default: the unit's children) under `code`, largest gap first.

    Ranked by the gap in people, not by ratio: a big village at 80 % may need
    more sampling teams tonight than a hamlet at 50 %.
    """
    ind = indicators.BY_KEY[indicator]
    day = snapshot_date or rollup.latest_date(store, ind.domain)
    now = _members(store, code, ind.domain, day, level)
    before_day = rollup.previous_date(store, ind.domain, day) if day else None
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
    return frame["code"].map(lambda c: c[:12] if len(c) == 15 else c[:9].ljust(12, "0") if c[9:] != "000" else
                             c[:6].ljust(12, "0"))
