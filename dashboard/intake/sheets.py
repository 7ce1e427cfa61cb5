"""Raw cells from CSV or a workbook (XLSX, XLS, ODS), with the file's own row numbers and merged cells filled in.

CSV: UTF-8 (with or without BOM) if the bytes are valid UTF-8, else GB18030
(a superset of GBK and GB2312), so a name is never garbled. Workbooks: every
non-empty sheet (or the one asked for; which one holds the data is the report
reader's choice); merged cells repeat their top-left value over their whole
range, which is how a two-row header and a township cell merged down over its
villages read naturally. XLSX goes through openpyxl (its guards against zip and
entity bombs and declared sizes are tested); XLS (BIFF, as WPS and older Excel
save it), XLSB and ODS through python-calamine. The format is told from the
bytes as well as the name, so an `.xls` saved as `.csv` still reads.
"""
from __future__ import annotations

import csv
import functools
import html
import io
import pathlib
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from ..domain.messages import InputError, Message
from ..storage import queries
from . import limits

ENCODINGS = ("utf-8-sig", "gb18030")
PLAIN_CSV_MIN_BYTES = 1 << 20  # below 1 MB pandas is as fast; DuckDB pays off on province files


@dataclass
class Sheet:
    file: str
    cells: pd.DataFrame  # every cell as stripped text; index: the file's row number (1-based), blank rows dropped
    sheet_name: str | None = None
    book_sheets: tuple[str, ...] = ()  # every sheet of the workbook it came from, in order (empty for CSV)

    def head(self, n: int) -> list[list[str]]:
        """The first rows as lists (for finding the header)."""
        return self.cells.head(n).values.tolist()


def read_sheet(path, display_name: str | None = None, sheet: str | None = None) -> Sheet:
    """The file's cells (a workbook's first non-empty sheet, or the one asked for); a file over the limits
    (dashboard/intake/limits.py), empty, corrupt or binary is refused by name."""
    return read_sheets(path, display_name, sheet)[0]


def read_sheets(path, display_name: str | None = None, sheet: str | None = None) -> list[Sheet]:
    """Every non-empty sheet of a workbook (one for a CSV), or only the one asked for: the report reader picks the
    sheet that holds the data. Refused by name: over the limits, empty, corrupt, binary, a format no reader has."""
    path = pathlib.Path(path)
    file = display_name or path.name
    limits.check_size(file_size(path, file), file)
    kind = format_of(path)
    if kind == "xlsx":
        return _read_xlsx(path, file, sheet)
    if kind in CALAMINE_FORMATS:
        return _read_calamine(path, file, sheet, kind)
    if kind in SAVE_AS_FORMATS:
        raise InputError([Message("err_format_save_as", {"file": file, "format": SAVE_AS_FORMATS[kind]})])
    return [_read_csv(path, file)]


# The first bytes that tell a format whatever the file is named (kinds.py reads them too).
OLE_MAGIC, ZIP_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04"
CALAMINE_FORMATS = {"xls": ".xls", "xlsb": ".xlsb", "ods": ".ods", "et": ".et"}
# Formats no reader here has: the message names the format and says to save the file as XLSX.
SAVE_AS_FORMATS = {"numbers": "Apple Numbers (.numbers)", "wps": "WPS 文字 (.wps)", "doc": "Word (.doc)",
                   "docx": "Word (.docx)", "pdf": "PDF", "dbf": "dBASE (.dbf)", "ett": "WPS 表格模板 (.ett)"}


