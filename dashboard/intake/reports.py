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
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import i18n
from ..domain import aliases
from ..domain.messages import InputError, Message
from .sheets import Sheet

HEADER_SCAN_ROWS = 20
# Shapes of personal numbers anywhere in a cell (RE2, as Arrow runs it; full-width digits and dashes too): an
# ID card (region, birth date, sequence, check digit), a mobile (+86 138 0013 8000, 138-0013-8000), a landline
# (0571-87654321). A digit on either side means a longer number (a 12-digit division code is none of these).
_D, _SEP = "[0-9０-９]", "[ \\-－‐—.]?"
PERSONAL_NUMBERS = (
    ("id_card", f"(^|[^0-9０-９])[1-9１-９]{_D}{{5}}(19|20|１９|２０){_D}{{2}}{_D}{{4}}{_D}{{3}}[0-9０-９XxＸｘ]([^0-9０-９]|$)"),
    ("phone", f"(^|[^0-9０-９])((\\+|＋|00)?(86|８６){_SEP})?[1１][3-9３-９]{_D}({_SEP}{_D}){{8}}([^0-9０-９]|$)"),
    ("phone", f"(^|[^0-9０-９])[0０]{_D}{{2,3}}[\\-－]{_D}{{7,8}}([^0-9０-９]|$)"))
SEVEN_DIGITS = f"{_D}({_SEP}{_D}){{6}}"  # every shape above has seven digits in a row: one cheap pass first
PLAIN_LENGTHS = (11, 13, 18)  # digit-only cells of other lengths (counts, codes) cannot hold a personal number
NAME_SAMPLE_ROWS = 2000


@dataclass
class Column:
    index: int
    header: str          # as shown in the file (parent/child for two-row headers)
    role: str            # code | name | parent_name | field | ratio | remainder | round | date | duplicate | ignored | unknown
    field: str | None = None
    scale: int = 1
    level: str | None = None  # code and name columns: the level the header names (乡镇 -> township), if any
    same_as: int | None = None  # a duplicate: the index of the first column that says the same thing


@dataclass
class Report:
    file: str
    title: str
    columns: list[Column]
    frame: pd.DataFrame                                   # index: file line; columns: code/name/fields/... as text
    totals: list[tuple[int, dict]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)      # lines with no values at all
    sheet: str | None = None                              # the workbook sheet it was read from

    def by_role(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.by_role("field")]

    def header_of(self, field_name: str) -> str:
        """The header a field's column has in the file (常住人口, 已采样人数（人）), for messages: the user reads
        their own words, never the store's field name."""
        return next((c.header for c in self.by_role("field") if c.field == field_name), field_name)

    @property
    def parents(self) -> list[Column]:
        """Name columns of the levels above the rows' own (乡镇 beside 村), coarsest first."""
        return sorted(self.by_role("parent_name"), key=lambda c: LEVEL_RANK[c.level])


def read_report(sheet: Sheet) -> Report:
    head = sheet.head(HEADER_SCAN_ROWS + 1)
    header_at, depth = _header_position(sheet.file, head)
    columns = _unit_roles(_columns(head[header_at: header_at + depth]))
    body = _before_footer(sheet.cells.iloc[header_at + depth:])
    _refuse_personal_data(sheet.file, body, columns)
    title = " ".join(" ".join(dict.fromkeys(c for c in row if c)) for row in head[:header_at])
    frame, totals, skipped = _body(body, columns)
    return Report(sheet.file, title, columns, frame, totals, skipped, sheet.sheet_name)


INSTRUCTION_SHEETS = ("填表说明", "说明", "填报说明", "注意事项", "使用说明", "instructions", "readme")


@dataclass
class Choice:
    """Which sheet of a workbook was read, the others, and a coarser summary sheet to cross-check against."""
    report: Report
    others: list[str]
    summary: Report | None = None


def choose(sheets: list[Sheet]) -> Choice:
    """The sheet that holds the data: a header with a unit column and figure columns, at the finest level, then
    with the most rows; instruction sheets (填表说明) are skipped. A coarser sheet with figures (汇总) is kept
    to cross-check the totals. No sheet with data: the first sheet's own error, or one naming every sheet."""
    readable, errors = [], []
    for sheet in sheets:
        if len(sheets) > 1 and aliases.is_one_of(sheet.sheet_name, INSTRUCTION_SHEETS):
            continue
        try:
            readable.append(read_report(sheet))
        except InputError as exc:
            errors.append(exc)
    usable = [r for r in readable if _holds_data(r)] or (readable if len(sheets) == 1 else [])
    if not usable:
        _refuse_no_data(sheets, errors)
    best = max(usable, key=_finest_first)
    names = list(sheets[0].book_sheets) or [s.sheet_name for s in sheets if s.sheet_name]
    summary = next((r for r in usable if r is not best and _finest_first(r)[0] < _finest_first(best)[0]), None)
    return Choice(best, [n for n in names if n != best.sheet], summary)


