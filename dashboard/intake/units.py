"""The unit hierarchy: loading unit lists, deriving level and parent from the code.

A file may give only code and name. Each unit's parent is its nearest
ancestor code that exists in the store, so a store can hold one county, a
prefecture or a province: the root is whatever has no parent. A rename keeps
the unit (and all its figures); the old name stays in `unit_names`.
"""
from __future__ import annotations

import datetime as dt
import pathlib
from dataclasses import dataclass, field

import pandas as pd

from ..domain import codes
from ..domain.messages import InputError, Message, cell
from ..storage import materialize, queries
from ..storage.store import Store
from . import limits, readers


@dataclass
class UnitsResult:
    added: int = 0
    renamed: int = 0
    unchanged: int = 0
    warnings: list[Message] = field(default_factory=list)


def parse_units(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Message]]:
    """code, name, level from a unit list; every bad row is an error naming its line."""
    code_col = readers.find_column(frame, readers.CODE_HEADERS)
    name_col = readers.find_column(frame, readers.NAME_HEADERS)
    missing = [h for h, c in (("code/区划代码", code_col), ("name/名称", name_col)) if c is None]
    if missing:
        raise InputError([Message("err_missing_column", {"file": file, "column": m}) for m in missing])
    errors, warnings, rows, seen = [], [], [], set()
    for i, raw_code, name in zip(frame.index, frame[code_col], frame[name_col]):
        try:
            code = codes.normalize(raw_code)
        except codes.CodeError:
            errors.append(cell("err_bad_code", file, i, code_col, raw_code))
            continue
        problems = _row_problems(code, name, file, i, code_col, name_col, seen)
        if problems:
            errors.extend(problems)
            continue
        seen.add(code)
        warnings += [Message(k, v, i) for k, v in codes.range_warnings(code, name)]
        rows.append((code, name, codes.level_of(code)))
    if errors:
        raise InputError(errors)
    return pd.DataFrame(rows, columns=["code", "name", "level"]), warnings


def _row_problems(code, name, file, row, code_col, name_col, seen) -> list[Message]:
    if not name:
        return [cell("err_missing_name", file, row, name_col, "")]
    if len(name) > limits.MAX_NAME_CHARS:
        return [cell("err_name_too_long", file, row, name_col, "", length=f"{len(name):,}", limit=limits.MAX_NAME_CHARS)]
    if code in seen:
        return [cell("err_duplicate_code", file, row, code_col, code)]
    if len(code) == 15 and code.endswith("000"):
        return [cell("err_grid_suffix", file, row, code_col, code)]
    return []


def with_parents(units: pd.DataFrame) -> pd.DataFrame:
    """Adds num, prefix_len and parent_code (nearest existing ancestor) to code/name/level, column by column: a
    national list is 5.5 M units, and a loop over them took minutes for every part of it loaded."""
    out = units.copy()
    out["num"] = codes.nums_of(out["code"])
    out["prefix_len"] = out["level"].map(codes.PREFIX_LEN)
    out["parent_code"] = _nearest_ancestors(out["code"], out["prefix_len"])
    return out.sort_values("num", kind="stable").reset_index(drop=True)


def _isin(values: pd.Series, among: pd.Series) -> pd.Series:
    """`values.isin(among)` in Arrow: pandas' own makes one pyarrow scalar per value of `among` in Python (and its
    object-array path hashes in Python too), seconds per million codes, and a national unit list has 5.5 M."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.is_in(pa.array(values, type=pa.string()), value_set=pa.array(among, type=pa.string()))
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index).fillna(False).astype(bool)


def _nearest_ancestors(code: pd.Series, prefix_len: pd.Series) -> pd.Series:
    """Each code's nearest ancestor among the codes given (as `codes.ancestor_codes`, nearest first), else None."""
    parent = pd.Series(None, index=code.index, dtype=object)
    for end in sorted(set(codes.PREFIX_LEN.values()) - {15}, reverse=True):
        candidate = code.str[:end].str.ljust(12, "0")
        found = parent.isna() & (prefix_len > end) & (candidate != code) & _isin(candidate, code)
        parent[found] = candidate[found]
    return parent.astype(object).where(parent.notna(), None)  # None, as the rows of the list had it, not NaN


@dataclass
class UnitsPlan:
    """What a unit list would change, before anything is written: the web preview and the CLI share it.

    `incoming` is the parsed file; the counts compare it with the store as it
    was when planned. The commit merges again inside its write, so a plan that
    went stale can never undo a change made meanwhile.
    """
    file: str
    incoming: pd.DataFrame
    effective: dt.date
    added: int = 0
    renamed: int = 0
    unchanged: int = 0
    reactivated: int = 0      # retired units the list names again: they become active
    absent: int = 0           # units in the store the list leaves out: kept as they are
    tree: pd.DataFrame = field(default_factory=pd.DataFrame)   # the whole unit table after the load, with parents
    warnings: list[Message] = field(default_factory=list)


