"""Table downloads: CSV and XLSX with the headers shown on screen, safe to open in a spreadsheet.

A text cell that starts with =, +, - or @ would run as a formula in Excel or
WPS (a unit name comes from an uploaded file): it is prefixed with ' so it
shows as text. Numbers stay numbers, negative changes included.
"""
from __future__ import annotations

import io

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would read as formulas get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def safe_cell(value):
    """One value as a spreadsheet may hold it: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A download: `csv_text` in UTF-8 with BOM, so Excel on a Chinese Windows opens the names right."""
    return csv_text(frame).encode("utf-8-sig")


def csv_text(frame: pd.DataFrame) -> str:
    """Every CSV the product writes (downloads, `coverage --format csv`): neutralised cells, CRLF line ends
    (RFC 4180: the csv writer then quotes any cell holding a CR or LF, so a name with a line break cannot split
    its row)."""
    return neutralised(frame).to_csv(index=False, lineterminator="\r\n")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralised(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()
