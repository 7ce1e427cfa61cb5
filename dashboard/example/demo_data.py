"""A fictional county's grid-check reports, generated deterministically from a seed.

The demo must exercise what real data throws at the dashboard: three domains
reported at different levels (grids for screening and testing, villages for
vaccination), one file per township per day, missing grids, two deliveries of
the same township-day at different as-of hours, a testing-round reset, both
denominator sources, a name outside the Basic Multilingual Plane and a few
planted anomalies. Boundaries nest exactly (grid ⊂ village ⊂ township ⊂
county) so maps at every level agree with each other.

Province 99 does not exist, so no code here can be mistaken for a real place.
Only numpy, pandas, shapely and geopandas are used: no I/O, no network.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..domain import fields

DEMO_SEED = 20220504
COUNTY_CODE = "990101000000"
COUNTY_NAME = "示范县"
FIRST_DATE = dt.date(2022, 4, 10)
LAST_DATE = dt.date(2022, 5, 7)
DATES = tuple(FIRST_DATE + dt.timedelta(days=i) for i in range((LAST_DATE - FIRST_DATE).days + 1))
ROUND_STARTS = (dt.date(2022, 4, 1), dt.date(2022, 4, 26))

# The demo county reports the three domains every county has (an optional campaign such as safety hazards is not in it).
DEMO_DOMAINS = ("screening", "testing", "vaccination")
DOMAIN_FIELDS = {d: tuple(f.name for f in fields.domain_fields(d)) for d in DEMO_DOMAINS}
DOMAIN_FILE_LABELS = {"screening": "网格排查", "testing": "核酸采样", "vaccination": "疫苗接种"}
BMP_EXTERNAL_VILLAGE = "\U0002AA30岭村"  # 𪨰岭村

# Geography, in km around the county centre; converted to lon/lat at the end.
_CENTRE_LON, _CENTRE_LAT = 113.90, 33.80
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON = 111.320 * math.cos(math.radians(_CENTRE_LAT))
_HALF_AXES_KM = (20.0, 17.5)
_URBAN_RADIUS_KM, _URBAN_SEEDS, _URBAN_SPACING_KM = 3.2, 72, 0.45
_RURAL_SEEDS, _RURAL_SPACING_KM = 225, 1.5
_STREET_OFFSET_KM = 1.7

_STREETS = (("001", "东城街道", 0.0), ("002", "西城街道", 180.0),
            ("003", "南城街道", 270.0), ("004", "北城街道", 90.0))
_TOWN_SEAT = "城关镇"
_TOWNS = ("柳林镇", "石桥镇", "高庙镇", "双河镇", "杨集镇", "白沙镇", "黄岗镇", "马店镇")
_XIANG = ("槐树乡", "青山乡", "桃园乡")
_SEAT_COMMUNITIES = {_TOWN_SEAT: 4}  # other towns: 2 communities around the seat
_SURNAMES = tuple("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
                  "袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟")
_PLACE_SUFFIXES = tuple("庄营寨楼集店岗湾洼桥庙屯坡沟园铺台口坊湖堂圩滩")
_PREFIXES = tuple("前后大小东西南北新")
_COMMUNITY_WORDS = ("人民", "建设", "文化", "和平", "解放", "光明", "幸福", "胜利", "团结", "新华",
                    "朝阳", "向阳", "红旗", "育才", "滨河", "花园", "翠园", "锦绣", "康乐", "金桥",
                    "东关", "西关", "南关", "北关", "府前", "鼓楼", "钟楼", "车站", "迎宾", "长安",
                    "中山", "健康", "友谊", "繁荣", "富民", "兴隆", "振兴", "银河", "丰收", "工农")
_COMMUNITY_ENDINGS = ("", "路", "街", "东", "西", "南", "北")

# Population: raw village sizes by kind, then scaled to a county total.
_VILLAGE_SIZE = {"urban": 2700.0, "seat": 2000.0, "rural": 1250.0}
_PERSONS_PER_GRID = {"urban": 185.0, "seat": 150.0, "rural": 115.0}
_HOUSEHOLD_SIZE = {"urban": (2.5, 2.9), "seat": (2.7, 3.1), "rural": (2.9, 3.5)}
_COUNTY_RESIDENTS = (540_000, 560_000)

# Reports.
_MISSING_RATE = (0.02, 0.05)
_DOUBLE_ASOF = ((dt.date(2022, 4, 27), _TOWN_SEAT), (dt.date(2022, 4, 29), "东城街道"))
_RESIDENTS_REPORTED_BY = "柳林镇"  # the one township whose testing files carry resident_population
_SCREENING_DROP_DATE = dt.date(2022, 4, 20)
_TESTING_DROP_DATE = dt.date(2022, 5, 2)
_TESTING_OVER_FROM = dt.date(2022, 4, 30)
_VACCINATION_OVER_FROM = dt.date(2022, 5, 3)


@dataclass(frozen=True)
class DemoLoad:
    """One delivered report file: what an upload of the demo looks like."""
    domain: str
    snapshot_date: dt.date
    as_of_hour: int | None
    file_name: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class DemoCounty:
    """Everything the demo county consists of; `anomalies` lists what was planted."""
    units: pd.DataFrame
    boundaries: gpd.GeoDataFrame
    register: pd.DataFrame
    rounds: pd.DataFrame
    loads: list[DemoLoad]
    anomalies: pd.DataFrame


# --------------------------------------------------------------------------- geometry helpers

def _to_lonlat(xy_km: np.ndarray) -> np.ndarray:
    """Local km → lon/lat (equirectangular is ample for a 40 km fictional county)."""
    return np.column_stack([_CENTRE_LON + xy_km[:, 0] / _KM_PER_DEG_LON,
                            _CENTRE_LAT + xy_km[:, 1] / _KM_PER_DEG_LAT])


def _outline_km(rng: np.random.Generator) -> shapely.Polygon:
    """An irregular but star-shaped blob, so Voronoi cells clipped to it rarely split."""
    theta = np.linspace(0.0, 2 * np.pi, 240, endpoint=False)
    wobble = np.ones_like(theta)
    for k in range(2, 7):
        wobble += rng.uniform(0.01, 0.09) / math.sqrt(k) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    return shapely.Polygon(np.column_stack([_HALF_AXES_KM[0] * wobble * np.cos(theta),
                                            _HALF_AXES_KM[1] * wobble * np.sin(theta)]))


def _dart_throw(rng, n, spacing, accept, bounds) -> np.ndarray:
    """n random accepted points at least `spacing` apart: even cells without a lattice look."""
    lo, hi = np.array(bounds[:2]), np.array(bounds[2:])
    pts = np.empty((0, 2))
    for _ in range(200):
        cand = rng.uniform(lo, hi, size=(2048, 2))
        for p in cand[accept(cand)]:
            if len(pts) == 0 or np.min(np.hypot(*(pts - p).T)) >= spacing:
                pts = np.vstack([pts, p])
                if len(pts) == n:
                    return pts
    raise RuntimeError(f"could not place {n} points {spacing} apart")


def _kmeans(rng, pts: np.ndarray, k: int, iters: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means from a farthest-point start; labels are nearest-centre, hence contiguous groups."""
    centres = [pts[rng.integers(len(pts))]]
    for _ in range(k - 1):
        d = np.min(np.hypot(*(pts[:, None, :] - np.array(centres)[None]).transpose(2, 0, 1)), axis=1)
        centres.append(pts[np.argmax(d)])
    centres = np.array(centres)
    for _ in range(iters):
        labels = _nearest(pts, centres)
        counts = np.bincount(labels, minlength=k)
        sums = np.stack([np.bincount(labels, weights=pts[:, i], minlength=k) for i in (0, 1)], axis=1)
        centres = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centres)
    return centres, _nearest(pts, centres)


