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

import duckdb
import pandas as pd

from .messages import InputError, Message

ENCODINGS = ("utf-8-sig", "gb18030")
PLAIN_CSV_MIN_BYTES = 1 << 20  # below 1 MB pandas is as fast; DuckDB pays off on province files


@dataclass
class Sheet:
    file: str
    cells: pd.DataFrame  # every cell as stripped text; index: the file's row number (1-based), blank rows dropped
    sheet_name: str | None = None

    def head(self, n: int) -> list[list[str]]:
        """The first rows as lists (for finding the header)."""
        return self.cells.head(n).values.tolist()


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
    """pandas' C parser for the body (500,000 rows in well under a second); the csv module for ragged files;
    DuckDB's reader for plain UTF-8 files (a province's canonical daily file), twice as fast again."""
    raw = path.read_bytes()
    text = decode(raw, file)
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    plain = _plain_csv(path, raw, text, delimiter)
    if plain is not None:
        return _trimmed(Sheet(file, plain))
    head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:50])), delimiter=delimiter))
    width = max((len(row) for row in head), default=0)
    try:
        cells = pd.read_csv(io.StringIO(text), header=None, names=range(width), dtype=str, sep=delimiter,
                            keep_default_na=False, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, ValueError):  # a later row wider than the first 50
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        cells = pd.DataFrame(rows, dtype=object).fillna("")
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return _trimmed(Sheet(file, cells))


def _plain_csv(path: pathlib.Path, raw: bytes, text: str, delimiter: str) -> pd.DataFrame | None:
    """Every cell as text, read by DuckDB, when the file is plain enough to need none of the special cases.

    Plain: UTF-8 without BOM, no quotes, no NUL, no blank line, one line ending, and every line as wide as
    the first. Then the cells are the same as pandas would give, line for line (the row count is checked
    against the line count); anything else returns None and the general reader takes it.
    """
    if (raw[:3] == b"\xef\xbb\xbf" or any(mark in raw for mark in (b'"', b"\x00", b"\n\n", b"\n\r\n"))
            or raw.count(b"\r") not in (0, raw.count(b"\n")) or not raw.strip() or len(raw) < PLAIN_CSV_MIN_BYTES):
        return None
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    width = text[:text.find("\n") if "\n" in text else len(text)].count(delimiter) + 1
    try:
        with duckdb.connect() as con:
            table = con.sql("select * from read_csv($path, header = false, all_varchar = true, delim = $delim, "
                            "quote = '', escape = '', auto_detect = false, columns = $columns, strict_mode = true)",
                            params={"path": str(path), "delim": delimiter,
                                    "columns": {f"c{i}": "VARCHAR" for i in range(width)}}).to_arrow_table()
    except duckdb.Error:
        return None
    if table.num_rows != lines:
        return None
    cells = table.to_pandas().fillna("")
    cells.columns = range(width)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return cells


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
            cells = pd.DataFrame(rows, dtype=object).fillna("")
            cells.index = pd.RangeIndex(1, len(cells) + 1)
            return _trimmed(Sheet(file, cells, ws.title))
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
    """Stripped text cells, blank rows dropped (the index keeps the file's line numbers)."""
    cells = sheet.cells.fillna("").astype(str)
    cells = cells.apply(lambda column: column.str.strip())
    sheet.cells = cells[(cells != "").any(axis=1)]
    sheet.cells.columns = range(sheet.cells.shape[1])
    return sheet
