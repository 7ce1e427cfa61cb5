"""Raw cells from CSV or XLSX, with the file's own row numbers and merged header cells filled in.

CSV: UTF-8 (with or without BOM) if the bytes are valid UTF-8, else GB18030
(a superset of GBK and GB2312), so a name is never garbled. XLSX: the first
non-empty sheet, or the one asked for; merged cells repeat their value over
their whole range, which is how a two-row header reads naturally.
"""
from __future__ import annotations

import csv
import functools
import io
import pathlib
from dataclasses import dataclass

import duckdb
import pandas as pd

from . import limits, queries
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
    """The file's cells; a file over the limits (dashboard/limits.py), empty, corrupt or binary is refused by name."""
    path = pathlib.Path(path)
    file = display_name or path.name
    limits.check_size(file_size(path, file), file)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, file, sheet)
    return _read_csv(path, file)


def file_size(path: pathlib.Path, file: str) -> int:
    """Its size in bytes; a missing file or a folder is an input error, not a traceback."""
    try:
        if not path.is_file():
            raise FileNotFoundError(path)
        return path.stat().st_size
    except OSError as exc:
        raise InputError([Message("err_no_file", {"file": file})]) from exc


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def as_utf8(raw: bytes, file: str) -> bytes:
    """UTF-16 with its byte-order mark (what Excel's "Unicode text" saves) as UTF-8, so the limits, the plain
    reader and the decoder see one encoding; any other bytes as they are."""
    if raw[:2] not in UTF16_BOMS:
        return raw
    try:
        return raw.decode("utf-16").encode("utf-8")
    except UnicodeError as exc:
        raise InputError([Message("err_binary_file", {"file": file})]) from exc


def decode(raw: bytes, file: str) -> str:
    """UTF-8 (BOM or not), else GB18030; bytes that are neither, or hold NUL, are a binary file, not a table."""
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise InputError([Message("err_binary_file", {"file": file})])


def text_of(path: pathlib.Path, file: str) -> str:
    """A text file's content after the limits on lines and line length (checked on the bytes, before decoding)."""
    raw = as_utf8(path.read_bytes(), file)
    limits.check_text(raw, file)
    return decode(raw, file)


def _read_csv(path: pathlib.Path, file: str) -> Sheet:
    """pandas' C parser for the body (500,000 rows in well under a second); the csv module for ragged files;
    DuckDB's reader for plain UTF-8 files (a province's canonical daily file), twice as fast again."""
    given = path.read_bytes()
    raw = as_utf8(given, file)
    limits.check_text(raw, file)
    plain = _plain_csv(path, raw, file) if raw is given else None  # DuckDB reads the file itself: UTF-8 only
    if plain is not None:
        return _trimmed(Sheet(file, plain))
    text = decode(raw, file)  # only here: decoding a plain 20 MB file cost it 12 ms it does not need
    first_lines = _first_lines(text)
    delimiter = _delimiter(first_lines)
    try:
        head = list(csv.reader(io.StringIO(first_lines), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError([Message("err_bad_csv", {"file": file})]) from exc
    width = max((len(row) for row in head), default=0)
    limits.check_width(width, file)
    try:
        cells = pd.read_csv(io.StringIO(text), header=None, names=range(max(width, 1)), dtype=str, sep=delimiter,
                            keep_default_na=False, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, ValueError):  # a later row wider than the first 50, or an unclosed quote
        cells = pd.DataFrame(_ragged_rows(text, delimiter, file), dtype=object).fillna("")
    limits.check_rows(len(cells), file)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return _trimmed(Sheet(file, cells))


def _first_lines(text: str) -> str:
    """The first 50 lines, to sniff the delimiter and the width from."""
    return "\n".join(_head(text, 50).splitlines()[:50])


def _head(text: str | bytes, lines: int) -> str | bytes:
    """The text (or bytes) up to its `lines`-th line end, or all of it: sniffing must not split a 30 MB file."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    end = -1
    for _ in range(lines):
        end = text.find(newline, end + 1)
        if end < 0:
            return text
    return text[:end + 1]


DELIMITERS = (",", "\t", ";")


@functools.cache
def _csv_reader() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for every CSV this process reads (a cursor per read, so threads may share it): a new
    instance per file took 15 ms of a 500,000-row file's 100."""
    return duckdb.connect()


def _plain_csv(path: pathlib.Path, raw: bytes, file: str) -> pd.DataFrame | None:
    """Every cell as text, read by DuckDB, when the file is plain enough to need none of the special cases.

    Plain: UTF-8 without BOM, no quotes, no NUL, no blank line, one line ending, and every line as wide as
    the first. Then the cells are the same as pandas would give, line for line (the row count is checked
    against the line count); anything else returns None and the general reader takes it.
    """
    if (raw[:3] == b"\xef\xbb\xbf" or any(mark in raw for mark in (b'"', b"\x00", b"\n\n", b"\n\r\n"))
            or raw.count(b"\r") not in (0, raw.count(b"\n")) or not raw.strip() or len(raw) < PLAIN_CSV_MIN_BYTES):
        return None
    try:  # the head is enough to sniff from; the body's UTF-8 is DuckDB's to check (it refuses invalid bytes)
        first_lines = _first_lines(_head(raw, 50).decode("utf-8"))
    except UnicodeDecodeError:
        return None
    delimiter = _delimiter(first_lines)
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    width = first_lines.split("\n", 1)[0].count(delimiter) + 1
    limits.check_width(width, file)
    try:
        with _csv_reader().cursor() as con:
            table = con.sql(queries.sql("csv_cells"), params={
                "path": str(path), "delim": delimiter,
                "columns": {f"c{i}": "VARCHAR" for i in range(width)}}).to_arrow_table()
    except duckdb.Error:
        return None
    if table.num_rows != lines:
        return None
    limits.check_rows(table.num_rows, file)
    cells = table.to_pandas().fillna("")
    cells.columns = range(width)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return cells


def _delimiter(first_lines: str) -> str:
    """The separator that splits the most of the first lines into the same number (>1) of cells; ',' on a tie.

    Not csv.Sniffer: it picks ';' for a comma file whose cells hold a
    semicolon (a note, a name such as "a; b") and the header is then lost.
    """
    def agreeing(delimiter: str) -> int:
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(first_lines), delimiter=delimiter) if any(row)]
        except csv.Error:
            return 0
        wide = [w for w in widths if w > 1]
        return max((wide.count(w) for w in set(wide)), default=0)
    return max(DELIMITERS, key=lambda d: (agreeing(d), -DELIMITERS.index(d)))


