"""Boundaries: stored as WKB in WGS84, read back as GeoDataFrames, simplified per level with shared borders kept.

No DuckDB spatial extension (it cannot be downloaded here): geometry lives in
a BLOB column and shapely/geopandas do the geometry work.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from ..domain import codes
from . import queries
from .store import Store


def write_boundaries(con, frame: gpd.GeoDataFrame, source: str) -> None:
    """Inside an open write: replace the geometry of the units in `frame` (columns code, geometry; any CRS)."""
    frame = frame.to_crs(4326) if frame.crs and frame.crs.to_epsg() != 4326 else frame
    rows = pd.DataFrame({
        "code": frame["code"].values,
        "num": frame["code"].map(codes.num).values,
        "level": frame["code"].map(codes.level_of).values,
        "geometry": shapely.to_wkb(frame.geometry.values),
        "source": source,
    })
    con.register("incoming_boundaries", rows)
    queries.execute(con, "boundaries_replace")
    con.unregister("incoming_boundaries")


def child_shapes(store: Store, unit: pd.Series, level: str | None = None) -> gpd.GeoDataFrame:
    """Geometry of a unit's children, or of all its descendants at `level` (e.g. every grid)."""
    frame = store.query("boundaries_for_parent", code=unit["code"], level=level, lo=int(unit["num"]),
                        hi=int(unit["num"]) + codes.span(unit["level"]))
    geometry = shapely.from_wkb(frame["geometry"].map(bytes).values) if len(frame) else []
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geometry, crs=4326)


def simplified(shapes: gpd.GeoDataFrame, tolerance: float = 0.0005, decimals: int = 5) -> gpd.GeoDataFrame:
    """Fewer vertices for the browser; coverage simplification keeps shared borders shared."""
    if shapes.empty:
        return shapes
    geometry = shapely.coverage_simplify(shapes.geometry.values, tolerance)
    geometry = shapely.set_precision(geometry, 10 ** -decimals)
    return shapes.set_geometry(geometry)
