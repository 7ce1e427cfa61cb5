"""A synthetic province for the benchmark: real-looking 12/15-digit codes, village boundaries, daily grid files.

Deterministic from its size and a seed, and cached on disk (the bench folder)
so repeated benchmark runs measure the product, not the generator. 100
counties × 20 townships × 25 villages × 10 grids = 500,000 grids, as a
province command post has.

Beyond 100 counties (the scaling table, up to a national day) the same province
grows wider rather than deeper: the codes have no level above the province, so
its prefectures take more than ten counties each once 99 prefectures of ten are
not enough, and the unit list and each day's rows are written as several files
of at most PART_COUNTIES counties, because the product refuses a file of more
than a million rows (`intake.limits.MAX_ROWS`), as a national day would arrive
as one file per province. Up to 100 counties every file is what it always was,
so cached stores and the tests stay valid.
"""
from __future__ import annotations

import datetime as dt
import pathlib
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

PROVINCE = "99"
TOWNSHIPS, VILLAGES, GRIDS = 20, 25, 10
FIRST_DATE = dt.date(2022, 2, 1)
SEED = 45_000_000
PART_COUNTIES = 100  # counties per file: 485k grid rows (or 552k units), under the product's 1M rows a file
GENERATION = "g2"  # part of the cache folder's name: a change to the generator must not reuse old files


