"""Reading tabular files (CSV in any common Chinese encoding, XLSX) into text frames."""
from __future__ import annotations

import io
import pathlib

import pandas as pd

from ..domain import aliases
from ..domain.messages import InputError, Message
from . import limits
from .sheets import file_size, text_of  # one decoder for every CSV (UTF-8 first, else GB18030), one set of limits

# One table of unit-column headers for every reader (dashboard/domain/aliases.py): the generic words first, so a unit
# list's 区划代码/名称 are found before a level word such as 村 or 乡镇.
CODE_HEADERS = aliases.CODE_ALIASES
NAME_HEADERS = aliases.NAME_ALIASES


def read_table(path: pathlib.Path | str, display_name: str | None = None) -> pd.DataFrame:
    """All cells as stripped strings ('' for empty); header names stripped. The limits of dashboard/intake/limits.py apply."""
    path = pathlib.Path(path)
    file = display_name or path.name
    limits.check_size(file_size(path, file), file)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            limits.check_xlsx(path, file)
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            frame = pd.read_csv(io.StringIO(text_of(path, file)), dtype=str,
                                keep_default_na=False, skipinitialspace=True)
    except InputError:
        raise
    except Exception as exc:  # pandas raises many kinds for a broken file
        raise InputError([Message("err_unreadable", {"file": file, "detail": type(exc).__name__})]) from exc
    limits.check_width(len(frame.columns), file)
    limits.check_rows(len(frame), file)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")  # the file's line numbers: header is line 1
    return frame.apply(lambda col: col.str.strip())


def find_column(frame: pd.DataFrame, headers) -> str | None:
    """The first column whose header is one of `headers` (case-insensitive), in the order of `headers`."""
    lowered = {c.lower(): c for c in frame.columns}
    for alias in headers:
        if alias.lower() in lowered:
            return lowered[alias.lower()]
    return None
