"""Backup and restore: the whole store as one Parquet file per table, plus a manifest with checksums.

A backup reads through the store's reader protocol (`Store.read()`), so it
runs while the dashboard serves and a load waits for it, and every table is
copied from one snapshot. It is written into a hidden folder beside the
target and renamed into place at the end: a backup folder is whole or absent.

A restore verifies every file against the manifest before it touches
anything, builds a complete new store file beside the target, checks its row
counts, and only then swaps it in under the writer lock (`Store.replace_with`):
a failed restore leaves the old store as it was, and readers see the old or
the new store, never a mixture.

Table names never come from input: the list is the schema's own
(`queries/create_schema.sql`), and the two SQL scripts that copy tables out
and back name each table literally, one `$<table>` path parameter per table;
`_check_scripts()` refuses to run if either script and the schema disagree.
File paths are bound parameters too: DuckDB 2.0 accepts `COPY t TO $path`
and `read_parquet($path)`, so no path is ever quoted into SQL text.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pathlib
import re
import shutil

import duckdb

from ..domain import fields
from ..domain.messages import InputError, Message
from . import queries, stored_counts
from .store import SCHEMA_TABLES, Store, fsync_dir

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
# The stored counts are derived from the units and the current rows: a restore rebuilds them from those (exact by
# construction; a backup written before they existed restores the same way), so backups do not carry them.
TABLES: tuple[str, ...] = tuple(table for table in SCHEMA_TABLES if table not in stored_counts.TABLES)
# Tables whose rows an older backup holds in another table, newest layout first: a table split out of another
# (each domain's villages' rollups, out of one wide village_rollups, out of rollups before that; each domain's facts),
# and each domain's noncurrent rows, which older backups kept within the history of every row of every load (one file
# per domain, or one wide file before that). queries/backup_restore.sql takes each table's own rows from the file it
# is given (of a history, the rows that are not current).
FORMERLY: dict[str, tuple[str, ...]] = {
    **{f"village_rollups_{domain}": ("village_rollups", "rollups") for domain in fields.DOMAINS},
    **{f"facts_{domain}": ("facts",) for domain in fields.DOMAINS},
    **{f"facts_noncurrent_{domain}": (f"facts_history_{domain}", "facts_history") for domain in fields.DOMAINS}}
# The older tables that held every row of every load: restored from one, a domain's noncurrent rows number its
# rows less the current ones, which come from the facts file (the manifest's count covers both).
EVERY_ROW = {"facts_history", *(f"facts_history_{domain}" for domain in fields.DOMAINS)}


def schema_version() -> str:
    """The schema's fingerprint: the sha256 of `create_schema.sql` (the store has no numbered schema version)."""
    return hashlib.sha256(queries.sql("create_schema").encode("utf-8")).hexdigest()


def is_backup(path) -> bool:
    """True when `path` is a folder holding a manifest: how `restore DIR` is told apart from `restore N`."""
    path = pathlib.Path(path)
    return path.is_dir() and (path / MANIFEST).is_file()


def backup(store: Store, folder) -> dict:
    """Writes every table of `store` to `folder` (new or empty) and returns the manifest."""
    _check_scripts()
    folder = pathlib.Path(folder)
    if not store.exists():
        raise InputError([Message("err_no_store", {"path": str(store.path)})])
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError([Message("err_backup_exists", {"path": str(folder)})])
    _clear_leftovers(folder.parent, ".*.partial-*", lambda path: path.is_dir() and all(
        child.name == MANIFEST or child.suffix == ".parquet" for child in path.iterdir()))
    partial = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        manifest = _write_tables(store, partial)
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        _fsync(partial)
        if folder.exists():
            folder.rmdir()  # empty (checked above): rename needs the name free
        os.replace(partial, folder)
        fsync_dir(folder.parent)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return manifest


def _write_tables(store: Store, folder: pathlib.Path) -> dict:
    """Copies every table from one read snapshot, then describes each file (rows, bytes, sha256)."""
    paths = _paths(folder)
    with store.read() as cursor:  # one cursor: every COPY sees the same snapshot, and writers wait for it
        queries.execute(cursor, "backup_copy", **{table: str(path) for table, path in paths.items()})
        files = {table: {"file": path.name, "rows": _file_rows(cursor, path), "bytes": path.stat().st_size,
                         "sha256": _sha256(path)} for table, path in paths.items()}
    return {"format": FORMAT_VERSION, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "source": store.path.name, "duckdb_version": duckdb.__version__, "schema_sha256": schema_version(),
            "tables": files}


def verify(folder) -> dict:
    """The manifest of a backup whose every file is present and matches its checksum; InputError naming each
    missing or differing file otherwise. Nothing is written."""
    folder = pathlib.Path(folder)
    manifest = _read_manifest(folder)
    listed = manifest["tables"]
    for table, sources in FORMERLY.items():
        source = next((source for source in sources if source in listed), None)
        if table not in listed and source:
            listed[table] = {**listed[source], "from": source}
    for gone in {source for sources in FORMERLY.values() for source in sources} - set(TABLES):  # older tables
        listed.pop(gone, None)
    missing, extra = sorted(set(TABLES) - listed.keys()), sorted(listed.keys() - set(TABLES))
    if missing or extra:
        raise InputError([Message("err_backup_tables", {"path": str(folder), "missing": ", ".join(missing) or "-",
                                                        "extra": ", ".join(extra) or "-"})])
    problems = []
    for table in TABLES:
        path = folder / _file_name(listed[table], folder)
        if not path.is_file():
            problems.append(Message("err_backup_file_missing", {"file": str(path)}))
        elif _sha256(path) != listed[table].get("sha256"):
            problems.append(Message("err_backup_checksum", {"file": str(path)}))
    if problems:
        raise InputError(problems)
    return manifest


