"""`python -m dashboard boundaries FILE`: GeoJSON, GeoPackage or zipped Shapefile in any CRS, stored in WGS84.

Features match units by a code property (12-digit, 6-digit county codes, or
with the country prefix 156) or else by name. What matched, which features
matched nothing and which units still have no geometry are all reported.
"""
from __future__ import annotations

import pathlib
import re
import zipfile
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from . import gcj02, geo, limits, matching
from .messages import InputError, Message
from .store import Store


@dataclass
class BoundariesResult:
    matched: int
    unmatched_features: list[str] = field(default_factory=list)
    units_without_geometry: list[str] = field(default_factory=list)
    matched_by: str = "code"


def read_features(path, display_name: str | None = None, gcj: bool = False) -> gpd.GeoDataFrame:
    """Features in WGS84 (EPSG:4326); a file without a CRS is taken as WGS84 lon/lat."""
    file = display_name or pathlib.Path(path).name
    if pathlib.Path(path).is_file():  # a folder of Shapefile parts is read as it is
        limits.check_size(pathlib.Path(path).stat().st_size, file)
        if zipfile.is_zipfile(path):
            limits.check_zip(pathlib.Path(path), file)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several kinds for unreadable files
        raise InputError([Message("err_unreadable", {"file": file, "detail": type(exc).__name__})]) from exc
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    frame = frame.set_crs(4326) if frame.crs is None else frame.to_crs(4326)
    if gcj:
        frame = frame.set_geometry(gcj02.geometries_to_wgs84(frame.geometry.values), crs=4326)
    return frame.set_geometry(shapely.make_valid(frame.geometry.values), crs=4326)


def code_of(value, known: set[str]) -> str | None:
    """A property value as a known unit code: 12/15 digits, 6-digit county, or 156-prefixed."""
    text = re.sub(r"\.0+$", "", str(value).strip())
    if not text.isdigit():
        return None
    for candidate in (text, text[3:] if text.startswith("156") else None):
        if candidate and len(candidate) in (6, 9, 12, 15):
            code = candidate if len(candidate) == 15 else candidate.ljust(12, "0")
            if code in known:
                return code
    return None


def match_features(frame: gpd.GeoDataFrame, units: pd.DataFrame) -> tuple[pd.Series, str]:
    """Each feature's unit code (None where unmatched), by the best code column, else the best name column."""
    known = set(units["code"])
    columns = [c for c in frame.columns if c != frame.geometry.name]
    by_code = {c: frame[c].map(lambda v: code_of(v, known)) for c in columns}
    best = max(by_code, key=lambda c: by_code[c].notna().sum(), default=None)
    if best is not None and by_code[best].notna().any():
        return by_code[best], "code"
    stems = matching.with_stems(units)
    by_name = {c: frame[c].map(lambda v: _name_match(v, stems)) for c in columns if pd.api.types.is_string_dtype(frame[c])}
    best = max(by_name, key=lambda c: by_name[c].notna().sum(), default=None)
    if best is None:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object), "name"
    return by_name[best], "name"


def _name_match(value, units: pd.DataFrame) -> str | None:
    found = units[units["name"] == value]
    found = found if len(found) else units[units["stem"] == matching.stem(str(value))]
    return found["code"].iloc[0] if len(found) == 1 else None


def load_boundaries(store: Store, path, gcj: bool = False, display_name: str | None = None) -> BoundariesResult:
    """Stores the geometry of every matched feature (one write); reports what did not match."""
    frame = read_features(path, display_name, gcj)
    units = store.query("units_all")
    found, how = match_features(frame, units)
    label = _label_column(frame)
    unmatched = [str(frame.loc[i, label]) if label else str(i) for i in frame.index[found.isna()]]
    matched = frame[found.notna()].assign(code=found[found.notna()])
    matched = matched.dissolve(by="code", as_index=False)[["code", "geometry"]]  # several parts of one unit
    if len(matched):
        with store.write() as con:
            geo.write_boundaries(con, matched, source=display_name or pathlib.Path(path).name)
    with_geometry = set(store.query("boundary_codes")["code"])
    missing = [f"{r.name}（{r.code}）" for r in units.itertuples() if r.code not in with_geometry]
    return BoundariesResult(len(matched), unmatched, missing, how)


def _label_column(frame: gpd.GeoDataFrame) -> str | None:
    text = [c for c in frame.columns if c != frame.geometry.name and pd.api.types.is_string_dtype(frame[c])]
    return text[0] if text else None