def format_of(path: pathlib.Path) -> str:
    """xlsx | xls | xlsb | ods | et | one of SAVE_AS_FORMATS | csv: from the first bytes where they are telling
    (an OLE compound file is an .xls or WPS .et whatever its name; a zip holding content.xml is an ODS), else
    from the suffix."""
    suffix = path.suffix.lower().lstrip(".")
    with path.open("rb") as f:
        head = f.read(8)
    if head == OLE_MAGIC:
        return suffix if suffix in ("et", "doc", "wps", "ett") else "xls"
    if head.startswith(ZIP_MAGIC) and _zip_has(path, "content.xml"):
        return "ods"  # an OpenDocument sheet, even uploaded under another name
    if head.startswith(ZIP_MAGIC) and suffix not in ("xlsx", "xlsm", "xlsb", "docx", "numbers", "ods"):
        return "xlsx"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    return suffix if suffix in CALAMINE_FORMATS or suffix in SAVE_AS_FORMATS else "csv"


def _zip_has(path: pathlib.Path, member: str) -> bool:
    """Whether a zip names this member (a damaged zip: no; the XLSX reader then names the broken file)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


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
        cells, trimmed = plain
        return Sheet(file, cells) if trimmed else _trimmed(Sheet(file, cells))
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


def _plain_csv(path: pathlib.Path, raw: bytes, file: str) -> tuple[pd.DataFrame, bool] | None:
    """Every cell as text, read by DuckDB, when the file is plain enough to need none of the special cases; and
    whether they are already as `_trimmed` would leave them (`_nothing_to_trim`).

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
    return cells, _nothing_to_trim(raw, table)


# Bytes that are whitespace (what `str.strip` takes off a cell) or may begin it in UTF-8 besides line ends: ASCII's,
# and the lead bytes of U+0085, U+00A0, U+1680, U+2000-U+205F and U+3000 (more than the whitespace itself: a file
# with one of their neighbours, a dash or 、, is only trimmed as before). One memchr each: a few ms for 13 MB.
_MAYBE_WHITESPACE = (b" ", b"\t", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f", b"\xc2", b"\xe1", b"\xe2", b"\xe3")


def _nothing_to_trim(raw: bytes, table) -> bool:
    """A plain file's cells (`_plain_csv`, as read into `table`) that `_trimmed` would leave as they are: no empty
    cell (DuckDB reads one as null; so no blank row either) and no whitespace but line ends. Why: stripping every
    cell and looking for blank rows cost a province file's 2 million cells about 70 ms, for nothing on a canonical
    file."""
    return (not any(column.null_count for column in table.columns) and not any(b in raw for b in _MAYBE_WHITESPACE)
            and raw.count(b"\r") == raw.count(b"\r\n"))


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


def _read_xlsx(path: pathlib.Path, file: str, wanted: str | None) -> list[Sheet]:
    """Every non-empty sheet (or the one asked for), after the zip directory and declared sizes were checked and
    each sheet's XML was scanned once (rows counted whatever the sheet declares; formulas with no value found).

    A large workbook is streamed (openpyxl's read-only mode): merged header
    cells then read as a CSV's do, the value in the first cell and blanks to
    its right, which the header detection fills in the same way.
    """
    limits.check_xlsx(path, file)
    streamed = limits.sheet_bytes(path) > STREAM_SHEETS_FROM_MB * limits.MB
    book, formulas = _guarded(file, _workbook, path, file, streamed)
    try:
        names = tuple(book.sheetnames)
        out = []
        for ws in [book[n] for n in _wanted(names, wanted, file)]:
            limits.check_sheet_shape(ws, file)
            rows = _guarded(file, _cells, ws, file, formulas.get(ws.title, {}))
            if any(any(cell for cell in row) for row in rows):
                out.append(_sheet(file, rows, ws.title, names))
    finally:
        if streamed:
            book.close()
    return _some(out, file)


def _wanted(names: tuple[str, ...], wanted: str | None, file: str) -> tuple[str, ...]:
    """The sheets to read: all, or the one asked for (a name that is not there is an error listing the names)."""
    if wanted is None:
        return names
    if wanted in names:
        return (wanted,)
    raise InputError([Message("err_no_such_sheet", {"file": file, "sheet": wanted, "sheets": "、".join(names)})])


def _sheet(file: str, rows: list[list[str]], title: str, names: tuple[str, ...]) -> Sheet:
    """A sheet's text rows as a trimmed Sheet (index: the sheet's row numbers, 1-based)."""
    widths = [len(row) for row in rows]
    width = max(widths)
    limits.check_width(width, file)
    if min(widths) < width:  # a streamed sheet's rows end at their last cell
        rows = [row + [""] * (width - len(row)) for row in rows]
    cells = pd.DataFrame(rows, dtype=object)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return _trimmed(Sheet(file, cells, title, names))


def _some(sheets: list[Sheet], file: str) -> list[Sheet]:
    if not sheets:
        raise InputError([Message("err_empty_file", {"file": file})])
    return sheets


def _read_calamine(path: pathlib.Path, file: str, wanted: str | None, kind: str) -> list[Sheet]:
    """XLS, XLSB, ODS (and WPS .et where it is BIFF inside) through python-calamine; a merged range spreads its
    top-left value. An ODS is a zip: its directory is checked for bombs first. A book the reader cannot open is
    named with its format and what to do (save it as .xlsx)."""
    if kind == "ods":
        limits.check_zip(path, file)
    book = _calamine_step(file, kind, _calamine_book, path)
    names = tuple(book.sheet_names)
    if len(names) > limits.MAX_SHEETS:
        raise limits.refuse("err_too_many_sheets", file, sheets=len(names), limit=limits.MAX_SHEETS)
    out = []
    for name in _wanted(names, wanted, file):
        rows = _calamine_step(file, kind, _calamine_rows, book, names.index(name), file)
        if any(any(cell for cell in row) for row in rows):
            out.append(_sheet(file, rows, name, names))
    return _some(out, file)


def _calamine_book(path: pathlib.Path):
    """The workbook, its format told by calamine from the bytes (from_path goes by the suffix, and an upload or
    a mis-named file has the wrong one)."""
    from python_calamine import CalamineWorkbook  # only old and OpenDocument workbooks need it

    with path.open("rb") as f:
        return CalamineWorkbook.from_filelike(f)


def _calamine_rows(book, index: int, file: str) -> list[list[str]]:
    """One sheet's cells as text, its size checked before the cells are read, merged ranges filled."""
    sheet = book.get_sheet_by_index(index)
    limits.check_rows(sheet.height, file)
    limits.check_width(sheet.width, file)
    rows = [[_text(v) for v in row] for row in sheet.to_python()]
    return _spread(rows, [((r0 + 1, c0 + 1), (r1 + 1, c1 + 1))
                          for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])])


