"""The DuckDB store: one file, written in place by one writer at a time, read through cached read-only instances.

DuckDB lets one process write a file, and any process holding the file open
(even read-only) blocks another from writing it. So readers and writers
share a small protocol of advisory locks beside the file:
- `.lock`: writers queue on it (one writer at a time, across processes);
- `.intent`: a writer holds it exclusively from the moment it wants the file
  until it is done, so readers know to step aside;
- `.gate`: each open reader instance holds it shared; a writer takes it
  exclusively, i.e. only once every reader has closed its instance.
A reader keeps its read-only instance (and its cache) open between queries;
a background reaper closes it as soon as a writer signals intent and no
query of that reader is running. New queries wait while a writer is busy
(a load takes seconds), then reopen the file and see the whole new load.
The writer changes the file in one DuckDB transaction: a writer killed at
any point leaves the store as it was (an uncommitted transaction is never
visible; a committed one is replayed from DuckDB's write-ahead log).
Locks held by a process that dies are released by the kernel.
A read function that needs several queries for one answer runs them inside
`snapshot()` (decorator `one_snapshot`): its instance stays in use until it
returns, so no writer can slip in between its queries.
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import os
import pathlib
import re
import threading
import time
import weakref

import duckdb

from ..domain import fields
from . import queries, stored_counts

DEFAULT_PATH = pathlib.Path(__file__).resolve().parents[2] / "data" / "dashboard.duckdb"
WRITE_LOCK_TIMEOUT_S = 60.0
REAPER_INTERVAL_S = 0.02
LOOKUP_CACHE_SIZE = 512  # remembered small lookups per store and version (see Store.lookup)


class Discard(Exception):
    """Raised inside `Store.write()` to leave the store untouched (e.g. nothing to change)."""


class StoreBusy(RuntimeError):
    """Another writer held the store for longer than the timeout."""


DEMO_META_KEY = "demo"  # written by dashboard.example.demo into the store's meta


def is_demo(store: "Store") -> bool:
    """A store built by `python -m dashboard demo` says so in its meta: pages and slides label it 示范数据."""
    return DEMO_META_KEY in set(store.query("meta_all")["key"])


def default_path() -> pathlib.Path:
    return pathlib.Path(os.environ.get("DASHBOARD_DB") or DEFAULT_PATH)


def _flock(path: pathlib.Path, mode: int, timeout: float | None = None):
    """An open handle holding `mode` on `path`; None when non-blocking and not granted, StoreBusy on timeout."""
    handle = open(path, "a")
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if deadline is not None and time.monotonic() > deadline:
                handle.close()
                raise StoreBusy(str(path)) from None
            time.sleep(0.01)


SCHEMA_TABLES: tuple[str, ...] = tuple(re.findall(r"create table if not exists (\w+)", queries.sql("create_schema")))


def declared_columns() -> dict[str, tuple[str, ...]]:
    """The count columns each table holds by the domains' declarations (queries/create_schema.sql writes the same
    lists): what a store written before a field or a domain was declared gains, as empty columns, on its next write."""
    sources = tuple(f"{n}_from_{k}" for n in fields.REGISTER_FIELDS for k in ("report", "register"))
    out = {"rollups": fields.FIELD_NAMES + sources, "population": fields.REGISTER_FIELDS}
    for domain in fields.DOMAINS:
        own = tuple(f.name for f in fields.domain_fields(domain))
        villages = tuple(n for n in fields.FIELD_NAMES if n in own or n in fields.REGISTER_FIELDS) + sources
        out.update({f"facts_{domain}": own, f"facts_noncurrent_{domain}": own, f"village_rollups_{domain}": villages})
    return out


def missing_columns(cursor, database: str | None = None, present=None) -> list[tuple[str, str]]:
    """(table, column) pairs the declarations give a table of the store and the table lacks (`present`: the
    store's columns, queries/store_columns.sql, if already read)."""
    if present is None:
        present = queries.run(cursor, "store_columns", database=database)
    have = set(zip(present["table_name"], present["column_name"]))
    tables = {t for t, _ in have}
    return [(table, column) for table, columns in declared_columns().items() if table in tables
            for column in columns if (table, column) not in have]


class _Reader:
    """One cached read-only instance, its shared gate lock, and the count of queries running on it."""

    def __init__(self, store: Store):
        self.gate = _flock(store.sidecar("gate"), fcntl.LOCK_SH, timeout=WRITE_LOCK_TIMEOUT_S)
        self.signature = store.signature()
        self.con = duckdb.connect()
        self.con.execute("set enable_progress_bar = false")
        self.con.execute("attach $path as store (read_only)", {"path": str(store.path)})
        self.active = 0

    def close(self) -> None:
        self.con.close()
        self.gate.close()  # releases the shared gate: a waiting writer may go ahead


_OPEN_STORES: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Close cached instances before the interpreter tears down DuckDB's bindings."""
    for store in list(_OPEN_STORES):
        store.close()


def _reap(store_ref: weakref.ref) -> None:
    """Close a store's idle instance as soon as a writer wants the file; stop when it has none or is gone.

    Why a weak reference: a thread holding its Store kept every Store ever read alive, each polling its file 50
    times a second; a process that opens many stores (a test run, a long-lived server switching roots) slowed
    to a crawl in system calls."""
    while True:
        time.sleep(REAPER_INTERVAL_S)
        store = store_ref()
        if store is None:
            return
        with store._lock:
            if store._reader is None:
                store._reaper = None
                return
            if store._busy() and store._reader.active == 0:
                store._close_reader_if_idle()
        del store


class Store:
    """A store file; cheap to create, safe to share across threads."""

    def __init__(self, path=None):
        self.path = pathlib.Path(path) if path else default_path()
        self._lock = threading.Condition()
        self._reader: _Reader | None = None
        self._reaper: threading.Thread | None = None
        self._pinned = threading.local()  # the instance this thread's `snapshot()` holds, if any
        self._lookups: dict = {}
        self._lookups_signature: tuple | None = None
        self._schema_checked = False
        self._schema_lock = threading.Lock()
        self._left_as: tuple | None = None  # the file as this Store's last write left it, schema up to date
        _OPEN_STORES.add(self)

    def close(self) -> None:
        """Close the cached read-only instance (it reopens on the next query)."""
        with self._lock:
            self._close_reader_if_idle()

    def sidecar(self, kind: str) -> pathlib.Path:
        return self.path.with_name(f"{self.path.name}.{kind}")

    # ---- reading -------------------------------------------------------
    def signature(self) -> tuple | None:
        """The file's identity and state; changes whenever a writer changes the store."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        wal = self.path.with_name(self.path.name + ".wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        return (st.st_ino, st.st_mtime_ns, st.st_size, wal_size)

    def version(self) -> str:
        """A string that changes with every write: the key for cached results."""
        sig = self.signature()
        return "-".join(map(str, sig)) if sig else "empty"

    def exists(self) -> bool:
        return self.signature() is not None

    def _acquire_reader(self) -> _Reader:
        """The open instance (opened if needed), counted as in use; waits while a writer is busy."""
        if not self.exists():
            self.create()
        self._upgrade_once()
        deadline = time.monotonic() + WRITE_LOCK_TIMEOUT_S
        while True:
            with self._lock:
                if self._reader is not None and self._reader.signature != self.signature():
                    self._close_reader_if_idle()
                if self._reader is None and not self._busy():
                    self._reader = _Reader(self)
                    self._start_reaper()
                if self._reader is not None and not self._busy():
                    self._reader.active += 1
                    return self._reader
                self._lock.wait(0.02)
            if time.monotonic() > deadline:
                raise StoreBusy(str(self.path))

    def _upgrade_once(self) -> None:
        """A store written by an older version (a table of queries/create_schema.sql missing, or a layout step of
        queries/layout_upgrades_due.sql due) is brought up to date before its first read: a write runs those steps
        and the schema script. Readers attach read-only, so this takes one write; checked once per Store object."""
        with self._schema_lock:
            if self._schema_checked:
                return
            reader = _Reader(self)
            try:
                present = set(queries.run(reader.con, "store_tables")["table_name"])
                due = (not set(SCHEMA_TABLES) <= present or not queries.run(reader.con, "layout_upgrades_due").empty
                       or bool(missing_columns(reader.con, "store")))
            finally:
                reader.close()
            if due:
                with self.write():
                    pass
            self._schema_checked = True

    def _busy(self) -> bool:
        """True while a writer wants or holds the file (it holds `.intent` exclusively)."""
        try:
            _flock(self.sidecar("intent"), fcntl.LOCK_SH, timeout=0).close()
        except StoreBusy:
            return True
        return False

    def _release_reader(self, reader: _Reader) -> None:
        with self._lock:
            reader.active -= 1
            if reader is not self._reader and reader.active == 0:
                reader.close()
            self._lock.notify_all()

    def _close_reader_if_idle(self) -> None:
        if self._reader is not None and self._reader.active == 0:
            self._reader.close()
        self._reader = None  # a busy old instance is closed by its last query (see _release_reader)

    def _start_reaper(self) -> None:
        if self._reaper is None or not self._reaper.is_alive():
            self._reaper = threading.Thread(target=_reap, args=(weakref.ref(self),),
                                            name=f"store-reaper-{self.path.name}", daemon=True)
            self._reaper.start()

    def __del__(self) -> None:
        reader = getattr(self, "_reader", None)
        if reader is not None and reader.active == 0:
            reader.close()

    @contextlib.contextmanager
    def snapshot(self):
        """Every query of this thread inside the block reads the same state of the store.

        Between two queries a writer may go ahead, so a page that reads a
        unit's total and then its children's could show one from before a
        load and the other from after it. Inside the block the thread keeps
        one instance in use (a writer waits for the block to end, as for one
        query); blocks nest. Never write to the store inside one: the writer
        would wait for this very block.
        """
        if getattr(self._pinned, "reader", None) is not None:
            yield
            return
        reader = self._acquire_reader()
        self._pinned.reader = reader
        try:
            yield
        finally:
            self._pinned.reader = None
            self._release_reader(reader)

    @contextlib.contextmanager
    def read(self):
        """A cursor on the store; one per query, closed after (inside `snapshot()`, on its instance).

        A cursor per query, not a shared connection: a connection shared by
        threads returned empty results under load on DuckDB 2.0.
        """
        with self.snapshot():
            reader = self._pinned.reader
            cursor = reader.con.cursor()
            try:
                cursor.execute("use store")
                yield cursor
            finally:
                cursor.close()

    def query(self, name: str, /, identifiers: dict | None = None, **params):
        with self.read() as cur:
            return queries.run(cur, name, identifiers, **params)

    def frame(self, name: str, /, identifiers: dict | None = None, **params):
        """Like `query()`, through Arrow: the same DataFrame, 2-3x faster for a wide or long result."""
        with self.read() as cur:
            return queries.frame(cur, name, identifiers, **params)

    def lookup(self, name: str, /, **params):
        """A small lookup (a unit, the settings, the dates with data), remembered until the store changes.

        Why: a page asks for the same unit, settings and dates several times per run, and each query costs
        more in overhead than the page's one real rollup query. Keyed by `signature()`, which every write
        changes (another process's too), so a lookup is never stale. Returns a copy: callers may change it.
        """
        key = (name, tuple(sorted(params.items())))
        signature = self.signature()
        with self._lock:
            if self._lookups_signature != signature:
                self._lookups, self._lookups_signature = {}, signature
            found = self._lookups.get(key)
        if found is None:
            found = self.query(name, **params)
            with self._lock:
                if self._lookups_signature == signature and len(self._lookups) < LOOKUP_CACHE_SIZE:
                    self._lookups[key] = found
        return found.copy()

    # ---- writing -------------------------------------------------------
    def create(self) -> None:
        """An empty store with the schema, if there is no file yet."""
        if not self.exists():
            with self.write():
                pass

    @contextlib.contextmanager
    def write(self):
        """A read-write connection inside one transaction, committed whole on success."""
        with self._exclusive():
            con = duckdb.connect(str(self.path))
            try:
                con.execute("set enable_progress_bar = false")  # no bars on stderr during a large load
                if self._left_as != self._schema_key():
                    _bring_up_to_date(con)
                self._left_as = None  # until this write ends well, the file is not known to be as it leaves it
                # every write ends in a checkpoint: a commit that checkpoints at once skips writing its changes to
                # the write-ahead log first (DuckDB's own path for a large commit), ~15-25 ms of a province load
                con.execute("set checkpoint_threshold = '0b'")
                con.execute("begin transaction")
                yield con
                _fault_point("before_commit")
                con.execute("commit")
                _fault_point("after_commit")  # a small write is only in the write-ahead log until the checkpoint
                con.execute("checkpoint")
            except Discard:
                con.execute("rollback")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("rollback")
                raise
            finally:
                con.close()
            self._left_as = self._schema_key()  # still under the lock: no other writer came between

    def _schema_key(self) -> tuple:
        """The file's state and the declarations: equal to what this Store's last write left only if no writer
        (another process, an older version) has touched the file since and the declared tables are the same."""
        return self.signature(), _declared_schema()

    @contextlib.contextmanager
    def _exclusive(self):
        """Writers queue; the winner signals intent, then waits until every reader has closed its instance."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._close_reader_if_idle()  # this process's own idle reader steps aside at once
        queue = _flock(self.sidecar("lock"), fcntl.LOCK_EX, timeout=WRITE_LOCK_TIMEOUT_S)
        try:
            intent = _flock(self.sidecar("intent"), fcntl.LOCK_EX, timeout=WRITE_LOCK_TIMEOUT_S)
            try:
                gate = _flock(self.sidecar("gate"), fcntl.LOCK_EX, timeout=WRITE_LOCK_TIMEOUT_S)
                try:
                    yield
                finally:
                    gate.close()
            finally:
                intent.close()
        finally:
            queue.close()

    def replace_with(self, built: pathlib.Path) -> None:
        """Swap a complete store file built elsewhere (the demo, a restore) in place of this one, readers stepped aside."""
        with self._exclusive():
            wal = self.path.with_name(self.path.name + ".wal")
            if wal.exists():
                # A writer killed after its commit leaves the commit in the WAL. Never let an old WAL meet the new
                # file (it would be replayed onto it): fold it into the old file first, so that a swap killed
                # half-way leaves the old store whole, then drop what is left.
                with contextlib.suppress(duckdb.Error):
                    duckdb.connect(str(self.path)).close()
                wal.unlink(missing_ok=True)
            os.replace(built, self.path)
            fsync_dir(self.path.parent)


def _bring_up_to_date(con) -> None:
    """A writer's connection on a store that may be older than this code: the layout upgrades, the columns of
    fields declared since, the schema script (tables, views, macros).

    Why a write skips this when its Store left the file as it is now (`Store._left_as`): the checks and the
    script cost a province day's load 50-150 ms on a store that the same process brought up to date itself.
    The stored counts (stored_counts.py) a store lacks are built with their tables, in one transaction: a write
    killed half-way cannot leave them made but empty."""
    _upgrade_layout(con)
    present = queries.run(con, "store_columns", database=None)
    for table, column in missing_columns(con, present=present):  # a field declared since the store was written
        queries.execute(con, "store_column_add", identifiers={"table": [table], "column": [column]})
    con.execute("begin transaction")
    queries.execute(con, "create_schema")
    if not set(stored_counts.TABLES) <= set(present["table_name"]):
        stored_counts.rebuild(con)
    con.execute("commit")


def _declared_schema() -> tuple:
    """What the schema script makes of the declarations (tables, their columns, the views): part of the key a write
    compares, so a store is brought up to date again when the declarations change."""
    return queries.sql("create_schema"), tuple(sorted(declared_columns().items()))


def _upgrade_layout(con) -> None:
    """A store written by an older version, brought to the layout create_schema.sql expects: each due step
    (queries/layout_upgrades_due.sql) in its own transaction, whole or not at all, before the views are made.
    Asked again after each step: splitting the wide tables makes the domains' `facts_history_<domain>` that the
    one-copy step then folds into noncurrent rows; a step that leaves itself due would loop, so it stops there."""
    done: set[tuple] = set()
    while True:
        due = queries.run(con, "layout_upgrades_due")
        if due.empty:
            return
        script, domain = due["script"].iat[0], due["domain"].iat[0]
        if (script, domain) in done:
            raise RuntimeError(f"layout step {script} ({domain}) is still due after it ran")
        done.add((script, domain))
        con.execute("begin transaction")
        named = ("facts_table", "noncurrent_table", "old_history_table")  # by the per-domain step, facts_keep_once
        queries.execute(con, script, identifiers=domain_tables(domain, *named) if isinstance(domain, str) else None)
        con.execute("commit")


def domain_tables(domain: str, *kinds: str) -> dict[str, list[str]]:
    """A domain's own tables (queries/create_schema.sql) for a query's `{{facts_table}}`, `{{noncurrent_table}}`,
    `{{village_table}}` (its villages' rollups) or, in a layout step, `{{old_history_table}}`: names made from the
    fixed list of declared domains, never from input or from what the store holds."""
    if domain not in fields.DOMAINS:
        raise ValueError(f"not a domain: {domain!r}")
    names = {"facts_table": f"facts_{domain}", "noncurrent_table": f"facts_noncurrent_{domain}",
             "village_table": f"village_rollups_{domain}", "old_history_table": f"facts_history_{domain}"}
    return {kind: [names[kind]] for kind in kinds}


def one_snapshot(read_function):
    """Decorator for a read function whose first argument is the Store: all its queries read one state of it."""
    @functools.wraps(read_function)
    def reading(store: Store, *args, **kwargs):
        with store.snapshot():
            return read_function(store, *args, **kwargs)
    return reading


def _fault_point(name: str) -> None:
    """Test hook: DASHBOARD_FAULT=<name> kills this process right here (SIGKILL)."""
    if os.environ.get("DASHBOARD_FAULT") == name:
        os.kill(os.getpid(), 9)


def fsync_dir(folder: pathlib.Path) -> None:
    """Makes a rename in `folder` durable (the new file survives a power cut, not only a killed process)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
