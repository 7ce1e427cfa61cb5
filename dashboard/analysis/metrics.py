"""Indicator columns on rollup frames: numerator, denominator, ratio, target, gap, denominator source.

Vectorised over a frame of field sums, using the one definition of each
indicator in `indicators.py`, so the CLI, the pages and exports agree.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain import fields, indicators


def denominator_source(frame: pd.DataFrame, denominator: str) -> pd.Series:
    """'report', 'register', 'mixed', or None per row, from the rollup's source counts."""
    if f"{denominator}_from_report" not in frame:
        return pd.Series("report", index=frame.index).where(frame[denominator].notna(), None)
    rep = frame[f"{denominator}_from_report"].fillna(0)
    reg = frame[f"{denominator}_from_register"].fillna(0)
    own = frame.get(f"own_{denominator}")
    source = np.select([(rep > 0) & (reg > 0), rep > 0, reg > 0], ["mixed", "report", "register"], default="")
    if own is not None:
        source = np.where((source == "") & own.notna(), "register", source)
    return pd.Series(source, index=frame.index).replace("", None)


def fill_own_register(frame: pd.DataFrame) -> pd.DataFrame:
    """Where no reported or registered row gave a denominator, the unit's own register entry does."""
    out = frame.copy()
    for name in fields.REGISTER_FIELDS:
        own = f"own_{name}"
        if own in out and name in out:
            out[name] = out[name].where(out[name].notna(), out[own])
    return out


def add_indicators(frame: pd.DataFrame, domain: str, targets: dict[str, float],
                   only: str | None = None) -> pd.DataFrame:
    """Adds `<indicator>_{numerator,denominator,ratio,target,gap,denominator_source}` columns for each of the
    domain's indicators, or only for the indicator `only` (a frame that holds just its columns)."""
    out = fill_own_register(frame)
    for ind in indicators.for_domain(domain):
        if only is not None and ind.key != only:
            continue
        num = out[ind.numerator].astype("Float64")
        den = out[ind.denominator].astype("Float64")
        target = targets.get(ind.key, ind.default_target)
        out[f"{ind.key}_numerator"] = out[ind.numerator]
        out[f"{ind.key}_denominator"] = out[ind.denominator]
        out[f"{ind.key}_ratio"] = (num / den.where(den != 0)).astype("Float64")
        out[f"{ind.key}_target"] = target
        out[f"{ind.key}_gap"] = indicators.gaps(num, den, target)
        out[f"{ind.key}_denominator_source"] = denominator_source(frame, ind.denominator)
    return out
