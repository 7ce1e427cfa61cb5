"""Every user-visible string, in Chinese (default) and English, plus number and date formats.

The CLI, exports and the UI all take their words from here, so a message
reads the same wherever it appears.
"""
from __future__ import annotations

import datetime as dt
import math
import os

from . import access, analysis, backup, briefing, core, importing, ui

MAY_IMPORT = ()  # the first stage: words only, nothing of the rest of dashboard

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

MESSAGES: dict[str, dict[str, str]] = {}
for _part in (core, ui, briefing, importing, analysis, backup, access):  # one module per area, so that areas can grow without touching each other
    _clash = MESSAGES.keys() & _part.MESSAGES.keys()
    assert not _clash, f"message keys defined twice: {sorted(_clash)}"
    MESSAGES.update(_part.MESSAGES)


def lang_from_env() -> str:
    lang = os.environ.get("DASHBOARD_LANG", DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The message `key` in `lang`, with values filled in; unknown keys raise."""
    return MESSAGES[key][lang if lang in LANGS else DEFAULT_LANG].format(**values)


def in_each(key: str, **values) -> dict[str, str]:
    """The message in every language, as a value of another message (domain.messages.Message picks the reader's)."""
    return {lang: t(key, lang, **values) for lang in LANGS}


def fmt_count(value, lang: str = DEFAULT_LANG, wan: bool = False) -> str:
    """478609 -> '478,609'; with wan=True in Chinese, 478609 -> '47.86万'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    if wan and lang == "zh" and abs(value) >= 10000:
        return f"{value / 10000:.2f}万"
    if wan and lang == "en" and abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.2f}M"
    return f"{value:,.0f}"


def fmt_percent(ratio, digits: int = 1) -> str:
    """0.8723 -> '87.2%'; None -> '—'."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "—"
    return f"{ratio * 100:.{digits}f}%"


def fmt_date(day: dt.date, lang: str = DEFAULT_LANG) -> str:
    """5月4日 / May 4."""
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day:%b} {day.day}"