def _ragged_rows(text: str, delimiter: str, file: str) -> list[list[str]]:
    """Rows of uneven width, each within the column limit; a quote never closed is refused by name."""
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            limits.check_width(len(row), file)
            rows.append(row)
    except csv.Error as exc:  # e.g. a quoted field running to the end of the file
        raise InputError([Message("err_bad_csv", {"file": file})]) from exc
    return rows


STREAM_SHEETS_FROM_MB = 64  # sheet XML beyond this is streamed: openpyxl holds a loaded cell in ~100 bytes of memory


def _read_xlsx(path: pathlib.Path, file: str, wanted: str | None) -> Sheet:
    """The first non-empty sheet (or the one asked for), after the zip directory and declared sizes were checked.

    A large workbook is streamed (openpyxl's read-only mode): merged header
    cells then read as a CSV's do, the value in the first cell and blanks to
    its right, which the header detection fills in the same way.
    """
    limits.check_xlsx(path, file)
    streamed = limits.sheet_bytes(path) > STREAM_SHEETS_FROM_MB * limits.MB
    book = _guarded(file, _workbook, path, file, streamed)
    try:
        sheets = [book[wanted]] if wanted in book.sheetnames else book.worksheets
        for ws in sheets:
            limits.check_sheet_shape(ws, file)
            rows = _guarded(file, _cells, ws, file)
            if any(any(cell for cell in row) for row in rows):
                limits.check_width(max(len(row) for row in rows), file)
                cells = pd.DataFrame(rows, dtype=object).fillna("")
                cells.index = pd.RangeIndex(1, len(cells) + 1)
                return _trimmed(Sheet(file, cells, ws.title))
    finally:
        if streamed:
            book.close()
    raise InputError([Message("err_empty_file", {"file": file})])


def _workbook(path: pathlib.Path, file: str, streamed: bool):
    """The workbook; a loaded one only after a read-only pass checked each sheet's declared size (no cells read)."""
    import openpyxl  # only XLSX needs it

    lazy = openpyxl.load_workbook(path, read_only=True, data_only=True)
    if streamed:
        return lazy
    try:
        for ws in lazy.worksheets:
            limits.check_sheet_shape(ws, file)
    finally:
        lazy.close()
    return openpyxl.load_workbook(path, data_only=True)


def _guarded(file: str, step, *args):
    """One openpyxl step. openpyxl fails in many ways on a damaged workbook (zlib, XML, KeyError, IndexError...),
    a streamed one only while its rows are read: all mean the same to the user, a corrupt file. XML entity
    tricks are refused by defusedxml, which openpyxl uses when it is installed."""
    try:
        return step(*args)
    except (InputError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - see the docstring
        raise InputError([Message("err_corrupt_xlsx", {"file": file, "detail": type(exc).__name__})]) from exc


def _cells(ws, file: str) -> list[list[str]]:
    """Every cell as text, refused past the row limit whatever the sheet declared; a merged range repeats its
    top-left value (ranges outside the cells are ignored; a streamed sheet has none)."""
    rows = []
    for row in ws.iter_rows(values_only=True):
        rows.append([_text(v) for v in row])
        if len(rows) > limits.MAX_ROWS + limits.HEADER_ROWS:
            limits.check_rows(len(rows), file)
    for merged in ws.merged_cells.ranges if hasattr(ws, "merged_cells") else ():
        if merged.min_row > len(rows) or merged.min_col > len(rows[merged.min_row - 1]):
            continue
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
