"""Rollups: a unit and its children for a domain and date, with every indicator.

The SQL (queries/rollup.sql) holds the one counting rule; this module picks
dates, levels and settings and adds indicator columns.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from . import codes, fields, metrics, settings
from .messages import InputError, Message
from .store import Store, one_snapshot


@dataclass
class Rollup:
    domain: str
    snapshot_date: dt.date | None
    expected_level: str | None
    unit: pd.Series | None        # the unit's own rolled-up row
    children: pd.DataFrame        # one row per child unit (with or without data)


def unit(store: Store, code: str) -> pd.Series:
    frame = store.query("unit_by_code", code=code)
    if frame.empty:
        raise InputError([Message("err_unknown_unit", {"code": code})])
    return frame.iloc[0]


def snapshot_dates(store: Store, domain: str) -> list[dt.date]:
    frame = store.query("snapshot_dates")
    return [d.date() if hasattr(d, "date") else d for d in frame.loc[frame["domain"] == domain, "snapshot_date"]]


def latest_date(store: Store, domain: str, on_or_before: dt.date | None = None) -> dt.date | None:
    days = [d for d in snapshot_dates(store, domain) if on_or_before is None or d <= on_or_before]
    return max(days) if days else None


def previous_date(store: Store, domain: str, day: dt.date) -> dt.date | None:
    """The previous date that has data for the domain (not simply yesterday)."""
    days = [d for d in snapshot_dates(store, domain) if d < day]
    return max(days) if days else None


@one_snapshot
def rollup(store: Store, code: str, domain: str, snapshot_date: dt.date | None = None,
           values: dict[str, str] | None = None) -> Rollup:
    """The unit and its children for one domain at a date (latest with data by default)."""
    values = settings.all_settings(store) if values is None else values
    u = unit(store, code)
    day = latest_date(store, domain, on_or_before=snapshot_date) or snapshot_date
    expected = _expected_prefix_len(store, domain, day, values)
    itself = _members(store, u, domain, day, day, values, expected, u["level"], None)
    children = _members(store, u, domain, day, day, values, expected, _child_level(store, u), code)
    return Rollup(domain, day, codes.LEVEL_OF_PREFIX.get(expected),
                  itself.iloc[0] if len(itself) else None, children)


@one_snapshot
def level_rollup(store: Store, code: str, domain: str, level: str, snapshot_date: dt.date | None = None,
                 values: dict[str, str] | None = None) -> pd.DataFrame:
    """Every unit at `level` under the unit (e.g. all grids of a county), with indicators."""
    values = settings.all_settings(store) if values is None else values
    u = unit(store, code)
    day = latest_date(store, domain, on_or_before=snapshot_date) or snapshot_date
    expected = _expected_prefix_len(store, domain, day, values)
    return _members(store, u, domain, day, day, values, expected, level, None)


@one_snapshot
def trend(store: Store, code: str, domain: str, date_from: dt.date, date_to: dt.date,
          values: dict[str, str] | None = None) -> pd.DataFrame:
    """The unit's rollup on every date with data in [date_from, date_to] (and on date_to), with indicators."""
    values = settings.all_settings(store) if values is None else values
    u = unit(store, code)
    expected = _expected_prefix_len(store, domain, date_to, values)
    return _members(store, u, domain, date_from, date_to, values, expected, u["level"], None)


def _members(store, u, domain, date_from, date_to, values, expected, level, parent_code) -> pd.DataFrame:
    """The member units' sums per day, with indicator columns.

    Units above grid level come from the stored rollups (kept current by every write: a few rows per page);
    grids, the leaves, are rolled up on the fly by queries/rollup.sql over their own rows.
    """
    bounds = dict(domain=domain, date_from=date_from, date_to=date_to, lo=int(u["num"]),
                  hi=int(u["num"]) + codes.span(u["level"]), member_prefix_len=codes.PREFIX_LEN[level],
                  parent_code=parent_code)
    if codes.PREFIX_LEN[level] <= codes.PREFIX_LEN["village"]:
        frame = store.query("rollup_stored", **bounds)
    else:
        frame = store.query("rollup", **bounds, carry_days=settings.carry_days(store, values),
                            member_span=codes.span(level), expected_prefix_len=expected)
    counts = ["reported", "carried", "double_reported", "rows_used", "expected"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    return metrics.add_indicators(frame, domain, settings.targets(store, values))


def _expected_prefix_len(store: Store, domain: str, day, values) -> int:
    level = settings.expected_level(values, domain)
    if level:
        return codes.PREFIX_LEN[level]
    if day is None:
        return 15
    found = store.query("expected_prefix_len", domain=domain, snapshot_date=day)["prefix_len"].iloc[0]
    return 15 if pd.isna(found) else int(found)


def _child_level(store: Store, u: pd.Series) -> str:
    """The level of the unit's children: the most common among them, else the next level down."""
    children = store.query("unit_children", code=u["code"])
    if len(children):
        return children["level"].mode().iloc[0]
    return codes.LEVELS[min(codes.LEVELS.index(u["level"]) + 1, len(codes.LEVELS) - 1)]


def domains_with_data(store: Store) -> list[str]:
    frame = store.query("snapshot_dates")
    return [d for d in fields.DOMAINS if d in set(frame["domain"])]
