"""Faults and load on the demo store: loads killed with SIGKILL, and twenty readers during a load.

Slow-ish (about a minute together); run them alone with `python -m pytest -q -m faults`.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from dashboard.analysis import coverage, rollup
from dashboard.example.demo_data import COUNTY_CODE, LAST_DATE
from dashboard.intake import ingest
from dashboard.storage.store import Store
from tests.helpers import ForkedCli, fingerprint, report_file

pytestmark = pytest.mark.faults

ROOT = pathlib.Path(__file__).resolve().parent.parent
NEW_DAY = LAST_DATE + dt.timedelta(days=1)


def writer_holds(store: Store) -> bool:
    """True while a writer holds `.intent` (it wants or has the file)."""
    with open(store.sidecar("intent"), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def start_ingest(db: pathlib.Path, report: pathlib.Path, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dashboard", "--db", str(db), "ingest", str(report)],
                            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def fork_ingest(db: pathlib.Path, report: pathlib.Path) -> ForkedCli:
    """The same ingest in a process forked from one that imported the CLI once (tests/helpers.py `ForkedCli`): the
    kill-at-any-point test starts a dozen, each killed in its plan or its write; the named points and the readers'
    test run the real `python -m dashboard`."""
    return ForkedCli(["--db", str(db), "ingest", str(report)], db)


def wait_for_writer(store: Store, proc: subprocess.Popen | ForkedCli) -> bool:
    """Waits until the process takes the writer's intent (True) or ends first (False)."""
    while proc.poll() is None:
        if writer_holds(store):
            return True
        time.sleep(0.001)
    return False


@pytest.fixture(scope="module")
def kill_bench(demo_store_path, tmp_path_factory):
    """The store before, a new day's report, the store after a clean run of it, and that run's timings."""
    folder = tmp_path_factory.mktemp("kills")
    before = folder / "before.duckdb"
    shutil.copyfile(demo_store_path, before)
    report = report_file(before, NEW_DAY, folder)
    clean = folder / "clean.duckdb"
    shutil.copyfile(before, clean)
    ForkedCli.ready()
    started = time.monotonic()
    proc = fork_ingest(clean, report)  # started as the kill test's runs are: its times are their schedule
    assert wait_for_writer(Store(clean), proc)
    writing_from = time.monotonic() - started
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    duration = time.monotonic() - started
    after = fingerprint(clean, with_clock=False)
    assert after != fingerprint(before, with_clock=False)  # the load changes the store
    return dict(folder=folder, before=before, report=report, after=after, exact_before=fingerprint(before),
                writing_from=writing_from, duration=duration)


def kill_schedule(writing_from: float, duration: float) -> list[tuple[str, float]]:
    """Twelve kill points: three while the process starts and plans (from its start), nine spread over the write
    and a little past it (from the moment it takes the writer's intent); both measured on the clean run."""
    window = max(duration - writing_from, 0.05)
    return ([("start", writing_from * k / 3) for k in range(3)]
            + [("intent", window * 1.15 * k / 8) for k in range(9)])


def test_a_load_killed_at_any_point_leaves_the_store_as_before_or_with_the_whole_load(kill_bench):
    bench = kill_bench
    outcomes = []
    for n, (since, delay) in enumerate(kill_schedule(bench["writing_from"], bench["duration"])):
        victim = bench["folder"] / f"victim{n}.duckdb"
        shutil.copyfile(bench["before"], victim)
        store = Store(victim)
        proc = fork_ingest(victim, bench["report"])
        writing = wait_for_writer(store, proc) if since == "intent" else False
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        _, stderr = proc.communicate(timeout=120)
        returncode = proc.returncode
        killed_while_writing = returncode == -signal.SIGKILL and writing

        assert len(store.query("loads_all")) > 0  # the dashboard's read path opens it (replaying any WAL)
        state = fingerprint(victim)
        if state == bench["exact_before"]:
            outcome = "before"
        else:
            assert fingerprint(victim, with_clock=False) == bench["after"], f"kill point {n}: a partial load"
            outcome = "after"
        assert returncode in (0, -signal.SIGKILL), stderr
        if returncode == 0:
            assert outcome == "after", f"kill point {n}: finished but not all there"
        outcomes.append((outcome, killed_while_writing))

        plan = ingest.plan(store, bench["report"])  # the store still takes the same load, and ends the same
        ingest.commit(store, plan)
        store.close()
        assert fingerprint(victim, with_clock=False) == bench["after"], f"kill point {n}: reload differs"
        victim.unlink()
    assert any(killed_while_writing for _, killed_while_writing in outcomes), outcomes  # kills really hit the write
    assert {"before"} <= {outcome for outcome, _ in outcomes}, outcomes


@pytest.mark.parametrize("fault, outcome", [("after_rows", "before"), ("before_commit", "before"),
                                            ("after_commit", "after")])
