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

from ..domain import codes
from ..domain.messages import InputError, Message
from ..storage import geo
from ..storage.store import Store
from . import gcj02, limits, matching


@dataclass
class BoundariesResult:
    matched: int
    unmatched_features: list[str] = field(default_factory=list)
    units_without_geometry: list[str] = field(default_factory=list)
    matched_by: str = "code"


GEO_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")


def read_features(path, display_name: str | None = None, gcj: bool = False) -> gpd.GeoDataFrame:
    """Features in WGS84 (EPSG:4326); a file without a CRS is taken as WGS84 lon/lat."""
    return to_wgs84(read_source(path, display_name), gcj)


def read_source(path, display_name: str | None = None) -> gpd.GeoDataFrame:
    """The features as the file has them, in its own CRS: a zip is read from the layers inside it, wherever
    they sit (offices zip a folder far more often than its files)."""
    file = display_name or pathlib.Path(path).name
    sources = [path]
    if pathlib.Path(path).is_file():  # a folder of Shapefile parts is read as it is
        limits.check_size(pathlib.Path(path).stat().st_size, file)
        if zipfile.is_zipfile(path):
            limits.check_zip(pathlib.Path(path), file)
            sources = zip_layers(path, file)
    try:
        frames = [gpd.read_file(source) for source in sources]
    except Exception as exc:  # pyogrio raises several kinds for unreadable files
        raise InputError([Message("err_unreadable", {"file": file, "detail": type(exc).__name__})]) from exc
    frame = frames[0] if len(frames) == 1 else gpd.GeoDataFrame(
        pd.concat([f.to_crs(frames[0].crs) if f.crs and frames[0].crs else f for f in frames], ignore_index=True),
        crs=frames[0].crs)
    return frame[frame.geometry.notna() & ~frame.geometry.is_empty]


def zip_layers(path, file: str) -> list[str]:
    """GDAL paths of the layers inside a zip, in any folder; macOS resource forks (__MACOSX/, ._x.shp) left out."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(GEO_SUFFIXES)
                 and not n.startswith("__MACOSX/") and not pathlib.PurePosixPath(n).name.startswith("._")]
    shapefiles = [n for n in names if n.lower().endswith(".shp")]
    chosen = shapefiles or names
    if not chosen:
        raise InputError([Message("err_zip_no_layer", {"file": file})])
    return [f"/vsizip/{pathlib.Path(path).resolve()}/{name}" for name in sorted(chosen)]


def crs_name(frame: gpd.GeoDataFrame) -> str:
    """'CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547)': the CRS as read, or that none was given."""
    if frame.crs is None:
        return ""
    epsg = frame.crs.to_epsg()
    return f"{frame.crs.name} (EPSG:{epsg})" if epsg else frame.crs.name


def to_wgs84(frame: gpd.GeoDataFrame, gcj: bool = False) -> gpd.GeoDataFrame:
    """Lon/lat in WGS84, valid polygons; GCJ-02 (Amap-derived) coordinates shifted back when the user says so."""
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


@dataclass
class BoundariesPlan:
    """What a boundary file would store, before anything is written: matched features, the rest, the CRS read."""
    file: str
    crs: str                           # the file's CRS as read ('' when it names none: taken as WGS84)
    features: int
    matched_by: str
    shapes: gpd.GeoDataFrame           # code, level, name, geometry (WGS84): one per matched unit, parts dissolved
    unmatched_features: list[str] = field(default_factory=list)
    units_without_geometry: list[str] = field(default_factory=list)   # after this file is stored
    outline: gpd.GeoDataFrame | None = None   # every feature, matched or not, for the preview map


def plan_boundaries(store: Store, path, gcj: bool = False, display_name: str | None = None) -> BoundariesPlan:
    """Reads and matches a boundary file; stores nothing (raises InputError for an unreadable file)."""
    file = display_name or pathlib.Path(path).name
    source = read_source(path, display_name)
    frame = to_wgs84(source, gcj)
    units = store.query("units_all")
    found, how = match_features(frame, units)
    label = _label_column(frame)
    unmatched = [str(frame.loc[i, label]) if label else str(i) for i in frame.index[found.isna()]]
    matched = frame[found.notna()].assign(code=found[found.notna()])
    matched = matched.dissolve(by="code", as_index=False)[["code", "geometry"]]  # several parts of one unit
    names = dict(zip(units["code"], units["name"]))
    matched = matched.assign(level=matched["code"].map(codes.level_of), name=matched["code"].map(names))
    with_geometry = set(store.query("boundary_codes")["code"]) | set(matched["code"])
    missing = [f"{r.name}（{r.code}）" for r in units.itertuples() if r.code not in with_geometry]
    outline = gpd.GeoDataFrame({"matched": found.notna().to_numpy()}, geometry=frame.geometry.values, crs=4326)
    return BoundariesPlan(file, crs_name(source), len(frame), how, matched, unmatched, missing, outline)


def commit_boundaries(store: Store, plan: BoundariesPlan) -> BoundariesResult:
    """Stores the geometry of every matched feature (one write); reports what did not match."""
    if len(plan.shapes):
        with store.write() as con:
            geo.write_boundaries(con, plan.shapes[["code", "geometry"]], source=plan.file)
    return BoundariesResult(len(plan.shapes), plan.unmatched_features, plan.units_without_geometry, plan.matched_by)


def load_boundaries(store: Store, path, gcj: bool = False, display_name: str | None = None) -> BoundariesResult:
    """`python -m dashboard boundaries FILE`: plan then commit, the same two steps as the import page."""
    return commit_boundaries(store, plan_boundaries(store, path, gcj, display_name))


def matched_by_level(plan: BoundariesPlan) -> pd.DataFrame:
    """level, matched: how many units of each level get a geometry from this file."""
    counts = plan.shapes.groupby("level").size()
    return pd.DataFrame([(lv, int(counts[lv])) for lv in codes.LEVELS if lv in counts], columns=["level", "matched"])


def _label_column(frame: gpd.GeoDataFrame) -> str | None:
    text = [c for c in frame.columns if c != frame.geometry.name and pd.api.types.is_string_dtype(frame[c])]
    return text[0] if text else None
