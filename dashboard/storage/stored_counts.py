"""Counts the stored rollups' refresh reads instead of recounting them on every load: the units of each level under
each unit (`subtree_units`) and the finest level each domain reported on each date (`day_levels`).

Why: a new day's refresh of the province grouped the 500,000 units by level and village (~12 ms CPU) and took the
finest level of every date of the 7-day windows from 3.4 million rows (~18 ms; storing the new date's own level
costs ~7 ms), though units change only with a unit list or a retirement and a date's level only with its rows.
Both are derived, never entered: `subtree_units` is rebuilt whole by every change of units (`materialize.refresh_all`, which every such change calls before recounting), a date's
level by every refresh of the date (`materialize.refresh`: a load, a rollback or restore of a load, a recount).
A store from an older version builds both once when it is brought up to date (`store._bring_up_to_date`), and a
restore rebuilds them from the restored units and rows (`backup.restore`): exact by construction, and older
backups, which have no such files, restore the same way. Imports only the registry, so the store can call it.
"""
from __future__ import annotations

import datetime as dt

from ..domain import fields
from . import queries

TABLES = ("subtree_units", "day_levels")  # queries/create_schema.sql; derived, so not in backups
EVERY_DATE = (dt.date.min, dt.date.max)


def count_units(con) -> None:
    """Inside an open write, after any change of units and before the rollups are recounted."""
    queries.execute(con, "subtree_units_rebuild")


def level_days(con, domain: str, first: dt.date, last: dt.date) -> bool:
    """Inside an open write: the finest level reported by `domain` on each date in [first, last], from its current
    rows (a date left without rows loses its level). Returns whether any date's level changed: the expected level
    of the 6 dates after each then changes too (see materialize.refresh)."""
    before = queries.rows(con, "day_levels_between", domain=domain, date_from=first, date_to=last)
    queries.execute(con, "day_levels_refresh", domain=domain, date_from=first, date_to=last)
    return queries.rows(con, "day_levels_between", domain=domain, date_from=first, date_to=last) != before


def rebuild(con) -> None:
    """Inside an open write: both tables from scratch (an upgraded or restored store)."""
    count_units(con)
    for domain in fields.DOMAINS:
        level_days(con, domain, *EVERY_DATE)
