"""Changing what a county has set (a setting, a testing round); each change recounts the stored rollups it affects.

Why a module of its own: the stored rollups (`materialize`) read the settings, and a change of a setting must
recount them; with the writes here, `settings` is read-only rules and the arrows run one way
(configure -> materialize -> settings).
"""
from __future__ import annotations

from ..domain import codes
from . import materialize, queries, settings
from .store import Store


def put(store: Store, key: str, value) -> None:
    """Sets one setting; keys are checked so a typo cannot hide a target."""
    if key not in settings.allowed_keys():
        raise KeyError(key)
    if key.startswith("domain.") and str(value) not in settings.SWITCH_VALUES:
        raise ValueError(key)
    with store.write() as con:
        queries.execute(con, "setting_put", key=key, value=str(value))
        if key in settings.COUNTING_KEYS or key.startswith("expected_level."):  # the counting rule changed: recount
            materialize.refresh_all(con)


def put_round(store: Store, county_code: str, round_no: int, start) -> None:
    """Testing round `round_no` of a county starts on `start`; later reports without a round belong to it."""
    county_num = codes.num(county_code[:6].ljust(12, "0"))
    with store.write() as con:
        queries.execute(con, "round_put", county_num=county_num, round=round_no, start_date=start)
        materialize.refresh_all(con)