def _holds_data(report: Report) -> bool:
    return bool((report.by_role("code") or report.by_role("name")) and report.by_role("field") and len(report.frame))


def _finest_first(report: Report) -> tuple[int, int]:
    """(level rank of its unit column, data rows): the detail sheet beats the summary."""
    unit = (report.by_role("code") or report.by_role("name") or [Column(0, "", "unknown")])[0]
    return LEVEL_RANK[unit.level], len(report.frame)


def _refuse_no_data(sheets: list[Sheet], errors: list[InputError]) -> None:
    """One sheet: its own error (no header, no unit column…). Several: one message naming every sheet."""
    if len(sheets) == 1 and errors:
        raise errors[0]
    names = "、".join(s.sheet_name or "" for s in sheets)
    raise InputError([Message("err_no_data_sheet", {"file": sheets[0].file, "sheets": names})])


LEVEL_RANK = {"county": 0, "township": 1, None: 2, "village": 3, "grid": 4}


def _score(row: list[str]) -> int:
    known = aliases.IGNORED + sum(aliases.REMAINDER_ALIASES.values(), ()) + aliases.ROUND_ALIASES + aliases.DATE_ALIASES
    return sum(1 for cell in dict.fromkeys(row) if cell and (
        aliases.field_for(cell) or aliases.unit_column(cell) or aliases.is_one_of(cell, known)
        or aliases.is_ratio(cell)))


def columns_at_top(file: str, head: list[list[str]]) -> list[Column] | None:
    """The columns as `read_report` takes them where the header is the first row and one row deep (a canonical
    CSV, `canonical.py`), else None; `head`: the first HEADER_SCAN_ROWS + 1 rows."""
    if _header_position(file, head) != (0, 1):
        return None
    return _unit_roles(_columns(head[:1]))


def _header_position(file: str, head: list[list[str]]) -> tuple[int, int]:
    """(row index of the header, 1 or 2 header rows)."""
    scores = [_score(row) for row in head[:HEADER_SCAN_ROWS]]
    if not scores or max(scores) < 1:
        raise InputError([Message("err_no_header", {"file": file})])
    at = scores.index(max(scores))
    if at > 0 and scores[at - 1] and _is_group_row(head[at - 1], head[at]):
        return at - 1, 2
    below = head[at + 1] if at + 1 < len(head) else []
    return at, 2 if _is_subheader(below) else 1


def _is_group_row(above: list[str], row: list[str]) -> bool:
    """A header row over sub-headers where the merge was not kept (ODS, CSV): it names columns the row below
    leaves blank (乡镇, 常住人口 spanning two rows) and leaves blank what the row below names."""
    return any(a and not b for a, b in zip(above, row)) and any(b and not a for a, b in zip(above, row))


def _is_subheader(row: list[str]) -> bool:
    """Text-only row of 累计/接种率-like cells: the second row of a merged header."""
    if any(_looks_numeric(c) for c in row if c):
        return False
    return any(aliases.is_one_of(c, aliases.COUNT_SUBHEADERS) or aliases.is_ratio(c) for c in row if c)


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,，.]+%?", unicodedata.normalize("NFKC", text).strip()))


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
        return Column(index, shown, "ratio", aliases.field_for(parent) or aliases.ratio_field(child))
    name = parent if not child or child == parent or aliases.is_one_of(child, aliases.COUNT_SUBHEADERS) else child
    scale = max(aliases.scale_of(parent), aliases.scale_of(child))
    return _role(index, shown, name, scale)


