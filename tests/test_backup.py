"""Backup and restore: the demo store survives a round trip table for table; a damaged backup is refused whole."""
from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading
import time

import duckdb
import pandas as pd
import pytest

from dashboard.analysis import rollup
from dashboard.domain import fields
from dashboard.domain.messages import InputError
from dashboard.example.demo_data import COUNTY_CODE, LAST_DATE
from dashboard.intake import ingest, loads
from dashboard.storage import backup, queries, stored_counts
from dashboard.storage import store as store_module
from dashboard.storage.store import Store
from tests.helpers import ForkedCli, cli_in_process, fingerprint, report_file, sql


def tables_of(path) -> list[str]:
    """The tables actually in a store file, read independently of the product's code."""
    with duckdb.connect(str(path), read_only=True) as con:
        return [r[0] for r in con.execute("select table_name from information_schema.tables "
                                          "where table_type = 'BASE TABLE' "
                                          "order by 1").fetchall()]


def dump(path) -> dict:
    """Every table of a store file: its column names and types, and all its rows sorted."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {table: (con.execute(f"describe {table}").fetchall(),
                        con.execute(f"select * from {table} order by all").fetchall())
                for table in tables_of(path)}


def cli(db, *args) -> subprocess.CompletedProcess:
    return cli_in_process("--db", str(db), "--lang", "en", *args)


def test_the_whitelist_is_every_table_of_the_schema_but_the_rebuilt_counts_and_both_scripts_cover_it(empty_store):
    assert sorted(backup.TABLES + stored_counts.TABLES) == tables_of(empty_store.path)
    for script in ("backup_copy", "backup_restore"):
        assert queries.parameters(script) == set(backup.TABLES), script


def test_demo_store_round_trips_table_for_table(demo_store_copy, tmp_path):
    loads.rollback(demo_store_copy, 5, "tester")  # load_events and a rolled-back load are part of the store too
    manifest = backup.backup(demo_store_copy, tmp_path / "backup")
    assert set(manifest["tables"]) == set(backup.TABLES)
    assert manifest["tables"]["load_events"]["rows"] == 1
    assert manifest["duckdb_version"] == duckdb.__version__ and manifest["schema_sha256"] == backup.schema_version()
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == sorted(
        ["manifest.json", *(f"{t}.parquet" for t in backup.TABLES)])

    restored = Store(tmp_path / "fresh" / "restored.duckdb")
    backup.restore(restored, tmp_path / "backup")

    original = dump(demo_store_copy.path)
    copy = dump(restored.path)
    assert list(copy) == list(original)
    for table in original:
        assert copy[table] == original[table], table
    assert {t: len(rows) for t, (_, rows) in original.items() if t not in stored_counts.TABLES} == {
        t: e["rows"] for t, e in manifest["tables"].items()}  # the stored counts are rebuilt, equal (above)
    pd.testing.assert_series_equal(rollup.rollup(restored, COUNTY_CODE, "testing", LAST_DATE).unit,
                                   rollup.rollup(demo_store_copy, COUNTY_CODE, "testing", LAST_DATE).unit)
    assert sorted(p.name for p in restored.path.parent.iterdir() if "restore-" in p.name) == []  # nothing left over


def _flip_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _understate_rows(folder):
    """A manifest whose checksums still match but whose row count is wrong: caught after the build, before the swap."""
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["facts_testing"]["rows"] -= 1
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage, key, names", [
    (lambda f: _flip_byte(f / "facts_noncurrent_testing.parquet"), "err_backup_checksum",
     "facts_noncurrent_testing.parquet"),
    (lambda f: _flip_byte(f / "meta.parquet"), "err_backup_checksum", "meta.parquet"),
    (lambda f: (f / "units.parquet").unlink(), "err_backup_file_missing", "units.parquet"),
    (lambda f: (f / "manifest.json").write_text("{not json"), "err_backup_bad_manifest", "manifest.json"),
    (_understate_rows, "err_backup_rows", "facts_testing"),
])
def test_a_damaged_backup_is_refused_and_the_store_is_unchanged(demo_store_copy, tmp_path, damage, key, names):
    folder = tmp_path / "backup"
    backup.backup(demo_store_copy, folder)
    loads.rollback(demo_store_copy, 7, "tester")  # the store moves on after the backup
    before, version = dump(demo_store_copy.path), demo_store_copy.version()
    damage(folder)
    with pytest.raises(InputError) as refused:
        backup.restore(demo_store_copy, folder)
    assert [m.key for m in refused.value.messages] == [key]
    for lang in ("zh", "en"):
        assert names in refused.value.messages[0].text(lang)
    assert demo_store_copy.version() == version and dump(demo_store_copy.path) == before
    assert [p.name for p in tmp_path.iterdir() if "restore-" in p.name] == []


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_what_a_killed_backup_or_restore_left_is_cleared_once_its_process_is_gone(demo_store_copy, tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    partial = tmp_path / f".nightly.partial-{dead}"
    partial.mkdir()
    (partial / "facts_testing.parquet").write_bytes(b"half")
    running = tmp_path / f".other.partial-{alive}"  # a backup still running in this process: kept
    running.mkdir()
    foreign = tmp_path / f".notes.partial-{dead}"  # not a backup's folder (a file of another kind): kept
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    restored = [demo_store_copy.path.with_name(f"{demo_store_copy.path.name}.restore-{dead}{end}")
                for end in ("", ".wal", ".lock")]
    for path in restored:
        path.write_bytes(b"half")
    backup.backup(demo_store_copy, tmp_path / "tonight")
    assert not partial.exists() and running.exists() and foreign.exists()
    backup.restore(demo_store_copy, tmp_path / "tonight")
    assert not any(path.exists() for path in restored)


def test_backup_refuses_a_folder_that_holds_files_and_a_missing_store(demo_store_copy, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "old.txt").write_text("an earlier backup")
    with pytest.raises(InputError) as refused:
        backup.backup(demo_store_copy, tmp_path / "used")
    assert refused.value.messages[0].key == "err_backup_exists"
    with pytest.raises(InputError) as refused:
        backup.backup(Store(tmp_path / "absent.duckdb"), tmp_path / "new")
    assert refused.value.messages[0].key == "err_no_store" and not (tmp_path / "absent.duckdb").exists()
    assert not (tmp_path / "new").exists()


def test_a_manifest_cannot_point_outside_its_folder(demo_store_copy, tmp_path):
    folder = tmp_path / "backup"
    backup.backup(demo_store_copy, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["units"]["file"] = "../elsewhere.parquet"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError) as refused:
        backup.verify(folder)
    assert refused.value.messages[0].key == "err_backup_bad_manifest"


def test_cli_restore_takes_a_backup_folder_or_a_load_number(demo_store_copy, tmp_path):
    db = demo_store_copy.path
    made = cli(db, "backup", str(tmp_path / "nightly"))
    assert made.returncode == 0, made.stderr
    assert f"{len(backup.TABLES)} tables" in made.stdout
    assert cli(db, "rollback", "3").returncode == 0
    assert loads.history(demo_store_copy).set_index("load_id").at[3, "status"] == "rolled_back"
    by_number = cli(db, "restore", "3")  # the existing command: a load number restores that load
    assert by_number.returncode == 0 and "Restored load 3" in by_number.stdout
    assert cli(db, "rollback", "4").returncode == 0
    whole = cli(db, "restore", str(tmp_path / "nightly"))  # a folder with manifest.json: the whole store
    assert whole.returncode == 0, whole.stderr
    assert "rolled_back" not in set(loads.history(demo_store_copy)["status"])  # load 4 is back as backed up
    neither = cli(db, "restore", str(tmp_path / "no-such-folder"))
    assert neither.returncode == 1 and "neither a load number nor a backup folder" in neither.stderr
    corrupt = tmp_path / "nightly" / "rollups.parquet"
    _flip_byte(corrupt)
    refused = cli(db, "restore", str(tmp_path / "nightly"))
    assert refused.returncode == 1 and str(corrupt) in refused.stderr


def test_backups_taken_while_a_load_runs_hold_the_store_before_or_after_it(demo_store_copy, tmp_path):
    """A backup reads one snapshot: taken during a CLI load, it restores to the store without or with the whole load."""
    day = LAST_DATE + dt.timedelta(days=1)
    report = report_file(demo_store_copy.path, day, tmp_path)
    before = fingerprint(demo_store_copy.path, with_clock=False)
    after_path = tmp_path / "after.duckdb"
    shutil.copyfile(demo_store_copy.path, after_path)
    after_store = Store(after_path)
    ingest.commit(after_store, ingest.plan(after_store, report))
    after_store.close()
    after = fingerprint(after_path, with_clock=False)

    proc = ForkedCli(["--db", str(demo_store_copy.path), "ingest", str(report)], tmp_path / "load")  # a process
    folders = []
    while len(folders) < 3 and (proc.poll() is None or not folders):
        folders.append(tmp_path / f"during{len(folders)}")
        backup.backup(demo_store_copy, folders[-1])
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    for n, folder in enumerate(folders):
        restored = Store(tmp_path / f"restored{n}.duckdb")
        backup.restore(restored, folder)
        assert fingerprint(restored.path, with_clock=False) in (before, after), folder.name


def test_readers_during_a_restore_see_the_old_or_the_new_store(demo_store_copy, tmp_path):
    """The swap happens under the writer lock: a dashboard reading meanwhile sees one store or the other, whole."""
    reader_store = Store(demo_store_copy.path)  # the dashboard's own Store object, as in another process

    def observe():
        roll = rollup.rollup(reader_store, COUNTY_CODE, "testing", LAST_DATE)
        return int(roll.unit["sampled"]), int(roll.children["sampled"].sum())

    backup.backup(demo_store_copy, tmp_path / "backup")
    backed_up = observe()
    history = loads.history(demo_store_copy)
    last_day = history[(history["domain"] == "testing") & (pd.to_datetime(history["snapshot_date"]).dt.date == LAST_DATE)]
    loads.rollback(demo_store_copy, int(last_day["load_id"].iloc[0]), "tester")
    current = observe()
    assert current != backed_up

    seen, errors, stop = [], [], threading.Event()

    def reader():
        for _ in range(2000):  # bounded; stops when told
            if stop.is_set():
                return
            try:
                seen.append(observe())
            except Exception as exc:  # any failure is a finding
                errors.append(exc)

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    while len(seen) < 4:
        time.sleep(0.01)
    backup.restore(demo_store_copy, tmp_path / "backup")
    reads_at_swap = len(seen)
    while len(seen) < reads_at_swap + 8 and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert set(seen) <= {current, backed_up} and current in seen
    assert observe() == backed_up and seen[-1] == backed_up
    reader_store.close()


DOMAINS = ("screening", "testing", "vaccination")


def _every_row_twice(con) -> None:
    """A store as the versions before one copy of each row wrote it (issue 19): each domain's `facts_history_<domain>`
    holds every row of every load, the current ones too; no `facts_noncurrent_<domain>`."""
    for domain in fields.DOMAINS:  # fixed names, a test
        con.execute(f"create table facts_history_{domain} as select * from facts_{domain} "
                    f"union all select * from facts_noncurrent_{domain} order by snapshot_date, num, load_id")
        con.execute(f"drop table facts_noncurrent_{domain}")
    con.execute("create or replace view facts_history as " + " union all by name ".join(
        f"select * replace ('{domain}' as domain) from facts_history_{domain}" for domain in fields.DOMAINS))


def _villages_in(con, table: str) -> None:
    """The villages' rollups as earlier versions kept them: every domain's in one wide table, `table` (`rollups`
    itself, or a `village_rollups` of its own), no table per domain and no view."""
    con.execute("create or replace table wide_villages as select * from village_rollups")
    con.execute("drop view village_rollups")
    for domain in fields.DOMAINS:  # fixed names, a test
        con.execute(f"drop table village_rollups_{domain}")
    if table == "rollups":
        con.execute("insert into rollups select * from wide_villages")
        con.execute("drop table wide_villages")
    else:
        con.execute(f"alter table wide_villages rename to {table}")


def _as_an_older_version_wrote_it(path) -> None:
    """A store as earlier versions wrote it: villages' rollups in `rollups` (no `village_rollups`), and `facts` /
    `facts_history` one wide table each for all domains (no per-domain tables; the history held every row)."""
    with duckdb.connect(str(path)) as con:
        _villages_in(con, "rollups")
        newer = ", ".join(f.name for d in fields.OPTIONAL_DOMAINS for f in fields.domain_fields(d))
        for name in ("facts_history", "facts"):
            # the wide tables of that time had no field of a domain declared since (safety hazards)
            con.execute(f"create table {name}_wide as select * exclude ({newer}) from {name}")  # fixed names, a test
        con.execute("drop view facts_history")
        con.execute("drop view facts")
        for domain in fields.DOMAINS:
            con.execute(f"drop table facts_{domain}")
            con.execute(f"drop table facts_noncurrent_{domain}")
        for name in ("facts_history", "facts"):
            con.execute(f"alter table {name}_wide rename to {name}")


def test_a_store_written_by_an_older_version_is_upgraded_on_first_read(demo_store_copy):
    township = "990101101000"
    expected = rollup.rollup(demo_store_copy, township, "testing", LAST_DATE).children
    before = dump(demo_store_copy.path)
    demo_store_copy.close()
    _as_an_older_version_wrote_it(demo_store_copy.path)
    older = Store(demo_store_copy.path)  # a new process's Store: checks the schema before its first read
    pd.testing.assert_frame_equal(rollup.rollup(older, township, "testing", LAST_DATE).children, expected)
    older.close()
    assert dump(demo_store_copy.path) == before  # every table as a new store has it, every row in place


VILLAGE_TOTALS = ("select domain, count(*), sum(columns(* exclude (domain, snapshot_date, last_reported))), "
                  "min(snapshot_date), max(snapshot_date), max(last_reported), count(last_reported) "
                  "from village_rollups group by domain order by domain")


def test_a_store_with_one_wide_village_rollups_table_is_split_by_domain_with_every_row_kept(demo_store_copy):
    """The layout before villages' rollups were kept per domain: one `village_rollups` table of 41 columns for all
    domains. The next write moves each domain's rows into its own table (only its columns) and drops the wide one:
    the rows, counts and sums per domain as before, every table as a new store has it."""
    demo_store_copy.close()
    before = dump(demo_store_copy.path)
    with duckdb.connect(str(demo_store_copy.path)) as con:
        _villages_in(con, "village_rollups")
        totals = con.execute(VILLAGE_TOTALS).fetchall()
        rows = con.execute("select count(*) from village_rollups").fetchone()[0]
    assert "village_rollups" in tables_of(demo_store_copy.path) and rows > 0
    assert {t[0] for t in totals} == set(DOMAINS)
    with Store(demo_store_copy.path).write():
        pass
    assert "village_rollups" not in tables_of(demo_store_copy.path)
    with duckdb.connect(str(demo_store_copy.path), read_only=True) as con:
        assert con.execute(VILLAGE_TOTALS).fetchall() == totals
        assert sum(con.execute(f"select count(*) from village_rollups_{domain}").fetchone()[0]
                   for domain in fields.DOMAINS) == rows
    assert dump(demo_store_copy.path) == before


def _table_state(path, table: str) -> tuple:
    """A table's rows and the blocks it is stored in: equal before and after a write only if the write left it alone."""
    with duckdb.connect(str(path), read_only=True) as con:
        return (con.execute(f"select * from {table} order by all").fetchall(),
                con.execute(f"select distinct block_id from pragma_storage_info('{table}') order by all").fetchall())