def restore(store: Store, folder) -> dict:
    """Replaces `store` with the backup in `folder`, whole or not at all; returns the backup's manifest."""
    _check_scripts()
    folder = pathlib.Path(folder)
    manifest = verify(folder)
    _clear_leftovers(store.path.parent, f"{store.path.name}.restore-*", pathlib.Path.is_file)
    fresh = Store(store.path.with_name(f"{store.path.name}.restore-{os.getpid()}"))
    leftovers = (fresh.path, fresh.path.with_name(fresh.path.name + ".wal"),
                 *(fresh.sidecar(kind) for kind in ("lock", "intent", "gate")))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    try:
        with fresh.write() as con:
            queries.execute(con, "backup_restore", **{table: str(folder / manifest["tables"][table]["file"])
                                                      for table in TABLES})
            _check_rows(con, manifest)
            stored_counts.rebuild(con)
        store.replace_with(fresh.path)
    finally:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
    return manifest


_OWNER = re.compile(r"\.(?:partial|restore)-(\d+)(?:\.|$)")


def _clear_leftovers(directory: pathlib.Path, pattern: str, ours) -> None:
    """What a killed backup (`.<folder>.partial-<pid>`) or restore (`<store>.restore-<pid>` and its sidecars) left
    behind, removed once the process named in it has gone: a kill mid-way must not leave gigabytes for ever.
    `ours` must hold for a path too (a partial backup holds only Parquet files and the manifest)."""
    for path in directory.glob(pattern):
        owner = _OWNER.search(path.name)
        if owner and not _running(int(owner.group(1))) and ours(path):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True


def total_rows(manifest: dict) -> int:
    return sum({entry["file"]: entry["rows"] for entry in manifest["tables"].values()}.values())


def _check_scripts() -> None:
    """Both scripts must name exactly the schema's tables: a table added to the schema cannot be left out silently."""
    for script in ("backup_copy", "backup_restore"):
        if queries.parameters(script) != set(TABLES):
            raise RuntimeError(f"queries/{script}.sql does not cover the tables of create_schema.sql: "
                               f"{sorted(queries.parameters(script) ^ set(TABLES))}")


def _check_rows(con, manifest: dict) -> None:
    """Each backup file's rows all arrived: per file, the tables restored from it (one, or a table and the one split
    out of it, for an older backup) hold as many rows as the manifest says it has; of an older backup's history
    of every row, the domain's current rows count too (restored from its facts file, kept once)."""
    tables_of: dict[str, list[str]] = {}
    for table in TABLES:
        tables_of.setdefault(manifest["tables"][table]["file"], []).append(table)
    for tables in tables_of.values():
        counted = tables + [table.replace("facts_noncurrent_", "facts_", 1) for table in tables
                            if manifest["tables"][table].get("from") in EVERY_ROW]
        found = sum(int(queries.run(con, "table_rows", table_name=table)["rows"].iat[0]) for table in counted)
        expected = manifest["tables"][tables[0]]["rows"]
        if found != expected:
            raise InputError([Message("err_backup_rows", {"table": " + ".join(counted), "found": found,
                                                          "expected": expected})])


def _read_manifest(folder: pathlib.Path) -> dict:
    if not (folder / MANIFEST).is_file():
        raise InputError([Message("err_backup_no_manifest", {"path": str(folder)})])
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest.get("tables"), dict):
            raise ValueError("no tables")
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"format {manifest.get('format')!r}, expected {FORMAT_VERSION}")
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        raise InputError([Message("err_backup_bad_manifest", {"path": str(folder), "reason": str(exc)})]) from None
    return manifest


def _file_name(entry, folder: pathlib.Path) -> str:
    """The file a manifest entry names, only as a plain name inside the folder (no `../`, no absolute path)."""
    name = entry.get("file") if isinstance(entry, dict) else None
    if not isinstance(name, str) or pathlib.PurePath(name).name != name or name in ("", ".", ".."):
        raise InputError([Message("err_backup_bad_manifest", {"path": str(folder), "reason": f"file {name!r}"})])
    return name


def _paths(folder: pathlib.Path) -> dict[str, pathlib.Path]:
    return {table: folder / f"{table}.parquet" for table in TABLES}


def _file_rows(cursor, path: pathlib.Path) -> int:
    """Rows as read back from the written file, so the manifest describes the file, not the intent."""
    return int(queries.run(cursor, "backup_file_rows", path=str(path))["rows"].iat[0])


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(folder: pathlib.Path) -> None:
    """Makes the backup's files durable before the folder is renamed into place."""
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    fsync_dir(folder)

