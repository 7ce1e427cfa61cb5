"""Stored rollups: every unit above grid level, per domain and date, kept current by every write.

Why: a page must answer from a handful of rows, not by re-running the
counting rule over 500,000 grid rows (the province benchmark). The rule
itself is queries/rollups_refresh.sql; a load refreshes its date and the
`carry_days` dates after it (its rows may be carried into them), and the 6
after it where it changed the date's finest level (their expected level); a
change of settings, register, rounds or units refreshes everything.
"""
from __future__ import annotations

import datetime as dt

from ..domain import codes, fields
from . import queries, settings, stored_counts
from .store import domain_tables


def refresh(con, domain: str, first: dt.date, last: dt.date | None = None) -> None:
    """Inside an open write: recompute `domain` from `first` to `last` plus the carry-forward window (the dates'
    finest levels first: the refresh reads them, and those of the 6 days before). Where a date's finest level
    changed, the 6 dates after it are recomputed too: their expected level is the finest of a window holding it."""
    values = settings.all_settings(con)
    carry = settings.carry_days(None, values)
    level = settings.expected_level(values, domain)
    lo, hi = codes.EVERY_NUM
    last = last or first
    date_to = last + dt.timedelta(days=carry)
    if stored_counts.level_days(con, domain, first, last) and level is None:
        date_to = max(date_to, last + dt.timedelta(days=settings.LEVEL_WINDOW_DAYS - 1))
    queries.execute(con, "rollups_refresh", identifiers={"own_fields": own_fields(domain),
                                                         **domain_tables(domain, "village_table")},
                    domain=domain, date_from=first, lo=lo, hi=hi, date_to=date_to, carry_days=carry,
                    level_window_days=settings.LEVEL_WINDOW_DAYS,
                    expected_prefix_len=codes.PREFIX_LEN[level] if level else None)


def own_fields(domain: str) -> list[str]:
    """The domain's fields that the register does not supply: the only counts its rollups sum besides the register's
    (summing the other domains' empty columns of the wide view cost the refresh two aggregates per field)."""
    return [f.name for f in fields.domain_fields(domain) if f.name not in fields.REGISTER_FIELDS]


def refresh_all(con) -> None:
    """Inside an open write: recompute every domain and date (settings, register, rounds or units changed); the
    one place every change of units passes, so the units under each unit are recounted here, before the rollups."""
    stored_counts.count_units(con)
    ranges = queries.run(con, "facts_date_range")
    for row in ranges.itertuples():
        if row.domain in fields.DOMAINS:
            refresh(con, row.domain, row.first_date, row.last_date)
