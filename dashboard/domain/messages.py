"""Errors and warnings as data (a message key plus values), rendered in the reader's language."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterable

from .. import i18n


@dataclass(frozen=True)
class Message:
    key: str
    values: dict = field(default_factory=dict)
    row: int | None = None  # the line in the file (header = line 1), where there is one
    column: str | None = None

    def text(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The message in `lang`; a value given per language ({"zh": "汛期排查", "en": "Flood season"}: a
        domain's or a field's label) is taken in that language."""
        values = {k: v.get(lang, v.get(i18n.DEFAULT_LANG)) if isinstance(v, dict) and "zh" in v else v
                  for k, v in self.values.items()}
        return i18n.t(self.key, lang, **values)

    def to_json(self, lang: str = i18n.DEFAULT_LANG) -> dict:
        return {"key": self.key, "row": self.row, "column": self.column, "message": self.text(lang)}


def cell(key: str, file: str, row: int, column: str, value, **extra) -> Message:
    """A message about one cell, naming file, row and column (and any `extra` values its text needs)."""
    return Message(key, {"file": file, "row": row, "column": column, "value": value, **extra}, row, column)


class DeclarationError(ValueError):
    """A domain declaration file (domain/declarations/, DASHBOARD_DOMAINS) that cannot be used: the message names
    the file and the entry. Here, apart from the declarations, so that an entry point can catch it on import."""


class InputError(Exception):
    """Bad input: carries every message found, so the user can fix the file in one go."""

    def __init__(self, messages: list[Message]):
        super().__init__("; ".join(m.text("en") for m in messages[:3]))
        self.messages = messages


def capped(messages: Iterable[Message], total: int, more_key: str, values: dict, limit: int) -> list[Message]:
    """The first `limit` of one check's row messages, then one message saying how many more rows it found.

    Why: a province file can fail a check on every one of its 500,000 rows; nobody reads that many lines, and
    building them took most of a load's time. `messages` may be a generator: only what is shown is built.
    """
    out = list(itertools.islice(messages, limit))
    if total > len(out):
        more = total - len(out)
        out.append(Message(more_key, {**values, "count": f"{more:,}", "more_rows": more}, None, values.get("column")))
    return out


def rows_meant(messages: list[Message]) -> int:
    """How many rows a list of messages speaks of: a "and N more" line (see `capped`) counts for its N rows."""
    return sum(m.values.get("more_rows", 1) for m in messages)

