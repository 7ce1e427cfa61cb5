"""Raw cells from CSV or XLSX, with the file's own row numbers and merged header cells filled in.

CSV: UTF-8 (with or without BOM) if the bytes are valid UTF-8, else GB18030
(a superset of GBK and GB2312), so a name is never garbled. XLSX: the first
non-empty sheet, or the one asked for; merged cells repeat their value over
their whole range, which is how a two-row header reads naturally.
"""
from __future__ import annotations

import csv
import io
import pathlib
import zipfile
from dataclasses import dataclass

from .messages import InputError, Message

ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class Sheet:
    file: str
    rows: list[list[str]]
    lines: list[int]  # the file's row number (1-based) of each row
    sheet_name: str | None = None


def read_sheet(path, display_name: str | None = None, sheet: str | None = None) -> Sheet:
    path = pathlib.Path(path)
    file = display_name or path.name
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, file, sheet)
    return _read_csv(path, file)


def decode(raw: bytes, file: str) -> str:
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise InputError([Message("err_unreadable", {"file": file, "detail": "not a text table"})])


def _read_csv(path: pathlib.Path, file: str) -> Sheet:
    text = decode(path.read_bytes(), file)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    return _trimmed(Sheet(file, rows, list(range(1, len(rows) + 1))))


def _read_xlsx(path: pathlib.Path, file: str, wanted: str | None) -> Sheet:
    import openpyxl  # only XLSX needs it

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError([Message("err_unreadable", {"file": file, "detail": type(exc).__name__})]) from exc
    sheets = [book[wanted]] if wanted in book.sheetnames else book.worksheets
    for ws in sheets:
        rows = _cells(ws)
        if any(any(cell for cell in row) for row in rows):
            return _trimmed(Sheet(file, rows, list(range(1, len(rows) + 1)), ws.title))
    raise InputError([Message("err_empty_file", {"file": file})])


def _cells(ws) -> list[list[str]]:
    """Every cell as text; a merged range repeats its top-left value."""
    rows = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:
        value = rows[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(rows[r]))):
                rows[r][c] = value
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _trimmed(sheet: Sheet) -> Sheet:
    """Drops blank rows (keeping line numbers) and pads rows to one width."""
    kept = [(row, line) for row, line in zip(sheet.rows, sheet.lines) if any(cell for cell in row)]
    width = max((len(row) for row, _ in kept), default=0)
    sheet.rows = [row + [""] * (width - len(row)) for row, _ in kept]
    sheet.lines = [line for _, line in kept]
    return sheet
