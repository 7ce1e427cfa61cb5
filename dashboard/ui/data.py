"""The pages' reads of the store, each cached by store version and checked against the scope (see reads.py).

Also the small rules every page needs about the store: its default root, the demo badge, the dates by domain.
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from ..analysis import rollup, rounds
from ..domain import codes, indicators
from ..example import demo_data
from ..output import charts, model
from ..storage import geo, settings
from ..storage.store import Store, default_path, is_demo
from . import auth, reads
from .reads import store_at

MAP_HEIGHT = 460  # the grids' deck and the briefing's map
MAP_FIT_PX = (350, MAP_HEIGHT - 30)  # the grids' deck fits this box: a phone's width, so it fits on every screen
CHOROPLETH_HEIGHT = (200, 600)  # the choropleth's figure: as tall as the unit's shape at the map's width, within
LAPTOP_MAP_PX = 660  # the map's width on a 1440-px laptop screen (a phone's: charts.PHONE_MAP_PX)


def store() -> Store:
    """The store named by $DASHBOARD_DB (or data/dashboard.duckdb); one reader per path and process."""
    return store_at(str(default_path()))


@reads.unscoped(max_entries=64)
def _meta(s: Store) -> dict:
    return {"roots": s.query("root_units"), "dates": s.query("snapshot_dates"), "demo": is_demo(s),
            "settings": settings.all_settings(s)}


def meta(s: Store) -> dict:
    """Roots, snapshot dates with load times, demo flag and settings: what every page needs first."""
    if not s.exists():
        return {"roots": pd.DataFrame(columns=["code", "name", "level"]), "dates": pd.DataFrame(
            columns=["domain", "snapshot_date", "loads", "last_loaded_at"]), "demo": False, "settings": {}}
    return _meta(s)


def is_demo_code(code) -> bool:
    """Whether a unit lies in the demo county (示范县, province code 99: no real province has it)."""
    return str(code).startswith(demo_data.COUNTY_CODE[:6])


def default_root(roots: pd.DataFrame) -> str | None:
    """The unit a page opens on: the store's one root; of several (a county added beside the demo, or counties
    of different prefectures), the first real one (the demo county is fictional, never the default)."""
    if roots.empty:
        return None
    real = roots[~roots["code"].map(is_demo_code)]
    return str((real if len(real) else roots)["code"].iloc[0])


def common_parent(codes_: list[str]) -> str | None:
    """The nearest code above every root (a prefecture, a province), or None: where loading that one unit would
    join the roots into one tree."""
    if len(codes_) < 2:
        return None
    shared = set(codes.ancestor_codes(codes_[0]))
    for code in codes_[1:]:
        shared &= set(codes.ancestor_codes(code))
    return next((a for a in codes.ancestor_codes(codes_[0]) if a in shared), None)


def default_unit(s: Store, units: pd.DataFrame, wanted: str | None) -> str | None:
    """The URL's unit where it is in `units`, else the default root among them (an account's scope: its top)."""
    if wanted in set(units["code"]):
        return wanted
    roots = units[units["parent_code"].isna() | ~units["parent_code"].isin(set(units["code"]))]
    roots = roots[roots["active"].astype(bool)] if roots["active"].astype(bool).any() else roots
    return default_root(roots)


def shows_demo(s: Store, code: str | None) -> bool:
    """The demo badge belongs to the demo county's pages only, not to a real county loaded beside it."""
    return bool(code) and bool(meta(s)["demo"]) and is_demo_code(code)


@reads.unscoped(max_entries=8)
def dates_by_domain(s: Store) -> dict[str, list[dt.date]]:
    """The dates with data of each domain the county has switched on (a switched-off campaign's data is kept,
    unshown); once per store version, as every page's context starts with it."""
    frame, enabled = meta(s)["dates"], settings.enabled_domains(s)
    return {d: sorted(pd.Timestamp(x).date() for x in g["snapshot_date"]) for d, g in frame.groupby("domain")
            if d in enabled}


@reads.unscoped(max_entries=8)
def load_times(s: Store) -> dict:
    """When the last load of each (domain, date) landed, as a lookup: the header asks for a few per run, and
    filtering the load times' frame for each cost ~5 ms a run."""
    frame = meta(s)["dates"]
    return {(d, pd.Timestamp(day).date()): pd.Timestamp(at)
            for d, day, at in zip(frame["domain"], frame["snapshot_date"], frame["last_loaded_at"])}


@reads.unscoped(max_entries=8)
def all_units(s: Store) -> pd.DataFrame:
    """Every unit, retired ones too (the import and settings pages narrow it to the scope: auth.filter_units)."""
    return s.query("units_all")


@reads.scoped(max_entries=2048)
def unit(s: Store, code: str) -> pd.Series:
    """One unit (raises InputError for an unknown code, NotPermitted for one outside the account's scope;
    `unit.unchecked` only names the account's own scope unit)."""
    return rollup.unit(s, code)


def ancestors(s: Store, code: str) -> list[pd.Series]:
    """The unit and its ancestors up to the account's scope unit, root first: the breadcrumb.

    An account scoped to a township sees a chain that starts at that township:
    nothing above it is read.
    """
    chain = [unit(s, code)]
    while chain[0]["parent_code"] is not None and not pd.isna(chain[0]["parent_code"]) and len(chain) < 8 \
            and auth.in_scope(chain[0]["parent_code"]):
        chain.insert(0, unit(s, chain[0]["parent_code"]))
    return chain


