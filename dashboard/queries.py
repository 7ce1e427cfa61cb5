"""The SQL registry: every named result is one file in queries/, loaded once.

`run(cursor, "rollup", date=..., ...)` binds `$named` parameters;
values never enter SQL text. An unknown name raises at once.
"""
from __future__ import annotations

import contextlib
import functools
import pathlib
import re
import time

import pandas as pd
import pyarrow as pa

QUERY_DIR = pathlib.Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


class UnknownQuery(KeyError):
    pass


@functools.cache
def _all() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(QUERY_DIR.glob("*.sql"))}


def sql(name: str) -> str:
    try:
        return _all()[name]
    except KeyError:
        raise UnknownQuery(name) from None


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


def run(cursor, name: str, /, **params) -> pd.DataFrame:
    """The named result as a DataFrame."""
    started = time.perf_counter()
    result = cursor.execute(sql(name), _bind(name, params)).df()
    for seen in _OBSERVERS:
        seen.append((name, (time.perf_counter() - started) * 1000))
    return result


def frame(cursor, name: str, /, **params) -> pd.DataFrame:
    """The named result as `run()` gives it (same dtypes), by way of Arrow: 2-3x faster for wide or long
    results (a page's rollup, a province file's code check)."""
    started = time.perf_counter()
    result = like_df(cursor.sql(sql(name), params=_bind(name, params)).to_arrow_table())
    for seen in _OBSERVERS:
        seen.append((name, (time.perf_counter() - started) * 1000))
    return result


_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def like_df(table: pa.Table) -> pd.DataFrame:
    """An Arrow result with the dtypes DuckDB's `.df()` gives: integers and booleans numpy where a column has no
    null, nullable (Int64, boolean) where it has; dates as datetime64[us]; strings as str. Not for HUGEINT
    (a SUM of BIGINTs): Arrow makes those decimals, `.df()` floats."""
    out = table.to_pandas(types_mapper=_NULLABLE.get, date_as_object=False)
    for column_name, column in zip(table.column_names, table.columns):
        if column.type in _NULLABLE and column.null_count == 0:
            out[column_name] = out[column_name].to_numpy(dtype=column.type.to_pandas_dtype())
        elif pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
            out[column_name] = out[column_name].astype("datetime64[us]")
    return out


def execute(cursor, name: str, /, **params) -> None:
    """Run a named statement or script for its effect, binding each statement's own parameters."""
    _bind(name, params)  # raises on a missing parameter
    for statement in _statements(name):
        wanted = set(_PARAM.findall(_strip_comments(statement)))
        cursor.execute(statement, {k: params[k] for k in wanted} if wanted else None)


@functools.cache
def _statements(name: str) -> tuple[str, ...]:
    parts = re.split(r";\s*(?:\n|$)", sql(name))
    return tuple(p for p in parts if _strip_comments(p).strip())


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


def rows(cursor, name: str, /, **params) -> list[tuple]:
    return cursor.execute(sql(name), _bind(name, params)).fetchall()