def test_a_load_killed_at_each_named_point(kill_bench, fault, outcome):
    """The points around the commit, hit exactly: after the commit and before the checkpoint the load lives only
    in DuckDB's write-ahead log, and a read-only reader must see all of it."""
    victim = kill_bench["folder"] / f"named-{fault}.duckdb"
    shutil.copyfile(kill_bench["before"], victim)
    proc = start_ingest(victim, kill_bench["report"], DASHBOARD_FAULT=fault)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    store = Store(victim)
    expected = kill_bench["exact_before"] if outcome == "before" else kill_bench["after"]
    assert fingerprint(victim, with_clock=outcome == "before") == expected
    sampled = rollup.rollup(store, COUNTY_CODE, "testing", NEW_DAY)
    assert (sampled.snapshot_date == NEW_DAY) == (outcome == "after")
    ingest.commit(store, ingest.plan(store, kill_bench["report"]))
    store.close()
    assert fingerprint(victim, with_clock=False) == kill_bench["after"]


# --------------------------------------------------------------------------- readers during a load

READERS = 20
MAX_READS_PER_READER = 400
READ_DEADLINE_S = 90.0  # a bound so that the test stops by itself, not a performance limit


def observe_rollup(store: Store, code: str) -> tuple:
    """What the overview page reads: the unit's total and its children's (a torn read would mix two loads)."""
    roll = rollup.rollup(store, code, "testing", LAST_DATE)
    return int(roll.unit["sampled"]), int(roll.children["sampled"].sum()), int(roll.unit["reported"])


def observe_coverage(store: Store, code: str) -> tuple:
    """What `coverage` and its JSON read: numerators of the unit and of its children."""
    result = coverage.coverage(store, code, LAST_DATE, "testing")
    children = sum(child["testing_coverage"]["numerator"] or 0 for child in result["children"])
    return result["unit"]["testing_coverage"]["numerator"], children


OBSERVERS = (observe_rollup, observe_coverage)


def test_twenty_readers_during_an_ingest_see_the_old_or_the_new_snapshot(demo_store_copy, tmp_path):
    """A township's corrected file for the last day supersedes figures the readers are showing; each reader, in a
    loop, must see every total either before or after it, whole, and never fail; the ingest must finish."""
    store = demo_store_copy
    correction = report_file(store.path, LAST_DATE, tmp_path, suffix="_更正")
    units = [COUNTY_CODE, *store.query("unit_children", code=COUNTY_CODE)["code"][:5]]
    keys = [(observer, code) for observer in OBSERVERS for code in units]
    before = {(o, c): o(store, c) for o, c in keys}
    after_store = Store(tmp_path / "after.duckdb")
    shutil.copyfile(store.path, after_store.path)
    ingest.commit(after_store, ingest.plan(after_store, correction))
    after = {(o, c): o(after_store, c) for o, c in keys}
    after_store.close()
    assert all(before[k] != after[k] for k in keys)  # every observed total changes with the load

    seen: list[list] = [[] for _ in range(READERS)]
    errors: list[BaseException] = []
    started = [threading.Event() for _ in range(READERS)]
    stop = threading.Event()
    deadline = time.monotonic() + READ_DEADLINE_S

    def reader(i: int) -> None:
        for n in range(MAX_READS_PER_READER):
            if stop.is_set() or time.monotonic() > deadline:
                return
            observer, code = keys[(i + n) % len(keys)]
            try:
                seen[i].append(((observer, code), observer(store, code)))
            except Exception as exc:  # any failure is a finding
                errors.append(exc)
            started[i].set()

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(READERS)]
    for thread in threads:
        thread.start()
    for event in started:
        event.wait(timeout=READ_DEADLINE_S)
    proc = start_ingest(store.path, correction)
    _, stderr = proc.communicate(timeout=READ_DEADLINE_S)
    returncode = proc.returncode
    reads_at_end = [len(s) for s in seen]
    while any(t.is_alive() and len(s) <= k + 1 for t, s, k in zip(threads, seen, reads_at_end)):
        time.sleep(0.05)  # let every reader still running read twice more
    stop.set()
    for thread in threads:
        thread.join(timeout=READ_DEADLINE_S)

    assert returncode == 0, stderr
    assert errors == []
    observations = [obs for s in seen for obs in s]
    torn = [(key[1], value) for key, value in observations if value not in (before[key], after[key])]
    assert torn == [], f"{len(torn)} of {len(observations)} reads mixed two states, e.g. {torn[:3]}"
    assert any(value == before[key] for key, value in observations)
    late = [(key, value) for s, k in zip(seen, reads_at_end) for key, value in s[k + 1:]]
    assert late and all(value == after[key] for key, value in late)  # once the load is in, only the new snapshot
