"""Understanding a report table as offices send it: title lines, one- or two-row headers, totals, personal data.

Nothing here depends on particular titles, names or column orders: the
header is the row (among the first 20) that most cells of which are known
headers; a following row of sub-headers (累计（人） / 接种率) under merged
parents makes a two-row header; rows naming 合计/总计/小计 are totals, kept
apart for a cross-check.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from . import aliases
from .messages import InputError, Message
from .sheets import Sheet

HEADER_SCAN_ROWS = 20
_ID_CARD = re.compile(r"^\d{17}[\dXx]$")
_PHONE = re.compile(r"^1[3-9]\d{9}$")


@dataclass
class Column:
    index: int
    header: str          # as shown in the file (parent/child for two-row headers)
    role: str            # code | name | field | ratio | not_sampled | round | date | ignored | unknown
    field: str | None = None
    scale: int = 1


@dataclass
class Report:
    file: str
    title: str
    columns: list[Column]
    frame: pd.DataFrame                                   # index: file line; columns: code/name/fields/... as text
    totals: list[tuple[int, dict]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)      # lines with no values at all

    def by_role(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.by_role("field")]


def read_report(sheet: Sheet) -> Report:
    head = sheet.head(HEADER_SCAN_ROWS + 1)
    header_at, depth = _header_position(sheet.file, head)
    columns = _columns(head[header_at: header_at + depth])
    body = sheet.cells.iloc[header_at + depth:]
    _refuse_personal_data(sheet.file, body, columns)
    title = " ".join(" ".join(dict.fromkeys(c for c in row if c)) for row in head[:header_at])
    frame, totals, skipped = _body(body, columns)
    return Report(sheet.file, title, columns, frame, totals, skipped)


def _score(row: list[str]) -> int:
    known = (aliases.CODE_ALIASES + aliases.NAME_ALIASES + aliases.IGNORED + aliases.NOT_SAMPLED_ALIASES
             + aliases.ROUND_ALIASES + aliases.DATE_ALIASES)
    return sum(1 for cell in dict.fromkeys(row) if cell and (
        aliases.field_for(cell) or aliases.is_one_of(cell, known) or aliases.is_ratio(cell)))


def _header_position(file: str, head: list[list[str]]) -> tuple[int, int]:
    """(row index of the header, 1 or 2 header rows)."""
    scores = [_score(row) for row in head[:HEADER_SCAN_ROWS]]
    if not scores or max(scores) < 1:
        raise InputError([Message("err_no_header", {"file": file})])
    at = scores.index(max(scores))
    below = head[at + 1] if at + 1 < len(head) else []
    return at, 2 if _is_subheader(below) else 1


def _is_subheader(row: list[str]) -> bool:
    """Text-only row of 累计/接种率-like cells: the second row of a merged header."""
    if any(_looks_numeric(c) for c in row if c):
        return False
    return any(aliases.is_one_of(c, aliases.COUNT_SUBHEADERS) or aliases.is_ratio(c) for c in row if c)


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,，.]+%?", text.strip()))


def _columns(header_rows: list[list[str]]) -> list[Column]:
    top = _forward_filled(header_rows[0]) if len(header_rows) == 2 else header_rows[0]
    sub = header_rows[1] if len(header_rows) == 2 else [""] * len(top)
    return [_column(i, parent, child) for i, (parent, child) in enumerate(zip(top, sub))]


def _forward_filled(row: list[str]) -> list[str]:
    """A CSV's merged parent header spans the blank cells to its right."""
    out, last = [], ""
    for cell in row:
        last = cell or last
        out.append(last)
    return out


def _column(index: int, parent: str, child: str) -> Column:
    shown = f"{parent}/{child}" if child and child != parent else parent
    if child and child != parent and aliases.is_ratio(child):
        return Column(index, shown, "ratio", aliases.field_for(parent))
    name = parent if not child or child == parent or aliases.is_one_of(child, aliases.COUNT_SUBHEADERS) else child
    scale = max(aliases.scale_of(parent), aliases.scale_of(child))
    return _role(index, shown, name, scale)


def _role(index: int, shown: str, name: str, scale: int) -> Column:
    checks = (("code", aliases.CODE_ALIASES), ("name", aliases.NAME_ALIASES), ("not_sampled", aliases.NOT_SAMPLED_ALIASES),
              ("round", aliases.ROUND_ALIASES), ("date", aliases.DATE_ALIASES), ("ignored", aliases.IGNORED))
    if aliases.field_for(name):
        return Column(index, shown, "field", aliases.field_for(name), scale)
    for role, words in checks:
        if aliases.is_one_of(name, words):
            return Column(index, shown, role)
    if aliases.is_ratio(name):
        return Column(index, shown, "ratio")
    return Column(index, shown, "ignored" if not name else "unknown")


