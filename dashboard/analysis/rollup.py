"""Rollups: a unit and its children for a domain and date, with every indicator.

The SQL (queries/rollup.sql) holds the one counting rule; this module picks
dates, levels and settings and adds indicator columns.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..domain import codes, fields, indicators
from ..domain.messages import InputError, Message
from ..storage import settings
from ..storage.store import Store, one_snapshot
from . import metrics


@dataclass
class Rollup:
    domain: str
    snapshot_date: dt.date | None
    expected_level: str | None
    unit: pd.Series | None        # the unit's own rolled-up row
    children: pd.DataFrame        # one row per child unit (with or without data)


def unit(store: Store, code: str) -> pd.Series:
    frame = store.lookup("unit_by_code", code=code)
    if frame.empty:
        raise InputError([Message("err_unknown_unit", {"code": code})])
    return frame.iloc[0]


def snapshot_dates(store: Store, domain: str) -> list[dt.date]:
    frame = store.lookup("snapshot_dates")
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
           values: dict[str, str] | None = None, history: History | None = None) -> Rollup:
    """The unit and its children for one domain at a date (latest with data by default); `history` (what
    `history()` read for the same unit, domain and settings) saves the query where it holds the date."""
    values = settings.all_settings(store) if values is None else values
    u = unit(store, code)
    day = latest_date(store, domain, on_or_before=snapshot_date) or snapshot_date
    expected = _expected_prefix_len(store, domain, day, values)
    child_level = _child_level(store, u)
    if _stored(child_level):  # one query for the unit and its children, or their rows in `history`
        rows = _on_day(history, day)
        both = _members(store, u, domain, day, day, values, expected, child_level, code, with_unit=True) \
            if rows is None else rows
        mine = both["num"] == int(u["num"])
        itself, children = both[mine].reset_index(drop=True), both[~mine].reset_index(drop=True)
    else:
        itself = _members(store, u, domain, day, day, values, expected, u["level"], None)
        children = _members(store, u, domain, day, day, values, expected, child_level, code)
    return Rollup(domain, day, codes.LEVEL_OF_PREFIX.get(expected),
                  itself.iloc[0] if len(itself) else None, children)


@one_snapshot
def expected_level(store: Store, code: str, domain: str, snapshot_date: dt.date | None = None,
                   values: dict[str, str] | None = None) -> str | None:
    """`rollup(...).expected_level` (the level expected to report by the date) without the rollup's query and
    indicators: the data-quality page asked a whole rollup for it on every date it had not shown."""
    values = settings.all_settings(store) if values is None else values
    unit(store, code)  # an unknown code is refused, as by `rollup`
    day = latest_date(store, domain, on_or_before=snapshot_date) or snapshot_date
    return codes.LEVEL_OF_PREFIX.get(_expected_prefix_len(store, domain, day, values))


@dataclass(frozen=True)
class History:
    """The unit and its children on every date of a domain, the indicators added once for all of them: a date
    picked later is a slice (`_on_day`), neither another query nor another pass of the indicators over a few rows
    (pandas' overhead per call made that 10-20 ms a date: what every date a page had not shown before cost)."""
    frame: pd.DataFrame   # every date's rows, as a query of all of them returns them, with the indicator columns
    rows: dict            # date -> the positions of its rows in `frame`
    present: dict         # nullable column -> per row, whether it holds a value (before the register fills it)
    copies: dict          # such a column -> itself and the indicator columns that copy it


@one_snapshot
def history(store: Store, code: str, domain: str, values: dict[str, str] | None = None) -> History | None:
    """The unit and its children on every date with data of the domain, in one query: what `rollup` takes as
    `history`, so that a page moving from date to date reads the store once per unit and domain, not once per date.
    None where the children are grids (rolled up on the fly, date by date)."""
    values = settings.all_settings(store) if values is None else values
    u = unit(store, code)
    child_level, days = _child_level(store, u), snapshot_dates(store, domain)
    if not days or not _stored(child_level):
        return None
    raw = _member_rows(store, u, domain, min(days), max(days), values, None, child_level, code, with_unit=True)
    nullable = [c for c in raw.columns if isinstance(raw[c].dtype, pd.Int64Dtype)]
    present = {c: raw[c].notna().to_numpy() for c in nullable}
    frame = _with_indicators(store, raw, domain, values)
    return History(frame, dict(frame.groupby("snapshot_date").indices), present,
                   {c: _copies(c, domain) for c in nullable})


def own_rows(history: History, u: pd.Series) -> pd.DataFrame:
    """The unit's own rows in its `history`: its rollup on every date of the domain, the values `trend` gives for
    those dates (the unit's stored row, the same indicators), without `trend`'s query."""
    return history.frame[history.frame["num"] == int(u["num"])].reset_index(drop=True)


def _copies(column: str, domain: str) -> list[str]:
    """The column and the indicator columns that copy it (`<indicator>_numerator`, `_denominator`): on a date
    where it has no null, all of them get the dtype a query of that date alone gives them."""
    return [column] + [f"{ind.key}_{part}" for ind in indicators.for_domain(domain)
                       for part, name in (("numerator", ind.numerator), ("denominator", ind.denominator))
                       if name == column]


def _on_day(history: History | None, day) -> pd.DataFrame | None:
    """The rows of one date in `history` with their indicators, as a query of that date alone and
    `_with_indicators` give them, dtypes too (`_like_sql` ran before the indicators); None where it has none."""
    positions = None if history is None or day is None else history.rows.get(day)
    if positions is None:
        return None
    rows = history.frame.take(positions).reset_index(drop=True)
    for column, present in history.present.items():
        if present[positions].all():  # no null that day: numpy integers, as in a query's own result
            for copy in history.copies[column]:
                rows[copy] = rows[copy].to_numpy(dtype="int64")
    return rows


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


@one_snapshot
def level_rollups(store: Store, code: str, domain: str, level: str | None, days: list,
                  values: dict[str, str] | None = None, indicator: str | None = None) -> dict:
    """{day: frame} for each of `days` (dates with data): every unit at `level` under the unit (default: its
    children), as `level_rollup` / `rollup(...).children` give them, in one query where the level is stored.

    With `indicator`, a stored level reads only that indicator's columns (`indicator_columns`) and adds only its
    indicator columns: a province's 50,000 villages on two dates are a third of the data. Other levels ignore it."""
    values = settings.all_settings(store) if values is None else values
    u = unit(store, code)
    member_level = level or _child_level(store, u)
    if not days or not _stored(member_level):
        return {day: (level_rollup(store, code, domain, level, day, values) if level else
                      rollup(store, code, domain, day, values).children) for day in days}
    frame = _members(store, u, domain, min(days), max(days), values, None, member_level,
                     None if level else code, only=indicator)
    return {day: frame[frame["snapshot_date"] == day].reset_index(drop=True) for day in days}


COUNT_COLUMNS = ("reported", "carried", "double_reported", "rows_used", "last_reported", "expected")


def stored_columns(domain: str) -> tuple[str, ...]:
    """The stored rollup columns a domain's pages use: its fields, where its denominators came from, the counts.

    Why: the rollups table holds every domain's fields side by side; reading only one domain's halves what a
    page's query hands to pandas (most of its cost at province scale)."""
    names = tuple(f.name for f in fields.domain_fields(domain))
    sources = tuple(f"{name}_from_{kind}" for name in fields.REGISTER_FIELDS if name in names
                    for kind in ("report", "register"))
    return names + sources + COUNT_COLUMNS


# Every column of the rollups table a page may read, in the table's order: the whitelist for `{{columns}}`.
ROLLUP_COLUMNS = (tuple(f.name for d in fields.DOMAINS for f in fields.domain_fields(d))
                  + tuple(f"{name}_from_{kind}" for name in fields.REGISTER_FIELDS for kind in ("report", "register"))
                  + COUNT_COLUMNS)


def indicator_columns(indicator: str) -> tuple[str, ...]:
    """The stored columns one indicator's ranking needs: numerator, denominator and where the denominator came
    from, and whether values were carried and when last reported (in the table's order)."""
    ind = indicators.BY_KEY[indicator]
    wanted = {ind.numerator, ind.denominator, f"{ind.denominator}_from_report",
              f"{ind.denominator}_from_register", "carried", "last_reported"}
    return tuple(c for c in ROLLUP_COLUMNS if c in wanted)


def _stored(level: str) -> bool:
    """Units above grid level have stored rollups; grids are rolled up on the fly."""
    return codes.PREFIX_LEN[level] <= codes.PREFIX_LEN["village"]


def _members(store, u, domain, date_from, date_to, values, expected, level, parent_code,
             with_unit: bool = False, only: str | None = None) -> pd.DataFrame:
    """The member units' sums per day, with indicator columns (all of the domain's, or only the indicator `only`)."""
    return _with_indicators(store, _member_rows(store, u, domain, date_from, date_to, values, expected, level,
                                                parent_code, with_unit, only), domain, values, only)


def _member_rows(store, u, domain, date_from, date_to, values, expected, level, parent_code,
                 with_unit: bool = False, only: str | None = None) -> pd.DataFrame:
    """The member units' sums per day, without indicators.

    Units above grid level come from the stored rollups (kept current by every write: a few rows per page);
    grids, the leaves, are rolled up on the fly by queries/rollup.sql over their own rows.
    """
    bounds = dict(domain=domain, date_from=date_from, date_to=date_to, lo=int(u["num"]),
                  hi=int(u["num"]) + codes.span(u["level"]), member_prefix_len=codes.PREFIX_LEN[level])
    if _stored(level):
        columns = indicator_columns(only) if only else stored_columns(domain)
        # the villages of a prefecture or province are 10,000s of rows: through Arrow (the same frame, ~1.5x
        # faster for many rows, slower for few)
        many = level == "village" and codes.PREFIX_LEN[u["level"]] < codes.PREFIX_LEN["county"]
        frame = _stored_members(store, bounds, parent_code, int(u["num"]) if with_unit else None, columns,
                                fetch=store.frame if many else store.query)
    else:
        frame = store.query("rollup", **bounds, parent_code=parent_code, member_span=codes.span(level),
                            carry_days=settings.carry_days(store, values), expected_prefix_len=expected)
    return frame


def _with_indicators(store, frame: pd.DataFrame, domain: str, values, only: str | None = None) -> pd.DataFrame:
    """Counts as integers (0 where a member has no row), dates as dates, and the indicator columns."""
    counts = [c for c in ("reported", "carried", "double_reported", "rows_used", "expected") if c in frame]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    return metrics.add_indicators(frame, domain, settings.targets(store, values), only=only)


MEMBER_COLUMNS = ("code", "name", "level", "num")  # from the lookup, repeated on every day
OWN_COLUMNS = tuple(f"own_{name}" for name in fields.REGISTER_FIELDS)


def _stored_members(store: Store, bounds: dict, parent_code, unit_num, columns: tuple[str, ...],
                    fetch) -> pd.DataFrame:
    """Every member on every day (dates with rows, and `date_to` even without), with its stored row if any.

    Why in pandas: the members and their register entries come from a lookup remembered per store version, so a
    page's only query is one plain scan of the rollups rows (`rollup_stored`), as fast as a bare scan of them;
    joining members, days and the 550,000-row register in SQL took 3-6x that."""
    bad = [c for c in columns if c not in ROLLUP_COLUMNS]
    if bad:
        raise ValueError(f"not rollup columns: {bad}")
    members = store.lookup("rollup_members", lo=bounds["lo"], hi=bounds["hi"], parent_code=parent_code,
                           member_prefix_len=bounds["member_prefix_len"], unit_num=unit_num)
    rows = fetch("rollup_stored", identifiers={"columns": list(columns)}, **bounds)
    days = set(rows["snapshot_date"].unique())
    if bounds["date_to"] is not None:
        days.add(pd.Timestamp(bounds["date_to"]))
    days = pd.DatetimeIndex(sorted(days), dtype="datetime64[us]")
    return _like_sql(_day_by_member(members, days, rows, columns))


def _day_by_member(members: pd.DataFrame, days: pd.DatetimeIndex, rows: pd.DataFrame, columns) -> pd.DataFrame:
    """One row per day and member (ordered by day, then num, as `members` is), each stored row in its place.

    Why not `merge`: a left merge turns integer columns with a missing row into floats, and casting back and
    forth cost a province ranking 40 ms; placing each column's values by position keeps their dtypes (nulls where a
    member has no row: nullable Int64, NaT) and takes a few. Rows of units that are not members are left out; a
    day and num hold one stored row (the rollups table's key)."""
    n, nums, row_nums = len(members), members["num"].to_numpy(), rows["num"].to_numpy()
    at = np.minimum(np.searchsorted(nums, row_nums), max(n - 1, 0))
    found = nums[at] == row_nums if n else np.zeros(len(rows), dtype=bool)
    day = days.get_indexer(rows["snapshot_date"])
    position = day[found] * n + at[found]
    repeat = np.tile(np.arange(n), len(days))
    out = {"snapshot_date": np.repeat(days.to_numpy(), n)}
    out.update({c: members[c].array.take(repeat) for c in MEMBER_COLUMNS})
    out.update({c: _placed(rows[c], found, position, len(days) * n) for c in columns})
    out.update({c: members[c].array.take(repeat) for c in OWN_COLUMNS})
    return pd.DataFrame(out)


def _placed(column: pd.Series, found: np.ndarray, position: np.ndarray, size: int):
    """A stored column spread over `size` slots: its found values at `position`, null elsewhere."""
    if pd.api.types.is_datetime64_dtype(column.dtype):
        placed = np.full(size, np.datetime64("NaT"), dtype=column.dtype)
        placed[position] = column.to_numpy()[found]
        return placed
    if not pd.api.types.is_integer_dtype(column.dtype):
        raise TypeError(f"stored rollup column {column.name} is {column.dtype}, not an integer or a date")
    values, mask = np.zeros(size, dtype="int64"), np.ones(size, dtype=bool)
    values[position] = column.to_numpy(dtype="int64", na_value=0)[found]
    mask[position] = column.isna().to_numpy()[found]
    return pd.arrays.IntegerArray(values, mask)


def _like_sql(frame: pd.DataFrame) -> pd.DataFrame:
    """The dtypes a query's own result has (`queries.like_df`): numpy integers where a column has no null."""
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.Int64Dtype) and not frame[column].isna().any():
            frame[column] = frame[column].to_numpy(dtype="int64")
    return frame


