"""How large an input file may be, and the checks that refuse a hostile or broken one before it is parsed.

Why a module of its own: the CLI, the import page and Streamlit's upload
limit (.streamlit/config.toml `server.maxUploadSize`, checked by a test) must
agree, and every reader (reports, units, the population register) must run the
same checks before pandas or openpyxl sees the bytes: a zip bomb or a 10 MB
line costs nothing to refuse here and minutes of memory to refuse later.

The sizes fit a province's day file with room to spare: 500,000 grid rows of
a domain are about 30 MB of CSV.
"""
from __future__ import annotations

import pathlib
import zipfile

import numpy as np

from ..domain.messages import InputError, Message

MB = 1024 * 1024
MAX_UPLOAD_MB = 100              # the import page (and Streamlit's server.maxUploadSize)
MAX_FILE_MB = 500                # the command line: a nightly job may load a whole province's day
MAX_ROWS = 1_000_000             # lines of a CSV, rows of a sheet (Excel's own limit is 1,048,576)
MAX_COLUMNS = 200                # a report has a code, a name and at most a few dozen fields
MAX_SHEETS = 50
MAX_LINE_BYTES = 100_000         # one CSV line: 200 columns of 500 characters
MAX_UNZIPPED_MB = 1024           # an XLSX's members together, uncompressed
MAX_NAME_CHARS = 50             # a unit's name: the longest real ones (双江拉祜族佤族布朗族傣族自治县) are under 20
MAX_COUNT = 10**12               # a count cell (people, households): more is a typo or an attack, not a count
MAX_ZIP_RATIO = 200              # uncompressed / compressed per member (sheet XML compresses ~5-20×; bombs 1000×+)
MAX_ROW_MESSAGES = 200          # per check and column: then one line says how many more rows (nobody reads 100,000)
HEADER_ROWS = 100               # title and header lines allowed above MAX_ROWS data rows
_RATIO_FROM_BYTES = MB           # small members (styles, shared strings of a tiny file) may compress better
_SHEET_PREFIX = "xl/worksheets/"


def refuse(key: str, file: str, **values) -> InputError:
    """The error for a file refused as a whole: one message, naming the file."""
    return InputError([Message(key, {"file": file, **values})])


def check_size(size: int, file: str, limit_mb: int = MAX_FILE_MB) -> None:
    """An empty file or one larger than the limit is refused before it is read."""
    if size == 0:
        raise refuse("err_zero_bytes", file)
    if size > limit_mb * MB:
        raise refuse("err_file_too_large", file, size=f"{size / MB:,.1f}", limit=limit_mb)


def check_text(raw: bytes, file: str) -> None:
    """A CSV's bytes: not too many lines, no line longer than MAX_LINE_BYTES (numpy: a 500 MB file in a second)."""
    data = np.frombuffer(raw, dtype=np.uint8)
    newline = 10 if b"\n" in raw or b"\r" not in raw else 13  # old Mac files end lines in CR alone
    breaks = np.flatnonzero(data == newline)
    lines = len(breaks) + (0 if raw.endswith(bytes([newline])) else 1)
    if lines > MAX_ROWS + HEADER_ROWS:
        raise refuse("err_too_many_rows", file, limit=f"{MAX_ROWS:,}")
    edges = np.concatenate(([-1], breaks, [len(data)]))
    lengths = np.diff(edges) - 1
    if len(lengths) and lengths.max() > MAX_LINE_BYTES:
        row = int(np.argmax(lengths > MAX_LINE_BYTES)) + 1
        raise refuse("err_line_too_long", file, row=row, limit=f"{MAX_LINE_BYTES:,}")


def check_width(width: int, file: str) -> None:
    if width > MAX_COLUMNS:
        raise refuse("err_too_many_columns", file, columns=f"{width:,}", limit=MAX_COLUMNS)


def check_rows(rows: int, file: str) -> None:
    if rows > MAX_ROWS + HEADER_ROWS:
        raise refuse("err_too_many_rows", file, limit=f"{MAX_ROWS:,}")


def check_xlsx(path: pathlib.Path, file: str) -> None:
    """The zip directory of an XLSX, read before openpyxl inflates anything: a real workbook, not a bomb."""
    members = _zip_members(path, file, "err_not_xlsx")
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise refuse("err_not_xlsx", file)
    sheets = [n for n in names if n.startswith(_SHEET_PREFIX) and n.endswith(".xml") and "/_rels/" not in n]
    if len(sheets) > MAX_SHEETS:
        raise refuse("err_too_many_sheets", file, sheets=len(sheets), limit=MAX_SHEETS)
    _check_inflation(members, file)


def check_zip(path: pathlib.Path, file: str) -> None:
    """Any other zip (a zipped Shapefile): a sound directory and no bomb, before GDAL inflates it."""
    _check_inflation(_zip_members(path, file, "err_bad_zip"), file)


def _zip_members(path: pathlib.Path, file: str, refusal: str) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise refuse(refusal, file) from exc


def _check_inflation(members: list[zipfile.ZipInfo], file: str) -> None:
    """The sizes in the directory are what the members claim; zipfile and GDAL stop reading a member at its
    claimed size, so a member cannot inflate beyond it: the claims are what is checked."""
    total = sum(m.file_size for m in members)
    inflated = [m for m in members
                if m.file_size > _RATIO_FROM_BYTES and m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1)]
    if total > MAX_UNZIPPED_MB * MB or inflated:
        raise refuse("err_zip_bomb", file, size=f"{total / MB:,.0f}", limit=MAX_UNZIPPED_MB, ratio=MAX_ZIP_RATIO)


def sheet_bytes(path: pathlib.Path) -> int:
    """The uncompressed size of an XLSX's sheet XML (after check_xlsx: the directory is known to be sound)."""
    with zipfile.ZipFile(path) as archive:
        return sum(m.file_size for m in archive.infolist() if m.filename.startswith(_SHEET_PREFIX))


def check_sheet_shape(ws, file: str) -> None:
    """A sheet's declared size (its <dimension>), before its cells are turned into a table."""
    check_rows(ws.max_row or 0, file)
    check_width(ws.max_column or 0, file)
