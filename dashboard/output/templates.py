"""下载填报模板: a report template per domain for a unit, its reporting units' codes and names filled in.

Headers are the Chinese labels the alias table knows, so a filled-in
template comes back clean through the ordinary ingest path.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd

from .. import i18n
from ..analysis import rollup
from ..domain import codes, fields
from ..storage.store import Store
from . import exports


def template(store: Store, domain: str, code: str, level: str | None = None, lang: str = "zh") -> pd.DataFrame:
    """One row per unit at `level` (default: the unit's children's level) under `code`, figures blank."""
    unit = rollup.unit(store, code)
    level = level or _child_level(unit["level"])
    members = store.query("units_in_subtree", lo=int(unit["num"]), hi=int(unit["num"]) + codes.span(unit["level"]),
                          prefix_len=codes.PREFIX_LEN[level])
    frame = pd.DataFrame({i18n.t("col_code", lang): members["code"], i18n.t("col_name", lang): members["name"]})
    for f in fields.domain_fields(domain):
        frame[f.label(lang)] = pd.Series([pd.NA] * len(frame), dtype="Int64")
    return frame


def _child_level(level: str) -> str:
    return codes.LEVELS[min(codes.LEVELS.index(level) + 1, len(codes.LEVELS) - 1)]


_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s]+')


def file_name(store: Store, domain: str, code: str, day: dt.date, lang: str = "zh") -> str:
    """The unit's name made safe for a file system (a name may hold a slash): the CLI writes to it as given."""
    name = _UNSAFE_IN_NAME.sub("_", str(rollup.unit(store, code)["name"])).strip("_.") or code
    return f"{name}_{fields.DOMAIN_LABELS[domain][lang]}_{day:%Y%m%d}.xlsx"


def xlsx_bytes(frame: pd.DataFrame, title: str) -> bytes:
    """The template as XLSX: a title line (which ingest reads for date and unit), then the header and rows.

    Names and the title go through exports' formula guard: a unit named '=1+1' is text in Excel, not a formula.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        exports.neutralised(frame).to_excel(writer, index=False, startrow=1, sheet_name="填报")
        sheet = writer.sheets["填报"]
        sheet.cell(row=1, column=1, value=exports.safe_cell(title))
        for column, header in enumerate(frame.columns, start=1):
            sheet.column_dimensions[sheet.cell(row=2, column=column).column_letter].width = max(10, len(header) * 2 + 2)
    return buffer.getvalue()
