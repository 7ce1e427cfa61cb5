"""The benchmark's own machinery: a deterministic province, baselines over the same rows, ratios from measurements."""
import json

import duckdb
import pandas as pd
import pytest
import shapely

from dashboard.analysis import rollup
from dashboard.benchmark import bench, synthetic
from dashboard.domain import codes
from tests.helpers import cli_in_process


def test_the_synthetic_province_is_deterministic_and_well_formed():
    first, again = synthetic.units(2), synthetic.units(2)
    pd.testing.assert_frame_equal(first, again)
    assert first["code"].is_unique and len(first) == 1 + 1 + 2 * (1 + 20 * (1 + 25 * (1 + 10)))
    assert set(first["code"].str.len()) == {12, 15}
    grids = synthetic.grid_codes(2)
    pd.testing.assert_frame_equal(synthetic.day_frame(grids, 3), synthetic.day_frame(grids, 3))
    assert not synthetic.day_frame(grids, 3).equals(synthetic.day_frame(grids, 4))
    day3, day4 = (synthetic.day_frame(grids, d).set_index("code")["sampled"] for d in (3, 4))
    both = day3.index.intersection(day4.index)
    assert (day4[both] < day3[both]).mean() < 0.01  # cumulative: a few corrections down, not half the grids
    a, b = synthetic.village_boundaries(2), synthetic.village_boundaries(2)
    assert list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))
    assert a.geometry.is_valid.all() and len(a) == 2 * 20 * 25


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """`python -m dashboard bench --quick` through the CLI's main in this process (its page renders still run in a
    process of their own, as the benchmark starts them): what it measures and prints, not a Python start-up."""
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "results.json"
    result = cli_in_process("bench", "--quick", "--folder", str(folder), "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return folder, json.loads(out.read_text()), result.stdout


def test_quick_run_writes_a_complete_result(quick):
    _, result, printed = quick
    assert {"machine", "ingest", "ingest_new_day", "pages", "pages_after_corrections", "ingest_after_corrections",
            "map_payloads", "render", "late_corrections", "demo", "store_built", "store_measured"} <= set(result)
    built, measured = result["store_built"], result["store_measured"]
    assert 0 < built["current_rows"] <= built["loaded_rows"] < measured["loaded_rows"]  # the runs loaded rows
    assert built["bytes_per_loaded_row"] == pytest.approx(built["bytes"] / built["loaded_rows"])
    for group in ("pages", "pages_after_corrections"):
        assert {f"{v}/{p}" for v in ("province", "county") for p in ("overview_and_map", "trend", "gaps_villages")} \
            == set(result[group])
    assert set(result["map_payloads"]) == {"province", "county", "township"}
    assert {"overview/province", "map/province", "overview/county", "map/county"} == set(result["render"]["pages"])
    assert result["render"]["peak_rss_mib"] > 0
    assert "ratio to bare read_csv" in printed and "map payload" in printed and "bytes per loaded row" in printed


def test_ratios_are_computed_from_the_measured_numbers(quick):
    _, result, _ = quick
    ingest = result["ingest"]
    assert ingest["ratio"] == pytest.approx(ingest["product_ingest"]["median_ms"] / ingest["bare_read_csv"]["median_ms"])
    assert ingest["floor_ratio"] == pytest.approx(ingest["floor"]["median_ms"] / ingest["bare_read_csv"]["median_ms"])
    assert ingest["over_floor"] == pytest.approx(ingest["product_ingest"]["median_ms"] / ingest["floor"]["median_ms"])
    assert ingest["over_layout_floor"] == pytest.approx(
        ingest["product_ingest"]["median_ms"] / ingest["layout_floor"]["median_ms"])
    demo = result["demo"]
    assert demo["generate_ratio"] == pytest.approx(demo["generate"]["median_ms"] / demo["bare_read_csv"]["median_ms"])
    assert demo["build_ratio"] == pytest.approx(demo["build"]["median_ms"] / demo["bare_read_csv"]["median_ms"])
    assert demo["loads"] > 0 and demo["rows"] >= demo["loads"]
    assert list(ingest["product_stages_ms"]) == list(bench.INGEST_STAGES)  # every stage ingest reports, in order
    assert all(ms > 0 for ms in ingest["product_stages_ms"].values())
    for page in result["pages"].values():
        assert page["ratio_to_bare"] == pytest.approx(page["rollup_sql_ms"] / page["bare_scan_ms"])
        assert page["pandas_over_product"] == pytest.approx(page["pandas_ms"] / page["rollup_sql_ms"])
        # one query per view once the small lookups are remembered (Store.lookup); all SQL includes the rollup's
        assert page["rollup_sql_ms"] > 0 and page["queries"] >= 1 and page["all_sql_ms"] >= page["rollup_sql_ms"]


def test_stage_medians_are_the_spans_between_reported_stages():
    runs = [[("start", 0.0), ("read", 0.010), ("written", 0.050)], [("start", 1.0), ("read", 1.030), ("written", 1.040)],
            [("start", 2.0), ("read", 2.020), ("written", 2.080)]]
    assert bench.stage_medians(runs) == pytest.approx({"read": 20.0, "written": 40.0})


def test_the_bare_scan_reads_the_rows_the_rollup_counts(quick):
    folder, result, _ = quick
    province = synthetic.build(folder, 2, 4)
    store = bench.build_store(province, bench.store_path(folder, province))
    county = bench.views(store, province)["county"]
    day = province.date(1)
    scan = bench.bare_scan(store, county, day, day)()
    in_file = pd.read_csv(province.day_csv(1), dtype={"code": str})
    in_county = in_file[in_file["code"].str[:6] == county["code"][:6]]
    assert scan["rows"].iloc[0] == len(in_county)  # late corrections change values, never which rows exist
    with duckdb.connect(str(store.path), read_only=True) as con:
        stored = con.execute("select sum(sampled) from facts where snapshot_date = ? and code like ?",
                             [day, county["code"][:6] + "%"]).fetchone()[0]
    assert scan["sampled"].iloc[0] == stored
    assert rollup.rollup(store, county["code"], "testing", day).unit["reported"] == len(in_county)


def test_the_floor_stores_the_rows_the_product_stores_with_the_same_keys(quick):
    """The floor is a fair minimum: every row of the file once, keyed and ordered as the product stores them; the
    layout floor the same rows in the table the pages read (the domain's declared columns)."""
    folder, _, _ = quick
    province = synthetic.build(folder, 2, 4)
    store = bench.build_store(province, bench.store_path(folder, province))
    day = province.date(province.days - 1)
    with duckdb.connect(str(folder / "scratch" / "floor.duckdb"), read_only=True) as con:
        floor = con.execute("select num, prefix_len, snapshot_date, sampled from floor_rows").df()
        in_layout = con.execute("select num, prefix_len, snapshot_date, sampled from facts_testing").df()
        floor_layout = con.execute("describe facts_testing").df()[["column_name", "column_type"]]
    with duckdb.connect(str(store.path), read_only=True) as con:
        stored = con.execute("select num, prefix_len from facts where snapshot_date = ? order by num",
                             [day]).df()
        layout = con.execute("describe facts_testing").df()[["column_name", "column_type"]]
    assert floor_layout.equals(layout)  # the layout floor's table: every declared field, the file's or not
    assert in_layout.equals(floor)
    assert floor["num"].is_monotonic_increasing and (floor["snapshot_date"] == pd.Timestamp(day)).all()
    assert floor[["num", "prefix_len"]].astype(str).equals(stored.astype(str))
    in_file = pd.read_csv(province.day_csv(province.days - 1), dtype={"code": str})
    assert floor["sampled"].sum() == in_file["sampled"].sum()


def test_timed_measures_the_function_and_not_its_setup(monkeypatch):
    """Writing the file an ingest run reads is set-up: only the run itself is on the clock (a fake clock here)."""
    clock = {"now": 0.0}
    monkeypatch.setattr(bench.time, "perf_counter", lambda: clock["now"])

    def advance(seconds):
        clock["now"] += seconds

    calls = []
    result = bench.timed(lambda path: (calls.append(path), advance(0.002)), 3,
                         setup=lambda: (advance(5.0), f"file{len(calls)}")[1])
    assert result["median_ms"] == pytest.approx(2.0) and result["runs"] == 3
    assert calls == ["file0", "file1", "file2", "file3"]  # one unmeasured warm-up, then three measured runs


def test_interleaved_takes_the_runs_in_turn_and_times_only_the_functions(monkeypatch):
    """The ingest and its baselines run in turn (a busy minute slows both); set-up stays off the clock."""
    clock = {"now": 0.0}
    monkeypatch.setattr(bench.time, "perf_counter", lambda: clock["now"])

    def advance(seconds):
        clock["now"] += seconds

    calls = []
    result = bench.interleaved({
        "a": (lambda: (calls.append("a"), advance(0.001)), None),
        "b": (lambda path: (calls.append(path), advance(0.003)), lambda: (advance(5.0), "file")[1])}, 2)
    assert result["a"]["median_ms"] == pytest.approx(1.0) and result["b"]["median_ms"] == pytest.approx(3.0)
    assert result["a"]["runs"] == result["b"]["runs"] == 2
    assert calls == ["a", "file"] * 3  # one unmeasured warm-up round, then two measured ones, in turn


def test_interleaved_can_time_by_the_clock_it_is_given(monkeypatch):
    """`bench --cpu`: the runs timed by the clock passed in (CPU time), never by the wall clock."""
    wall, cpu = {"now": 0.0}, {"now": 0.0}
    monkeypatch.setattr(bench.time, "perf_counter", lambda: wall["now"])

    def work(seconds):
        wall["now"] += 10 * seconds  # a busy machine: the wall clock runs ten times faster than the CPU's
        cpu["now"] += seconds

    result = bench.interleaved({"a": (lambda: work(0.002), None), "b": (lambda: work(0.005), None)}, 3,
                               clock=lambda: cpu["now"])
    assert result["a"]["median_ms"] == pytest.approx(2.0) and result["b"]["median_ms"] == pytest.approx(5.0)
    assert bench.interleaved({"a": (lambda: work(0.002), None)}, 1)["a"]["median_ms"] == pytest.approx(20.0)


def test_the_pandas_baselines_group_what_each_page_shows(quick):
    """The naive way of each page query: the map's children on the day, the unit on every day, the villages on the
    last two days; their sums are the stored rows' own (no carry-forward: only a speed baseline)."""
    folder, _, _ = quick
    province = synthetic.build(folder, 2, 4)
    store = bench.build_store(province, bench.store_path(folder, province))
    county = bench.views(store, province)["county"]
    frame = store.query("bench_facts_frame", {"counts": list(bench.BENCH_COUNTS)}, domain="testing")
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    naive = {name: run() for name, run in bench.pandas_queries(frame, county, province, "township").items()}
    last = pd.read_csv(province.day_csv(province.days - 1), dtype={"code": str})
    last = last[last["code"].str[:6] == county["code"][:6]]
    assert len(naive["trend"]) == province.days
    day = province.date(province.days - 1)  # the benchmark's corrections of the day are its current rows now
    assert naive["overview_and_map"]["sampled"].sum() == bench.bare_scan(store, county, day, day)()["sampled"].iloc[0]
    assert set(naive["overview_and_map"].index.get_level_values(1)) == {
        int(c[:9].ljust(15, "0")) // codes.span("township") for c in last["code"]}
    assert naive["gaps_villages"].index.get_level_values(0).nunique() == 2


def test_the_synthetic_province_grows_wider_past_100_counties_in_files_under_the_row_limit():
    """Up to 100 counties the codes are what they always were (cached stores stay valid); 1,000 counties fit the
    two digits a prefecture and a county each have, and their rows go to files of at most PART_COUNTIES counties."""
    assert synthetic.county_codes(100) == [f"99{p:02d}{c:02d}" for p in range(1, 11) for c in range(1, 11)]
    national = synthetic.county_codes(1000)
    assert len(set(national)) == 1000 and all(len(c) == 6 and c[2:4] != "00" and c[4:] != "00" for c in national)
    parts = synthetic.part_of(pd.Series([c + "101201001" for c in national]), 1000)
    assert list(pd.Series(parts).value_counts().sort_index()) == [synthetic.PART_COUNTIES] * 10


@pytest.fixture(scope="module")
def scaling(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scaling")
    rows = bench.scaling(folder, [2, 1], days=2, repeat=1, out=folder / "scaling.json")
    return folder, rows


def test_the_scaling_table_measures_every_scale(scaling):
    """Rows double when counties double; every measure is there and positive; the table has a line per scale."""
    folder, rows = scaling
    small, large = rows
    assert (small["counties"], large["counties"]) == (1, 2)  # smallest first, whatever order they were asked in
    assert large["rows_per_day"] == pytest.approx(2 * small["rows_per_day"], rel=0.05)
    assert large["store"]["current_rows"] == pytest.approx(2 * small["store"]["current_rows"], rel=0.05)
    assert large["map_payload"]["polygons"] == 2 * small["map_payload"]["polygons"] == 2  # the top view draws counties
    for row in rows:
        assert row["store"]["bytes"] > 0 and row["day_ingest"]["ms_per_100k"] > 0 and row["ingest"]["ms_per_100k"] > 0
        assert row["ingest"]["over_floor"] > 0 and row["map_payload"]["gzip_bytes"] > 0
        assert {f"{v}/{p}" for v in ("province", "county") for p in bench.SCALE_PAGES} == set(row["pages"])
        assert all(page["all_sql_ms"] > 0 for page in row["pages"].values())
        assert row["render"]["peak_rss_mib"] > 0, row["render"]
    assert json.loads((folder / "scaling.json").read_text())["scales"][1]["counties"] == 2
    table = bench.scaling_table(rows).splitlines()
    assert len(table) == 4 and table[2].startswith("| 1 |") and table[3].startswith("| 2 |")
