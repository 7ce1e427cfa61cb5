"""The DuckDB store: one file, written by copy-and-swap, read through read-only snapshots.

Why copy-and-swap: DuckDB lets one process write a file, and any process
holding it open blocks other writers. So no process ever opens the live file
for writing. A writer takes an exclusive lock file, copies the live file to a
private temp file, applies its whole change there in one transaction,
checkpoints, and atomically renames the temp file over the live one. Readers
attach the live file read-only into a private in-memory DuckDB instance (so
the path's instance cache never hands back a stale file) and reattach when the
file's identity changes. Consequences:
- a reader sees a whole file, old or new, never part of a load;
- a writer killed at any point leaves only a stray temp file, removed by the next writer;
- the dashboard keeps serving during an ingest and shows the new snapshot on its next query.
"""
from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import pathlib
import shutil
import threading
import time

import duckdb

from . import queries

DEFAULT_PATH = pathlib.Path(__file__).resolve().parent.parent / "data" / "dashboard.duckdb"
WRITE_LOCK_TIMEOUT_S = 60.0


class Discard(Exception):
    """Raised inside `Store.write()` to leave the live file untouched (e.g. nothing to change)."""


class StoreBusy(RuntimeError):
    """Another process held the write lock for longer than the timeout."""


def default_path() -> pathlib.Path:
    return pathlib.Path(os.environ.get("DASHBOARD_DB") or DEFAULT_PATH)


class Store:
    """A store file; cheap to create, safe to share across threads."""

    def __init__(self, path=None):
        self.path = pathlib.Path(path) if path else default_path()
        self._lock = threading.Lock()
        self._reader: tuple[tuple, duckdb.DuckDBPyConnection] | None = None

    # ---- reading -------------------------------------------------------
    def signature(self) -> tuple | None:
        """The live file's identity; changes whenever a writer swaps in a new file."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def version(self) -> str:
        """A string that changes with every write: the key for cached results."""
        sig = self.signature()
        return "-".join(map(str, sig)) if sig else "empty"

    def exists(self) -> bool:
        return self.signature() is not None

    def _connection(self) -> duckdb.DuckDBPyConnection:
        sig = self.signature()
        if sig is None:
            self.create()
            sig = self.signature()
        with self._lock:
            if self._reader is None or self._reader[0] != sig:
                con = duckdb.connect()
                con.execute("attach $path as store (read_only)", {"path": str(self.path)})
                self._reader = (sig, con)
            return self._reader[1]

    @contextlib.contextmanager
    def read(self):
        """A cursor on the current snapshot of the file; one per query, closed after.

        A cursor per query, not a shared connection: a connection shared by
        threads returned empty results under load on DuckDB 2.0.
        """
        cursor = self._connection().cursor()
        try:
            cursor.execute("use store")
            yield cursor
        finally:
            cursor.close()

    def query(self, name: str, /, **params):
        with self.read() as cur:
            return queries.run(cur, name, **params)

    # ---- writing -------------------------------------------------------
    def create(self) -> None:
        """An empty store with the schema, if there is no file yet."""
        if not self.exists():
            with self.write():
                pass

    @contextlib.contextmanager
    def write(self):
        """A read-write connection on a private copy, swapped in whole on success."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._write_lock():
            self._remove_stray_temp_files()
            temp = self.path.with_name(f"{self.path.name}.writing-{os.getpid()}")
            if self.exists():
                shutil.copyfile(self.path, temp)
            con = duckdb.connect(str(temp))
            try:
                queries.execute(con, "create_schema")
                con.execute("begin transaction")
                yield con
                con.execute("commit")
                con.execute("checkpoint")
                con.close()
                _fsync(temp)
                _fault_point("before_swap")
                os.replace(temp, self.path)
                _fsync(self.path.parent)
            except Discard:
                con.close()
                temp.unlink(missing_ok=True)
            except BaseException:
                con.close()
                temp.unlink(missing_ok=True)
                raise

    @contextlib.contextmanager
    def _write_lock(self):
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as handle:
            deadline = time.monotonic() + WRITE_LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreBusy(str(self.path)) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _remove_stray_temp_files(self) -> None:
        """Temp files left by a killed writer; safe to remove while holding the lock."""
        for stray in glob.glob(glob.escape(str(self.path)) + ".writing-*"):
            os.unlink(stray)


def _fsync(path: pathlib.Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fault_point(name: str) -> None:
    """Test hook: DASHBOARD_FAULT=<name> kills this process right here (SIGKILL)."""
    if os.environ.get("DASHBOARD_FAULT") == name:
        os.kill(os.getpid(), 9)