@dataclass(frozen=True)
class Province:
    folder: pathlib.Path
    counties: int
    days: int

    @property
    def parts(self) -> int:
        return -(-self.counties // PART_COUNTIES)

    @property
    def units_csv(self) -> pathlib.Path:
        return self.units_csvs[0]

    @property
    def units_csvs(self) -> list[pathlib.Path]:
        """The unit list: one file, or one per part (the first also holds the province and its prefectures)."""
        if self.parts == 1:
            return [self.folder / "units.csv"]
        return [self.folder / f"units_p{part + 1:02d}.csv" for part in range(self.parts)]

    @property
    def boundaries(self) -> pathlib.Path:
        return self.folder / "villages.parquet"

    def day_csv(self, day: int, part: int = 0) -> pathlib.Path:
        """A day's file, or one part of it (PART_COUNTIES counties' rows) when the province has several."""
        suffix = "" if self.parts == 1 else f"_p{part + 1:02d}"
        return self.folder / f"testing_{FIRST_DATE + dt.timedelta(days=day):%Y%m%d}{suffix}.csv"

    def day_csvs(self, day: int) -> list[pathlib.Path]:
        return [self.day_csv(day, part) for part in range(self.parts)]

    def date(self, day: int) -> dt.date:
        return FIRST_DATE + dt.timedelta(days=day)


def county_codes(counties: int) -> list[str]:
    """Ten counties per prefecture: 990101, 990102, … 991010; more per prefecture once 99 prefectures of ten are not
    enough (1,000 counties: 91 prefectures of 11), as the codes leave two digits for each."""
    per = max(10, -(-counties // 99))
    return [f"{PROVINCE}{p + 1:02d}{c + 1:02d}" for p in range(-(-counties // per)) for c in range(per)][:counties]


def part_of(codes: pd.Series, counties: int) -> np.ndarray:
    """Which file (part) each code's county goes to: PART_COUNTIES counties a part, in code order."""
    index = {code: i // PART_COUNTIES for i, code in enumerate(county_codes(counties))}
    return codes.str[:6].map(index).fillna(0).astype(int).to_numpy()


def units(counties: int) -> pd.DataFrame:
    """code, name for the province, prefectures, counties, townships, villages and grids."""
    rows = [(f"{PROVINCE}0000000000", "合成省")]
    prefectures = sorted({c[:4] for c in county_codes(counties)})
    rows += [(f"{p}00000000", f"合成{p[2:]}市") for p in prefectures]
    for county in county_codes(counties):
        rows.append((f"{county}000000", f"合成{county[2:]}县"))
        for t in range(1, TOWNSHIPS + 1):
            town = f"{county}{100 + t:03d}"
            rows.append((f"{town}000", f"{county[2:]}合成{t}镇"))
            for v in range(1, VILLAGES + 1):
                village = f"{town}{200 + v:03d}"
                rows.append((village, f"{county[2:]}-{t}-{v}村"))
                rows += [(f"{village}{g:03d}", f"第{g}网格") for g in range(1, GRIDS + 1)]
    return pd.DataFrame(rows, columns=["code", "name"])


def grid_codes(counties: int) -> np.ndarray:
    table = units(counties)
    return table.loc[table["code"].str.len() == 15, "code"].to_numpy()


def village_boundaries(counties: int, seed: int = SEED) -> gpd.GeoDataFrame:
    """Village polygons: a jittered lattice's Voronoi cells, counties laid out 10 to a row (more for more than 100
    counties: a square of them), 0.5° square each."""
    rng = np.random.default_rng(seed)
    codes, centres = [], []
    width = max(10, int(np.ceil(np.sqrt(counties))))
    for i, county in enumerate(county_codes(counties)):
        x0, y0 = 110 + (i % width) * 0.5, 30 + (i // width) * 0.5
        for t in range(TOWNSHIPS):
            for v in range(VILLAGES):
                col, row = (t % 5) * 5 + v % 5, (t // 5) * 5 + v // 5  # 25 × 20 villages per county
                codes.append(f"{county}{101 + t:03d}{201 + v:03d}")
                centres.append((x0 + (col + 0.5 + rng.uniform(-0.3, 0.3)) * 0.02,
                                y0 + (row + 0.5 + rng.uniform(-0.3, 0.3)) * 0.025))
    points = shapely.points(np.array(centres))
    extent = shapely.box(109.9, 29.9, 110 + width * 0.5 + 0.1, 30 + (-(-counties // width)) * 0.5 + 0.1)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=extent))
    order = shapely.STRtree(cells).query(points, predicate="within")
    geometry = np.empty(len(points), dtype=object)
    geometry[order[0]] = shapely.set_precision(cells[order[1]], 1e-5)
    return gpd.GeoDataFrame({"code": codes}, geometry=list(geometry), crs=4326)


def day_frame(grids: np.ndarray, day: int, seed: int = SEED) -> pd.DataFrame:
    """One day's testing file: every grid, a round ramping to ~87 % over 14 days, ~3 % of grids silent.

    Cumulative counts rise within a round, as real ones do (each grid keeps its own pace), except for ~0.2 % of
    grids a day whose figure is corrected down a little: the drop warnings of a real day, not of every other row.
    """
    rng = np.random.default_rng(seed + day)
    steady = np.random.default_rng(seed)
    base = steady.integers(80, 260, len(grids))
    pace = steady.uniform(0.9, 1.05, len(grids))
    progress = min(0.2 + 0.15 * (day % 14), 0.87) * pace
    present = rng.random(len(grids)) > 0.03
    sampled = np.minimum(base, (base * progress).astype(int))
    corrected = rng.random(len(grids)) < 0.002
    sampled[corrected] = np.maximum(sampled[corrected] - rng.integers(1, 5, int(corrected.sum())), 0)
    frame = pd.DataFrame({"code": grids, "resident_population": base, "target_persons": (base * 0.97).astype(int),
                          "sampled": sampled})
    return frame[present]


def build(folder: pathlib.Path, counties: int, days: int) -> Province:
    """Writes (once) the unit list, village boundaries and one canonical CSV per day (or per part of a day)."""
    province = Province(pathlib.Path(folder) / f"c{counties}-d{days}-{GENERATION}", counties, days)
    province.folder.mkdir(parents=True, exist_ok=True)
    if not all(path.exists() for path in province.units_csvs):
        write_parts(units(counties), province.units_csvs, counties)
    if not province.boundaries.exists():
        village_boundaries(counties).to_parquet(province.boundaries)
    grids = None
    for day in range(days):
        if not all(path.exists() for path in province.day_csvs(day)):
            grids = grid_codes(counties) if grids is None else grids
            write_parts(day_frame(grids, day), province.day_csvs(day), counties)
    return province


def write_parts(frame: pd.DataFrame, paths: list[pathlib.Path], counties: int) -> None:
    """The rows in one file, or split by their county's part (the province and prefectures go with the first)."""
    part = part_of(frame["code"], counties) if len(paths) > 1 else np.zeros(len(frame), dtype=int)
    for i, path in enumerate(paths):
        frame[part == i].to_csv(path, index=False)
