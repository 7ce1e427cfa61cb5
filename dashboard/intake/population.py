"""The reference population register: denominators that reports often leave out.

Wherever a report row lacks a denominator (residents, persons to test,
vaccination targets, households), the rollup takes the register's value
for that unit and says so (denominator_source = 'register').
"""
from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

import pandas as pd

from ..domain import codes, fields
from ..domain.messages import InputError, Message, cell
from ..storage import materialize, queries
from ..storage.store import Store
from . import kinds, readers
from .ingest import _counts, Plan


def parse_register(store: Store, path, display_name: str | None = None) -> pd.DataFrame:
    """code + register fields (canonical names or Chinese labels), validated like a report."""
    file = display_name or pathlib.Path(path).name
    raw = readers.read_table(path, file)
    raw = raw.rename(columns={c: kinds.register_field(c) or c for c in raw.columns})  # 常住人口, 常住人口数 …
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


SAMPLE_ROWS = 10  # changed entries shown in a preview


@dataclass
class RegisterPlan:
    """What a register file would change, before anything is written: the web preview and the CLI share it."""
    file: str
    frame: pd.DataFrame           # code, num, prefix_len and the register fields, as parsed
    new: int = 0                  # units without a register entry so far
    changed: int = 0              # units whose entry differs in some field
    unchanged: int = 0
    sample: pd.DataFrame = field(default_factory=pd.DataFrame)   # a few new or changed rows: code, field, before, after


def plan_register(store: Store, path, display_name: str | None = None) -> RegisterPlan:
    """Parses a register and compares it with the current entries; stores nothing (raises InputError)."""
    frame = parse_register(store, path, display_name)
    current = store.query("population_current").set_index("code")
    is_new = ~frame["code"].isin(current.index)
    old = current.reindex(frame["code"])[list(fields.REGISTER_FIELDS)].reset_index(drop=True)
    given = frame[list(fields.REGISTER_FIELDS)].reset_index(drop=True)
    differs = [(given[f].notna() & (old[f].isna() | (given[f].astype("Float64") != old[f].astype("Float64"))))
               .fillna(True) for f in fields.REGISTER_FIELDS]
    changed = ~is_new.to_numpy() & pd.concat(differs, axis=1).any(axis=1).to_numpy()
    return RegisterPlan(file=display_name or pathlib.Path(path).name, frame=frame, new=int(is_new.sum()),
                        changed=int(changed.sum()), unchanged=int(len(frame) - is_new.sum() - changed.sum()),
                        sample=_sample(frame, old, is_new.to_numpy() | changed))


def _sample(frame: pd.DataFrame, old: pd.DataFrame, touched) -> pd.DataFrame:
    """code, field, before, after for the first few units the file adds or changes."""
    rows = []
    for i in [i for i, t in enumerate(touched) if t][:SAMPLE_ROWS]:
        for name in fields.REGISTER_FIELDS:
            after, before = frame[name].iloc[i], old[name].iloc[i]
            if not pd.isna(after) and (pd.isna(before) or int(before) != int(after)):
                rows.append((frame["code"].iloc[i], name, None if pd.isna(before) else int(before), int(after)))
    return pd.DataFrame(rows, columns=["code", "field", "before", "after"])


def commit_register(store: Store, plan: RegisterPlan) -> int:
    """Stores the planned register; earlier entries stay in history. Returns the number of units updated."""
    write_register(store, plan.frame)
    return len(plan.frame)


def load_register(store: Store, path, display_name: str | None = None) -> int:
    """`python -m dashboard population FILE`: plan then commit, the same two steps as the import page."""
    return commit_register(store, plan_register(store, path, display_name))


def write_register(store: Store, frame: pd.DataFrame, con=None) -> None:
    if con is None:
        with store.write() as con:
            return write_register(store, frame, con)
    load_id = queries.rows(con, "next_population_load_id")[0][0]
    con.register("incoming_population", frame)
    queries.execute(con, "population_replace", load_id=load_id)
    con.unregister("incoming_population")
    materialize.refresh_all(con)