def plan_units(store: Store, path, effective: dt.date | None = None, display_name: str | None = None) -> UnitsPlan:
    """Parses a unit list and counts what it would change; stores nothing (raises InputError for a bad file)."""
    file = display_name or pathlib.Path(path).name
    incoming, warnings = parse_units(readers.read_table(path, file), file)
    effective = effective or dt.date.today()
    current = store.query("units_all") if store.exists() else pd.DataFrame(columns=["code", "name", "level", "active"])
    merged, counts = _merge(current, incoming, effective)
    counts.pop("renamed_frame")
    tree = with_parents(merged)
    inactive = set(current.loc[~current["active"].astype(bool), "code"]) if len(current) else set()
    plan = UnitsPlan(file=file, incoming=incoming, effective=effective, **counts, tree=tree, warnings=warnings,
                     reactivated=int(incoming["code"].isin(inactive).sum()),
                     absent=int((~_isin(current["code"], incoming["code"])).sum()) if len(current) else 0)
    plan.warnings += _orphan_warnings(tree, set(incoming["code"]))
    return plan


def commit_units(store: Store, plan: UnitsPlan) -> UnitsResult:
    """Adds new units and renames changed ones, in one write; history of names kept."""
    with store.write() as con:
        current = queries.run(con, "units_all")
        merged, result = _merge(current, plan.incoming, plan.effective)
        con.register("incoming_units", with_parents(merged))
        queries.execute(con, "units_replace")
        con.register("renamed_units", result.pop("renamed_frame"))
        queries.execute(con, "unit_names_rename")
        materialize.refresh_all(con)
    return UnitsResult(**result, warnings=list(plan.warnings))


def load_units(store: Store, path, effective: dt.date | None = None, display_name: str | None = None) -> UnitsResult:
    """`python -m dashboard units FILE`: plan then commit, the same two steps as the import page."""
    return commit_units(store, plan_units(store, path, effective, display_name))


def tree_levels(tree: pd.DataFrame) -> pd.DataFrame:
    """level, units, roots, orphans per level: the tree a list makes (an orphan: no parent below the top level,
    or a parent more than one level up, e.g. villages whose township the list leaves out)."""
    lost = set(orphans(tree)["code"])
    top = tree["prefix_len"].min() if len(tree) else 0
    rows = []
    for level in codes.LEVELS:
        at = tree[tree["level"] == level]
        if len(at):
            roots = int(at["parent_code"].isna().sum()) if codes.PREFIX_LEN[level] == top else 0
            rows.append((level, len(at), roots, int(at["code"].isin(lost).sum())))
    return pd.DataFrame(rows, columns=["level", "units", "roots", "orphans"])


def orphans(tree: pd.DataFrame) -> pd.DataFrame:
    """code, name, parent_code of the units that hang in the wrong place: no parent though not at the top, or a
    parent that skips a level. Each is a gap in the list (a township left out) or a code typed wrong."""
    top = tree["prefix_len"].min() if len(tree) else 0
    above = {codes.PREFIX_LEN[b]: codes.PREFIX_LEN[a] for a, b in zip(codes.LEVELS, codes.LEVELS[1:])}
    parent_len = tree["parent_code"].map(tree.set_index("code")["prefix_len"])  # every parent is in the tree
    expected = tree["prefix_len"].map(above)
    wrong = (tree["prefix_len"] > top) & (parent_len.isna() | (parent_len != expected))
    return tree.loc[wrong, ["code", "name", "parent_code"]].reset_index(drop=True)


def _orphan_warnings(tree: pd.DataFrame, incoming: set[str]) -> list[Message]:
    return [Message("warn_no_parent", {"code": c, "name": n}) for c, n in _orphans(tree) if c in incoming]


def _merge(current: pd.DataFrame, incoming: pd.DataFrame, effective: dt.date):
    """The new unit table plus counts; a renamed or new unit gets a name record from `effective`."""
    old_names = current.set_index("code")["name"]  # a lookup by column, not a dict of millions of units
    is_new = ~_isin(incoming["code"], current["code"])
    is_renamed = ~is_new & (incoming["code"].map(old_names) != incoming["name"])
    keep = current[~_isin(current["code"], incoming["code"])][["code", "name", "level", "active"]]
    merged = pd.concat([keep, incoming.assign(active=True)], ignore_index=True)
    named = incoming[is_new | is_renamed][["code", "name"]].assign(effective=effective)
    counts = {"added": int(is_new.sum()), "renamed": int(is_renamed.sum()),
              "unchanged": int(len(incoming) - is_new.sum() - is_renamed.sum()), "renamed_frame": named}
    return merged, counts


def _orphans(units: pd.DataFrame):
    """Units without a parent below the shallowest level present: roots that look misplaced."""
    top = units["prefix_len"].min()
    lost = units[units["parent_code"].isna() & (units["prefix_len"] > top)]
    return zip(lost["code"], lost["name"])


def rename(store: Store, code: str, name: str, effective: dt.date) -> None:
    """A new name from `effective` on; the unit keeps its code and history."""
    _require(store, code)
    if len(name) > limits.MAX_NAME_CHARS:
        raise InputError([Message("err_rename_too_long", {"length": f"{len(name):,}", "limit": limits.MAX_NAME_CHARS})])
    with store.write() as con:
        queries.execute(con, "unit_rename", code=code, name=name, effective=effective)


def retire(store: Store, code: str, effective: dt.date) -> None:
    """撤销: the unit stops being expected or shown from `effective`; nothing it reported is lost."""
    _require(store, code)
    with store.write() as con:
        queries.execute(con, "unit_retire", code=code, effective=effective)
        materialize.refresh_all(con)


def _require(store: Store, code: str) -> None:
    if store.query("unit_by_code", code=code).empty:
        raise InputError([Message("err_unknown_unit", {"code": code})])