def _calamine_step(file: str, kind: str, step, *args):
    """One calamine step; its errors (a damaged, encrypted or not-really-a-workbook file) say the format and that
    saving it as .xlsx helps, never a traceback."""
    try:
        return step(*args)
    except (InputError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises its own and OS errors alike
        raise InputError([Message("err_unreadable_book", {"file": file, "format": CALAMINE_FORMATS[kind],
                                                          "detail": type(exc).__name__})]) from exc


def _workbook(path: pathlib.Path, file: str, streamed: bool):
    """(the workbook, {sheet title: its formula cells with no value}). Each sheet's XML is scanned first
    (`_scanned`: its real row count refused past the limit, whatever its <dimension> claims); a loaded workbook
    only after that, and a streamed one reads every row it holds, not only those its dimension declares."""
    import openpyxl  # only XLSX needs it

    lazy = openpyxl.load_workbook(path, read_only=True, data_only=True)
    formulas = {}
    try:
        for ws in lazy.worksheets:
            limits.check_sheet_shape(ws, file)
            formulas[ws.title] = _scanned(path, ws._worksheet_path, file)  # openpyxl's own record of the member
            ws.reset_dimensions()
    finally:
        if not streamed:
            lazy.close()
    return (lazy if streamed else openpyxl.load_workbook(path, data_only=True)), formulas


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
# A cell holding a formula and no value: no <v> after the <f>, or an empty <v> where the cell is not text (a
# formula whose text result is empty is written <v></v> with t="str", and that is a value).
_NO_VALUE = re.compile(rb'<(?:\w+:)?c\b(?P<attrs>[^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>(?P<formula>[^<]*)</(?:\w+:)?f>)'
                       rb'\s*(?P<after></(?:\w+:)?c>|<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)')
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TEXT_TYPE = re.compile(rb'\bt="(?:str|s|inlineStr)"')
SCAN_CHUNK = 1 << 20


def _scanned(path: pathlib.Path, member: str, file: str) -> dict[tuple[int, int], str]:
    """One streamed pass over a sheet's XML: its rows counted, refused as soon as they pass the row limit (a
    6 MB workbook can declare 21 rows and hold 1.5 million: openpyxl would build them all first), and
    {(row, column): formula} for each formula cell that has no value (a workbook written by a script, or never
    recalculated), so that it reads as its formula, never as an empty cell."""
    import zipfile

    rows, carry, found = 0, b"", {}
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as xml:
        while chunk := xml.read(SCAN_CHUNK):
            text = carry + chunk
            end = text.rfind(b"</c>") + 4 if b"</c>" in text else 0  # a cell is never split between passes
            whole, carry = text[:end], text[end:]
            rows += len(_ROW_TAG.findall(whole))
            limits.check_rows(rows, file)
            found.update(_uncomputed(whole))
        rows += len(_ROW_TAG.findall(carry))
        limits.check_rows(rows, file)
    return found


def _uncomputed(xml: bytes) -> dict[tuple[int, int], str]:
    """{(row, column), 1-based: "=FORMULA"} for the cells of this XML that hold a formula and no value."""
    if b"<f" not in xml and b":f" not in xml:
        return {}
    out = {}
    for match in _NO_VALUE.finditer(xml):
        ref = _REF.search(match["attrs"])
        if ref is None or (b"</c>" not in match["after"] and _TEXT_TYPE.search(match["attrs"])):
            continue
        formula = html.unescape((match["formula"] or b"").decode("utf-8", "replace")) or "…"
        out[(int(ref[2]), _column_number(ref[1].decode()))] = f"={formula}"
    return out


def _column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27: the column of a cell reference."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


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


def _cells(ws, file: str, formulas: dict[tuple[int, int], str]) -> list[list[str]]:
    """Every cell as text, refused past the row limit whatever the sheet declared; a formula with no value reads
    as its formula (=SUM(C3:C9)), which no figure column takes for a number; a merged range repeats its top-left
    value (ranges outside the cells are ignored; a streamed sheet has none)."""
    rows = []
    for row in ws.iter_rows(values_only=True):
        rows.append([_text(v) for v in row])
        if len(rows) > limits.MAX_ROWS + limits.HEADER_ROWS:
            limits.check_rows(len(rows), file)
    for (r, c), formula in formulas.items():
        if r <= len(rows):
            rows[r - 1].extend([""] * (c - len(rows[r - 1])))
            rows[r - 1][c - 1] = formula
    ranges = ws.merged_cells.ranges if hasattr(ws, "merged_cells") else ()
    return _spread(rows, [((m.min_row, m.min_col), (m.max_row, m.max_col)) for m in ranges])


def _spread(rows: list[list[str]], ranges) -> list[list[str]]:
    """Each merged range ((row0, col0), (row1, col1), 1-based, inclusive) holds its top-left value in every cell,
    as it looks on screen; ranges outside the cells are ignored."""
    for (r0, c0), (r1, c1) in ranges:
        if r0 > len(rows) or c0 > len(rows[r0 - 1]):
            continue
        value = rows[r0 - 1][c0 - 1]
        for r in range(r0 - 1, min(r1, len(rows))):
            for c in range(c0 - 1, min(c1, len(rows[r]))):
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
