"""`python -m dashboard bench`: is the dashboard still instant at province scale? Ratios, measured in one process.

Every figure is a ratio against a baseline measured in the same process on
the same rows (DuckDB's bare read_csv, a bare `sum()` scan, pandas), so a
noisy shared machine moves both sides alike. Absolute times are printed as a
guide. The synthetic province is generated once and cached in the bench
folder; the store is built through the product's own ingest path.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import pathlib
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

import duckdb
import pandas as pd

from ..analysis import gaps, rollup
from ..domain import codes, indicators
from ..example import demo, demo_data
from ..intake import ingest, units
from ..output import charts
from ..storage import geo, queries
from ..storage.store import Store, domain_tables
from . import synthetic

ROOT = pathlib.Path(__file__).resolve().parents[2]


def timed(function, repeat: int, setup=None, warm_up: bool = True) -> dict:
    """Median and spread (min, max) in milliseconds over warm runs (one unmeasured warm-up first, unless told not
    to); `setup`, if given, runs before each run and is not measured (writing the file an ingest run will read)."""
    runs = []
    for run in range(repeat + int(warm_up)):
        argument = setup() if setup else None
        started = time.perf_counter()
        function(argument) if setup else function()
        if run or not warm_up:
            runs.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(runs), "min_ms": min(runs), "max_ms": max(runs), "runs": len(runs)}


def interleaved(functions: dict, repeat: int, clock=None) -> dict[str, dict]:
    """Like `timed` for several functions at once, their runs taken in turn (one unmeasured warm-up round first):
    `functions` maps a name to (function, setup or None). On a machine shared with other work, a busy minute then
    slows a product run and the baselines around it alike, instead of only whichever was being measured. `clock`:
    wall time by default, or `time.process_time` (the CPU of every thread of this process, DuckDB's too: what
    other work on the machine moves least)."""
    clock = clock or time.perf_counter
    runs: dict[str, list[float]] = {name: [] for name in functions}
    for run in range(repeat + 1):
        for name, (function, setup) in functions.items():
            argument = setup() if setup else None
            started = clock()
            function(argument) if setup else function()
            if run:
                runs[name].append((clock() - started) * 1000)
    return {name: {"median_ms": statistics.median(r), "min_ms": min(r), "max_ms": max(r), "runs": len(r)}
            for name, r in runs.items()}


def ratio(measured: dict, baseline: dict) -> float:
    return measured["median_ms"] / baseline["median_ms"]


# ---- the store -------------------------------------------------------------------------------
def build_store(province: synthetic.Province, path: pathlib.Path) -> Store:
    """Units, boundaries and every day but the last, loaded through the product's path (cached); a province of
    several parts loads each part's file in turn, as a nightly job would load each province's."""
    store = Store(path)
    done = path.with_name(path.name + ".complete")
    if done.exists():
        return store
    path.unlink(missing_ok=True)
    for units_csv in province.units_csvs:
        units.load_units(store, units_csv)
    _write_boundaries(store, province)
    for day in range(province.days - 1):
        for day_csv in province.day_csvs(day):
            ingest.commit(store, ingest.plan(store, day_csv), user="bench")
    done.touch()
    return store


def _write_boundaries(store: Store, province: synthetic.Province) -> None:
    """Villages from the generator; townships, counties, prefectures and the province as their unions, each level
    the union of the one below (not of the villages again: a province of 500,000 villages is then one union of 91)."""
    import geopandas as gpd

    villages = gpd.read_parquet(province.boundaries)
    frames = [villages]
    for prefix in (9, 6, 4, 2):
        below = frames[-1]
        frames.append(below.assign(code=below["code"].str[:prefix].str.ljust(12, "0"))
                      .dissolve(by="code", as_index=False)[["code", "geometry"]])
    with store.write() as con:
        geo.write_boundaries(con, pd.concat(frames, ignore_index=True), source="bench")


# ---- measurements ----------------------------------------------------------------------------
def measure_ingest(store: Store, province: synthetic.Province, scratch: pathlib.Path, repeat: int,
                   new_days: bool = False, clock=None) -> dict:
    """The last day's rows through plan + commit as a correction of the store's last date (each run a corrected
    file, so every run really writes), or with `new_days` as a date never loaded before (the date after the last).

    The correction is numbered by the store's next load id: a file never seen before, even on a cached store,
    so no run is a cheap "same file again" no-op. The floor is what any layout the pages can read must do at
    least (read the file, key and cluster the rows, store them once), with no check and no rollup: how much of
    the ratio the layout itself costs, and how much validation, history and rollups add on top. The layout floor
    beside it stores them once into the domain's table as the store declares it (see `floor_store`). A new day and a
    corrected one are measured apart because they cost the store differently: a new day displaces no row.
    `clock` as for `interleaved` (the stages too): `time.process_time` measures CPU time instead of wall time.
    """
    clock = clock or time.perf_counter
    source = province.day_csv(province.days - 1)
    frame = pd.read_csv(source, dtype={"code": str})

    def correction() -> pathlib.Path:
        """Of the store's last date (its rollups then refresh that date only, however often a cached store was
        measured); written before the clock starts: making the test file is not part of ingest."""
        version = next_load_id(store)
        path = scratch / f"testing_{last_date(store):%Y%m%d}_更正{version}.csv"
        corrected(frame, version).to_csv(path, index=False)
        return path

    def new_day() -> pathlib.Path:
        """The same rows under the date after the store's last (no cumulative count drops), written unclocked."""
        path = scratch / f"testing_{last_date(store) + dt.timedelta(days=1):%Y%m%d}.csv"
        frame.to_csv(path, index=False)
        return path

    runs = []

    def product(path: pathlib.Path):
        marks = [("start", clock())]

        def note(fraction: float, stage: str) -> None:
            marks.append((stage, clock()))
        result = ingest.commit(store, ingest.plan(store, path, on_progress=note), user="bench", on_progress=note)
        assert not result.unchanged, "a benchmark correction must be a new file"
        runs.append(marks)
        path.unlink()

    bare_db = floor_store(scratch)
    table = domain_tables("testing", "facts_table")
    last_day_file = dict(path=str(source), domain="testing", snapshot_date=province.date(province.days - 1))

    def bare():
        queries.execute(bare_db, "bench_bare_load", path=str(source))
        bare_db.execute("checkpoint")

    def floor():
        queries.execute(bare_db, "bench_floor_load", **last_day_file)
        bare_db.execute("checkpoint")

    def emptied() -> None:
        queries.execute(bare_db, "bench_layout_floor_clear", identifiers=table)
        bare_db.execute("checkpoint")

    def layout_floor(_) -> None:
        queries.execute(bare_db, "bench_layout_floor", identifiers=table, **last_day_file)
        bare_db.execute("checkpoint")

    times = interleaved({"bare": (bare, None), "floor": (floor, None), "layout_floor": (layout_floor, emptied),
                         "product": (product, new_day if new_days else correction)}, repeat, clock)
    baseline, least, measured = times["bare"], times["floor"], times["product"]
    bare_db.close()
    return {"rows": len(frame), "bare_read_csv": baseline, "product_ingest": measured,
            "ratio": ratio(measured, baseline), "floor": least, "floor_ratio": ratio(least, baseline),
            "over_floor": ratio(measured, least), "layout_floor": times["layout_floor"],
            "over_layout_floor": ratio(measured, times["layout_floor"]),
            "product_stages_ms": stage_medians(runs[1:])}