@reads.scoped(max_entries=512)
def unit_rollup(s: Store, code: str, domain: str, day: dt.date | None) -> rollup.Rollup | None:
    """The unit and its children for a domain at a date; None when the domain has no data by then. Read from the
    unit's whole history (one query per unit and domain), so a date picked later costs no query."""
    return None if day is None else rollup.rollup(s, code, domain, day, history=history(s, code, domain))


@reads.scoped(max_entries=64, resource=True)
def child_rows(s: Store, code: str, ind_key: str, day: dt.date, previous_day: dt.date | None,
               lang: str) -> pd.DataFrame:
    """The map's rows: the unit's children on `day` with every field of the domain, the change since
    `previous_day` and the tooltips; built once per view and store version (the tooltips alone are 10-20 ms of
    row-by-row formatting a rerun, and a drill click or a switch back to 地图 would redo them); shared, do
    not mutate."""
    ind = indicators.BY_KEY[ind_key]
    current, previous = unit_rollup(s, code, ind.domain, day), unit_rollup(s, code, ind.domain, previous_day)
    return model.with_tooltips(model.children(current, previous, ind, all_fields=True), ind, lang)


@reads.scoped(max_entries=64, resource=True)
def history(s: Store, code: str, domain: str):
    """`rollup.history`: the unit and its children on every date of the domain; shared, do not mutate."""
    return rollup.history(s, code, domain)


@reads.scoped(max_entries=256)
def trend(s: Store, code: str, domain: str, first: dt.date, last: dt.date) -> pd.DataFrame:
    """The unit's rolled-up indicators per snapshot date in [first, last]."""
    return rollup.trend(s, code, domain, first, last, settings.all_settings(s))


def round_starts(s: Store, unit: pd.Series, first: dt.date, last: dt.date) -> list[tuple[int, dt.date]]:
    """Testing rounds that began in the unit's county within [first, last]: a round reset explains a drop."""
    auth.require_in_scope(unit["code"])
    if codes.PREFIX_LEN[unit["level"]] < codes.PREFIX_LEN["county"]:
        return []
    return rounds.began_within(s, unit["code"], first, last)


@reads.scoped(max_entries=64)
def level_rollup(s: Store, code: str, level: str, domain: str, day: dt.date) -> pd.DataFrame:
    """Every unit at `level` under the unit with its indicators and its parent's name (grid names repeat)."""
    frame = rollup.level_rollup(s, code, domain, level, day, settings.all_settings(s))
    u = rollup.unit(s, code)
    lo, hi = int(u["num"]), int(u["num"]) + codes.span(u["level"])
    members = s.query("units_in_subtree", lo=lo, hi=hi, prefix_len=codes.PREFIX_LEN[level])
    parents = s.query("units_in_subtree", lo=lo, hi=hi, prefix_len=codes.PREFIX_LEN[level] - 3)
    parent_name = members["parent_code"].map(dict(zip(parents["code"], parents["name"])))
    return frame.assign(parent_name=frame["code"].map(dict(zip(members["code"], parent_name))))


@reads.scoped(max_entries=64, resource=True)
def shapes(s: Store, code: str, level: str | None = None) -> gpd.GeoDataFrame:
    """Simplified geometry of the unit's children (or all its descendants at `level`); shared, do not mutate.
    Grids get a finer tolerance: at their size 0.0005° (≈ 50 m) would visibly bend their borders."""
    found = geo.child_shapes(s, rollup.unit(s, code), level)
    return geo.simplified(found, tolerance=0.0002 if level == "grid" else 0.0005)


@reads.scoped(max_entries=64, resource=True)
def map_base(s: Store, code: str) -> dict:
    """The value-free part of a unit's map (geometry as GeoJSON, figure height, the labels that fit at a phone's
    width and those that fit only on a wider map); shared, do not mutate.

    The heights are the unit's shape at a laptop's and at a phone's map width, so a tall county gets a tall map
    and a wide one no empty band; the browser fits the shape into the width it has."""
    shp = shapes(s, code)
    if shp.empty:
        return {"key": code, "geojson": None, "labels": charts.no_labels(), "codes": set()}
    bounds = charts.framed(shp.total_bounds)
    height, phone_height = (_fitted_height(bounds, width) for width in (LAPTOP_MAP_PX, charts.PHONE_MAP_PX))
    names = shp[["code"]].merge(s.query("unit_children", code=code)[["code", "name"]], how="left")["name"]
    narrow = charts.label_fits(shp, names, charts.view_for(bounds, charts.PHONE_MAP_PX, phone_height)[1])
    wide = charts.label_fits(shp, names, charts.view_for(bounds, charts.WIDE_MAP_PX, height)[1], narrow)
    points = shp.geometry.representative_point()
    labels = pd.DataFrame({"name": names.values, "lon": points.x.values, "lat": points.y.values,
                           "wide": ~narrow.values})[(narrow | wide).values]
    return {"key": code, "geojson": charts.geojson(shp), "labels": labels, "bounds": bounds,
            "codes": set(shp["code"]), "height": height, "phone_height": phone_height}


def _fitted_height(bounds, width: float) -> int:
    """The figure's height for a map `width` pixels wide: the unit's shape at that width, within CHOROPLETH_HEIGHT
    (Plotly centres the map in its figure, so a taller figure would only add empty bands)."""
    _, zoom = charts.view_for(bounds, width, CHOROPLETH_HEIGHT[1])
    return int(min(max(charts.drawn_size(bounds, zoom)[1] + 2, CHOROPLETH_HEIGHT[0]), CHOROPLETH_HEIGHT[1]))