def _role(index: int, shown: str, name: str, scale: int) -> Column:
    checks = (("round", aliases.ROUND_ALIASES),
              ("date", aliases.DATE_ALIASES), ("ignored", aliases.IGNORED))
    if aliases.field_for(name):
        return Column(index, shown, "field", aliases.field_for(name), scale)
    unit = aliases.unit_column(name)
    if unit:
        return Column(index, shown, unit[0], level=unit[1])
    if aliases.remainder_for(name):
        return Column(index, shown, "remainder", aliases.remainder_for(name), scale)
    for role, words in checks:
        if aliases.is_one_of(name, words):
            return Column(index, shown, role)
    if aliases.is_ratio(name):
        return Column(index, shown, "ratio", aliases.ratio_field(name))
    return Column(index, shown, "ignored" if not name else "unknown")


def _unit_roles(columns: list[Column]) -> list[Column]:
    """Of several name columns (县, 乡镇, 村), the finest names the row's unit and the coarser ones its parents;
    of several code columns the finest is the code and coarser ones are ignored. A second column that says what
    an earlier one says (a repeated header, 已采样人数 beside 采样人数, two 区划代码) is a duplicate of it: read
    once where both agree, refused where they differ (checks.duplicate_columns), never one chosen silently."""
    for role in ("code", "name"):
        found = [c for c in columns if c.role == role]
        if len(found) < 2:
            continue
        finest = max(found, key=lambda c: LEVEL_RANK[c.level])
        for col in [c for c in found if c.level != finest.level]:
            col.role = "parent_name" if role == "name" and col.level else "ignored"
    first: dict[str, Column] = {}
    for col in [c for c in columns if c.role in KEPT_ROLES]:
        if key(col) in first:
            col.role, col.same_as = "duplicate", first[key(col)].index
        first.setdefault(key(col), col)
    return columns


def _before_footer(body: pd.DataFrame) -> pd.DataFrame:
    """The rows above the first note line after the table (填报人：…, 注：…): those end it, whatever follows.
    A note line is a row whose only text (merged across or not) starts with a note word and a colon; only
    non-ASCII cells of the first two columns are looked at, so a province's 500,000 codes cost one cheap pass."""
    ends = []
    for column in list(body.columns)[:2]:
        cells = body[column]
        wide = cells[~cells.str.isascii().astype(bool)]
        notes = wide[wide.map(aliases.is_footer_text).astype(bool)]
        ends += [line for line in notes.index if len({c for c in body.loc[line] if c}) == 1]
    if not ends:
        return body
    return body.loc[body.index < min(ends)]


def _refuse_personal_data(file: str, body: pd.DataFrame, columns: list[Column]) -> None:
    """The store holds aggregates only: a column whose header names personal data (联系人姓名, 网格员), or any of
    whose cells holds an ID-card or phone number, or whose values are person names, stops the whole file."""
    errors = []
    for col in columns:
        kind = (_personal_numbers(body[col.index]) or ("personal_header" if aliases.is_personal_header(col.header)
                                                      else None)
                or (_person_names(body[col.index]) if col.role in ("ignored", "unknown") else None))
        if kind:
            errors.append(Message("err_personal_data", {"file": file, "column": col.header or f"#{col.index + 1}",
                                                        "kind": kind, "what": i18n.in_each(f"personal_{kind}")},
                                  column=col.header))
    if errors:
        raise InputError(errors)


def _personal_numbers(cells: pd.Series) -> str | None:
    """"id_card" or "phone" where any cell of the column holds one. Every row is looked at, in Arrow: cells of
    digits only are passed over unless they have the length of such a number, so a province's 500,000 codes and
    counts cost two vectorised passes and no regex."""
    values = arrow_strings(cells)
    plain = pc.and_(pc.ascii_is_decimal(values), pc.invert(pc.is_in(pc.utf8_length(values),
                                                                     pa.array(PLAIN_LENGTHS, pa.int32()))))
    candidates = values.filter(pc.invert(pc.fill_null(plain, True)))
    candidates = candidates.filter(pc.match_substring_regex(candidates, SEVEN_DIGITS)) if len(candidates) else candidates
    for kind, pattern in PERSONAL_NUMBERS if len(candidates) else ():
        if pc.any(pc.match_substring_regex(candidates, pattern)).as_py():
            return kind
    return None


def arrow_strings(cells: pd.Series) -> pa.Array:
    """A column of text as an Arrow array: pandas 3 keeps text in Arrow already, so this is nearly free (building
    one from Python strings cost 20 times as much)."""
    return pa.array(cells.array if hasattr(cells.array, "__arrow_array__") else cells, type=pa.string())


