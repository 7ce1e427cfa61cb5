"""The SQL registry: every named result is one file in queries/, loaded once.

`run(cursor, "rollup", date=..., ...)` binds `$named` parameters; values never enter SQL text. An unknown name
raises at once; tests/test_queries.py reads every call in the code and fails on a name with no file (and on a file
no code runs), so a renamed file is found before any page runs it.

A rule that two results share is written once, in `queries/shared/NAME.sql`, and included where `{{> NAME}}`
stands (at load time: the text is fixed before any value is bound). A shared file is not a result of its own.
"""
from __future__ import annotations

import contextlib
import functools
import pathlib
import re
import time

import pandas as pd
import pyarrow as pa

QUERY_DIR = pathlib.Path(__file__).resolve().parents[2] / "queries"
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_LIST = re.compile(r"\{\{([a-z_]+)\}\}")  # {{columns}}, {{facts_table}}: identifiers filled in by `text()`
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_INCLUDE = re.compile(r"\{\{>\s*([a-z_]+)\s*\}\}")  # {{> counting_window}}: a rule from queries/shared/


class UnknownQuery(KeyError):
    pass


@functools.cache
def _all() -> dict[str, str]:
    """Every result, its shared rules included; a file without its one-line comment or with an unknown include
    raises here, when the registry is first used."""
    shared = {p.stem: p.read_text(encoding="utf-8") for p in sorted((QUERY_DIR / "shared").glob("*.sql"))}
    found = {}
    for path in sorted(QUERY_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("-- "):
            raise ValueError(f"{path.name}: a query file starts with a one-line comment saying what it returns")
        found[path.stem] = _INCLUDE.sub(lambda m: _shared(shared, m.group(1), path.name), text)
    return found


def _shared(shared: dict[str, str], name: str, where: str) -> str:
    if name not in shared:
        raise UnknownQuery(f"{where} includes queries/shared/{name}.sql, which does not exist")
    return "\n".join(line for line in shared[name].splitlines() if not line.startswith("-- shared:")).strip()


def sql(name: str) -> str:
    try:
        return _all()[name]
    except KeyError:
        raise UnknownQuery(name) from None


def text(name: str, identifiers: dict | None = None) -> str:
    """The query's SQL with each `{{list}}` replaced by the identifiers (column or table names) given for it.

    Why: a column list bound as a value (`columns(lambda c: list_contains($columns, c))`) cost a page 1-3 ms
    more than the same names written out, and a table cannot be a bound value at all (a domain's own facts table).
    Callers take the names from a whitelist (`rollup.ROLLUP_COLUMNS`, `ingest.domain_tables`); here each must also
    be a plain lower-case identifier, so nothing else can ever reach the SQL text."""
    body = sql(name)
    wanted = set(_LIST.findall(body))
    given = identifiers or {}
    if wanted != set(given):
        raise TypeError(f"query {name} needs identifier lists {sorted(wanted)}, got {sorted(given)}")
    for key, columns in given.items():
        bad = [c for c in columns if not isinstance(c, str) or not _IDENTIFIER.fullmatch(c)]
        if bad or not columns:
            raise ValueError(f"query {name}: not a list of identifiers for {key}: {list(columns)!r}")
        body = body.replace("{{" + key + "}}", ", ".join(columns))
    return body


def names() -> list[str]:
    return list(_all())


def parameters(name: str) -> set[str]:
    """The $named parameters a query uses (comments ignored)."""
    return set(_PARAM.findall(_strip_comments(sql(name))))


def _bind(name: str, params: dict) -> dict:
    wanted = parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameters {sorted(missing)}")
    return {k: params[k] for k in wanted}


_OBSERVERS: list = []


@contextlib.contextmanager
def observed():
    """Collects (name, milliseconds) of every query run inside the block: the benchmark's view of a page's SQL."""
    seen: list[tuple[str, float]] = []
    _OBSERVERS.append(seen)
    try:
        yield seen
    finally:
        _OBSERVERS.remove(seen)


def run(cursor, name: str, /, identifiers: dict | None = None, **params) -> pd.DataFrame:
    """The named result as a DataFrame (`identifiers`: the column lists of a query with `{{list}}`s, see `text`)."""
    started = time.perf_counter()
    result = cursor.execute(text(name, identifiers), _bind(name, params)).df()
    for seen in _OBSERVERS:
        seen.append((name, (time.perf_counter() - started) * 1000))
    return result


def frame(cursor, name: str, /, identifiers: dict | None = None, **params) -> pd.DataFrame:
    """The named result as `run()` gives it (same dtypes), by way of Arrow: 2-3x faster for wide or long
    results (a page's rollup, a province file's code check)."""
    started = time.perf_counter()
    result = like_df(cursor.sql(text(name, identifiers), params=_bind(name, params)).to_arrow_table())
    for seen in _OBSERVERS:
        seen.append((name, (time.perf_counter() - started) * 1000))
    return result


_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def like_df(table: pa.Table) -> pd.DataFrame:
    """An Arrow result with the dtypes DuckDB's `.df()` gives: integers and booleans numpy where a column has no
    null, nullable (Int64, boolean) where it has; dates as datetime64[us]; strings as str. Not for HUGEINT
    (a SUM of BIGINTs): Arrow makes those decimals, `.df()` floats.

    Why this way: converting every column to a nullable dtype and the null-free ones back to numpy, and dates
    after conversion, took 5 ms for 100,000 rows of a province's villages; dates cast in Arrow, a plain
    conversion, and only the integer columns that hold a null made nullable take under 1."""
    for position, column in enumerate(table.columns):
        if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
            microseconds = pa.timestamp("us", tz=getattr(column.type, "tz", None))
            table = table.set_column(position, table.field(position).name, column.cast(microseconds))
    out = table.to_pandas()  # numpy where a column has no null (integers with nulls: floats, replaced below)
    for position, column in enumerate(table.columns):
        if column.type in _NULLABLE and column.null_count:
            nullable = pa.table([column], names=["c"]).to_pandas(types_mapper=_NULLABLE.get)["c"]
            out.isetitem(position, nullable.set_axis(out.index))
    return out


def execute(cursor, name: str, /, identifiers: dict | None = None, **params) -> None:
    """Run a named statement or script for its effect, binding each statement's own parameters (`identifiers`: the
    names for its `{{list}}`s, see `text`)."""
    _bind(name, params)  # raises on a missing parameter
    for statement in _split(text(name, identifiers)):
        wanted = set(_PARAM.findall(_strip_comments(statement)))
        cursor.execute(statement, {k: params[k] for k in wanted} if wanted else None)


@functools.cache
def _split(script: str) -> tuple[str, ...]:
    """The statements of a script: each ends with a line whose code (comments apart) ends with `;`."""
    parts, current = [], []
    for line in script.splitlines():
        current.append(line)
        if line.split("--", 1)[0].rstrip().endswith(";"):
            parts.append("\n".join(current))
            current = []
    parts.append("\n".join(current))
    return tuple(p for p in parts if _strip_comments(p).strip())


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


def rows(cursor, name: str, /, **params) -> list[tuple]:
    return cursor.execute(sql(name), _bind(name, params)).fetchall()
