"""Files a real county sets up with, built from the real division lists in tests/fixtures/divisions/.

The unit lists are real (NBS 2021); boundaries and the register are made up
here, keyed by those real codes: one square per township in a row, its
villages in a grid inside it, so every polygon is valid and none overlap.
"""
from __future__ import annotations

import math
import pathlib
import zipfile

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

DIVISIONS = pathlib.Path(__file__).resolve().parent / "fixtures" / "divisions"
COUNTIES = {"baoan": "440306000000", "dayi": "510129000000", "huize": "530326000000",
            "linying": "411122000000", "pishan": "653223000000", "zhenglanqi": "152530000000"}


def division(county: str) -> pd.DataFrame:
    """区划代码, 名称 of a real county's list, as text."""
    return pd.read_csv(DIVISIONS / f"{county}.csv", dtype=str)


def polygons(county: str, levels=("township", "village"), lon: float = 103.0, lat: float = 30.0) -> gpd.GeoDataFrame:
    """区划代码, 名称, geometry (WGS84) of made-up squares for the county's townships and/or villages."""
    units = division(county)
    towns = units[units["区划代码"].str.endswith("000") & ~units["区划代码"].str.endswith("000000")]
    rows = []
    for i, (code, name) in enumerate(zip(towns["区划代码"], towns["名称"])):
        x0, y0 = lon + (i % 6) * 0.1, lat + (i // 6) * 0.1
        if "township" in levels:
            rows.append((code, name, box(x0, y0, x0 + 0.1, y0 + 0.1)))
        villages = units[units["区划代码"].str.startswith(code[:9]) & (units["区划代码"] != code)]
        side = max(1, math.ceil(math.sqrt(len(villages))))
        for j, (vcode, vname) in enumerate(zip(villages["区划代码"], villages["名称"])):
            step = 0.1 / side
            vx, vy = x0 + (j % side) * step, y0 + (j // side) * step
            if "village" in levels:
                rows.append((vcode, vname, box(vx, vy, vx + step, vy + step)))
    return gpd.GeoDataFrame(pd.DataFrame(rows[:], columns=["区划代码", "名称", "geometry"]), crs=4326)


def shapefile_zip(frame: gpd.GeoDataFrame, target: pathlib.Path, folder: str = "村界/", crs: int = 4547) -> pathlib.Path:
    """A zipped Shapefile in `crs` whose parts sit in `folder` inside the zip, as offices zip a folder."""
    parts = target.parent / f"{target.stem}-parts"
    parts.mkdir(exist_ok=True)
    frame = frame.rename(columns={"区划代码": "XZQDM", "名称": "XZQMC"})  # a DBF field name holds 10 bytes
    frame.to_crs(crs).to_file(parts / "boundaries.shp", encoding="utf-8")
    with zipfile.ZipFile(target, "w") as archive:
        for part in sorted(parts.iterdir()):
            archive.write(part, f"{folder}{part.name}")
    return target


def register_csv(county: str, target: pathlib.Path) -> pathlib.Path:
    """区划代码, 常住人口, 总户数 for every village of the county: made-up round figures."""
    units = division(county)
    villages = units[~units["区划代码"].str.endswith("000")]
    frame = pd.DataFrame({"区划代码": villages["区划代码"],
                          "常住人口": [1000 + 10 * i for i in range(len(villages))],
                          "总户数": [300 + i for i in range(len(villages))]})
    frame.to_csv(target, index=False)
    return target
