"""Download buttons for a table as shown: CSV and XLSX with the on-screen headers, in the page's language.

Use it under every table:

    downloads.table(frame, file_stem, ctx.lang, key="children")              # frame already has shown headers
    downloads.table(rows, stem, lang, key="x", labels={"name": "名称", ...})  # or rename with the labels shown
    downloads.table(rows, stem, lang, key="x", labels=column_config)         # st.column_config dicts work too

The files are made only when a button is clicked (no cost on each rerun) and
go through dashboard/output/exports.py, so a unit name that looks like a formula
stays text in Excel/WPS.
"""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from .. import i18n
from ..output import exports
from . import auth

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def shown(frame: pd.DataFrame, labels: dict | None) -> pd.DataFrame:
    """The columns that have a label, renamed to it; a column configuration dict gives its `label`."""
    if not labels:
        return frame
    names = {key: value.get("label") if isinstance(value, dict) else value for key, value in labels.items()}
    names = {key: label for key, label in names.items() if key in frame.columns and label}
    return frame[list(names)].rename(columns=names)


def file_name(stem: str, suffix: str) -> str:
    """A stem made safe for every file system: unit names may hold slashes or spaces."""
    return f"{_UNSAFE.sub('_', str(stem)).strip('_') or 'table'}.{suffix}"


def table(frame: pd.DataFrame, stem: str, lang: str, key: str, labels: dict | None = None,
          sheet: str | None = None) -> None:
    """CSV and Excel buttons side by side, without a rerun on click; none for a role without exports (leaders)."""
    if not auth.can("export"):
        return
    data = shown(frame, labels)
    with st.container(horizontal=True, gap="small", key=f"downloads-{key}"):
        st.download_button(i18n.t("download_csv", lang), data=lambda: exports.csv_bytes(data),
                           file_name=file_name(stem, "csv"), mime="text/csv", key=f"{key}-csv", on_click="ignore",
                           icon=":material/download:", help=i18n.t("download_table_help", lang), type="tertiary")
        st.download_button(i18n.t("download_xlsx", lang), data=lambda: exports.xlsx_bytes(data, sheet or "Sheet1"),
                           file_name=file_name(stem, "xlsx"), key=f"{key}-xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:", help=i18n.t("download_table_help", lang), type="tertiary")
