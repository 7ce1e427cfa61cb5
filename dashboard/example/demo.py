"""Builds the demo store (示范县, a fictional county) from dashboard.demo_data.

The reports go through the same write path as real files (ingest.write_load),
so the demo exercises supersede rules, rounds and denominators like real data.
The tests build the same store (tests/conftest.py).
"""
from __future__ import annotations

import hashlib
import os
import time

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
            ingest.write_loads(con, [_plan(load, county.rounds) for load in county.loads], 1, user="demo")
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


def _plan(load, rounds: pd.DataFrame) -> ingest.Plan:
    """A checked plan from a generated frame, as `ingest.plan` would make from the same CSV."""
    frame = load.frame.copy()
    frame["num"] = codes.nums_of(frame["code"])
    frame["level"] = codes.levels_of(frame["code"])
    frame["prefix_len"] = frame["level"].map(codes.PREFIX_LEN).astype("int8")
    round_no = None
    if load.domain == "testing":
        started = rounds[rounds["start_date"] <= load.snapshot_date]
        round_no = int(started["round"].max()) if len(started) else 1
        frame["round"] = round_no
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes()).hexdigest()
    return ingest.Plan(file=load.file_name, sha256=digest, domain=load.domain, snapshot_date=load.snapshot_date,
                       as_of_hour=load.as_of_hour, round=round_no, level=frame["level"].mode().iloc[0], frame=frame)