def _person_names(cells: pd.Series) -> str | None:
    """"person_name" for a column of no known meaning whose values are mostly short names starting with a
    common surname (张伟, 李秀英), nearly all different, and not ending like a place (王庄, 李家村)."""
    values = [v for v in cells.head(NAME_SAMPLE_ROWS) if v]
    names = [v for v in values if 2 <= len(v) <= 3 and v[0] in aliases.SURNAMES and v[-1] not in aliases.PLACE_ENDINGS
             and all("\u4e00" <= ch <= "\u9fff" for ch in v)]
    distinct = len(set(names))  # people's names differ; a note repeated down a column (高风险) is no person
    return "person_name" if distinct >= 2 and distinct * 5 >= len(names) * 4 and len(names) * 2 >= len(values) else None


KEPT_ROLES = ("code", "name", "parent_name", "field", "ratio", "remainder", "round", "date", "duplicate")
VALUE_ROLES = ("code", "field", "ratio", "remainder", "round", "date", "duplicate")
VALUED_ROLES = ("field", "ratio", "remainder")  # a row with none of these filled is not a data row


def _body(body: pd.DataFrame, columns: list[Column]):
    """Data rows as text (index = file line), total rows apart, rows with no values skipped; value cells in
    full width made half width (NFKC); a parent name written only on its first row (a merged or blanked
    township cell) applies to the rows below it."""
    keep = [c for c in columns if c.role in KEPT_ROLES]
    frame = body[[c.index for c in keep]].set_axis([key(c) for c in keep], axis=1).rename_axis("line")
    for col in [c for c in keep if c.role in VALUE_ROLES]:
        frame[key(col)] = _half_width(frame[key(col)])
    role_of = {c.index: c.role for c in columns}
    valued = [key(c) for c in keep if role_of.get(c.same_as, c.role) in VALUED_ROLES]
    is_total = _total_rows(body, columns)
    has_values = (frame[valued] != "").any(axis=1) if valued else pd.Series(False, index=frame.index)
    totals = [(line, row) for line, row in frame[is_total].to_dict("index").items()]
    skipped = list(frame.index[~is_total & ~has_values])
    data = frame[~is_total & has_values].copy()
    for col in [c for c in keep if c.role == "parent_name"]:
        data[key(col)] = data[key(col)].replace("", pd.NA).ffill().fillna("")
    return data, totals, skipped


def _half_width(cells: pd.Series) -> pd.Series:
    """NFKC for the cells that are not ASCII (１２３４, ８７．５％, a full-width code), stripped again; ASCII cells
    (all of a province's canonical file) are left alone, cheaply."""
    wide = ~cells.str.isascii().astype(bool)
    if not wide.any():
        return cells
    return cells.where(~wide, cells[wide].map(lambda c: unicodedata.normalize("NFKC", c).strip()))


def key(column: Column) -> str:
    """The name of a column's cells in Report.frame: one per meaning, so no two columns share one."""
    if column.role == "duplicate":
        return f"duplicate:{column.index}"
    if column.role == "field":
        return column.field
    if column.role == "ratio":
        return f"ratio:{column.index}"
    if column.role == "remainder":
        return f"remainder:{column.field}"
    if column.role == "parent_name":
        return f"parent:{column.level}"
    return column.role


def _total_rows(body: pd.DataFrame, columns: list[Column]) -> pd.Series:
    """Rows whose label cells (name, 序号 or other text columns) say 合计/总计/小计/全区合计."""
    found = pd.Series(False, index=body.index)
    for col in [c for c in columns if c.role in ("name", "parent_name", "ignored", "unknown", "code")][:3]:
        cells = body[col.index]
        words = cells[~cells.str.isdecimal() & (cells != "")]  # a code is never a total's label: no regex over 500,000 codes
        hint = words.str.contains(_TOTAL_HINT, case=False, regex=True)
        labels = words[hint]
        found.loc[labels.index] |= labels.map(aliases.is_total_label).astype(bool)
    return found


_TOTAL_HINT = "|".join(aliases.TOTAL_WORDS + ("汇总",))


# ---- what the title and file name say -----------------------------------------------------------
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_FULL_DATE = re.compile(r"(20\d\d)\s*[年\-_.]?\s*(\d{1,2})\s*[月\-_.]?\s*(\d{1,2})\s*日?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_HOUR = re.compile(r"(\d{1,2})\s*(?:时|点|:00|h\b)")  # 截至18时, 18点, 18:00; 18h in a file name
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
    """The as-of hour in a title or a file name: 截至18时, 18点, 18:00, _18h; the last one after a date wins."""
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
