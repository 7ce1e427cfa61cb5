"""Testing rounds: where cumulative counts restart. One reading of the `rounds` table for every place that needs it
(the trend's marks and daily increase, the pace window, the overview's cards, the deck's chart)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..domain import codes
from ..storage.store import Store


def starts(store: Store, code: str) -> list[tuple[int, dt.date]]:
    """(round, start date) of the testing rounds of the unit's county, or of every county under a unit above county
    level, in order. Rounds are set per county, so a township's rounds are its county's."""
    rounds = store.lookup("rounds_all")
    num, level = codes.num(code), codes.level_of(code)
    if codes.PREFIX_LEN[level] >= codes.PREFIX_LEN["county"]:
        mine = rounds[rounds["county_num"] == codes.county_num(num)]
    else:
        mine = rounds[(rounds["county_num"] >= num) & (rounds["county_num"] < num + codes.span(level))]
    return sorted({(int(r), pd.Timestamp(d).date()) for r, d in zip(mine["round"], mine["start_date"])})


def began_within(store: Store, code: str, first: dt.date, last: dt.date) -> list[tuple[int, dt.date]]:
    """The rounds that began in [first, last]: a chart marks them, and a drop there is a restart, not a fault."""
    return [(r, d) for r, d in starts(store, code) if first <= d <= last]


def running_since(store: Store, code: str, day: dt.date) -> dt.date | None:
    """The start of the round running on `day`; None before the first."""
    started = [d for _, d in starts(store, code) if d <= day]
    return max(started) if started else None
