"""Ingest of canonical report files: bad input, idempotence, supersede with history, as-of hours, kills, warnings."""
import datetime as dt
import gc
import os
import subprocess
import sys
import threading
import weakref

import duckdb
import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import rollup
from dashboard.domain import messages
from dashboard.intake import ingest, limits, loads
from dashboard.storage import materialize, queries
from tests.helpers import (COUNTY, G_JIA_1, G_JIA_2, G_ONE_1, V_JIA, ForkedCli, cli_in_process, load, small_store,
                           write)

D1 = dt.date(2022, 5, 1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def store(tmp_path):
    return small_store(tmp_path)


def table(store, sql):
    """An independent look at the file, bypassing the product's read path."""
    with duckdb.connect(str(store.path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("text, key, row, column", [
    (f"code,sampled\n{G_JIA_1},10\n990101101201009,5\n", "err_unknown_code", 3, "code"),
    (f"code,sampled\n{G_JIA_1},-4\n", "err_negative", 2, "sampled"),
    (f"code,sampled\n{G_JIA_1},十二\n", "err_not_number", 2, "sampled"),
    (f"code,sampled\n{G_JIA_1},1.5\n", "err_not_number", 2, "sampled"),
    (f"code,sampled\n12345,3\n", "err_bad_code", 2, "code"),
    (f"code,sampled\n{G_JIA_1},3\n{G_JIA_1},4\n", "err_duplicate_code", 3, "code"),
    (f"unit,sampled\n{G_JIA_1},3\n", "err_missing_column", None, None),
    (f"code,colour\n{G_JIA_1},3\n", "err_no_domain", None, None),
])
def test_bad_input_names_file_row_and_column_and_stores_nothing(store, tmp_path, text, key, row, column):
    before = store.version()
    plan = ingest.plan(store, write(tmp_path, "bad_20220501.csv", text))
    assert not plan.ok
    found = [m for m in plan.errors if m.key == key]
    assert found, [m.key for m in plan.errors]
    assert (found[0].row, found[0].column) == (row, column)
    assert "bad_20220501.csv" in found[0].text("zh") and "bad_20220501.csv" in found[0].text("en")
    with pytest.raises(Exception):
        ingest.commit(store, plan)
    assert store.version() == before


def test_unreadable_file_and_missing_date_are_clear_errors(store, tmp_path):
    binary = tmp_path / "scan_20220501.csv"
    binary.write_bytes(b"\x00\xff\xfe\x00garbage" * 50)
    plan = ingest.plan(store, binary)
    assert plan.errors and plan.errors[0].key in {"err_binary_file", "err_missing_column", "err_no_domain"}
    undated = ingest.plan(store, write(tmp_path, "report.csv", f"code,sampled\n{G_JIA_1},3\n"))
    assert [m.key for m in undated.errors] == ["err_no_date"]
    dated = ingest.plan(store, write(tmp_path, "report.csv", f"code,sampled\n{G_JIA_1},3\n"), snapshot_date=D1)
    assert dated.ok and dated.snapshot_date == D1


@pytest.mark.parametrize("encoding, bom", [("utf-16", b""), ("utf-16-be", b"\xfe\xff")])
def test_excels_unicode_text_loads_like_the_utf8_file(store, tmp_path, encoding, bom):
    """Excel's "Save as Unicode text": UTF-16 with a byte-order mark (Python's utf-16 writes its own), tab-separated,
    Chinese headers; "上" holds a 0x0A byte in UTF-16, which must not count as a line end."""
    text = f"区划代码\t常住人口\t已采样人数\r\n{G_JIA_1}\t100\t90\r\n{G_JIA_2}\t80\t上报中\r\n"
    path = tmp_path / "t_20220501_unicode.txt"
    path.write_bytes(bom + text.encode(encoding))
    unicode, utf8 = ingest.plan(store, path), ingest.plan(store, write(tmp_path, "t_20220501.csv", text))
    assert [m.key for m in unicode.errors] == [m.key for m in utf8.errors] == ["err_not_number"]
    assert (unicode.errors[0].values["value"], unicode.errors[0].row) == ("上报中", 3)
    path.write_bytes(bom + text.replace("上报中", "70").encode(encoding))
    assert ingest.plan(store, path).frame["sampled"].tolist() == [90, 70]


def test_cli_bad_input_exits_non_zero_with_the_message(store, tmp_path):
    path = write(tmp_path, "t_20220501.csv", f"code,sampled\n{G_JIA_1},-4\n")
    result = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(store.path), "ingest", str(path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "t_20220501.csv 第 2 行“sampled”列" in result.stderr


def test_loading_the_same_file_again_changes_nothing(store, tmp_path):
    text = f"code,resident_population,sampled\n{G_JIA_1},100,10\n"
    first = load(store, tmp_path, "t_20220501.csv", text)
    version = store.version()
    again = load(store, tmp_path, "t_20220501.csv", text)
    assert again.unchanged and again.load_id == first.load_id
    assert store.version() == version
    assert table(store, "select count(*) from loads") == [(1,)]


def test_a_corrected_file_supersedes_and_history_is_kept(store, tmp_path):
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n{G_JIA_2},100,20\n")
    load(store, tmp_path, "t_20220501_更正.csv", f"code,resident_population,sampled\n{G_JIA_1},100,12\n{G_JIA_2},100,22\n")
    assert rollup.rollup(store, V_JIA, "testing", D1).unit["sampled"] == 34
    history = table(store, "select load_id, sampled from facts_history where code = '%s' order by load_id" % G_JIA_1)
    assert history == [(1, 10), (2, 12)]
    assert table(store, "select load_id, status from loads order by load_id") == [(1, "superseded"), (2, "active")]


def test_a_partial_correction_keeps_the_other_rows_of_the_first_load(store, tmp_path):
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n{G_JIA_2},100,20\n")
    load(store, tmp_path, "t_20220501_b.csv", f"code,resident_population,sampled\n{G_JIA_2},100,25\n")
    assert rollup.rollup(store, V_JIA, "testing", D1).unit["sampled"] == 35
    assert table(store, "select status from loads order by load_id") == [("active",), ("active",)]


def test_the_latest_as_of_hour_wins_then_the_latest_load(store, tmp_path):
    load(store, tmp_path, "t_20220501_截至18时.csv", f"code,resident_population,sampled\n{G_JIA_1},100,60\n")
    load(store, tmp_path, "t_20220501_截至12时.csv", f"code,resident_population,sampled\n{G_JIA_1},100,40\n")
    assert rollup.rollup(store, V_JIA, "testing", D1).unit["sampled"] == 60
    assert table(store, "select as_of_hour from loads order by load_id") == [(18,), (12,)]


CORRECTIONS = (f"code,resident_population,sampled\n{G_JIA_1},100,10\n{G_JIA_2},100,20\n",
               f"code,resident_population,sampled\n{G_JIA_2},100,25\n",
               f"code,resident_population,sampled\n{G_JIA_1},100,12\n{G_ONE_1},50,5\n")


def current_state(store):
    return {name: table(store, f"select * from {name} order by all") for name in ("facts", "rollups", "village_rollups")} | {
        "statuses": table(store, "select load_id, status from loads order by load_id")}


@pytest.mark.parametrize("hours", [(None, None, None), (18, 12, None), (12, 18, 12), (None, 18, 20)])
def test_loads_applied_one_at_a_time_equal_a_rebuild_from_the_history(store, tmp_path, hours):
    """A load updates the current rows and stored rollups incrementally; the full rebuild must agree."""
    for i, (text, hour) in enumerate(zip(CORRECTIONS, hours)):
        load(store, tmp_path, f"t_20220501_{i}" + (f"_截至{hour}时" if hour else "") + ".csv", text)
    loads.rollback(store, 2, user="test")
    loads.restore(store, 2, user="test")
    applied = current_state(store)
    with store.write() as con:
        ingest.rebuild_current(con)
        materialize.refresh_all(con)
    assert current_state(store) == applied
    assert applied["facts"] and applied["rollups"] and applied["village_rollups"]


def test_cumulative_drop_warns_but_a_new_round_does_not(store, tmp_path):
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,90\n", round=1)
    same_round = ingest.plan(store, write(tmp_path, "t_20220502.csv",
                                          f"code,resident_population,sampled\n{G_JIA_1},100,80\n"), round=1)
    assert [m.key for m in same_round.warnings] == ["warn_cumulative_drop"]
    assert same_round.warnings[0].row == 2 and same_round.warnings[0].column == "sampled"
    new_round = ingest.plan(store, write(tmp_path, "t_20220502.csv",
                                         f"code,resident_population,sampled\n{G_JIA_1},100,15\n"), round=2)
    assert new_round.ok and new_round.warnings == []


@pytest.mark.parametrize("previous, nums", [
    ([10, 20, 30], [10, 20, 30]),          # the same units as the day before (no search)
    ([10, 20, 30], [10, 30]),              # a unit silent today
    ([10, 20, 30], [5, 10, 20, 30, 40]),   # new units on both sides
    ([30, 10, 20], [10, 20, 30]),          # the previous rows not in unit order
    ([10, 20, 30], [30, 20, 10]),          # the file's rows not in unit order
    ([10], [11]),
])
def test_each_row_is_matched_to_the_same_units_previous_row(previous, nums):
    at, matched = ingest._matched(np.array(previous, dtype=np.int64), np.array(nums, dtype=np.int64))
    where = {num: i for i, num in enumerate(previous)}
    assert matched.tolist() == [num in where for num in nums]
    assert [int(a) for a, m in zip(at, matched) if m] == [where[num] for num in nums if num in where]


def test_many_row_warnings_list_the_first_and_count_the_rest(store, tmp_path, monkeypatch):
    """A check failing on many rows lists the first `MAX_ROW_MESSAGES` by line, then one line with how many more."""
    monkeypatch.setattr(limits, "MAX_ROW_MESSAGES", 1)
    rows = f"{G_JIA_1},100,90\n{G_JIA_2},100,90\n{G_ONE_1},50,40\n"
    load(store, tmp_path, "t_20220501.csv", "code,resident_population,sampled\n" + rows, round=1)
    header = "code,resident_population,sampled\n"
    dropped = ingest.plan(store, write(tmp_path, "t_20220502.csv", header + rows.replace(",90\n", ",80\n")
                                       .replace(",40\n", ",30\n")), round=1)
    assert [m.key for m in dropped.warnings] == ["warn_cumulative_drop", "warn_cumulative_drop_more"]
    first, more = dropped.warnings
    assert (first.row, first.column, more.column, more.values["count"]) == (2, "sampled", "sampled", "2")
    assert "另有 2 行" in more.text("zh") and "'sampled'" in more.text("en")
    assert messages.rows_meant(dropped.warnings) == 3  # the import page's count: every row, not every line
    over = ingest.plan(store, write(tmp_path, "t_20220503.csv", header + rows.replace(",90\n", ",130\n")
                                    .replace(",40\n", ",60\n")), round=1)
    assert [m.key for m in over.warnings] == ["warn_over_denominator", "warn_over_denominator_more"]
    assert over.warnings[0].row == 2 and over.warnings[1].values["count"] == "2"


@pytest.mark.parametrize("cells, key", [
    ([(G_JIA_1, "-1"), (G_JIA_2, "-2"), (G_ONE_1, "-3")], "err_negative"),
    ([(G_JIA_1, "x"), (G_JIA_2, "n/a"), (G_ONE_1, "1.5")], "err_not_number"),
    ([(G_JIA_1, str(10 * limits.MAX_COUNT))] * 1 + [(G_JIA_2, "1e30"), (G_ONE_1, str(limits.MAX_COUNT + 1))],
     "err_too_large"),
    ([("12345", "1"), ("1", "2"), ("abc", "3")], "err_bad_code"),
    ([("990101101201097", "1"), ("990101101201098", "2"), ("990101101201099", "3")], "err_unknown_code"),
    ([(G_JIA_1, "1")] * 4, "err_duplicate_code"),
])
def test_many_row_errors_list_the_first_and_count_the_rest(store, tmp_path, monkeypatch, cells, key):
    """A file failing on every row (500,000 in a province file) names its first rows, then how many more."""
    monkeypatch.setattr(limits, "MAX_ROW_MESSAGES", 1)
    before = store.version()
    text = "code,sampled\n" + "".join(f"{code},{value}\n" for code, value in cells)
    plan = ingest.plan(store, write(tmp_path, "bad_20220501.csv", text))
    assert [m.key for m in plan.errors] == [key, f"{key}_more"]
    first, more = plan.errors
    bad_rows = 3
    assert first.row == 2 + len(cells) - bad_rows and more.values["more_rows"] == bad_rows - 1
    assert messages.rows_meant(plan.errors) == bad_rows
    assert "bad_20220501.csv" in more.text("zh") and "另有 2 行" in more.text("zh") and "2 more rows" in more.text("en")
    with pytest.raises(Exception):
        ingest.commit(store, plan)
    assert store.version() == before


def test_numerator_above_denominator_is_a_warning_and_not_capped(store, tmp_path):
    plan = ingest.plan(store, write(tmp_path, "t_20220501.csv", f"code,resident_population,target_persons,sampled\n"
                                                                f"{G_JIA_1},100,100,130\n"))
    assert plan.ok and {m.key for m in plan.warnings} == {"warn_over_denominator"}
    ingest.commit(store, plan)
    assert rollup.rollup(store, V_JIA, "testing", D1).unit["testing_coverage_ratio"] == pytest.approx(1.3)


def dump(store):
    """Every table's rows: the store's whole logical content."""
    names = [r[0] for r in table(store, "select table_name from information_schema.tables order by 1")]
    return {name: table(store, f"select * from {name} order by all") for name in names}


@pytest.mark.parametrize("fault", ["after_rows", "before_commit"])
def test_a_load_killed_half_way_leaves_the_store_as_it_was(store, tmp_path, fault):
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n")
    before = dump(store)
    path = write(tmp_path, "t_20220502.csv", f"code,resident_population,sampled\n{G_JIA_1},100,20\n{G_JIA_2},100,5\n")
    result = ForkedCli(["--db", str(store.path), "ingest", str(path)], tmp_path / "load", {"DASHBOARD_FAULT": fault})
    assert result.wait(timeout=120) == -9  # really killed
    assert dump(store) == before
    assert table(store, "select count(*) from facts_history") == [(1,)]
    load(store, tmp_path, "t_20220502.csv", path.read_text())  # the next writer gets the store and succeeds
    assert rollup.rollup(store, COUNTY, "testing", dt.date(2022, 5, 2)).unit["sampled"] == 25


def test_readers_keep_working_while_a_writer_swaps_the_file(store, tmp_path):
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_ONE_1},100,10\n")
    assert rollup.rollup(store, COUNTY, "testing", D1).unit["sampled"] == 10  # opens a reader
    load(store, tmp_path, "t_20220501_b.csv", f"code,resident_population,sampled\n{G_ONE_1},100,11\n")
    assert rollup.rollup(store, COUNTY, "testing", D1).unit["sampled"] == 11  # same Store object sees the new file


def test_concurrent_readers_see_the_old_or_the_new_snapshot_never_a_part(store, tmp_path):
    """Readers in threads (a cursor each) while another process ingests: every total is a whole load's."""
    import threading
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n{G_JIA_2},100,10\n")
    path = write(tmp_path, "t_20220501_b.csv", f"code,resident_population,sampled\n{G_JIA_1},100,30\n{G_JIA_2},100,30\n")
    seen, errors, stop = set(), [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                seen.add(int(rollup.rollup(store, COUNTY, "testing", D1).unit["sampled"]))
            except Exception as exc:  # any failure is a finding
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    result = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(store.path), "ingest", str(path)],
                            cwd=ROOT, capture_output=True, text=True)
    final = int(rollup.rollup(store, COUNTY, "testing", D1).unit["sampled"])
    stop.set()
    for thread in threads:
        thread.join()
    assert result.returncode == 0, result.stderr
    assert errors == [] and final == 60
    assert seen <= {20, 60} and 20 in seen


def cli(store, *args):
    """A command in this process (the real `python -m dashboard` runs in test_cli_bad_input_exits_non_zero…)."""
    return cli_in_process("--db", str(store.path), *args)


def test_cli_dry_run_settings_and_rounds(store, tmp_path):
    path = write(tmp_path, "t_20220503.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n")
    before = store.version()
    dry = cli(store, "--lang", "en", "ingest", str(path), "--dry-run")
    assert dry.returncode == 0 and "Dry run t_20220503.csv" in dry.stdout and store.version() == before
    assert cli(store, "round", COUNTY, "2", "2022-05-02").returncode == 0
    assert cli(store, "set", "target.testing_coverage", "0.9").returncode == 0
    assert cli(store, "set", "target.nonsense", "1").returncode == 1
    assert cli(store, "ingest", str(path)).returncode == 0
    roll = rollup.rollup(store, V_JIA, "testing", dt.date(2022, 5, 3))
    assert roll.unit["testing_coverage_target"] == 0.9 and roll.unit["testing_coverage_gap"] == 80
    assert table(store, "select distinct round from facts") == [(2,)]


def test_an_idle_reader_in_another_process_steps_aside_for_a_writer(store, tmp_path):
    """The dashboard keeps its instance open between queries; a CLI ingest must still get the file."""
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n")
    script = ("import sys, time; from dashboard.storage.store import Store; s = Store(sys.argv[1]); "
              "print(len(s.query('units_all')), flush=True); time.sleep(30); "
              "print(len(s.query('units_all')), s.query('loads_all').shape[0], flush=True)")
    reader = subprocess.Popen([sys.executable, "-c", script, str(store.path)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert reader.stdout.readline().strip() == "11"  # the other process has its instance open
        load(store, tmp_path, "t_20220502.csv", f"code,resident_population,sampled\n{G_JIA_1},100,20\n")
        assert reader.poll() is None  # the write did not wait for the reader to exit
        assert table(store, "select count(*) from loads") == [(2,)]
    finally:
        reader.kill()


def test_a_store_no_longer_referenced_releases_its_instance_and_its_reaper(tmp_path):
    """A Store read and dropped is collected: its reaper thread ends and its read-only instance closes, so a
    process that opens many stores (a long-lived server, a test run) does not keep one polling thread per store."""
    store = small_store(tmp_path)
    assert len(store.query("units_all")) == 11  # opens the instance and starts its reaper
    reaper = store._reaper
    assert reaper is not None and reaper.is_alive()
    gone = weakref.ref(store)
    del store
    gc.collect()
    assert gone() is None
    reaper.join(timeout=60)  # a bound against a hang: it ends on its next tick (20 ms)
    assert not reaper.is_alive()
    assert not [t for t in threading.enumerate() if t.name == reaper.name]


@pytest.mark.parametrize("cells", [["1", "20", "007"], ["1", "", "3"], ["1,000", "2"], ["+5", "6"], ["٣"],
                                   ["99999999999999999999"], ["1.0", "2"], ["12", "x"], ["-3", "4"]])
def test_the_quick_parse_of_plain_integers_agrees_with_the_general_one(cells):
    from dashboard.intake import checks
    import pandas as pd

    raw = pd.Series(cells, index=range(2, 2 + len(cells)), dtype=object)
    values, bad = checks.numbers(raw)
    general = pd.to_numeric(raw.str.replace(r"[,，\s]", "", regex=True), errors="coerce")
    assert values.astype("float64").fillna(-1).tolist() == general.astype("float64").fillna(-1).tolist()
    assert bad.tolist() == ((raw != "") & general.isna()).tolist()
    assert (checks._plain_integers(raw.astype(str)) is not None) == all(c.isascii() and c.isdigit() and int(c) < 2**63 for c in cells)


PLAIN = f"code,resident_population,sampled\n{G_JIA_1},100,10\n{G_JIA_2},100,20\n{G_ONE_1},50,5\n"


@pytest.mark.parametrize("name, text, plain", [
    ("plain", PLAIN, True),
    ("crlf", PLAIN.replace("\n", "\r\n"), True),
    ("no_final_newline", PLAIN.rstrip("\n"), True),
    ("spaces_and_blanks", PLAIN.replace(",100,", ", 100 ,").replace(",5\n", ",\n"), True),
    ("ideographic_space", PLAIN.replace(",100,", ",\u3000100,"), True),
    ("no_break_space", PLAIN.replace(",100,", ",100\u00a0,"), True),
    ("a_blank_row", PLAIN + ",,\n", True),
    ("title_row", "截至5月1日18时,,\n" + PLAIN, True),
    ("semicolons", PLAIN.replace(",", ";"), True),
    ("ragged", PLAIN + f"{G_JIA_1},1\n", False),
    ("quoted", PLAIN.replace(G_JIA_2, f'"{G_JIA_2}"'), False),
    ("blank_line", PLAIN.replace("\n", "\n\n", 1), False),
    ("bom", "\ufeff" + PLAIN, False),
])
def test_the_duckdb_reader_of_plain_csv_gives_the_cells_and_the_plan_pandas_gives(store, tmp_path, monkeypatch,
                                                                                 name, text, plain):
    from dashboard.intake import sheets

    path = write(tmp_path, f"t_20220501_{name}.csv", text)
    general = sheets.read_sheet(path).cells  # files under PLAIN_CSV_MIN_BYTES go the general way
    general_plan = ingest.plan(store, path)
    monkeypatch.setattr(sheets, "PLAIN_CSV_MIN_BYTES", 0)
    raw = path.read_bytes()
    used = sheets._plain_csv(path, raw, path.name)
    assert (used is not None) == plain
    if plain:  # read as they are only when there is nothing to strip and no empty cell
        assert used[1] == (name in ("plain", "crlf", "no_final_newline", "semicolons"))
    pd.testing.assert_frame_equal(sheets.read_sheet(path).cells, general)
    quick_plan = ingest.plan(store, path)
    pd.testing.assert_frame_equal(quick_plan.frame, general_plan.frame)
    assert [m.text("en") for m in quick_plan.errors + quick_plan.warnings] == \
        [m.text("en") for m in general_plan.errors + general_plan.warnings]
