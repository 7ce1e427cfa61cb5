"""The `coverage` result: a unit and its children with every indicator, as JSON-ready rows.

This is the stable format analysts script against (documented in the README):
{"date", "dates", "unit": ROW, "children": [ROW, ...]} where ROW holds code, name,
level, one object per indicator, reported/expected/carried per domain and the totals
of every field of the domains shown (counted by the same rollup as the ratios).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..domain import fields, indicators
from ..storage import settings
from ..storage.store import Store, one_snapshot
from . import rollup

INDICATOR_KEYS = ("numerator", "denominator", "ratio", "target", "gap", "denominator_source")
FRACTIONS = ("ratio", "target")


@one_snapshot
def coverage(store: Store, code: str, snapshot_date: dt.date | None = None, domain: str | None = None) -> dict:
    values = settings.all_settings(store)
    domains = [domain] if domain else list(settings.enabled_domains(values))
    rolls = {d: rollup.rollup(store, code, d, _date_for(store, d, snapshot_date), values) for d in domains}
    dates = {d: r.snapshot_date.isoformat() if r.snapshot_date else None for d, r in rolls.items()}
    unit = rollup.unit(store, code)
    # the children of whichever domain has them (a domain without data on the date has none to list)
    children = next((r.children for r in rolls.values() if not r.children.empty),
                    next(iter(rolls.values())).children)[["code", "name", "level"]]
    return {
        "date": snapshot_date.isoformat() if snapshot_date else max((v for v in dates.values() if v), default=None),
        "dates": dates,
        "unit": _row(unit, {d: r.unit for d, r in rolls.items()}),
        "children": [_row(child, {d: _child(r, child["code"]) for d, r in rolls.items()})
                     for _, child in children.iterrows()],
    }


def _date_for(store, domain, requested):
    """The requested date, or the latest with data in this domain."""
    return requested if requested else rollup.latest_date(store, domain)


def _child(roll: rollup.Rollup, code: str):
    match = roll.children[roll.children["code"] == code]
    return match.iloc[0] if len(match) else None


def _row(unit, per_domain: dict) -> dict:
    row = {"code": unit["code"], "name": unit["name"], "level": unit["level"]}
    for domain, data in per_domain.items():
        for ind in indicators.for_domain(domain):
            row[ind.key] = {k: _plain(None if data is None else data.get(f"{ind.key}_{k}"), k in FRACTIONS)
                            for k in INDICATOR_KEYS}
    row["totals"] = {f.name: None if data is None else _plain(data.get(f.name))
                     for domain, data in per_domain.items() for f in fields.domain_fields(domain)}
    for count in ("reported", "expected", "carried"):
        row[count] = {d: int(_plain(None if data is None else data.get(count)) or 0) for d, data in per_domain.items()}
    return row


def _plain(value, fraction: bool = False):
    """JSON-ready: NaN/NA -> None; counts -> int; ratios and targets -> float."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value
    return float(value) if fraction else int(round(float(value)))


def flat_rows(result: dict) -> pd.DataFrame:
    """The same rows as a flat table (CSV): <indicator>_<key> columns, counts per domain."""
    out = []
    for row in [result["unit"], *result["children"]]:
        flat = {"code": row["code"], "name": row["name"], "level": row["level"]}
        for key, value in row.items():
            if isinstance(value, dict) and key in indicators.BY_KEY:
                flat |= {f"{key}_{k}": v for k, v in value.items()}
            elif isinstance(value, dict):
                flat |= {f"{key}_{d}": v for d, v in value.items()}
        out.append(flat)
    return pd.DataFrame(out).convert_dtypes()
