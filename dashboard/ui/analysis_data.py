"""Cached reads for the analyst pages (gaps, trends, data quality), keyed by the store's path and version.

Same rule as dashboard/ui/data.py: the version in every key means a new load
shows on the next rerun and unchanged data is never computed twice. Also the
small helpers these pages share: the levels one can rank, the link that opens
the overview at a unit, the names of units' parents.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse

import pandas as pd
import streamlit as st

from .. import codes, gaps, i18n, quality, settings, trends
from ..store import Store
from . import auth
from .data import store_at


def _key(s: Store) -> tuple[str, str]:
    return str(s.path), s.version()


@st.cache_data(show_spinner=False, max_entries=64)
def _outlook(path, version, code, indicator, day, level, days, deadline) -> pd.DataFrame:
    return gaps.outlook(store_at(path), code, indicator, day, level, days, deadline)


def outlook(s: Store, code: str, indicator: str, day: dt.date, level: str, days: int, deadline: dt.date):
    """gaps.outlook: the ranking with pace, days left and whether each unit makes the deadline."""
    auth.require_in_scope(code)
    return _outlook(*_key(s), code, indicator, day, level, days, deadline)


@st.cache_data(show_spinner=False, max_entries=512)
def _series(path, version, code, indicator, first, last) -> pd.DataFrame:
    s = store_at(path)
    return trends.unit_series(s, code, indicator, first, last, settings.all_settings(s))


def series(s: Store, code: str, indicator: str, first: dt.date, last: dt.date) -> pd.DataFrame:
    """trends.unit_series: one unit's indicator per calendar day (NaN on days without data)."""
    auth.require_in_scope(code)
    return _series(*_key(s), code, indicator, first, last)


@st.cache_data(show_spinner=False, max_entries=64)
def _rounds(path, version, code, domain, first, last) -> list:
    return trends.rounds_in(store_at(path), code, domain, first, last)


def rounds(s: Store, code: str, domain: str, first: dt.date, last: dt.date) -> list[tuple[int, dt.date]]:
    auth.require_in_scope(code)
    return _rounds(*_key(s), code, domain, first, last)


@st.cache_data(show_spinner=False, max_entries=64)
def _completeness(path, version, code, domain, day) -> tuple[pd.DataFrame, str | None]:
    s = store_at(path)
    values = settings.all_settings(s)
    return quality.completeness(s, code, domain, day, values), quality.expected_level(s, code, domain, day, values)


def completeness(s: Store, code: str, domain: str, day: dt.date) -> tuple[pd.DataFrame, str | None]:
    """Per-date reported/carried/missing counts, and the expected level of `day`."""
    auth.require_in_scope(code)
    return _completeness(*_key(s), code, domain, day)


@st.cache_data(show_spinner=False, max_entries=64)
def _missing(path, version, code, domain, day) -> pd.DataFrame:
    return quality.missing_units(store_at(path), code, domain, day)


def missing(s: Store, code: str, domain: str, day: dt.date) -> pd.DataFrame:
    auth.require_in_scope(code)
    return _missing(*_key(s), code, domain, day)


@st.cache_data(show_spinner=False, max_entries=64)
def _anomalies(path, version, code, domain, first, last, factor) -> pd.DataFrame:
    return quality.anomalies(store_at(path), code, domain, first, last, factor)


def anomalies(s: Store, code: str, domain: str, first: dt.date, last: dt.date, factor: float) -> pd.DataFrame:
    auth.require_in_scope(code)
    return _anomalies(*_key(s), code, domain, first, last, factor)


@st.cache_data(show_spinner=False, max_entries=16)
def _timeliness(path, version, domain, within) -> pd.DataFrame:
    return quality.timeliness(store_at(path), domain, within)


def timeliness(s: Store, domain: str) -> pd.DataFrame:
    """Per snapshot date, its loads: only those with rows in the account's scope, files named only when wholly in it."""
    return _timeliness(*_key(s), domain, auth.within())


@st.cache_data(show_spinner=False, max_entries=8)
def _units(path, version) -> pd.DataFrame:
    return store_at(path).query("units_all")


def parent_path(s: Store, unit_codes, below: str) -> list[str]:
    """Each unit's ancestors under the unit `below`, joined by ' · ' (grid names repeat: 第1网格)."""
    auth.require_in_scope(below)
    units = _units(*_key(s))
    name, parent = dict(zip(units["code"], units["name"])), dict(zip(units["code"], units["parent_code"]))
    out = []
    for code in unit_codes:
        chain, up = [], parent.get(code)
        while up is not None and not pd.isna(up) and up != below and len(chain) < 6:
            chain.insert(0, str(name.get(up, up)))
            up = parent.get(up)
        out.append(" · ".join(chain))
    return out


def townships(s: Store, code: str) -> pd.DataFrame:
    """The townships under a unit (code, name): the gaps page's filter."""
    auth.require_in_scope(code)
    units = _units(*_key(s))
    lo = codes.num(code)
    hi = lo + codes.span(codes.level_of(code))
    return units[(units["level"] == "township") & units["active"] & (units["num"] >= lo) & (units["num"] < hi)]


def levels_below(unit: pd.Series) -> list[str]:
    """The levels one can rank under a unit: those below it, down to grids."""
    at = codes.LEVELS.index(unit["level"])
    return [level for level in codes.LEVELS[at + 1:] if level in ("township", "village", "grid")]


def overview_link(code: str, day: dt.date | None, domain: str, lang: str) -> str:
    """A relative link that opens the overview at a unit, date and domain (the URL parameters of README)."""
    params = {"unit": code}
    if day is not None:
        params["date"] = day.isoformat()
    params["domain"] = domain
    if lang != i18n.DEFAULT_LANG:
        params["lang"] = lang
    return "./?" + urllib.parse.urlencode(params)