def test_a_load_writes_only_its_own_domains_village_rollups(demo_store_copy, tmp_path):
    report = report_file(demo_store_copy.path, LAST_DATE + dt.timedelta(days=1), tmp_path)
    demo_store_copy.close()
    tables = [f"village_rollups_{domain}" for domain in fields.DOMAINS]
    before = {table: _table_state(demo_store_copy.path, table) for table in tables}
    ingest.commit(demo_store_copy, ingest.plan(demo_store_copy, report), user="tester")
    demo_store_copy.close()
    after = {table: _table_state(demo_store_copy.path, table) for table in tables}
    changed = [table for table in tables if after[table] != before[table]]
    assert changed == ["village_rollups_testing"]
    assert len(after["village_rollups_testing"][0]) > len(before["village_rollups_testing"][0])


def test_a_write_brings_the_layout_up_to_date_whenever_another_writer_touched_the_file(demo_store_copy, monkeypatch):
    """A Store skips the layout checks and the schema script on a file as its own last write left it (they cost a
    province day's load 50-150 ms); a file that another writer changed since (here an older version, which knew no
    village_rollups and kept facts in one wide table) is brought up to date by the next write."""
    runs = []
    real = store_module._bring_up_to_date
    monkeypatch.setattr(store_module, "_bring_up_to_date", lambda con: (runs.append(con), real(con)))
    for _ in range(3):
        with demo_store_copy.write():
            pass
    assert len(runs) == 1  # the first write of this Store only
    demo_store_copy.close()
    before = dump(demo_store_copy.path)
    _as_an_older_version_wrote_it(demo_store_copy.path)
    with demo_store_copy.write():
        pass
    assert len(runs) == 2
    assert dump(demo_store_copy.path) == before  # every table as a new store has it, every row in place


