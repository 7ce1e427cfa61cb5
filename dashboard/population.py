"""The reference population register: denominators that reports often leave out.

Wherever a report row lacks a denominator (residents, persons to test,
vaccination targets, households), the rollup takes the register's value
for that unit and says so (denominator_source = 'register').
"""
from __future__ import annotations

import pathlib

import pandas as pd

from . import codes, fields, materialize, queries, readers
from .ingest import _counts, Plan
from .messages import InputError, Message, cell
from .store import Store


def parse_register(store: Store, path, display_name: str | None = None) -> pd.DataFrame:
    """code + register fields (canonical names or Chinese labels), validated like a report."""
    file = display_name or pathlib.Path(path).name
    raw = readers.read_table(path, file)
    labels = {fields.BY_NAME[n].label_zh: n for n in fields.REGISTER_FIELDS}
    raw = raw.rename(columns={c: labels.get(c, c) for c in raw.columns})
    code_col = readers.find_column(raw, readers.CODE_HEADERS)
    present = [n for n in fields.REGISTER_FIELDS if n in raw.columns]
    if code_col is None or not present:
        column = "code/区划代码" if code_col is None else "/".join(fields.REGISTER_FIELDS)
        raise InputError([Message("err_missing_column", {"file": file, "column": column})])
    known = set(store.query("units_all")["code"])
    errors, rows = [], []
    for line, value in raw[code_col].items():
        code = _known_code(value, known, file, line, code_col, errors)
        rows.append((line, code))
    out = pd.DataFrame(rows, columns=["line", "code"]).set_index("line")
    sink = Plan(file=file, sha256="")
    for name in fields.REGISTER_FIELDS:
        out[name] = _counts(raw[name], name, sink) if name in raw else pd.array([pd.NA] * len(out), "Int64")
    errors += sink.errors
    if errors:
        raise InputError(errors)
    out["num"] = out["code"].map(codes.num)
    out["prefix_len"] = out["code"].map(lambda c: codes.PREFIX_LEN[codes.level_of(c)])
    return out.reset_index(drop=True)


def _known_code(value, known, file, line, column, errors):
    try:
        code = codes.normalize(value)
    except codes.CodeError:
        errors.append(cell("err_bad_code", file, line, column, value))
        return None
    if code not in known:
        errors.append(cell("err_unknown_code", file, line, column, code))
    return code


def load_register(store: Store, path, display_name: str | None = None) -> int:
    """Stores the register; earlier entries stay in history. Returns the number of units updated."""
    frame = parse_register(store, path, display_name)
    write_register(store, frame)
    return len(frame)


def write_register(store: Store, frame: pd.DataFrame, con=None) -> None:
    if con is None:
        with store.write() as con:
            return write_register(store, frame, con)
    load_id = queries.rows(con, "next_population_load_id")[0][0]
    con.register("incoming_population", frame)
    queries.execute(con, "population_replace", load_id=load_id)
    con.unregister("incoming_population")
    materialize.refresh_all(con)
