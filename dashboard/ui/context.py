"""The shared view context, kept in the URL so a link reproduces the view (see the README's "URL parameters").

Parameters: unit, date, domain, ind, lang, grids. A parameter is left out of
the URL when it has its default (the root unit, the latest date, the first
domain with data, the domain's main indicator, Chinese, grids off): a shared
link without `date` therefore always opens on the newest data.

Streamlit drops the query string when the user switches pages in the
sidebar, so every run starts with `carry_over()`: it keeps a copy of the
parameters in the session and puts them back when a page switch lost them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from .. import i18n
from ..domain import fields, indicators
from ..domain.indicators import Indicator
from ..domain.messages import InputError
from ..storage import access, settings
from ..storage.store import Store
from . import auth, data

PARAMS = ("unit", "date", "domain", "ind", "lang", "grids", "count", "per")
_CARRIED = "_view_params"


class EmptyStore(Exception):
    """No units (or no reports) yet: the page shows how to load data instead of figures."""

    def __init__(self, has_units: bool):
        super().__init__("empty store")
        self.has_units = has_units


def carry_over() -> None:
    """Puts the last view's parameters back after a page switch dropped them, else remembers the current ones."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k in PARAMS}
    carried = st.session_state.get(_CARRIED)
    if not params and carried:
        st.query_params.update(carried)
    else:
        st.session_state[_CARRIED] = params


def lang() -> str:
    """The page language from the URL; anything but a known code means Chinese."""
    value = st.query_params.get("lang", i18n.DEFAULT_LANG)
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def update(**changes) -> None:
    """Writes changes into the URL (None or False removes a parameter) and into the carried copy."""
    for key, value in changes.items():
        assert key in PARAMS, key
        if value is None or value is False or value == "":
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = str(value)
    st.session_state[_CARRIED] = {k: v for k, v in st.query_params.to_dict().items() if k in PARAMS}


@dataclass(frozen=True)
class Context:
    store: Store
    lang: str
    chain: list              # pd.Series per unit, root first; the last one is the current unit
    by_domain: dict          # domain -> sorted snapshot dates
    dates: list              # every snapshot date, ascending
    date: dt.date            # the chosen date (the latest by default)
    domain: str
    ind: Indicator
    grids: bool
    demo: bool
    settings: dict
    loads: pd.DataFrame      # snapshot_dates: domain, snapshot_date, loads, last_loaded_at
    notes: list = field(default_factory=list)
    roots: pd.DataFrame = field(default_factory=pd.DataFrame)  # root_units: several when the store holds
    #                          separate trees (a county beside the demo); the page then offers a choice
    count: str | None = None  # a field of the domain the map shows as a count (`count=` in the URL), else the ratio
    per_1000: bool = False    # the map's count per 1,000 residents (`per=1000`)

    @property
    def unit(self) -> pd.Series:
        return self.chain[-1]

    @property
    def code(self) -> str:
        return str(self.unit["code"])

    @property
    def latest(self) -> dt.date:
        return self.dates[-1]

    @property
    def default_domain(self) -> str:
        return next(d for d in fields.DOMAINS if d in self.by_domain)

    def domain_date(self, domain: str) -> dt.date | None:
        """The snapshot a domain shows for the chosen date: its latest on or before it."""
        days = [d for d in self.by_domain.get(domain, []) if d <= self.date]
        return days[-1] if days else None

    def previous_date(self, domain: str, day: dt.date | None) -> dt.date | None:
        days = [d for d in self.by_domain.get(domain, []) if day is not None and d < day]
        return days[-1] if days else None

    def target(self, ind: Indicator) -> float:
        return settings.targets(self.store, self.settings)[ind.key]

    def loaded_at(self, domain: str, day: dt.date | None):
        """When the last load of that domain and date landed (shown next to the date)."""
        return data.load_times(self.store).get((domain, day))


def load() -> Context:
    """The context of this run from the URL, checked against the store; raises EmptyStore."""
    store, lang_ = data.store(), lang()
    meta = data.meta(store)
    if meta["roots"].empty or meta["dates"].empty:
        raise EmptyStore(has_units=not meta["roots"].empty)
    notes: list[str] = []
    by_domain = data.dates_by_domain(store)
    dates = sorted({d for days in by_domain.values() for d in days})
    chain = _chain(store, meta["roots"], lang_, notes)
    day = _date(dates, lang_, notes)
    domain, ind = _indicator(by_domain)
    return Context(store=store, lang=lang_, chain=chain, by_domain=by_domain, dates=dates, date=day,
                   domain=domain, ind=ind, grids=st.query_params.get("grids") == "1",
                   demo=data.shows_demo(store, str(chain[0]["code"])), settings=meta["settings"],
                   loads=meta["dates"], notes=notes, roots=meta["roots"] if auth.scope() == access.ALL
                   else meta["roots"].iloc[0:0], count=_count(domain),
                   per_1000=_count(domain) is not None and fields.RESIDENTS is not None
                   and st.query_params.get("per") == "1000")


def default_root(roots: pd.DataFrame) -> str:
    """The unit shown without `unit` in the URL: the account's scope, else the store's default root."""
    scope = auth.scope()
    return data.default_root(roots) if scope == access.ALL else scope


def _chain(store: Store, roots: pd.DataFrame, lang_: str, notes: list) -> list:
    """The URL's unit with its ancestors; an unknown code falls back to the root, with a note saying so.

    For an account with a scope, the root is the scope's unit: a unit outside
    it is never read (a note says it is not permitted, naming only the code
    the URL gave), and the chain starts at the scope's unit.
    """
    root = default_root(roots)
    code = st.query_params.get("unit") or root
    if not auth.in_scope(code):
        notes.append(i18n.t("acc_unit_not_permitted", lang_, code=code))
        code = root
    try:
        return data.ancestors(store, code)
    except auth.NotPermitted:
        raise
    except InputError:
        chain = data.ancestors(store, root)
        notes.append(i18n.t("param_unit_unknown", lang_, code=code, name=chain[-1]["name"]))
        return chain


def _date(dates: list, lang_: str, notes: list) -> dt.date:
    """The chosen date: the URL's (snapped to the last snapshot on or before it), else the latest."""
    text = st.query_params.get("date")
    if not text:
        return dates[-1]
    try:
        wanted = dt.date.fromisoformat(text)
    except ValueError:
        notes.append(i18n.t("param_date_bad", lang_, value=text))
        return dates[-1]
    earlier = [d for d in dates if d <= wanted]
    if not earlier:
        notes.append(i18n.t("param_date_bad", lang_, value=text))
        return dates[-1]
    return earlier[-1]


def _count(domain: str) -> str | None:
    """The field the URL's `count` names, if it is one of the domain's (another is ignored: the ratio shows)."""
    wanted = st.query_params.get("count")
    return wanted if wanted in {f.name for f in fields.domain_fields(domain)} else None


def _indicator(by_domain: dict) -> tuple[str, Indicator]:
    """The indicator names its domain; without one, the domain's main indicator. Domains without data are ignored."""
    ind = indicators.BY_KEY.get(st.query_params.get("ind", ""))
    if ind is not None and ind.domain in by_domain:
        return ind.domain, ind
    domain = st.query_params.get("domain")
    if domain not in by_domain:
        domain = next(d for d in fields.DOMAINS if d in by_domain)
    return domain, indicators.BY_KEY[indicators.MAIN_INDICATOR[domain]]