def floor_store(scratch: pathlib.Path) -> duckdb.DuckDBPyConnection:
    """The floors' own store, with the product's schema: the layout floor stores the file into the very table the
    pages read (the domain's declared columns, the ones a file lacks left empty, compressed like the rest); the
    floor beside it, the benchmark's since issue 7, into a table of the file's own columns. The targets of issue 19
    are stated against the latter; the former says what storing the pages' layout itself costs."""
    path = scratch / "floor.duckdb"
    Store(path).create()
    return duckdb.connect(str(path))


def store_size(store: Store) -> dict:
    """The store's bytes on disk (file and write-ahead log) against the rows it keeps: every row of every load and
    the current ones; bytes per loaded row is what one copy of each row instead of two should roughly halve."""
    with store.read() as cur:
        rows = queries.run(cur, "bench_store_rows").iloc[0]
    wal = store.path.with_name(store.path.name + ".wal")
    size = store.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    return {"bytes": size, "loaded_rows": int(rows["loaded_rows"]), "current_rows": int(rows["current_rows"]),
            "bytes_per_loaded_row": size / max(int(rows["loaded_rows"]), 1)}


INGEST_STAGES = {"read": "file read", "matched": "units, values", "validated": "checks, drops",
                 "rows": "store opened, load recorded", "current": "rows stored", "rollups": "rollups", "written": "commit"}