STORED_CODE = "left(lpad(num::varchar, 15, '0'), if(prefix_len > 12, 15, 12)) as code"
OLD_ORDER = ("load_id, domain, snapshot_date, as_of_hour, num, {}, prefix_len, round, "
             "* exclude (load_id, domain, snapshot_date, as_of_hour, num, prefix_len, round)")


def _with_stored_codes(path) -> None:
    """A store as the version before codes were derived wrote it: each domain's tables store `code`, and the views
    take it as stored."""
    with duckdb.connect(str(path)) as con:
        for name in ("facts_history", "facts"):
            for domain in DOMAINS:  # fixed names, a test
                con.execute(f"create table {name}_{domain}_old as select {OLD_ORDER.format(STORED_CODE)} "
                            f"from {name}_{domain}")
                con.execute(f"drop table {name}_{domain}")
                con.execute(f"alter table {name}_{domain}_old rename to {name}_{domain}")
            con.execute(f"create or replace view {name} as " + " union all by name ".join(
                f"select * replace ('{domain}' as domain) from {name}_{domain}" for domain in DOMAINS))


def test_a_store_that_kept_every_row_twice_is_upgraded_on_first_read(demo_store_copy):
    """A store written before one copy (every row in `facts_history_<domain>`, the current ones again in
    `facts_<domain>`) opens as the same store in the new layout: the history's rows that are not current become the
    noncurrent rows, the old tables are gone, pages read the same, and rollback then restore still work on it."""
    township = "990101101000"
    expected = rollup.rollup(demo_store_copy, township, "testing", LAST_DATE).children
    every_row = sql(demo_store_copy, "select * from facts_history order by all")
    before = dump(demo_store_copy.path)
    demo_store_copy.close()
    with duckdb.connect(str(demo_store_copy.path)) as con:
        _every_row_twice(con)
    assert "facts_history_testing" in tables_of(demo_store_copy.path)
    older = Store(demo_store_copy.path)  # a new process's Store: checks the schema before its first read
    pd.testing.assert_frame_equal(rollup.rollup(older, township, "testing", LAST_DATE).children, expected)
    older.close()
    assert dump(demo_store_copy.path) == before  # every table as a new store has it, every row once
    assert not any(t.startswith("facts_history_") for t in tables_of(demo_store_copy.path))
    assert sql(older, "select * from facts_history order by all") == every_row
    loads.rollback(older, 5, "tester")
    loads.restore(older, 5, "tester")
    assert sql(older, "select * from facts_history order by all") == every_row


