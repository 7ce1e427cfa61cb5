"""The SQL registry: every named result is one file in queries/, loaded once.

`run(cursor, "rollup", date=..., ...)` binds `$named` parameters; values never enter SQL text. An unknown name
raises at once; tests/test_queries.py reads every call in the code and fails on a name with no file (and on a file
no code runs), so a renamed file is found before any page runs it.

A rule that two results share is written once, in `queries/shared/NAME.sql`, and included where `{{> NAME}}`
stands (at load time: the text is fixed before any value is bound). A shared file is not a result of its own.

Field and table names come from the domains' declarations (domain/declarations/), never from input, through lists:
`{{fields}}` is the names joined by commas; `{{fields: sum(@) as @}}` writes its template once per name (`@` is the
name) joined by commas, `{{fields or: i.@ < p.@}}` by `or` (also `and`, `union` for `union all by name`, `lines`
for one statement per name). A template may hold a list named from its `@` (`{{domains lines: ... {{fields_@}} ...}}`:
each domain's own fields). The declared lists (`DECLARED`) are filled in at load; the others by the caller (`text`).
Every name is checked to be a plain lower-case identifier before it reaches SQL text.
"""
from __future__ import annotations

import contextlib
import functools
import pathlib
import re
import time

import pandas as pd
import pyarrow as pa

from ..domain import fields

QUERY_DIR = pathlib.Path(__file__).resolve().parents[2] / "queries"
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_LIST = re.compile(r"\{\{([a-z_]+)(?:\s+(?:or|and|union|lines))?(?::|\}\})")  # {{columns}}, {{fields: sum(@) as @}}
_HEAD = re.compile(r"([a-z_][a-z0-9_]*)(?:\s+(or|and|union|lines))?\s*(:|$)", re.S)
_JOINERS = {None: ", ", "or": " or ", "and": " and ", "union": "\nunion all by name\n", "lines": "\n"}
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
        text = _INCLUDE.sub(lambda m: _shared(shared, m.group(1), path.name), text)
        found[path.stem] = render(text, DECLARED, path.name)
    return found


def _declared() -> dict[str, tuple[str, ...]]:
    """The lists every query may name, from the domains' declarations."""
    lists = {"domains": fields.DOMAINS, "fields": fields.FIELD_NAMES, "register_fields": fields.REGISTER_FIELDS,
             "unregistered_fields": tuple(f for f in fields.FIELD_NAMES if f not in fields.REGISTER_FIELDS)}
    lists.update({f"fields_{d}": tuple(f.name for f in fields.domain_fields(d)) for d in fields.DOMAINS})
    return lists


DECLARED = _declared()


def render(text: str, lists: dict, where: str) -> str:
    """The text with each `{{name}}` / `{{name JOIN: template}}` whose name is in `lists` written out (see the
    module's docstring); other `{{...}}` are left for a later pass."""
    out, position = [], 0
    while (start := text.find("{{", position)) >= 0:
        end = _closing(text, start, where)
        head = _HEAD.match(text, start + 2, end)
        name = head.group(1) if head else None
        if name not in lists:
            out.append(text[position:end + 2])
            position = end + 2
            continue
        items = _identifiers(lists[name], name, where)
        body = text[head.end():end].strip() if head.group(3) == ":" else None
        pieces = items if body is None else [render(_substitute(body, item, where), lists, where) for item in items]
        out.append(text[position:start] + _JOINERS[head.group(2)].join(pieces))
        position = end + 2
    return "".join(out) + text[position:]


def _substitute(body: str, item: str, where: str) -> str:
    """`@` replaced by the item, except inside a nested template's own body (its `@` is its own items)."""
    out, position = [], 0
    while (start := body.find("{{", position)) >= 0:
        end = _closing(body, start, where)
        colon = body.find(":", start, end)
        head_end = end if colon < 0 else colon
        out.append(body[position:head_end].replace("@", item) + body[head_end:end + 2])
        position = end + 2
    return "".join(out) + body[position:].replace("@", item)


def _closing(text: str, start: int, where: str) -> int:
    """Where the `}}` closing the `{{` at `start` is (nested pairs skipped)."""
    depth, i = 0, start
    while i < len(text) - 1:
        pair = text[i:i + 2]
        if pair in ("{{", "}}"):
            depth += 1 if pair == "{{" else -1
            if depth == 0:
                return i
            i += 2
        else:
            i += 1
    raise ValueError(f"{where}: a {{{{ without its }}}}")


def _identifiers(names, key: str, where: str) -> list[str]:
    names = list(names)
    bad = [c for c in names if not isinstance(c, str) or not _IDENTIFIER.fullmatch(c)]
    if bad or not names:
        raise ValueError(f"query {where}: not a list of identifiers for {key}: {names!r}")
    return names


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
    Callers take the names from a whitelist (`rollup.ROLLUP_COLUMNS`, `store.domain_tables`); here each must also
    be a plain lower-case identifier, so nothing else can ever reach the SQL text."""
    body = sql(name)
    wanted = set(_LIST.findall(body))
    given = identifiers or {}
    if wanted != set(given):
        raise TypeError(f"query {name} needs identifier lists {sorted(wanted)}, got {sorted(given)}")
    return render(body, given, name) if given else body


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