def stage_medians(runs: list[list[tuple[str, float]]]) -> dict[str, float]:
    """Where an ingest's time goes: the median milliseconds from each stage ingest reports to the next (the
    warm-up run left out), in the order of INGEST_STAGES."""
    spans: dict[str, list[float]] = {}
    for marks in runs:
        for (_, begun), (stage, ended) in zip(marks, marks[1:]):
            spans.setdefault(stage, []).append((ended - begun) * 1000)
    return {stage: statistics.median(spans[stage]) for stage in INGEST_STAGES if stage in spans}


def last_date(store: Store) -> dt.date:
    """The latest date with current rows in any domain."""
    return max(store.query("facts_date_range")["last_date"])


def next_load_id(store: Store) -> int:
    with store.read() as cur:
        return int(queries.rows(cur, "next_load_id")[0][0])


def corrected(frame: pd.DataFrame, version: int) -> pd.DataFrame:
    """Every row's resident population raised by 0–2, and one row (by version) by one more: a distinct file per
    version, as a township's re-sent day would be. It moves no cumulative count: lowering `sampled` made nearly every
    row of two runs in three a "below the previous day" warning, which no real correction does."""
    out = frame.assign(resident_population=frame["resident_population"] + (version % 3))
    row = (version // 3) % len(out)
    out.iloc[row, out.columns.get_loc("resident_population")] += 1
    return out


def late_corrections(store: Store, province: synthetic.Province, scratch: pathlib.Path, count: int = 10) -> int:
    """A batch of late corrections to earlier dates (5,000 rows each): the layout must not erode."""
    grids = synthetic.grid_codes(province.counties)
    for i in range(count):
        day = (i * 7) % max(province.days - 1, 1)
        rows = synthetic.day_frame(grids, day).head(5000)
        path = scratch / f"correction_{province.date(day):%Y%m%d}_{i}.csv"
        rows.assign(sampled=rows["sampled"] + 1).to_csv(path, index=False)
        ingest.commit(store, ingest.plan(store, path), user="bench")
        path.unlink()
    return count


def views(store: Store, province: synthetic.Province) -> dict[str, pd.Series]:
    """The province and one county in the middle of it."""
    county = synthetic.county_codes(province.counties)[province.counties // 2] + "000000"
    return {"province": rollup.unit(store, f"{synthetic.PROVINCE}0000000000"), "county": rollup.unit(store, county)}


def page_queries(store: Store, unit: pd.Series, day: dt.date, first: dt.date) -> dict:
    """What the pages ask of the store for a view: overview, map (children), trend, gap ranking of villages."""
    code = unit["code"]
    return {
        "overview_and_map": lambda: rollup.rollup(store, code, "testing", day),
        "trend": lambda: rollup.trend(store, code, "testing", first, day),
        "gaps_villages": lambda: gaps.ranking(store, code, "testing_coverage", day, level="village"),
    }


# The counts the synthetic province's testing rows carry: its indicators' numerators and denominators.
BENCH_COUNTS = tuple(dict.fromkeys(name for i in indicators.for_domain("testing") for name in (i.numerator, i.denominator)))


def bare_scan(store: Store, unit: pd.Series, first: dt.date, day: dt.date):
    lo = int(unit["num"])
    hi = lo + codes.span(unit["level"])
    return lambda: store.query("bare_scan", {"counts": list(BENCH_COUNTS)}, domain="testing", date_from=first,
                               date_to=day, lo=lo, hi=hi)


def pandas_way(frame: pd.DataFrame, unit: pd.Series, days: list, child_level: str | None):
    """The same rollup done naively: filter an in-memory frame to the unit's rows on `days`, group, sum.

    Grouped by child unit (and day) where the page shows children, by day alone for a trend.
    """
    lo, span = int(unit["num"]), codes.span(unit["level"])
    stamps = [pd.Timestamp(day) for day in days]

    def run():
        rows = frame[frame["snapshot_date"].isin(stamps) & (frame["num"] >= lo) & (frame["num"] < lo + span)]
        keys = [rows["snapshot_date"]] + ([rows["num"] // codes.span(child_level)] if child_level else [])
        return rows.groupby(keys)[list(BENCH_COUNTS)].sum()
    return run


def pandas_queries(frame: pd.DataFrame, unit: pd.Series, province: synthetic.Province, child_level: str) -> dict:
    """Each page query's naive equivalent, by the same name: the map's children on the day, the unit on every
    day, the villages on the day and the day before (a ranking's change)."""
    day, every_day = province.date(province.days - 1), [province.date(d) for d in range(province.days)]
    return {"overview_and_map": pandas_way(frame, unit, [day], child_level),
            "trend": pandas_way(frame, unit, every_day, None),
            "gaps_villages": pandas_way(frame, unit, every_day[-2:], "village")}


def sql_of(function) -> dict:
    """Run a page's data function and time only its SQL: every query, and the rollup queries among them."""
    with queries.observed() as seen:
        function()
    return {"all_sql_ms": sum(ms for _, ms in seen), "rollup_ms": sum(ms for name, ms in seen if "rollup" in name),
            "queries": len(seen)}


def timed_sql(function, repeat: int) -> dict:
    """Medians over warm runs of a page function's total SQL time and its rollup queries' time."""
    function()
    runs = [sql_of(function) for _ in range(repeat)]
    return {key: statistics.median(r[key] for r in runs) for key in ("all_sql_ms", "rollup_ms", "queries")}


def measure_pages(store: Store, province: synthetic.Province, repeat: int) -> dict:
    """Per view and page function: its rollup SQL against the bare scan of the same rows, all its SQL, pandas."""
    day, first = province.date(province.days - 1), province.date(0)
    frame = store.query("bench_facts_frame", {"counts": list(BENCH_COUNTS)}, domain="testing")
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    out = {}
    for view, unit in views(store, province).items():
        child = {"province": "prefecture", "county": "township"}[view]
        one_day = timed(bare_scan(store, unit, day, day), repeat)
        all_days = timed(bare_scan(store, unit, first, day), repeat)
        two_days = timed(bare_scan(store, unit, province.date(max(province.days - 2, 0)), day), repeat)
        naive_queries = pandas_queries(frame, unit, province, child)
        for name, function in page_queries(store, unit, day, first).items():
            naive = timed(naive_queries[name], repeat)
            sql = timed_sql(function, repeat)
            baseline = {"trend": all_days, "gaps_villages": two_days}.get(name, one_day)  # the rows it ranks
            out[f"{view}/{name}"] = {
                "rollup_sql_ms": sql["rollup_ms"], "all_sql_ms": sql["all_sql_ms"], "queries": sql["queries"],
                "bare_scan_ms": baseline["median_ms"], "ratio_to_bare": sql["rollup_ms"] / baseline["median_ms"],
                "pandas_ms": naive["median_ms"], "pandas_over_product": naive["median_ms"] / sql["rollup_ms"],
                "python_total": timed(function, repeat)}
    return out


def bare_map(shapes, height: int) -> dict:
    """The dashboard's choropleth spec (`charts.choropleth`) over `shapes` with every unit in one class, no names and
    a one-line tooltip: what a map view sends and draws, less what its figures add."""
    base = {"geojson": charts.geojson(shapes), "labels": charts.no_labels()}
    values = pd.DataFrame({"code": shapes["code"], "status": "met", "tip": [{"title": c} for c in shapes["code"]]})
    return charts.choropleth(base, values, "zh", height)


def map_payloads(store: Store, province: synthetic.Province) -> dict:
    """Bytes each map view sends (figure JSON), raw and gzipped: province → counties, county → townships, township → villages."""
    county = views(store, province)["county"]
    township = rollup.unit(store, store.query("unit_children", code=county["code"])["code"].iloc[0])
    out = {}
    for view, unit in (("province", views(store, province)["province"]), ("county", county), ("township", township)):
        shapes = geo.simplified(geo.child_shapes(store, unit))
        if unit["level"] == "province":  # the province view draws counties, not prefectures
            shapes = geo.simplified(geo.child_shapes(store, unit, level="county"))
        payload = json.dumps(bare_map(shapes, 500), ensure_ascii=False).encode()
        out[view] = {"polygons": len(shapes), "raw_bytes": len(payload), "gzip_bytes": len(gzip.compress(payload))}
    return out


def measure_render(store: Store, province: synthetic.Province, warm: int = 3) -> dict:
    """Each page rendered server-side through AppTest at province scale, cold and warm (the best of `warm` runs),
    in its own process, which also reports its peak memory (apart from this process's pandas baseline)."""
    views_ = views(store, province)
    script = ROOT / "dashboard" / "ui" / "bench_render.py"  # AppTest resolves app.py against the caller: run from ROOT
    result = subprocess.run([sys.executable, str(script), str(store.path), views_["province"]["code"],
                             views_["county"]["code"], str(warm)], capture_output=True, text=True, cwd=ROOT,
                            timeout=1800)
    if result.returncode != 0:
        return {"error": result.stderr[-2000:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_demo(scratch: pathlib.Path, repeat: int) -> dict:
    """The demo county that `python -m dashboard demo` and the tests build: generating it and building its store,
    against DuckDB's bare read_csv of the same report rows (written once, one CSV per domain). It was a wall-clock
    test once; a slower machine moves the baseline too, so the ratio is what to watch. Each run is a whole
    generation (seconds), so there is no warm-up run and a quick run measures each once."""
    runs = max(1, repeat // 3)
    generated = []
    generate = timed(lambda: generated.append(demo_data.generate()), runs, warm_up=False)
    files = _demo_rows_by_domain(generated[0], scratch)
    bare = timed(lambda: [duckdb.read_csv(str(f)).aggregate("count(*)").fetchall() for f in files], repeat)
    build = timed(lambda: demo.build(Store(scratch / "demo.duckdb")), runs, warm_up=False)
    return {"loads": len(generated[0].loads), "rows": sum(len(load.frame) for load in generated[0].loads),
            "bare_read_csv": bare, "generate": generate, "build": build,
            "generate_ratio": ratio(generate, bare), "build_ratio": ratio(build, bare)}


def _demo_rows_by_domain(county, scratch: pathlib.Path) -> list[pathlib.Path]:
    """The demo's report rows as one CSV per domain: the least reading them could cost."""
    by_domain: dict[str, list[pd.DataFrame]] = {}
    for load in county.loads:
        by_domain.setdefault(load.domain, []).append(load.frame)
    files = []
    for domain, frames in by_domain.items():
        files.append(scratch / f"demo-{domain}.csv")
        pd.concat(frames, ignore_index=True).to_csv(files[-1], index=False)
    return files


def store_path(folder: pathlib.Path, province: synthetic.Province) -> pathlib.Path:
    """The cached store of a province: named like its generated files, so a new generator builds a new store."""
    return folder / f"store-{province.folder.name}.duckdb"


def run(folder: pathlib.Path, counties: int, days: int, repeat: int, out: pathlib.Path,
        ingest_only: bool = False, late: int = 10, cpu: bool = False) -> dict:
    """Every measurement, or with `ingest_only` the store's size and the ingest of a corrected and a new day;
    `late` corrections to earlier dates between the two rounds of measures; with `cpu` the ingest's runs and its
    baselines are timed by CPU time (`time.process_time`), not wall time: on a machine shared with other work the
    ratio to the floor then moves far less."""
    clock = time.process_time if cpu else None
    started = time.perf_counter()
    province = synthetic.build(folder, counties, days)
    store = build_store(province, store_path(folder, province))
    scratch = folder / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    result = {"machine": machine(), "counties": counties, "days": days, "rows_per_day": None,
              "clock": "cpu" if cpu else "wall"}
    result["store_built"] = store_size(store)
    result["ingest"] = measure_ingest(store, province, scratch, repeat, clock=clock)
    result["rows_per_day"] = result["ingest"]["rows"]
    result["ingest_new_day"] = measure_ingest(store, province, scratch, repeat, new_days=True, clock=clock)
    if not ingest_only:
        result["pages"] = measure_pages(store, province, repeat)
    result["late_corrections"] = late_corrections(store, province, scratch, late)
    if not ingest_only:
        result["pages_after_corrections"] = measure_pages(store, province, repeat)
    result["ingest_after_corrections"] = measure_ingest(store, province, scratch, repeat, clock=clock)
    result["store_measured"] = store_size(store)
    if not ingest_only:
        result["map_payloads"] = map_payloads(store, province)
        result["render"] = measure_render(store, province, warm=min(3, repeat))
        result["demo"] = measure_demo(scratch, repeat)
    result["seconds"] = time.perf_counter() - started
    out.write_text(json.dumps(result, indent=1, default=str))
    return result


# ---- the scaling table (issue 19): the same measures at 10, 100, 1,000 counties ---------------------------------
def scaling(folder: pathlib.Path, scales: list[int], days: int, repeat: int, out: pathlib.Path) -> list[dict]:
    """One row per scale, smallest first; the JSON is rewritten after each, so a scale too large for the machine
    still leaves the smaller ones' figures."""
    rows = []
    for counties in sorted(scales):
        rows.append(measure_scale(folder, counties, days, repeat))
        out.write_text(json.dumps({"machine": machine(), "scales": rows}, indent=1, default=str))
    return rows


def measure_scale(folder: pathlib.Path, counties: int, days: int, repeat: int) -> dict:
    """A store of `counties` with every day but the last loaded, then: its size, the page SQL of the top view and
    of one county on the last loaded day, the top view's map payload, the pages rendered in a process of their
    own (its peak memory), the last day ingested whole (every part), and a new day's file against the floor."""
    started = time.perf_counter()
    province = synthetic.build(folder, counties, days)
    store = build_store(province, store_path(folder, province))
    built = time.perf_counter()
    scratch = folder / "scratch" / f"c{counties}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    day, first = province.date(province.days - 2), province.date(0)
    result = {"counties": counties, "days": days, "store": store_size(store),
              "pages": {f"{view}/{name}": timed_sql(function, repeat)
                        for view, unit in views(store, province).items()
                        for name, function in page_queries(store, unit, day, first).items()},
              "map_payload": map_payloads(store, province)["province"],
              "render": measure_render(store, province, warm=1),
              "day_ingest": ingest_day(store, province, scratch)}
    result["rows_per_day"] = result["day_ingest"]["rows"]
    result["ingest"] = measure_ingest(store, province, scratch, repeat, new_days=True)
    result["ingest"]["ms_per_100k"] = result["ingest"]["product_ingest"]["median_ms"] / result["ingest"]["rows"] * 1e5
    result["build_seconds"], result["seconds"] = built - started, time.perf_counter() - started
    result["bench_peak_rss_mib"] = peak_rss_mib()
    shutil.rmtree(scratch, ignore_errors=True)
    return result


def ingest_day(store: Store, province: synthetic.Province, scratch: pathlib.Path) -> dict:
    """The last generated day, every part's file in turn through plan + commit, once: a whole day (a national one
    is one file per part). Copied under the date after the store's last, unclocked, so that a cached store that
    was measured before still takes it as a new day, not as files it already holds."""
    date = pd.Timestamp(last_date(store)).date() + dt.timedelta(days=1)
    ms, rows = 0.0, 0
    for part, source in enumerate(province.day_csvs(province.days - 1)):
        path = scratch / f"testing_{date:%Y%m%d}_p{part + 1:02d}.csv"
        shutil.copyfile(source, path)
        started = time.perf_counter()
        plan = ingest.plan(store, path)
        result = ingest.commit(store, plan, user="bench")
        ms += (time.perf_counter() - started) * 1000
        assert not result.unchanged and plan.snapshot_date == date, "the whole day must be a new day"
        rows += len(plan.frame)
        path.unlink()
    return {"files": province.parts, "rows": rows, "ms": ms, "ms_per_100k": ms / max(rows, 1) * 1e5}


SCALE_PAGES = ("overview_and_map", "trend", "gaps_villages")


def scaling_table(rows: list[dict]) -> str:
    """The scaling table as Markdown: one line per scale, times as measured (medians of warm runs). The days a store
    holds are counted from its rows: a cached store keeps the days earlier measurements added."""
    head = ["counties", "grid rows a day", "store (days held): MiB · bytes a row", "a whole new day: s · ms per 100k rows",
            "one file, new day: ms per 100k rows · × floor", "county view SQL ms: overview+map · trend · village gaps",
            "top view SQL ms: overview+map · trend · village gaps", "top map: counties · KiB gzip",
            "render warm ms: top overview · top map · county map", "dashboard process peak MiB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        render = r["render"].get("pages", {})
        warm = " · ".join(f"{render[p]['warm_ms']:,.0f}" if p in render else "–"
                          for p in ("overview/province", "map/province", "map/county"))
        pages = {view: " · ".join(f"{r['pages'][f'{view}/{name}']['all_sql_ms']:,.1f}" for name in SCALE_PAGES)
                 for view in ("county", "province")}
        s, d, i, m = r["store"], r["day_ingest"], r["ingest"], r["map_payload"]
        lines.append(" | ".join([
            f"| {r['counties']:,}", f"{r['rows_per_day']:,}",
            f"{s['bytes'] / 2**20:,.1f} ({s['current_rows'] / r['rows_per_day']:.0f}) · {s['bytes_per_loaded_row']:.1f}",
            f"{d['ms'] / 1000:,.1f} ({d['files']} file{'s' if d['files'] > 1 else ''}) · {d['ms_per_100k']:,.0f}",
            f"{i['ms_per_100k']:,.0f} · {i['over_floor']:.1f}×", pages["county"], pages["province"],
            f"{m['polygons']:,} · {m['gzip_bytes'] / 1024:,.0f}", warm,
            f"{r['render'].get('peak_rss_mib', float('nan')):,.0f}"]) + " |")
    return "\n".join(lines)


def machine() -> dict:
    return {"python": platform.python_version(), "duckdb": duckdb.__version__, "cores": os.cpu_count(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "platform": platform.platform(), "date": dt.date.today().isoformat()}


def table(result: dict) -> str:
    """The printed summary: one line per measurement, ratios first."""
    lines = [f"province: {result['counties']} counties, {result['days']} days, {result['rows_per_day']:,} rows/day"
             + ("; the ingest timed by CPU time (every thread of the process)" if result.get("clock") == "cpu" else "")]
    for key in ("ingest", "ingest_new_day", "ingest_after_corrections"):
        r = result[key]
        lines.append(f"{key:<28} ratio to bare read_csv {r['ratio']:6.2f}×   "
                     f"({r['product_ingest']['median_ms']:.0f} ms vs {r['bare_read_csv']['median_ms']:.0f} ms)")
        lines.append(f"{'  floor: one stored copy':<28} ratio to bare read_csv {r['floor_ratio']:6.2f}×   "
                     f"({r['floor']['median_ms']:.0f} ms; the product is {r['over_floor']:.1f}× the floor)")
        if "layout_floor" in r:
            lines.append(f"{'  in the pages’ layout':<28} {r['layout_floor']['median_ms']:.0f} ms (the same file into the "
                         f"domain's declared table, its missing fields empty; the product is {r['over_layout_floor']:.1f}×)")
        lines.append(f"{'  where the product spends':<28} " + " · ".join(
            f"{INGEST_STAGES[stage]} {ms:.0f}" for stage, ms in r["product_stages_ms"].items()) + " ms")
    for key in ("store_built", "store_measured"):
        s = result[key]
        lines.append(f"{key:<28} {s['bytes'] / 2**20:8.1f} MiB on disk   {s['loaded_rows']:,} rows loaded "
                     f"({s['current_rows']:,} current)   {s['bytes_per_loaded_row']:.1f} bytes per loaded row")
    for group in ("pages", "pages_after_corrections"):
        for name, r in result.get(group, {}).items():
            lines.append(f"{group + '/' + name:<52} rollup SQL {r['ratio_to_bare']:6.1f}× bare scan   "
                         f"pandas {r['pandas_over_product']:6.1f}× slower   all SQL {r['all_sql_ms']:5.1f} ms "
                         f"({r['queries']:.0f} queries)   with Python {r['python_total']['median_ms']:.0f} ms")
    for view, p in result.get("map_payloads", {}).items():
        lines.append(f"map payload {view:<10} {p['polygons']:>6} polygons  {p['raw_bytes'] / 1024:8.0f} KiB raw  "
                     f"{p['gzip_bytes'] / 1024:6.0f} KiB gzip")
    d = result.get("demo")
    if d:
        lines.append(f"demo county ({d['loads']} loads, {d['rows']:,} rows)  generate {d['generate_ratio']:6.1f}× bare "
                     f"read_csv ({d['generate']['median_ms']:.0f} ms)   build the store {d['build_ratio']:6.1f}× "
                     f"({d['build']['median_ms']:.0f} ms vs {d['bare_read_csv']['median_ms']:.0f} ms)")
    render = result.get("render", {})
    for name, r in render.get("pages", {}).items():
        lines.append(f"render {name:<30} cold {r['cold_ms']:7.0f} ms   warm {r['warm_ms']:6.0f} ms")
    if "peak_rss_mib" in render:
        lines.append(f"dashboard process peak memory {render['peak_rss_mib']:.0f} MiB")
    if "error" in render:
        lines.append("render failed: " + render["error"].splitlines()[-1])
    return "\n".join(lines)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def markdown(result: dict, command: str) -> str:
    """BENCHMARKS.md: the latest figures, the machine, and the command that reproduces them."""
    m = result["machine"]
    return "\n".join([
        "# Benchmarks", "",
        f"Reproduce: `{command}` (the synthetic province and its store are cached in `bench/`, git-ignored).", "",
        f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, {m['platform']}, Python {m['python']}, "
        f"DuckDB {m['duckdb']}; run on {m['date']}, {result['seconds'] / 60:.0f} min in all (shared machine: "
        "ratios against baselines measured in the same process are what counts).", "",
        f"Province: {result['counties']} counties, {result['days']} days, {result['rows_per_day']:,} grid rows a day.",
        "", "```", table(result), "```", "",
        "- *rollup SQL × bare scan*: the rollup queries behind a page against `select sum()` over the same rows "
        "(one date; all dates for the trend).",
        "- *pandas × slower*: the same rollup done by filtering and grouping an in-memory frame of all rows.",
        "- *all SQL*: every query a page's data function runs; *with Python*: the whole function, DataFrames included.",
        "- *render*: the page through Streamlit's AppTest in a process of its own (cold: first run; warm: best of 3).",
        ""])
