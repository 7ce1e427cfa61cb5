"""Errors and warnings as data (a message key plus values), rendered in the reader's language."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import i18n


@dataclass(frozen=True)
class Message:
    key: str
    values: dict = field(default_factory=dict)
    row: int | None = None  # the line in the file (header = line 1), where there is one
    column: str | None = None

    def text(self, lang: str = i18n.DEFAULT_LANG) -> str:
        return i18n.t(self.key, lang, **self.values)

    def to_json(self, lang: str = i18n.DEFAULT_LANG) -> dict:
        return {"key": self.key, "row": self.row, "column": self.column, "message": self.text(lang)}


def cell(key: str, file: str, row: int, column: str, value) -> Message:
    """A message about one cell, naming file, row and column."""
    return Message(key, {"file": file, "row": row, "column": column, "value": value}, row, column)


class InputError(Exception):
    """Bad input: carries every message found, so the user can fix the file in one go."""

    def __init__(self, messages: list[Message]):
        super().__init__("; ".join(m.text("en") for m in messages[:3]))
        self.messages = messages