def _refuse_personal_data(file: str, body: pd.DataFrame, columns: list[Column]) -> None:
    """The store holds aggregates only: a column of person names, ID-card or phone numbers stops the file."""
    errors = []
    sample = body.head(2000)
    for col in columns:
        values = sample[col.index]
        kind = ("personal_header" if aliases.is_one_of(col.header, aliases.PERSONAL_HEADERS) else
                "id_card" if values.str.fullmatch(_ID_CARD.pattern).any() else
                "phone" if values.str.fullmatch(_PHONE.pattern).any() else None)
        if kind:
            errors.append(Message("err_personal_data", {"file": file, "column": col.header, "kind": kind},
                                  column=col.header))
    if errors:
        raise InputError(errors)


def _body(body: pd.DataFrame, columns: list[Column]):
    """Data rows as text (index = file line), total rows apart, rows with no values skipped."""
    keep = [c for c in columns if c.role in ("code", "name", "field", "ratio", "not_sampled", "round", "date")]
    frame = body[[c.index for c in keep]].set_axis([_key(c) for c in keep], axis=1).rename_axis("line")
    valued = [_key(c) for c in keep if c.role in ("field", "ratio", "not_sampled")]
    is_total = _total_rows(body, columns)
    has_values = (frame[valued] != "").any(axis=1) if valued else pd.Series(False, index=frame.index)
    totals = [(line, row) for line, row in frame[is_total].to_dict("index").items()]
    skipped = list(frame.index[~is_total & ~has_values])
    return frame[~is_total & has_values], totals, skipped


def _key(column: Column) -> str:
    if column.role == "field":
        return column.field
    if column.role == "ratio":
        return f"ratio:{column.index}"
    return column.role


_TOTAL_HINT = "|".join(aliases.TOTAL_WORDS)
_TOTAL_KEYS = {aliases.normalise(w) for w in aliases.TOTAL_WORDS}


def _total_rows(body: pd.DataFrame, columns: list[Column]) -> pd.Series:
    """Rows whose label cells (name, 序号 or other text columns) say 合计/总计/小计."""
    found = pd.Series(False, index=body.index)
    for col in [c for c in columns if c.role in ("name", "ignored", "unknown", "code")][:3]:
        cells = body[col.index]
        words = cells[~cells.str.isdecimal()]  # a code is never a total's label: no regex over 500,000 codes
        hint = words.str.contains(_TOTAL_HINT, case=False, regex=True)
        labels = words[hint]
        found.loc[labels.index] |= labels.map(lambda cell: aliases.normalise(cell) in _TOTAL_KEYS).astype(bool)
    return found


# ---- what the title and file name say -----------------------------------------------------------
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_FULL_DATE = re.compile(r"(20\d\d)\s*[年\-_.]?\s*(\d{1,2})\s*[月\-_.]?\s*(\d{1,2})\s*日?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_HOUR = re.compile(r"(\d{1,2})\s*(?:时|点|:00)")
_ROUND = re.compile(r"第\s*([一二三四五六七八九十\d]+)\s*轮")


def date_in(text: str, year_hint: int | None = None) -> dt.date | None:
    """A date written in a title or file name: 2022年4月12日, 20220412, 2022-04-12, or 4月6日 with a known year."""
    for match in _FULL_DATE.finditer(text):
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            continue
    match = _MONTH_DAY.search(text)
    if match and year_hint:
        try:
            return dt.date(year_hint, int(match.group(1)), int(match.group(2)))
        except ValueError:
            return None
    return None


def hour_in(text: str) -> int | None:
    """The as-of hour: 截至18时, 18点; the last one after a date wins."""
    found = [int(h) for h in _HOUR.findall(text) if 0 < int(h) <= 24]
    return found[-1] if found else None


def round_in(text: str) -> int | None:
    """第三轮 / 第3轮 -> 3."""
    match = _ROUND.search(text)
    if not match:
        return None
    word = match.group(1)
    if word.isdigit():
        return int(word)
    if word.startswith("十"):
        return 10 + _CN_DIGITS.get(word[1:], 0)
    return _CN_DIGITS.get(word[0], 0) * (10 if "十" in word else 1) + (_CN_DIGITS.get(word[-1], 0) if "十" in word[1:] else 0)
