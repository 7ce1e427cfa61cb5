"""The analyst pages' reads (gaps, trends, data quality), each cached by store version and scope-checked (reads.py).

Also the small helpers these pages share: the levels one can rank, the link that opens the overview at a unit, the
names of units' parents.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse

import pandas as pd
import streamlit as st

from .. import i18n
from ..analysis import gaps, quality, trends
from ..domain import codes
from ..output import analysis_charts
from ..storage import settings
from ..storage.store import Store
from . import auth, data, reads


@st.cache_data(show_spinner=False, max_entries=128)
def chart_spec(name: str, *args) -> dict:
    """`analysis_charts.<name>(*args)` as its Vega-Lite spec, built once per figures shown: Altair takes 50-150 ms
    to build and serialise a layered chart, a page switch back to the same view then takes none. Not checked
    against the schema here (the tests check these charts' specs)."""
    return getattr(analysis_charts, name)(*args).to_dict(validate=False)


@reads.scoped()
def outlook(s: Store, code: str, indicator: str, day: dt.date, level: str, days: int, deadline: dt.date):
    """gaps.outlook: the ranking with pace, days left and whether each unit makes the deadline."""
    return gaps.outlook(s, code, indicator, day, level, days, deadline)


@reads.scoped(max_entries=512)
def series(s: Store, code: str, indicator: str, first: dt.date, last: dt.date) -> pd.DataFrame:
    """trends.unit_series: one unit's indicator per calendar day (NaN on days without data)."""
    return trends.unit_series(s, code, indicator, first, last, settings.all_settings(s))


@reads.scoped()
def count_series(s: Store, code: str, domain: str, name: str, first: dt.date, last: dt.date) -> pd.DataFrame:
    """trends.unit_count_series: one unit's count of a domain per calendar day (NaN on days without data)."""
    return trends.unit_count_series(s, code, domain, name, first, last, settings.all_settings(s))


@reads.scoped()
def rounds(s: Store, code: str, domain: str, first: dt.date, last: dt.date) -> list[tuple[int, dt.date]]:
    return trends.rounds_in(s, code, domain, first, last)


@reads.scoped()
def completeness(s: Store, code: str, domain: str, day: dt.date) -> tuple[pd.DataFrame, str | None]:
    """Per-date reported/carried/missing counts, and the expected level of `day`."""
    values = settings.all_settings(s)
    return quality.completeness(s, code, domain, day, values), quality.expected_level(s, code, domain, day, values)


@reads.scoped()
def missing(s: Store, code: str, domain: str, day: dt.date) -> pd.DataFrame:
    return quality.missing_units(s, code, domain, day)


@reads.scoped()
def anomalies(s: Store, code: str, domain: str, first: dt.date, last: dt.date, factor: float) -> pd.DataFrame:
    return quality.anomalies(s, code, domain, first, last, factor)


@reads.unscoped()
def _timeliness(s: Store, domain: str, within) -> pd.DataFrame:
    return quality.timeliness(s, domain, within)


def timeliness(s: Store, domain: str) -> pd.DataFrame:
    """Per snapshot date, its loads: only those with rows in the account's scope, files named only when wholly in it."""
    return _timeliness(s, domain, auth.within())


@reads.unscoped(max_entries=4, resource=True)
def _names_and_parents(s: Store) -> tuple[dict, dict]:
    """code -> name and code -> parent code of every unit, built once per store version (not per rerun: copying
    and walking a county's 4,000 units cost 20 ms of each 缺口 and 数据质量 run); shared, do not mutate."""
    units = data.all_units(s)
    return dict(zip(units["code"], units["name"])), dict(zip(units["code"], units["parent_code"]))


def parent_path(s: Store, unit_codes, below: str) -> list[str]:
    """Each unit's ancestors under the unit `below`, joined by ' · ' (grid names repeat: 第1网格)."""
    auth.require_in_scope(below)
    name, parent = _names_and_parents(s)
    out = []
    for code in unit_codes:
        chain, up = [], parent.get(code)
        while up is not None and not pd.isna(up) and up != below and len(chain) < 6:
            chain.insert(0, str(name.get(up, up)))
            up = parent.get(up)
        out.append(" · ".join(chain))
    return out


@reads.scoped()
def townships(s: Store, code: str) -> pd.DataFrame:
    """The townships under a unit (code, name): the gaps page's filter."""
    units = data.all_units(s)
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
