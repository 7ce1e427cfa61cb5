"""Settings a county can change (targets, carry-forward days, expected reporting level), stored in the store."""
from __future__ import annotations

from . import codes, indicators, materialize, queries
from .store import Store

DEFAULT_CARRY_DAYS = 3
COUNTING_KEYS = ("carry_days",)  # with expected_level.*: the settings the stored rollups depend on
DEFAULT_PACE_DAYS = 7       # gaps: a unit's pace is its mean daily increase over this many last reported days
DEFAULT_SPIKE_FACTOR = 5.0  # data quality: a daily increase this many times the previous week's median is flagged


def all_settings(store: Store) -> dict[str, str]:
    frame = store.lookup("settings_all")
    return dict(zip(frame["key"], frame["value"]))


def targets(store: Store, values: dict[str, str] | None = None) -> dict[str, float]:
    """Every indicator's target: the county's setting, else the default."""
    values = all_settings(store) if values is None else values
    return {i.key: float(values.get(f"target.{i.key}", i.default_target)) for i in indicators.INDICATORS}


def carry_days(store: Store, values: dict[str, str] | None = None) -> int:
    values = all_settings(store) if values is None else values
    return int(values.get("carry_days", DEFAULT_CARRY_DAYS))


def expected_level(values: dict[str, str], domain: str) -> str | None:
    """The level expected to report daily in a domain, when the county set one."""
    level = values.get(f"expected_level.{domain}")
    return level if level in codes.LEVELS else None


def put(store: Store, key: str, value) -> None:
    """Sets one setting; keys are checked so a typo cannot hide a target."""
    allowed = {f"target.{i.key}" for i in indicators.INDICATORS} | {"carry_days", "pace_days", "spike_factor"} | \
        {f"expected_level.{d}" for d in ("screening", "testing", "vaccination")}
    if key not in allowed:
        raise KeyError(key)
    with store.write() as con:
        queries.execute(con, "setting_put", key=key, value=str(value))
        if key in COUNTING_KEYS or key.startswith("expected_level."):  # the counting rule changed: recount
            materialize.refresh_all(con)


def put_round(store: Store, county_code: str, round_no: int, start) -> None:
    """Testing round `round_no` of a county starts on `start`; later reports without a round belong to it."""
    county_num = codes.num(county_code[:6].ljust(12, "0"))
    with store.write() as con:
        queries.execute(con, "round_put", county_num=county_num, round=round_no, start_date=start)
        materialize.refresh_all(con)
