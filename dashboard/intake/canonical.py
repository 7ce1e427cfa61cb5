"""A canonical CSV checked and typed in one DuckDB read: no text cell of it goes through pandas.

Canonical: the layout the product itself writes and most offices' systems export, a header row of known columns
(a code column and count columns, nothing else) and then one row per unit, every cell plain digits. Such a file
needs none of the general reader's work (sheets → reports → ingest._validated: title lines, merged headers,
totals, footers, full-width digits, separators, names, personal data), and a province's day of it (485,000 rows)
spent most of its plan there: text cells into pandas, checked column by column, codes matched as text.

This path only ever proves a file clean. Anything it does not expect (a byte other than a digit, comma or line
end below the header, an empty cell, a count of more than 10 digits, a code that is not a unit's as written, a
unit twice, a header the general reader would take differently) and it returns None: the general reader then
reads the file as before and words every message, so no message depends on which path ran. What it returns is
what the general reader gives for the same file (tests/test_canonical.py compares the two on every kind of file).
"""
from __future__ import annotations

import pathlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ..domain import aliases
from ..domain.messages import InputError
from ..storage import queries
from ..storage.store import Store
from . import limits, reports, sheets

DIGITS_AND_COMMAS = b"0123456789,\n"
MAX_COUNT_DIGITS = 10  # shorter than any personal number's digits (reports.PLAIN_LENGTHS), and below MAX_COUNT
assert MAX_COUNT_DIGITS < min(reports.PLAIN_LENGTHS) and 10 ** MAX_COUNT_DIGITS <= limits.MAX_COUNT


@dataclass
class Canonical:
    """A canonical file as read: its report (the header's columns; no text cells) and its rows as ingest's
    `_validated` types them (code, num, prefix_len, and every count column's field as Int64; index: the file's
    line)."""
    report: reports.Report
    rows: pd.DataFrame


def read(store: Store, path: pathlib.Path, file: str) -> Canonical | None:
    """The file read the canonical way, or None where the general reader must read it (see the module)."""
    raw = path.read_bytes()
    header, body = _header(raw, file), _body(raw)
    columns = _columns(header, body[0], file) if header is not None and body is not None else None
    if columns is None:
        return None
    table = _typed(store, path, columns)
    if table is None or table.num_rows != body[1] or any(column.null_count for column in table.columns):
        return None
    units = _units(store, table)
    if units is None:
        return None
    frame = pd.DataFrame(columns=[reports.key(c) for c in columns], dtype="str").rename_axis("line")
    return Canonical(reports.Report(file, "", columns, frame), _rows(table, units, columns))


def _body(raw: bytes) -> tuple[bytes, int] | None:
    """The bytes below the header line and how many rows they hold, where they are only digits, commas and line
    ends, with no empty cell (a blank line or an empty last cell DuckDB would not report), within the limits on rows
    and size."""
    if b"\n" not in raw:
        return None
    body = raw[raw.index(b"\n") + 1:]
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if (not body or body.translate(None, DIGITS_AND_COMMAS) or lines > limits.MAX_ROWS
            or len(raw) > limits.MAX_FILE_MB * limits.MB or _empty_cell(body)):
        return None
    return body, lines


def _empty_cell(body: bytes) -> bool:
    """Whether a cell of `body` (only digits, commas and line ends) is empty: a separator first, a comma last, or
    two separators side by side. One numpy pass over the bytes: looking for a blank line and for a comma before a
    line end as substrings took ~28 ms of a 13 MB file (a separator every few bytes stops each search)."""
    separator = np.frombuffer(body, np.uint8) < ord("0")  # commas and line ends sort below the digits
    return bool(separator[0] or body.endswith(b",") or np.any(separator[1:] & separator[:-1]))


