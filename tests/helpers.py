"""Small hand-made stores for exact arithmetic: a county, two townships, four villages, four grids."""
from __future__ import annotations

import pathlib
import textwrap

from dashboard import ingest, units
from dashboard.store import Store

UNITS_CSV = """\
区划代码,名称
990101000000,小县
990101001000,东街道
990101101000,北镇
990101001001,一社区
990101001002,二社区
990101101201,甲村
990101101202,乙村
990101001001001,一社区第1网格
990101001001002,一社区第2网格
990101101201001,甲村第1网格
990101101201002,甲村第2网格
"""
COUNTY, EAST, NORTH = "990101000000", "990101001000", "990101101000"
V_ONE, V_TWO, V_JIA, V_YI = "990101001001", "990101001002", "990101101201", "990101101202"
G_ONE_1, G_ONE_2, G_JIA_1, G_JIA_2 = "990101001001001", "990101001001002", "990101101201001", "990101101201002"


def write(tmp_path: pathlib.Path, name: str, text: str, encoding: str = "utf-8") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding=encoding)
    return path


def small_store(tmp_path: pathlib.Path) -> Store:
    store = Store(tmp_path / "small.duckdb")
    units.load_units(store, write(tmp_path, "units.csv", UNITS_CSV))
    return store


def load(store: Store, tmp_path: pathlib.Path, name: str, text: str, **options) -> ingest.LoadResult:
    """Plans and commits a CSV; fails the test with the messages if the file has errors."""
    plan = ingest.plan(store, write(tmp_path, name, text), **options)
    assert plan.ok, [m.text("en") for m in plan.errors]
    return ingest.commit(store, plan)
