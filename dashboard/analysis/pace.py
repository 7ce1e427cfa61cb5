"""Pace: how fast each unit closes its gap, and when it will reach the target at that speed.

A unit's pace is its mean daily increase of the indicator's numerator over its
last N reported snapshot dates (N = the `pace_days` setting): the difference
between its newest and its oldest value in that window divided by the calendar
days between them. Days left = ⌈gap / pace⌉. Why the mean over several days and
not yesterday's increase: a single late file or a weekend makes one day's
increase jump or vanish, and a team is sent on the strength of a trend.

Testing counts restart with every round, so a window never reaches back before
the start of the round running on the date (the earlier values belong to
another count).
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from ..domain import fields
from ..storage import settings
from ..storage.store import Store
from . import rounds

PACE_COLUMNS = ("code", "pace", "pace_from", "pace_to")


def pace_days(values: dict[str, str]) -> int:
    """The `pace_days` setting (at least 1), else the default."""
    try:
        return max(1, int(values.get("pace_days", settings.DEFAULT_PACE_DAYS)))
    except (TypeError, ValueError):
        return settings.DEFAULT_PACE_DAYS


def daily_pace(history: pd.DataFrame, days: int) -> pd.DataFrame:
    """Per code, the mean daily increase over its last `days` reported dates.

    `history` has code, snapshot_date and value (the numerator); dates where a
    unit has no value are ignored, so a missing report does not count as zero.
    The window is the unit's last `days` + 1 values (`days` increases). Fewer
    than two values: no pace (NaN), never zero.
    """
    known = history.dropna(subset=["value"]).sort_values(["code", "snapshot_date"])
    window = known.groupby("code", sort=False).tail(days + 1)
    grouped = window.groupby("code", sort=False)
    first, last = grouped.first(), grouped.last()
    span = pd.Series([(b - a).days for a, b in zip(first["snapshot_date"], last["snapshot_date"])],
                     index=first.index, dtype="float64")
    pace = (last["value"].astype("float64") - first["value"].astype("float64")) / span.where(span > 0)
    out = pd.DataFrame({"code": first.index, "pace": pace.values, "pace_from": first["snapshot_date"].values,
                        "pace_to": last["snapshot_date"].values})
    return out[list(PACE_COLUMNS)].reset_index(drop=True)


def days_to_target(gap, pace) -> int | None:
    """Days until the gap is closed at this pace: 0 when there is no gap, None when it never closes at this pace.

    A gap that is unknown (no report) gives None as well: a missing figure is not a reached target.
    """
    if gap is None or pd.isna(gap):
        return None
    if gap <= 0:
        return 0
    if pace is None or pd.isna(pace) or pace <= 0:
        return None
    return math.ceil(round(float(gap) / float(pace), 9))


def finish_date(day: dt.date, days_left: int | None) -> dt.date | None:
    return None if days_left is None else day + dt.timedelta(days=int(days_left))


def reaches_by(days_left: int | None, day: dt.date, deadline: dt.date) -> bool:
    """Whether the target is reached on or before the deadline at the current pace (never, when it never closes)."""
    return days_left is not None and day + dt.timedelta(days=int(days_left)) <= deadline


def round_start(store: Store, code: str, domain: str, day: dt.date) -> dt.date | None:
    """For testing: the start of the round running on `day` in the unit's county; None for other domains."""
    return rounds.running_since(store, code, day) if fields.has_rounds(domain) else None


def window_dates(snapshot_dates: list[dt.date], day: dt.date, days: int, since: dt.date | None) -> list[dt.date]:
    """The last `days` + 1 snapshot dates up to `day`, none before `since` (a round start)."""
    usable = [d for d in sorted(snapshot_dates) if d <= day and (since is None or d >= since)]
    return usable[-(days + 1):]
