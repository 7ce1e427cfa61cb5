"""What an uploaded file is, from its content: a unit list, a boundary file, a population register or a report.

Why from the content: a clerk's file is named whatever the office named it
(`名录.csv`, `新建 Microsoft Excel 工作表.xlsx`, `村界.zip`), and the import page
takes every kind through one uploader. The bytes say more than the name: a
zip holding a Shapefile, a GeoPackage's SQLite header, GeoJSON's
`"FeatureCollection"`; for a table, its header row: code and name and no
figure is a unit list, code and only register figures (常住人口, 应检人数,
目标人群, 总户数) a register, anything else a report (whose reader then says
what it found or misses).
"""
from __future__ import annotations

import pathlib
import zipfile

import pandas as pd

from ..domain import aliases, fields
from ..domain.messages import InputError
from . import readers, sheets

UNITS, BOUNDARIES, REGISTER, REPORT = "units", "boundaries", "register", "report"
KINDS = (UNITS, BOUNDARIES, REGISTER, REPORT)
SETUP_ORDER = (UNITS, BOUNDARIES, REGISTER, REPORT)  # a county is set up in this order
_SQLITE = b"SQLite format 3\x00"
_ZIP, _XLS = sheets.ZIP_MAGIC, sheets.OLE_MAGIC
_GEO_MEMBERS = (".shp", ".gpkg", ".geojson")
_SNIFF = 4096


def suffix_for(data: bytes) -> str:
    """The suffix the readers need for these bytes: .xlsx, .ods, .xls, .zip (boundaries), .gpkg, .geojson or .csv."""
    if data.startswith(_SQLITE):
        return ".gpkg"
    if data.startswith(_XLS):
        return ".xls"
    if data.startswith(_ZIP):
        return _zip_suffix(data)
    return ".geojson" if _looks_like_geojson(data[:_SNIFF]) else ".csv"


def _zip_suffix(data: bytes) -> str:
    """An XLSX and an ODS are zips too: their members tell them from a zipped Shapefile."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return ".xlsx"  # let the spreadsheet reader name the broken file
    if "[Content_Types].xml" in names:
        return ".xlsx"
    if "mimetype" in names and any(n == "content.xml" for n in names):
        return ".ods"
    return ".zip" if any(n.lower().endswith(_GEO_MEMBERS) for n in names) else ".xlsx"


def _looks_like_geojson(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and (b'"FeatureCollection"' in text or b'"Feature"' in text
                                      or b'"features"' in text)


def kind_of(path, display_name: str | None = None) -> str:
    """The kind of the file at `path` (named by its content-given suffix, see `suffix_for`)."""
    path = pathlib.Path(path)
    if path.suffix.lower() in (".zip", ".gpkg", ".geojson", ".json", ".shp"):
        return BOUNDARIES
    if path.suffix.lower() not in (".csv", ".txt", ".xlsx", ".xlsm", ""):
        return REPORT  # .xls, .ods: only the report reader reads them (or says why not)
    try:
        frame = readers.read_table(path, display_name)
    except InputError:
        return REPORT  # the report reader names what is wrong with the file
    return table_kind(frame)


def table_kind(frame: pd.DataFrame) -> str:
    """UNITS for code + name and no figure; REGISTER for code + register figures only; else REPORT."""
    code = readers.find_column(frame, readers.CODE_HEADERS)
    name = readers.find_column(frame, readers.NAME_HEADERS)
    figures = {f for f in map(aliases.field_for, frame.columns) if f}
    ratios = [c for c in frame.columns if aliases.is_ratio(c)]
    if code and name and not figures and not ratios:
        return UNITS
    if code and figures and figures <= set(fields.REGISTER_FIELDS) and not ratios:
        return REGISTER
    return REPORT


def register_field(header) -> str | None:
    """The register field a header names (canonical name, Chinese label or an alias), else None."""
    found = aliases.field_for(header)
    return found if found in fields.REGISTER_FIELDS else None
