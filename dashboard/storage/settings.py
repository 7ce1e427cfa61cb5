"""Settings a county can change (targets, carry-forward days, expected reporting level), stored in the store."""
from __future__ import annotations

from ..domain import codes, fields, indicators
from . import queries
from .store import Store

DEFAULT_CARRY_DAYS = 3
COUNTING_KEYS = ("carry_days",)  # with expected_level.*: the settings the stored rollups depend on
LEVEL_WINDOW_DAYS = 7  # a date's expected level, unless set: the finest level reported in the 7 days up to it
DEFAULT_PACE_DAYS = 7       # gaps: a unit's pace is its mean daily increase over this many last reported days
DEFAULT_SPIKE_FACTOR = 5.0  # data quality: a daily increase this many times the previous week's median is flagged


def all_settings(source) -> dict[str, str]:
    """Every stored setting, from a Store (cached per version) or from a connection inside an open write (the
    stored rollups' refresh reads what the same write may just have changed)."""
    frame = source.lookup("settings_all") if isinstance(source, Store) else queries.run(source, "settings_all")
    return dict(zip(frame["key"], frame["value"]))


def targets(store: Store, values: dict[str, str] | None = None) -> dict[str, float]:
    """Every indicator's target: the county's setting, else the default."""
    values = all_settings(store) if values is None else values
    return {i.key: float(values.get(f"target.{i.key}", i.default_target)) for i in indicators.INDICATORS}


def carry_days(store: Store, values: dict[str, str] | None = None) -> int:
    values = all_settings(store) if values is None else values
    return int(values.get("carry_days", DEFAULT_CARRY_DAYS))


def allowed_keys() -> set[str]:
    """The keys a county may set; anything else is a typo that would hide a target."""
    return {f"target.{i.key}" for i in indicators.INDICATORS} | {"carry_days", "pace_days", "spike_factor"} | \
        {f"expected_level.{d}" for d in fields.DOMAINS} | {switch_key(d) for d in fields.OPTIONAL_DOMAINS}


SWITCH_VALUES = ("on", "off")


def switch_key(domain: str) -> str:
    """The setting that switches an optional domain (a campaign such as 安全隐患排查) on for a county."""
    return f"domain.{domain}"


def enabled_domains(source) -> tuple[str, ...]:
    """The domains this store takes reports of and offers on its pages: every domain that is not optional, and the
    optional ones switched on (a Store, or a dict of settings as `all_settings` gives it)."""
    values = source if isinstance(source, dict) else all_settings(source)
    return tuple(d for d in fields.DOMAINS if d not in fields.OPTIONAL_DOMAINS or values.get(switch_key(d)) == "on")


def expected_level(values: dict[str, str], domain: str) -> str | None:
    """The level expected to report daily in a domain, when the county set one."""
    level = values.get(f"expected_level.{domain}")
    return level if level in codes.LEVELS else None
