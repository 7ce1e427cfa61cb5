"""Builds the demo store (示范县, a fictional county) from dashboard.demo_data.

The reports go through the same write path as real files (ingest.write_load),
so the demo exercises supersede rules, rounds and denominators like real data.
The tests build the same store (tests/conftest.py).
"""
from __future__ import annotations

import hashlib
import os
import time

import numpy as np
import pandas as pd

from ..domain import codes
from ..intake import ingest, population, units
from ..storage import geo, queries
from ..storage.store import DEMO_META_KEY, Store
from . import demo_data


def build(store: Store, seed: int = demo_data.DEMO_SEED) -> dict:
    """Writes the demo county into a new file and swaps it in place of `store`'s file."""
    started = time.monotonic()
    county = demo_data.generate(seed)
    fresh = Store(store.path.with_name(store.path.name + f".demo-{os.getpid()}"))
    fresh.path.unlink(missing_ok=True)
    try:
        with fresh.write() as con:
            _write_units(con, county)
            geo.write_boundaries(con, county.boundaries, source="demo")
            population.write_register(fresh, _register(county.register), con)
            _write_rounds(con, county.rounds)
            ingest.write_loads(con, _plans(county.loads, county.rounds), 1, user="demo")
            queries.execute(con, "meta_put", key=DEMO_META_KEY, value=f"seed={seed}")
        store.replace_with(fresh.path)
    finally:
        for leftover in (fresh.path, *(fresh.sidecar(kind) for kind in ("lock", "intent", "gate"))):
            leftover.unlink(missing_ok=True)
    return {"units": len(county.units), "loads": len(county.loads), "seconds": time.monotonic() - started}


def _write_units(con, county) -> None:
    frame = county.units.assign(level=county.units["code"].map(codes.level_of), active=True)
    con.register("incoming_units", units.with_parents(frame))
    queries.execute(con, "units_replace")
    con.register("renamed_units", county.units.assign(effective=demo_data.FIRST_DATE))
    queries.execute(con, "unit_names_rename")


def _register(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(num=frame["code"].map(codes.num),
                        prefix_len=frame["code"].map(lambda c: codes.PREFIX_LEN[codes.level_of(c)]))


def _write_rounds(con, rounds: pd.DataFrame) -> None:
    con.register("incoming_rounds", rounds)
    queries.execute(con, "rounds_replace", county_num=codes.num(demo_data.COUNTY_CODE))


def _plans(loads, rounds: pd.DataFrame) -> list[ingest.Plan]:
    """A checked plan for each generated frame, as `ingest.plan` would make from the same CSV. The codes' nums and
    levels are worked out once over all of a domain's rows: nine hundred small frames one by one spent most of the
    demo's build in pandas' per-call overhead."""
    plans: list[ingest.Plan | None] = [None] * len(loads)
    by_domain: dict[str, list[int]] = {}
    for n, load in enumerate(loads):
        by_domain.setdefault(load.domain, []).append(n)
    for numbers in by_domain.values():
        whole, bounds = _coded([loads[n] for n in numbers], rounds)
        levels = _most_common_level(whole)
        whole = whole.drop(columns="load")
        hashes = pd.util.hash_pandas_object(whole, index=False).to_numpy()
        for n, level, start, stop in zip(numbers, levels, bounds[:-1], bounds[1:]):
            load, frame = loads[n], whole.iloc[start:stop].reset_index(drop=True)
            plans[n] = ingest.Plan(file=load.file_name, sha256=hashlib.sha256(hashes[start:stop].tobytes()).hexdigest(),
                                   domain=load.domain, snapshot_date=load.snapshot_date, as_of_hour=load.as_of_hour,
                                   round=int(frame["round"].iat[0]) if "round" in frame else None,
                                   level=level, frame=frame)
    return plans


def _coded(loads, rounds: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One domain's frames end to end with `num`, `level`, `prefix_len` (and a testing load's round), a `load`
    column numbering them, and where each starts and stops."""
    sizes = [len(load.frame) for load in loads]
    whole = pd.concat([load.frame for load in loads], ignore_index=True)
    whole["num"] = codes.nums_of(whole["code"])
    whole["level"] = codes.levels_of(whole["code"])
    whole["prefix_len"] = whole["level"].map(codes.PREFIX_LEN).astype("int8")
    if loads[0].domain == "testing":
        whole["round"] = np.repeat(_rounds_on(rounds, [load.snapshot_date for load in loads]), sizes)
    whole["load"] = np.repeat(np.arange(len(loads)), sizes)
    return whole, np.concatenate([[0], np.cumsum(sizes)])


def _rounds_on(rounds: pd.DataFrame, days: list) -> np.ndarray:
    """The testing round under way on each day: the latest started by then (the first, before any started)."""
    ordered = rounds.sort_values("start_date")
    latest = ordered["round"].cummax().to_numpy()
    started = np.searchsorted(ordered["start_date"].to_numpy(), np.array(days, dtype=ordered["start_date"].dtype), side="right")
    return np.where(started > 0, latest[np.maximum(started - 1, 0)], 1)


def _most_common_level(whole: pd.DataFrame) -> list[str]:
    """Each load's most common level (the alphabetically first of a tie, as `Series.mode` gives it)."""
    counts = whole.groupby(["load", "level"]).size().rename("rows").reset_index()
    firsts = counts.sort_values(["load", "rows", "level"], ascending=[True, False, True]).drop_duplicates("load")
    return list(firsts["level"])