def test_a_store_that_stored_codes_reads_and_its_first_write_drops_them(demo_store_copy):
    township = "990101101000"
    expected = rollup.rollup(demo_store_copy, township, "testing", LAST_DATE).children
    codes = sql(demo_store_copy, "select code, num, prefix_len from facts_history order by load_id, num")
    before = dump(demo_store_copy.path)
    demo_store_copy.close()
    with duckdb.connect(str(demo_store_copy.path)) as con:
        _every_row_twice(con)
    _with_stored_codes(demo_store_copy.path)
    older = Store(demo_store_copy.path)
    pd.testing.assert_frame_equal(rollup.rollup(older, township, "testing", LAST_DATE).children, expected)
    with older.write():
        pass
    older.close()
    assert dump(demo_store_copy.path) == before  # the stored code columns gone, every row in place
    assert sql(older, "select code, num, prefix_len from facts_history order by load_id, num") == codes


def _merged(folder, manifest, old_name, tables, tmp_path) -> None:
    """Rewrites a backup as an older version wrote it: the rows of `tables` in one file `old_name`."""
    files = [str(folder / manifest["tables"][t]["file"]) for t in tables]
    merged = tmp_path / "merged.parquet"
    with duckdb.connect() as con:
        con.execute("copy (select * from read_parquet($files, union_by_name = true)) to $out (format parquet)",
                    {"files": files, "out": str(merged)})
    for file in files:
        pathlib.Path(file).unlink()
    target = folder / f"{old_name}.parquet"
    shutil.move(merged, target)
    rows = sum(manifest["tables"].pop(t)["rows"] for t in tables)
    manifest["tables"][old_name] = {"file": target.name, "rows": rows, "sha256": backup._sha256(target)}