def _nearest(pts: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre for every point."""
    return np.argmin(((pts[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)


def _polygonal(geom):
    """Only the areal part of an overlay result (edge-touching cells can add stray lines)."""
    if shapely.get_type_id(geom) in (3, 6):
        return geom
    polys = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) == 3]
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _voronoi_cells(seeds: np.ndarray, region) -> list:
    """One cell per seed (in seed order) that together tile `region` exactly."""
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region,
                                                       ordered=True))
    return [_polygonal(c) for c in shapely.intersection(cells, region)]


def _points_in(rng, geom, n: int) -> np.ndarray:
    """n uniform random points inside a (multi)polygon, by rejection from its bounding box."""
    x0, y0, x1, y1 = shapely.bounds(geom)
    out = np.empty((0, 2))
    while len(out) < n:
        cand = rng.uniform((x0, y0), (x1, y1), size=(max(4 * n, 64), 2))
        out = np.vstack([out, cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])]])
    return out[:n]


# --------------------------------------------------------------------------- townships and villages

def _village_seeds(rng, outline) -> tuple[np.ndarray, np.ndarray]:
    """Village seeds in km: a dense urban disc (communities) and a sparser countryside."""
    urban = _dart_throw(rng, _URBAN_SEEDS, _URBAN_SPACING_KM,
                        lambda p: np.hypot(*p.T) <= _URBAN_RADIUS_KM,
                        (-_URBAN_RADIUS_KM, -_URBAN_RADIUS_KM, _URBAN_RADIUS_KM, _URBAN_RADIUS_KM))
    rural = _dart_throw(rng, _RURAL_SEEDS, _RURAL_SPACING_KM,
                        lambda p: shapely.contains_xy(outline, p[:, 0], p[:, 1])
                        & (np.hypot(*p.T) >= _URBAN_RADIUS_KM + 0.7),
                        shapely.bounds(outline))
    return urban, rural


def _township_table(rng, urban: np.ndarray, rural: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Townships (code, name, kind, seat) and each village seed's township, nearest seat wins."""
    streets = np.array([[_STREET_OFFSET_KM * math.cos(math.radians(a)), _STREET_OFFSET_KM * math.sin(math.radians(a))]
                        for _, _, a in _STREETS])
    centres, rural_labels = _kmeans(rng, rural, 1 + len(_TOWNS) + len(_XIANG))
    dist = np.hypot(*centres.T)
    seat = int(np.argmin(dist))
    remote = [int(i) for i in np.argsort(-dist) if i != seat][: len(_XIANG)]
    towns = [i for i in range(len(centres)) if i != seat and i not in remote]
    rows = [dict(part=p, name=n, kind="街道", seat=streets[i]) for i, (p, n, _) in enumerate(_STREETS)]
    order = {}
    for names, idx, first, kind in (((_TOWN_SEAT,) + _TOWNS, [seat] + _by_bearing(centres, towns), 101, "镇"),
                                    (_XIANG, _by_bearing(centres, remote), 201, "乡")):
        for j, (name, i) in enumerate(zip(names, idx)):
            order[i] = len(rows)
            rows.append(dict(part=f"{first + j:03d}", name=name, kind=kind, seat=centres[i]))
    labels = np.concatenate([_nearest(urban, streets), np.array([order[i] for i in rural_labels])])
    table = pd.DataFrame(rows)
    table.insert(0, "code", COUNTY_CODE[:6] + table.pop("part") + "000")
    return table, labels


def _by_bearing(centres: np.ndarray, idx: list[int]) -> list[int]:
    """Order township seats clockwise from north, the way a map reader numbers them."""
    return sorted(idx, key=lambda i: math.atan2(centres[i, 0], centres[i, 1]) % (2 * math.pi))


def _village_table(rng, townships: pd.DataFrame, seeds: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Villages with code, name, kind and township; communities first in each township's code order."""
    rows = []
    for t, tw in townships.iterrows():
        idx = np.flatnonzero(labels == t)
        idx = idx[np.argsort(np.hypot(*(seeds[idx] - tw.seat).T), kind="stable")]
        n_comm = len(idx) if tw.kind == "街道" else 0 if tw.kind == "乡" else _SEAT_COMMUNITIES.get(tw["name"], 2)
        for j, i in enumerate(idx):
            community = j < n_comm
            size = "urban" if tw.kind == "街道" else "seat" if community else "rural"
            part = f"{j + 1:03d}" if community else f"{200 + j - n_comm + 1:03d}"
            rows.append(dict(code=tw.code[:9] + part, township=tw.code, kind="社区" if community else "村",
                             size=size, seed=i))
    villages = pd.DataFrame(rows)
    villages["name"] = _village_names(rng, villages.kind.to_numpy())
    return villages


def _village_names(rng, kinds: np.ndarray) -> list[str]:
    """Unique names from syllable pools (county-wide), plus one name outside the BMP on a remote 村."""
    rural_pool = list(dict.fromkeys([s + x + "村" for s in _SURNAMES for x in _PLACE_SUFFIXES]
                                    + [s + "家" + x + "村" for s in _SURNAMES for x in "庄营寨湾沟岭"]
                                    + [p + s + x + "村" for p in _PREFIXES for s in _SURNAMES[:20]
                                       for x in "庄营寨楼"]))
    comm_pool = [w + e + "社区" for w in _COMMUNITY_WORDS for e in _COMMUNITY_ENDINGS]
    is_comm = kinds == "社区"
    rural = [rural_pool[i] for i in rng.permutation(len(rural_pool))[: int((~is_comm).sum())]]
    comm = [comm_pool[i] for i in rng.permutation(len(comm_pool))[: int(is_comm.sum())]]
    rural[-1] = BMP_EXTERNAL_VILLAGE  # the last 村 in code order lies in the last (remote, hilly) 乡
    it_r, it_c = iter(rural), iter(comm)
    return [next(it_c) if c else next(it_r) for c in is_comm]


# --------------------------------------------------------------------------- grids and register

def _grid_counts(rng, villages: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Village residents (scaled to the county total) and grid counts (denser in town)."""
    size = villages["size"].to_numpy()
    raw = np.array([_VILLAGE_SIZE[s] for s in size]) * rng.lognormal(0.0, 0.3, len(size))
    residents = np.round(raw * rng.integers(*_COUNTY_RESIDENTS) / raw.sum()).astype(int)
    per_grid = np.array([_PERSONS_PER_GRID[s] for s in size])
    return residents, np.maximum(3, np.round(residents / per_grid)).astype(int)


def _grid_cells(rng, village_geom, n: int) -> list:
    """n grid cells tiling the village: Voronoi of k-means centres of random points (even sizes)."""
    centres, _ = _kmeans(rng, _points_in(rng, village_geom, 12 * n), n, iters=8)
    centres = centres[np.lexsort((centres[:, 0], -np.round(centres[:, 1], 3)))]
    return _voronoi_cells(centres, village_geom)


def _split(rng, total: int, n: int) -> np.ndarray:
    """Split a village's residents over its grids unevenly, summing exactly to the total."""
    w = rng.gamma(8.0, size=n)
    share = w / w.sum() * total
    out = np.floor(share).astype(int)
    out[np.argsort(share - out)[::-1][: total - out.sum()]] += 1
    return out


def _grid_table(rng, villages: pd.DataFrame, village_geoms: list) -> tuple[pd.DataFrame, list]:
    """Grid codes, names, geometry and register figures, village by village."""
    residents, counts = _grid_counts(rng, villages)
    rows, geoms = [], []
    for v, n in enumerate(counts):
        geoms.extend(_grid_cells(rng, village_geoms[v], int(n)))
        people = _split(rng, int(residents[v]), int(n))
        hh_lo, hh_hi = _HOUSEHOLD_SIZE[villages["size"].iat[v]]
        for k in range(n):
            rows.append(dict(code=f"{villages.code.iat[v]}{k + 1:03d}", name=f"第{k + 1}网格",
                             village=v, resident_population=int(people[k]),
                             households_total=max(1, round(people[k] / rng.uniform(hh_lo, hh_hi)))))
    grids = pd.DataFrame(rows)
    res = grids.resident_population.to_numpy()
    grids["target_persons"] = np.round(res * rng.uniform(0.95, 1.0, len(res))).astype(int)
    grids["target_population"] = np.round(res * rng.uniform(0.955, 0.975, len(res))).astype(int)
    return grids, geoms


def _geography(rng) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Townships, villages, grids and nested boundaries (county = ∪ townships = ∪ villages)."""
    outline = _outline_km(rng)
    urban, rural = _village_seeds(rng, outline)
    townships, labels = _township_table(rng, urban, rural)
    seeds = np.vstack([urban, rural])
    villages = _village_table(rng, townships, seeds, labels)
    outline_ll = shapely.Polygon(_to_lonlat(np.asarray(outline.exterior.coords)))
    cells = _voronoi_cells(_to_lonlat(seeds), outline_ll)
    village_geoms = [cells[i] for i in villages.seed]
    grids, grid_geoms = _grid_table(rng, villages, village_geoms)
    township_geoms = [shapely.union_all([g for g, t in zip(village_geoms, villages.township) if t == code])
                      for code in townships.code]
    boundaries = gpd.GeoDataFrame(
        {"code": [COUNTY_CODE, *townships.code, *villages.code, *grids.code]},
        geometry=[shapely.union_all(township_geoms), *township_geoms, *village_geoms, *grid_geoms],
        crs="EPSG:4326")
    return townships, villages, grids, boundaries


# --------------------------------------------------------------------------- daily values

def _screening_values(rng, grids: pd.DataFrame) -> dict[str, np.ndarray]:
    """Screening per (day, grid): checks saturate, returnees accumulate, isolation stocks roll."""
    t_n, g_n, hist = len(DATES), len(grids), 14
    res = grids.resident_population.to_numpy()
    hh = grids.households_total.to_numpy()
    t = np.arange(t_n)[:, None]
    frac = 1 - (1 - rng.uniform(0.55, 0.85, g_n)) * np.exp(-rng.uniform(0.05, 0.25, g_n) * t)
    arrivals = rng.poisson(res * rng.uniform(0.0002, 0.0006, g_n), size=(hist + t_n, g_n))
    risky = rng.binomial(arrivals, 0.1)
    at_home = rng.binomial(risky, 0.75)
    earlier = rng.poisson(res * 0.01)  # returned before the first snapshot
    return {
        "households_total": np.broadcast_to(hh, (t_n, g_n)).copy(),
        "households_checked": np.floor(frac * hh).astype(int),
        "persons_checked": np.floor(frac * res * rng.uniform(0.97, 1.0, g_n)).astype(int),
        "returnees": earlier + np.cumsum(arrivals, axis=0)[hist:],
        "risk_area_returnees": rng.binomial(earlier, 0.1) + np.cumsum(risky, axis=0)[hist:],
        "home_isolation": _rolling(at_home, 7)[hist:],
        "central_isolation": _rolling(risky - at_home, 7)[hist:],
        "health_monitoring": _rolling(arrivals - risky, 14)[hist:],
    }


def _rolling(x: np.ndarray, days: int) -> np.ndarray:
    """Sum over the last `days` days: people stay isolated/monitored for a fixed period."""
    c = np.cumsum(x, axis=0)
    out = c.copy()
    out[days:] -= c[:-days]
    return out


def _round_of(day: dt.date) -> tuple[int, int]:
    """(round number, days since that round started) for a snapshot date."""
    n = sum(start <= day for start in ROUND_STARTS)
    return n, (day - ROUND_STARTS[n - 1]).days


def _round_progress(r: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Share of a grid's final coverage reached r days into a round: fast ramp, then slow creep."""
    r = np.maximum(r, 0)
    return (1 - 0.77 * np.exp(-speed * r)) * (1 - 0.06 * np.exp(-r / 10))


def _coverage_targets(rng, grids: pd.DataFrame, villages: pd.DataFrame) -> np.ndarray:
    """Final sampled/target_persons per grid: most ≈ 0.92, some lagging grids, a few villages stuck ≈ 0.6–0.7."""
    g_n = len(grids)
    cover = np.clip(rng.normal(0.925, 0.035, g_n), 0.80, 0.985)
    lagging_grids = rng.random(g_n) < 0.03
    cover[lagging_grids] = rng.uniform(0.68, 0.80, lagging_grids.sum())
    slow_villages = rng.choice(np.flatnonzero(villages.kind.to_numpy() == "村"), 5, replace=False)
    in_slow = np.isin(grids.village.to_numpy(), slow_villages)
    cover[in_slow] = rng.uniform(0.60, 0.70, in_slow.sum())
    return cover


def _testing_values(rng, grids: pd.DataFrame, villages: pd.DataFrame) -> dict[str, np.ndarray]:
    """Testing per (day, grid): each round ramps up within days, tested trails sampled."""
    g_n = len(grids)
    target = grids.target_persons.to_numpy()
    rounds = np.array([_round_of(d) for d in DATES])
    cover = np.stack([_coverage_targets(rng, grids, villages) for _ in ROUND_STARTS])[rounds[:, 0] - 1]
    speed = rng.uniform(0.6, 1.0, g_n)
    r = rounds[:, 1][:, None]
    sampled = np.floor(target * cover * _round_progress(r, speed)).astype(int)
    before = np.where(r > 0, np.floor(target * cover * _round_progress(r - 1, speed)), 0)
    busy = r <= 4
    sites = rng.binomial(2, np.where(busy, 0.7, 0.3), size=(len(DATES), g_n)) + (target > 250)
    return {
        "target_persons": np.broadcast_to(target, sampled.shape).copy(),
        "sampled": sampled,
        "tested": np.floor(before + 0.7 * (sampled - before)).astype(int),  # results lag the swabs
        "positives": _positives(rng, rounds, target),
        "sampling_sites": sites,
        "sampling_staff": sites * rng.integers(2, 5, size=sites.shape),
    }


def _positives(rng, rounds: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Cumulative positives within a round: a handful of cases county-wide, in grids big enough
    that even on a round's first day more people were tested than turned out positive."""
    out = np.zeros((len(rounds), len(target)), int)
    for n in np.unique(rounds[:, 0]):
        days = np.flatnonzero(rounds[:, 0] == n)
        for g, d in zip(rng.choice(np.flatnonzero(target >= 50), 3, replace=False), rng.choice(days, 3)):
            out[d: days[-1] + 1, g] += rng.integers(1, 3)
    return out


def _vaccination_values(rng, target: np.ndarray) -> dict[str, np.ndarray]:
    """Vaccination per (day, village): dose 1 and full course near saturation, booster 40 % → 55 %."""
    v_n, t_n = len(target), len(DATES)
    share = np.arange(t_n)[:, None] / (t_n - 1)
    dose1 = rng.uniform(0.90, 0.943, v_n) + 0.005 * share
    full = dose1 - rng.uniform(0.025, 0.06, v_n) + 0.002 * share
    steps = np.cumsum(rng.gamma(2.0, size=(t_n, v_n)), axis=0)
    booster = rng.normal(0.40, 0.015, v_n) + rng.normal(0.15, 0.012, v_n) * (steps - steps[0]) / (steps[-1] - steps[0])
    return {"target_population": np.broadcast_to(target, (t_n, v_n)).copy(),
            **{k: np.floor(target * v).astype(int) for k, v in
               (("dose1", dose1), ("full_course", full), ("booster", booster))}}


# --------------------------------------------------------------------------- missing reports and anomalies

def _missing_mask(rng, g_n: int, streaks: list[tuple[int, int, int]], protected: np.ndarray) -> np.ndarray:
    """(day, grid) → True where the grid sent nothing: 2–5 % at random each day plus planted streaks
    (a streak grid misses only its streak, so the streak's length is exactly as planted)."""
    rate = rng.uniform(*_MISSING_RATE, size=(len(DATES), 1))
    mask = rng.random((len(DATES), g_n)) < rate
    for g, first, length in streaks:
        mask[:, g] = False
        mask[first: first + length, g] = True
    mask[:, protected] = False
    return mask


def _streaks(rng, g_n: int, avoid: np.ndarray) -> list[tuple[int, int, int]]:
    """Grids silent for several days in a row; one for 5 days up to LAST_DATE (tests carry-forward limits)."""
    grids = rng.choice(np.setdiff1d(np.arange(g_n), avoid), 4, replace=False)
    out = [(int(grids[0]), len(DATES) - 5, 5)]
    for g in grids[1:]:
        length = int(rng.integers(2, 4))
        out.append((int(g), int(rng.integers(0, len(DATES) - 6 - length)), length))
    return out


def _anomaly(domain, day, code, field, kind, note) -> dict:
    """One row of the planted-anomaly list, so tests and the demo page can point at it."""
    return dict(domain=domain, snapshot_date=day, code=code, field=field, kind=kind, note=note)


def _plant_anomalies(rng, scr, tst, vac, grids, villages, anomaly_grids) -> list[dict]:
    """Overwrite a few values with typical reporting errors and record each one."""
    g_drop, t_drop, t_over = anomaly_grids
    rows = []
    d = DATES.index(_SCREENING_DROP_DATE)
    scr["households_checked"][d, g_drop] = scr["households_checked"][d - 1, g_drop] * 9 // 10
    rows.append(_anomaly("screening", DATES[d], grids.code.iat[g_drop], "households_checked", "cumulative_drop",
                         "已排查户数低于前一日（疑似填报错误）"))
    d = DATES.index(_TESTING_DROP_DATE)
    for field in ("sampled", "tested"):
        tst[field][d, t_drop] = tst[field][d - 1, t_drop] * 4 // 5
        rows.append(_anomaly("testing", DATES[d], grids.code.iat[t_drop], field, "cumulative_drop",
                             "同一轮次内累计数低于前一日"))
    over = math.ceil(grids.resident_population.iat[t_over] * 1.08) + 2
    for d in range(DATES.index(_TESTING_OVER_FROM), len(DATES)):
        tst["sampled"][d, t_over] = over + d
        rows.append(_anomaly("testing", DATES[d], grids.code.iat[t_over], "sampled", "over_100_percent",
                             "已采样人数超过常住人口和应检人数（疑似含外来人员）"))
    v = int(rng.choice(np.flatnonzero(villages.kind.to_numpy() == "村")))
    target = int(vac["target_population"][0, v])
    for d in range(DATES.index(_VACCINATION_OVER_FROM), len(DATES)):
        vac["dose1"][d, v] = math.ceil(target * 1.03) + d
        rows.append(_anomaly("vaccination", DATES[d], villages.code.iat[v], "dose1", "over_100_percent",
                             "第一剂次超过目标人群（疑似目标人群数偏低）"))
    return rows


def _anomaly_grids(rng, grids: pd.DataFrame, townships: pd.DataFrame) -> np.ndarray:
    """Grids for the planted anomalies, away from the township that reports its own residents."""
    own = townships.code[townships.name == _RESIDENTS_REPORTED_BY].iat[0]
    eligible = np.flatnonzero(~grids.code.str.startswith(own[:9]).to_numpy()
                              & (grids.target_persons.to_numpy() >= 50))
    return rng.choice(eligible, 3, replace=False)


# --------------------------------------------------------------------------- loads

def _file_name(domain: str, day: dt.date, township: str | None, hour: int) -> str:
    """Realistic upload names: county_township_domain_date[_HH时].csv."""
    parts = [COUNTY_NAME] + ([township] if township else []) + [DOMAIN_FILE_LABELS[domain], day.strftime("%Y%m%d")]
    return "_".join(parts) + ("" if hour == 24 else f"_{hour}时") + ".csv"


def _frame(codes: np.ndarray, values: dict[str, np.ndarray], fields, rows: np.ndarray, d: int) -> pd.DataFrame:
    """A report frame: code plus canonical fields, int64 throughout."""
    return pd.DataFrame({"code": codes[rows], **{f: values[f][d, rows].astype("int64") for f in fields}})


def _testing_frame(codes, values, rows, d, reported_residents, hour) -> pd.DataFrame:
    """A testing frame; resident_population is empty unless the township counts its own residents."""
    frame = _frame(codes, _morning(values, d) if hour == 12 else values, DOMAIN_FIELDS["testing"][1:], rows, d)
    frame.insert(1, "resident_population", pd.array(reported_residents[rows], dtype="Int64"))
    return frame


def _morning(values: dict[str, np.ndarray], d: int) -> dict[str, np.ndarray]:
    """Values as of 12时 on day d: halfway from yesterday's to today's counts (same round)."""
    out = dict(values)
    for field in ("sampled", "tested"):
        v = values[field].copy()
        v[d] = v[d - 1] + (v[d] - v[d - 1]) // 2
        out[field] = v
    return out


def _grid_loads(domain, values, missing, grids, townships, reported_residents) -> list[DemoLoad]:
    """One file per township per day for a grid-level domain (two for the double as-of township-days)."""
    codes = grids.code.to_numpy()
    members = {code: grids.code.str.startswith(code[:9]).to_numpy() for code in townships.code}
    loads = []
    for d, day in enumerate(DATES):
        for code, name in zip(townships.code, townships.name):
            rows = np.flatnonzero(members[code] & ~missing[d])
            hours = (12, 18) if domain == "testing" and (day, name) in _DOUBLE_ASOF else (24,)
            for hour in hours:
                frame = (_testing_frame(codes, values, rows, d, reported_residents, hour) if domain == "testing"
                         else _frame(codes, values, DOMAIN_FIELDS[domain], rows, d))
                loads.append(DemoLoad(domain, day, hour, _file_name(domain, day, name, hour), frame))
    return loads


def _reported_residents(rng, grids: pd.DataFrame, townships: pd.DataFrame) -> pd.arrays.IntegerArray:
    """resident_population as reported in testing files: the township's own count for one township, else NA."""
    own = townships.code[townships.name == _RESIDENTS_REPORTED_BY].iat[0]
    res = grids.resident_population.to_numpy()
    counted = np.maximum(grids.target_persons.to_numpy(), np.round(res * rng.uniform(0.99, 1.03, len(res))))
    return pd.array(np.where(grids.code.str.startswith(own[:9]), counted, np.nan), dtype="Int64")


# --------------------------------------------------------------------------- entry point

def _vaccination_loads(villages: pd.DataFrame, vac: dict[str, np.ndarray]) -> list[DemoLoad]:
    """One county-wide file per day: the health system reports every village at once."""
    codes, rows = villages.code.to_numpy(), np.arange(len(villages))
    return [DemoLoad("vaccination", day, 24, _file_name("vaccination", day, None, 24),
                     _frame(codes, vac, DOMAIN_FIELDS["vaccination"], rows, d)) for d, day in enumerate(DATES)]


def _reports(rng, townships, villages, grids) -> tuple[list[DemoLoad], pd.DataFrame]:
    """Every delivered file, with the anomalies planted in them, and the list of those anomalies."""
    g_n = len(grids)
    scr = _screening_values(rng, grids)
    tst = _testing_values(rng, grids, villages)
    vac_target = np.bincount(grids.village, weights=grids.target_population, minlength=len(villages)).astype(int)
    vac = _vaccination_values(rng, vac_target)
    anomaly_grids = _anomaly_grids(rng, grids, townships)
    anomalies = _plant_anomalies(rng, scr, tst, vac, grids, villages, anomaly_grids)
    streaks = _streaks(rng, g_n, anomaly_grids)
    missing = {domain: _missing_mask(rng, g_n, streaks, anomaly_grids) for domain in ("screening", "testing")}
    loads = (_grid_loads("screening", scr, missing["screening"], grids, townships, None)
             + _grid_loads("testing", tst, missing["testing"], grids, townships,
                           _reported_residents(rng, grids, townships))
             + _vaccination_loads(villages, vac))
    loads.sort(key=lambda ld: (ld.snapshot_date, list(DOMAIN_FIELDS).index(ld.domain)))  # stable: township order
    anomalies = pd.DataFrame(anomalies).sort_values(["domain", "snapshot_date", "code", "field"], ignore_index=True)
    return loads, anomalies


def generate(seed: int = DEMO_SEED) -> DemoCounty:
    """The whole demo county for `seed`; identical output for identical seeds."""
    rng = np.random.default_rng(seed)
    townships, villages, grids, boundaries = _geography(rng)
    loads, anomalies = _reports(rng, townships, villages, grids)
    units = pd.DataFrame({"code": [COUNTY_CODE, *townships.code, *villages.code, *grids.code],
                          "name": [COUNTY_NAME, *townships.name, *villages.name, *grids.name]})
    register = grids[["code", "resident_population", "target_persons", "target_population",
                      "households_total"]].reset_index(drop=True)
    rounds = pd.DataFrame({"round": np.arange(1, len(ROUND_STARTS) + 1), "start_date": list(ROUND_STARTS)})
    return DemoCounty(units, boundaries, register, rounds, loads, anomalies)
