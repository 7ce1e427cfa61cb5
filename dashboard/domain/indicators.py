"""Indicators: declared once, with their domain (domain/declarations/). Every page, the CLI and exports read them.

An indicator is numerator / denominator with a default target; a county may
override the target in its settings. The gap is what is still missing to
reach the target, in the indicator's own unit (people or households).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import fields
from .declarations import DOMAINS as DECLARED


@dataclass(frozen=True)
class Indicator:
    key: str
    domain: str
    numerator: str
    denominator: str
    default_target: float
    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def unit_word(self, lang: str) -> str:
        """The word its gap is counted in: the numerator's (人 for people sampled, 户 for households checked)."""
        return fields.BY_NAME[self.numerator].unit(lang)


INDICATORS: tuple[Indicator, ...] = tuple(
    Indicator(i.key, d.key, i.numerator, i.denominator, i.target, i.label["zh"], i.label["en"])
    for d in DECLARED for i in d.indicators)
BY_KEY = {i.key: i for i in INDICATORS}
# The indicator a headline card shows for each domain.
MAIN_INDICATOR = {d.key: next(i.key for i in d.indicators if i.main) for d in DECLARED}
# Header words of a stated ratio column (采样率, 整改率): each indicator's, and the generic ones.
RATIO_WORDS = tuple(dict.fromkeys(a for d in DECLARED for i in d.indicators for a in i.aliases))


def for_domain(domain: str) -> tuple[Indicator, ...]:
    return tuple(i for i in INDICATORS if i.domain == domain)


def ratio(numerator, denominator) -> float | None:
    """A fraction (0.87), or None where the denominator is missing or zero."""
    if numerator is None or denominator is None or _isnan(numerator) or _isnan(denominator):
        return None
    return None if denominator == 0 else numerator / denominator


def gap(numerator, denominator, target: float) -> int | None:
    """max(0, ceil(target × denominator − numerator)), robust to float noise.

    Rounding to 6 decimals first keeps 0.95 × 1000 from becoming 951.
    """
    if denominator is None or _isnan(denominator) or numerator is None or _isnan(numerator):
        return None  # no report: the gap is unknown, not the whole target
    missing = round(target * denominator - numerator, 6)
    return max(0, math.ceil(missing))


def gaps(numerators: pd.Series, denominators: pd.Series, target: float) -> pd.Series:
    """`gap()` for whole columns (Int64, NA where either side is missing): 100,000 villages in ~10 ms, not ~1 s.

    numpy's round(x, 6) can differ from Python's only when x * 10^6 lies within float noise of a half; those
    few cells (none for targets of up to four decimals) are computed by `gap()` itself, so the results agree.
    """
    num = numerators.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    den = denominators.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        missing = target * den - num
        scaled = missing * 1e6
        doubtful = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6
        values = np.maximum(0, np.ceil(np.round(missing, 6)))
    out = pd.Series(values, index=numerators.index).astype("Int64")
    for i in np.flatnonzero(doubtful & ~np.isnan(missing)):
        out.iloc[i] = gap(num[i], den[i], target)
    return out


def _isnan(value) -> bool:
    return bool(pd.isna(value))


def headline_indicator(domain: str, unit_row=None) -> Indicator:
    """The domain's main indicator, unless the unit's figures lack its denominator and another one is complete.

    A county that reports 应检人数 but no 常住人口 (the Jintang file) still gets a
    headline: testing completion instead of an empty coverage card.
    """
    main = BY_KEY[MAIN_INDICATOR[domain]]
    if unit_row is None or not _isnan(unit_row.get(f"{main.key}_denominator")):
        return main
    for ind in for_domain(domain):
        if not _isnan(unit_row.get(f"{ind.key}_denominator")) and not _isnan(unit_row.get(f"{ind.key}_numerator")):
            return ind
    return main