def _expected_prefix_len(store: Store, domain: str, day, values) -> int:
    level = settings.expected_level(values, domain)
    if level:
        return codes.PREFIX_LEN[level]
    if day is None:
        return 15
    every = store.lookup("expected_prefix_lens", domain=domain, level_window_days=settings.LEVEL_WINDOW_DAYS)  # every date with data, in one query
    found = every.loc[every["snapshot_date"] == pd.Timestamp(day), "prefix_len"]
    if found.empty:  # a date without data of the domain (a trend's end, say): its own query
        found = store.lookup("expected_prefix_len", domain=domain, snapshot_date=day,
                             level_window_days=settings.LEVEL_WINDOW_DAYS)["prefix_len"]
    return 15 if pd.isna(found.iloc[0]) else int(found.iloc[0])


def _child_level(store: Store, u: pd.Series) -> str:
    """The level of the unit's children: the most common among them, else the next level down."""
    children = store.lookup("unit_children", code=u["code"])
    if len(children):
        return children["level"].mode().iloc[0]
    return codes.LEVELS[min(codes.LEVELS.index(u["level"]) + 1, len(codes.LEVELS) - 1)]


def domains_with_data(store: Store) -> list[str]:
    frame = store.lookup("snapshot_dates")
    return [d for d in fields.DOMAINS if d in set(frame["domain"])]