def _every_row_twice_in_backup(folder, manifest) -> None:
    """Rewrites a backup as the versions before one copy of each row wrote it: per domain a `facts_history_<domain>`
    file with every row of every load (the current ones too), no noncurrent file."""
    for domain in fields.DOMAINS:
        current, noncurrent = (folder / manifest["tables"][t]["file"] for t in (f"facts_{domain}", f"facts_noncurrent_{domain}"))
        target = folder / f"facts_history_{domain}.parquet"
        with duckdb.connect() as con:
            con.execute("copy (select * from read_parquet($files)) to $out (format parquet)",
                        {"files": [str(current), str(noncurrent)], "out": str(target)})
        noncurrent.unlink()
        rows = manifest["tables"].pop(f"facts_noncurrent_{domain}")["rows"] + manifest["tables"][f"facts_{domain}"]["rows"]
        manifest["tables"][f"facts_history_{domain}"] = {"file": target.name, "rows": rows,
                                                         "sha256": backup._sha256(target)}


def test_a_backup_that_kept_every_row_twice_restores(demo_store_copy, tmp_path):
    original = dump(demo_store_copy.path)
    folder = tmp_path / "older"
    manifest = backup.backup(demo_store_copy, folder)
    _every_row_twice_in_backup(folder, manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    restored = Store(tmp_path / "fresh" / "restored.duckdb")
    backup.restore(restored, folder)
    assert dump(restored.path) == original


def _add_stored_codes(folder, manifest, tables) -> None:
    """Rewrites a backup as the version before codes were derived wrote it: the domains' files with `code`."""
    for table in tables:
        file = folder / manifest["tables"][table]["file"]
        with duckdb.connect() as con:
            con.execute(f"copy (select *, {STORED_CODE} from read_parquet($file)) to $out (format parquet)",
                        {"file": str(file), "out": str(file) + ".new"})
        pathlib.Path(str(file) + ".new").replace(file)
        manifest["tables"][table]["sha256"] = backup._sha256(file)


def test_a_backup_with_stored_codes_restores(demo_store_copy, tmp_path):
    original = dump(demo_store_copy.path)
    folder = tmp_path / "older"
    manifest = backup.backup(demo_store_copy, folder)
    _every_row_twice_in_backup(folder, manifest)
    _add_stored_codes(folder, manifest, [f"{name}_{domain}" for name in ("facts_history", "facts") for domain in DOMAINS])
    (folder / "manifest.json").write_text(json.dumps(manifest))
    restored = Store(tmp_path / "fresh" / "restored.duckdb")
    backup.restore(restored, folder)
    assert dump(restored.path) == original


def test_a_backup_written_by_an_older_version_restores(demo_store_copy, tmp_path):
    original = dump(demo_store_copy.path)
    folder = tmp_path / "older"
    manifest = backup.backup(demo_store_copy, folder)
    _every_row_twice_in_backup(folder, manifest)
    _merged(folder, manifest, "rollups", ["rollups", *(f"village_rollups_{domain}" for domain in fields.DOMAINS)],
            tmp_path)
    for name in ("facts_history", "facts"):
        _merged(folder, manifest, name, [f"{name}_{domain}" for domain in DOMAINS], tmp_path)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    restored = Store(tmp_path / "fresh" / "restored.duckdb")
    backup.restore(restored, folder)
    assert dump(restored.path) == original


def test_a_backup_with_one_wide_village_rollups_file_restores(demo_store_copy, tmp_path):
    """A backup made before villages' rollups were kept per domain holds them in one `village_rollups` file: each
    domain's table takes its own rows and columns from it, and the row count is checked against that file's."""
    original = dump(demo_store_copy.path)
    folder = tmp_path / "older"
    manifest = backup.backup(demo_store_copy, folder)
    _merged(folder, manifest, "village_rollups", [f"village_rollups_{domain}" for domain in fields.DOMAINS], tmp_path)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert manifest["tables"]["village_rollups"]["rows"] > 0
    restored = Store(tmp_path / "fresh" / "restored.duckdb")
    backup.restore(restored, folder)
    assert dump(restored.path) == original


def test_a_published_snapshot_serves_several_reader_processes_while_the_writer_loads_the_next(demo_store_copy, tmp_path):
    """Beyond one machine (README, "How it works"): the writer publishes its store as a backup; a serving store restored
    from it is read by several processes at once, untouched by the writer's next load, which reaches them with the
    next snapshot only. Here on one machine, with the CLI's own commands."""
    writer, serving = demo_store_copy, tmp_path / "serving.duckdb"
    backup.backup(writer, tmp_path / "snapshot1")
    assert cli(serving, "restore", str(tmp_path / "snapshot1")).returncode == 0
    published = cli(writer.path, "coverage", "--unit", COUNTY_CODE, "--format", "json").stdout
    report = report_file(writer.path, LAST_DATE + dt.timedelta(days=1), tmp_path)
    load = ForkedCli(["--db", str(writer.path), "ingest", str(report)], tmp_path / "load")  # each its own process
    readers = [ForkedCli(["--db", str(serving), "--lang", "en", "coverage", "--unit", COUNTY_CODE, "--format", "json"],
                         tmp_path / f"reader{n}") for n in range(2)]
    served = [reader.communicate(timeout=120) for reader in readers]
    assert load.wait(timeout=120) == 0, load.communicate(timeout=1)[1]
    assert [out for out, _ in served] == [published, published], [err for _, err in served]
    loaded = cli(writer.path, "coverage", "--unit", COUNTY_CODE, "--format", "json").stdout
    assert json.loads(loaded)["date"] > json.loads(published)["date"]  # the writer moved on; the serving store not
    assert cli(serving, "coverage", "--unit", COUNTY_CODE, "--format", "json").stdout == published
    backup.backup(writer, tmp_path / "snapshot2")
    assert cli(serving, "restore", str(tmp_path / "snapshot2")).returncode == 0
    assert cli(serving, "coverage", "--unit", COUNTY_CODE, "--format", "json").stdout == loaded