def _rows(table: pa.Table, units: np.ndarray, columns: list[reports.Column]) -> pd.DataFrame:
    """The typed rows as ingest's `_validated` types them, indexed by the file's line (the header is line 1)."""
    rows = pd.DataFrame({"code": table["code"].to_pandas(), "num": table["num"].to_numpy()})
    rows["prefix_len"] = units
    for column in [c for c in columns if c.role == "field"]:
        rows[column.field] = pd.array(table[column.field].combine_chunks(), dtype="Int64")
    rows.index = pd.RangeIndex(2, len(rows) + 2, name="line")
    return rows


def _header(raw: bytes, file: str) -> list[str] | None:
    """The first line's cells, where they are plain: UTF-8, no quote, no cell empty or with space around it."""
    if b"\n" not in raw or raw.startswith(sheets.UTF16_BOMS) or raw[:3] == b"\xef\xbb\xbf":
        return None
    line = raw[:raw.index(b"\n")]
    if len(line) > limits.MAX_LINE_BYTES or any(mark in line for mark in (b'"', b"\r", b"\x00")):
        return None
    try:
        cells = line.decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    if len(cells) > limits.MAX_COLUMNS or any(not cell or cell != cell.strip() for cell in cells):
        return None
    return cells


def _columns(header: list[str], body: bytes, file: str) -> list[reports.Column] | None:
    """The header's columns as the report reader takes them, where that is one code column and count columns of
    scale 1 (no name, ratio, remainder, ignored or repeated column), in a header of one row at the top."""
    head = [header] + [line.split(",") for line in sheets._head(body, reports.HEADER_SCAN_ROWS).decode().split("\n")
                       if line]
    try:
        columns = reports.columns_at_top(file, head)
    except InputError:
        return None
    if columns is None or [c.role for c in columns].count("code") != 1:
        return None
    if any(c.role not in ("code", "field") or c.scale != 1 or aliases.is_personal_header(c.header) for c in columns):
        return None
    return columns


def _typed(store: Store, path: pathlib.Path, columns: list[reports.Column]) -> pa.Table | None:
    """The rows as DuckDB reads them (queries/canonical_rows.sql): the code, its length and num, each count."""
    names = {f"c{c.index}": c for c in columns}
    code = [name for name, c in names.items() if c.role == "code"]
    try:
        with store.read() as cur:
            table = cur.sql(queries.text("canonical_rows", {"code": code, "counts": [
                name for name, c in names.items() if c.role == "field"]}),
                params={"path": str(path), "columns": {name: "VARCHAR" for name in names}}).to_arrow_table()
    except Exception:  # noqa: BLE001 - any read DuckDB refuses (a ragged row, bad UTF-8) is the general reader's
        return None
    fields = {f"c{c.index}": c.field for c in columns if c.role == "field"}
    return table.rename_columns([fields.get(name, name) for name in table.column_names])


def _units(store: Store, table: pa.Table) -> np.ndarray | None:
    """Each row's unit's prefix_len (int8), where every code is a unit's code as written and no unit comes twice.

    The code check on integers: a unit's num is its code's digits padded to 15, and no two units share one (a
    grid's code never ends in 000), so a code is a unit's as written when its num is a unit's and a 15-digit code
    is a grid's. One binary search per row in the units' sorted nums: a hash join on the code's text took
    ~130 ms of a province day's CPU."""
    with store.read() as cur:
        units = cur.sql(queries.sql("unit_nums")).fetchnumpy()
    known, levels = np.asarray(units["num"], dtype=np.int64), np.asarray(units["prefix_len"], dtype=np.int8)
    if len(known) and not np.all(known[1:] > known[:-1]):
        order = np.argsort(known, kind="stable")
        known, levels = known[order], levels[order]
        if not np.all(known[1:] > known[:-1]):
            return None
    nums = table["num"].to_numpy()
    if not len(known):
        return None
    at = np.minimum(np.searchsorted(known, nums), len(known) - 1)
    grid = table["code_len"].to_numpy() == 15
    if not (np.array_equal(known[at], nums) and np.array_equal(levels[at] == 15, grid)):
        return None
    if not np.all(nums[1:] > nums[:-1]) and len(np.unique(nums)) < len(nums):
        return None
    return levels[at]
