"""Small hand-made stores for exact arithmetic: a county, two townships, four villages, four grids."""
from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import io
import os
import pathlib
import shutil
import subprocess
import tempfile
import textwrap

import duckdb

from dashboard.commands import cli
from dashboard.example.demo_data import LAST_DATE
from dashboard.intake import ingest, units
from dashboard.storage import store as store_module
from dashboard.storage.store import Store


def sql(db, query: str, *params) -> list[tuple]:
    """Rows of a query on a store (a Store or its path) through a plain read-only connection: checks that do not
    go through the code under test."""
    con = duckdb.connect(str(getattr(db, "path", db)), read_only=True)
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()

def cli_in_process(*argv: str) -> subprocess.CompletedProcess:
    """`python -m dashboard …argv` through the CLI's main in this process, its output captured and every store it
    opened closed after it, as its process's exit would: a command's behaviour without a Python start-up and its
    imports each time (about 0.7 s). Tests that need other processes beside a command start the real entry point."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    for store in list(store_module._OPEN_STORES):
        store.close()
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


class ForkedCli:
    """`python -m dashboard …argv` as a process of its own, forked from a server process that imported the CLI once
    (multiprocessing's forkserver, started on first use): a real process, to kill at any moment of its work or to run
    beside others, without the ~1 CPU s of Python's start-up and imports that each `python -m dashboard` spends
    first. `env` is added to its environment; its output goes to `<output>.out` and `<output>.err`. It answers
    `poll`, `send_signal`, `wait`, `communicate` and `returncode` as a `subprocess.Popen` with text pipes does (a
    signal's death is -signal). Tests of the command's own start (its exit on bad input, a declaration read at
    import) run the real entry point."""

    def __init__(self, argv: list[str], output: pathlib.Path, env: dict[str, str] | None = None):
        self.argv = argv
        self.out, self.err = (output.with_name(output.name + end) for end in (".out", ".err"))
        for path in (self.out, self.err):  # there, empty, even if it is killed before it opens them
            path.write_bytes(b"")
        self.process = self.ready().Process(target=_cli_process, args=(list(argv), str(self.out), str(self.err),
                                                                       env or {}))
        self.process.start()
        self.pid = self.process.pid

    @staticmethod
    def ready():
        """The forkserver, started and its imports done (a test that times a forked run calls this first)."""
        import multiprocessing
        from multiprocessing import forkserver

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tests.helpers"])  # this module, and through it the CLI and DuckDB
        if forkserver._forkserver._forkserver_pid is None:  # stopped and waited for at exit, as a Popen's child
            atexit.register(forkserver._forkserver._stop)  # is: its CPU then counts in the run's (time(1))
        forkserver.ensure_running()
        return context

    def poll(self) -> int | None:
        return self.process.exitcode

    def send_signal(self, signum: int) -> None:
        if self.process.exitcode is None:
            os.kill(self.pid, signum)

    def wait(self, timeout: float) -> int:
        self.process.join(timeout)
        if self.process.exitcode is None:
            raise subprocess.TimeoutExpired(["python -m dashboard", *self.argv], timeout)
        return self.process.exitcode

    def communicate(self, timeout: float) -> tuple[str, str]:
        self.wait(timeout)
        return tuple(path.read_text(encoding="utf-8", errors="replace") for path in (self.out, self.err))

    @property
    def returncode(self) -> int | None:
        return self.process.exitcode


def _cli_process(argv: list[str], out: str, err: str, env: dict[str, str]) -> None:
    """A `ForkedCli`'s body: what `python -m dashboard …argv` does from the repository's folder, and what its exit
    does after (the atexit hooks close its stores, as the interpreter's exit would: a forked child leaves by
    os._exit), its exit code the CLI's."""
    import sys

    os.environ.update(env)
    os.chdir(pathlib.Path(__file__).resolve().parent.parent)
    for fd, path in ((1, out), (2, err)):
        os.dup2(os.open(path, os.O_WRONLY | os.O_TRUNC), fd)
    sys.stdout, sys.stderr = (open(fd, "w", encoding="utf-8", closefd=False) for fd in (1, 2))
    try:
        code = cli.main(argv)
    finally:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(code)


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


def open_tab(at, key: str, label_key: str, lang: str = "zh"):
    """Opens a tab of a page (`controls.tabs`, which draws the open tab only), as a click on it does: the page
    reruns with that tab drawn."""
    from dashboard import i18n

    at.session_state[key] = i18n.t(label_key, lang)
    return at.run()


def write(tmp_path: pathlib.Path, name: str, text: str, encoding: str = "utf-8") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding=encoding)
    return path


def small_store(tmp_path: pathlib.Path, report: str | None = None) -> Store:
    """The small county's units in a fresh store (and `report`, a grids' testing_20220504.csv, loaded): a copy of
    one built through `units.load_units` (and `ingest`) once per process (a file copy costs a hundredth of a load;
    hundreds of tests start from it)."""
    target = tmp_path / "small.duckdb"
    write(tmp_path, "units.csv", UNITS_CSV)
    shutil.copyfile(_small_store_template(report), target)
    return Store(target)


@functools.cache
def _small_store_template(report: str | None) -> pathlib.Path:
    folder = pathlib.Path(tempfile.mkdtemp(prefix="small-store-"))
    atexit.register(shutil.rmtree, folder, True)
    store = Store(folder / "small.duckdb")
    units.load_units(store, write(folder, "units.csv", UNITS_CSV))
    if report is not None:
        load(store, folder, "testing_20220504.csv", report)
    store.close()
    assert not store.path.with_name(store.path.name + ".wal").exists()  # the file alone is the whole store
    return store.path


def load(store: Store, tmp_path: pathlib.Path, name: str, text: str, **options) -> ingest.LoadResult:
    """Plans and commits a CSV; fails the test with the messages if the file has errors."""
    plan = ingest.plan(store, write(tmp_path, name, text), **options)
    assert plan.ok, [m.text("en") for m in plan.errors]
    return ingest.commit(store, plan)


CLOCK_COLUMNS = {"loaded_at", "happened_at", "updated_at"}  # when a load ran: differs between two runs of it


def report_file(source: pathlib.Path, day: dt.date, folder: pathlib.Path, suffix: str = "") -> pathlib.Path:
    """A county-wide testing report for `day`: every grid's counts of the demo's last day, one more person sampled
    wherever that stays within both denominators (so totals move and no warning is raised)."""
    with duckdb.connect(str(source), read_only=True) as con:
        frame = con.execute(
            "select code, resident_population, target_persons,"
            " sampled + (sampled < least(target_persons, coalesce(resident_population, target_persons)))::int"
            " as sampled, tested, positives, sampling_sites, sampling_staff"
            " from facts where domain = 'testing' and snapshot_date = $day order by code", {"day": LAST_DATE}).df()
    path = folder / f"示范县_核酸采样_{day:%Y%m%d}{suffix}.csv"
    frame.to_csv(path, index=False)
    return path


def fingerprint(path: pathlib.Path, with_clock: bool = True) -> dict:
    """Every table's row count and an order-free digest of its rows, read independently of the product's code."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
        result = {}
        for table in tables:
            columns = [r[0] for r in con.execute(f"describe {table}").fetchall()
                       if with_clock or r[0] not in CLOCK_COLUMNS]
            result[table] = con.execute(f"select count(*), sum(hash(row({', '.join(columns)}))) from {table}").fetchone()
        return result

# ---- hostile names (tests/test_hostile*.py) ---------------------------------------------------
DEMO_COUNTY = "990101000000"
DEMO_TOWNSHIP = "990101101000"  # 城关镇 in the demo; its villages get hostile names too
HOSTILE_COUNTY = "<img src=x onerror=alert(1)>"
HOSTILE_NAMES = (  # markup, Markdown, spreadsheet formulas, SQL, TeX, templates, URL schemes: all plain text
    "<script>alert(1)</script>", "**bold**", "=1+1", "javascript:alert(1)", "[click](javascript:alert(1))",
    "<b onmouseover=alert(1)>x</b>", "\"><svg onload=alert(1)>", "'; drop table facts; --", "$\\frac{a$ 镇",
    "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "%{customdata[0]} {tip}", "990101' or '1'='1", "_%_", "a|b")


def hostile_units_csv(store: Store, tmp_path: pathlib.Path) -> pathlib.Path:
    """A unit list renaming the demo county, every township and 城关镇's villages to hostile names (CSV, quoted)."""
    import pandas as pd

    units_now = store.query("units_all")
    townships = units_now[units_now["level"] == "township"].sort_values("code")["code"].tolist()
    villages = units_now[units_now["parent_code"] == DEMO_TOWNSHIP].sort_values("code")["code"].tolist()
    names = {DEMO_COUNTY: HOSTILE_COUNTY}
    names |= {code: HOSTILE_NAMES[i % len(HOSTILE_NAMES)] for i, code in enumerate(townships)}
    names |= {code: f"{HOSTILE_NAMES[(i + 3) % len(HOSTILE_NAMES)]}村" for i, code in enumerate(villages)}
    path = tmp_path / "hostile_units.csv"
    pd.DataFrame({"区划代码": list(names), "名称": list(names.values())}).to_csv(path, index=False)
    return path
