"""Names in report files -> unit codes: exact first, then tolerant of suffix variants (城东 ~ 城东社区).

An unknown or ambiguous name is an error that lists the closest known names
(台陈 could be 台陈镇 or 台陈村). Ambiguity is settled by the level most of
the file's rows resolve to, and by the parent the file is about (given, or
named in its title or file name).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pandas as pd

from ..domain import codes
from ..domain.messages import Message

SUFFIXES = ("街道办事处", "办事处", "街道", "社区居委会", "居委会", "村委会", "社区", "镇", "乡", "村", "网格", "居")
# The committee a village's list name carries (董畦村村民委员会, 索桥居民委员会); offices write the village itself.
COMMITTEES = ("村民委员会", "居民委员会", "村委会", "居委会", "委员会", "居委")


def stem(name: str) -> str:
    """The name without its committee and administrative suffix: 城东社区 -> 城东, 台陈镇 -> 台陈,
    董畦村村民委员会 -> 董畦 (as 董畦村 is), 宝民社区居委会 -> 宝民."""
    text = re.sub(r"\s+", "", str(name))
    for suffix in COMMITTEES:
        if text.endswith(suffix) and len(text) > len(suffix) and text[: -len(suffix)].endswith(("村", "社区")):
            text = text[: -len(suffix)]
            break
    for suffix in SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


@dataclass
class Resolution:
    codes: pd.Series                # index: file line -> code (None where unresolved)
    parent: str | None              # the unit the file was found to be about
    errors: list[Message]


def parent_named_in(units: pd.DataFrame, text: str) -> str | None:
    """The deepest unit whose full name appears in a title or file name (郸城县…统计表 -> 郸城县)."""
    named = units[[bool(n) and len(n) >= 2 and n in text for n in units["name"]]]
    if named.empty:
        return None
    return named.assign(length=named["name"].str.len()).sort_values(["prefix_len", "length"]).iloc[-1]["code"]


def resolve(names: pd.Series, units: pd.DataFrame, file: str, column: str, parent: str | None = None,
            context: str = "") -> Resolution:
    """Codes for the names of a file's rows (index = file line)."""
    parent = parent or parent_named_in(units, context)
    scope = _subtree(units, parent) if parent else units
    scope = scope[scope["code"] != parent] if parent else scope
    candidates = {line: _candidates(scope, name) for line, name in names.items()}
    level = _common_level(candidates)
    out, errors = {}, []
    for line, found in candidates.items():
        if len(found) > 1 and level:
            found = found[found["level"] == level]
        if len(found) == 1:
            out[line] = found["code"].iloc[0]
        else:
            out[line] = None
            errors.append(_problem(found, names[line], scope, units, file, line, column))
    return Resolution(pd.Series(out, dtype=object), parent, errors)


def resolve_within(names: pd.Series, parents: list[tuple[str, pd.Series]], units: pd.DataFrame, file: str,
                   column: str, parent: str | None = None, context: str = "") -> Resolution:
    """Codes for rows named by several columns (县, 乡镇, 村; coarsest first in `parents`): each column's name is
    looked up within the unit the column before it found, so 兰干村 under 木吉镇 and 兰干村 under 木奎拉乡 are two
    villages. A parent cell naming the unit already in scope (the county's own name) keeps that scope."""
    root = parent or parent_named_in(units, context)
    scopes = pd.Series(root, index=names.index, dtype=object)
    errors: list[Message] = []
    for header, cells in parents:
        found = _grouped(cells, scopes, units, file, header, context, errors, keep_own=True)
        scopes = found.where(found.notna(), scopes)
    codes_ = _grouped(names, scopes, units, file, column, context, errors)
    return Resolution(codes_, root, errors)


def _grouped(names: pd.Series, scopes: pd.Series, units: pd.DataFrame, file: str, column: str, context: str,
             errors: list, keep_own: bool = False) -> pd.Series:
    """`resolve` once per scope (the lines that share a parent unit), the results in line order."""
    out = pd.Series(None, index=names.index, dtype=object)
    for scope, lines in names.groupby(scopes.fillna(""), sort=False).groups.items():
        subset = names.loc[lines]
        if keep_own:
            subset = subset[~subset.isin(_own_names(units, scope or None))]
        if subset.empty:
            continue
        found = resolve(subset, units, file, column, scope or None, "" if scope else context)
        out.loc[found.codes.index] = found.codes
        errors += found.errors
    return out


def _own_names(units: pd.DataFrame, code: str | None) -> set[str]:
    """The name of the scope unit itself (and its stem): a 县 column repeating the county's name, or blank."""
    own = units.loc[units["code"] == code, "name"] if code else pd.Series(dtype=object)
    return {""} | set(own) | {stem(n) for n in own}


def _subtree(units: pd.DataFrame, code: str) -> pd.DataFrame:
    level = codes.level_of(code)
    lo = codes.num(code)
    return units[(units["num"] >= lo) & (units["num"] < lo + codes.span(level))]


def _candidates(scope: pd.DataFrame, name: str) -> pd.DataFrame:
    exact = scope[scope["name"] == name]
    return exact if len(exact) else scope[scope["stem"] == stem(name)]


def _common_level(candidates: dict) -> str | None:
    """The level of the rows that resolve without doubt: it settles the doubtful ones."""
    levels = pd.Series([f["level"].iloc[0] for f in candidates.values() if len(f) == 1])
    return levels.mode().iloc[0] if len(levels) else None


def _problem(found, name, scope, units, file, line, column) -> Message:
    if len(found) > 1:
        options = "、".join(_label(r, units) for _, r in found.head(5).iterrows())
        return Message("err_ambiguous_name", {"file": file, "row": line, "column": column, "value": name,
                                              "options": options}, line, column)
    close = difflib.get_close_matches(name, list(scope["name"]), n=3, cutoff=0.3)
    return Message("err_unknown_name", {"file": file, "row": line, "column": column, "value": name,
                                        "options": "、".join(close) or "—"}, line, column)


def _label(row, units) -> str:
    parent = units.loc[units["code"] == row["parent_code"], "name"]
    return f"{row['name']}（{parent.iloc[0]}）" if len(parent) else row["name"]


def with_stems(units: pd.DataFrame) -> pd.DataFrame:
    return units.assign(stem=units["name"].map(stem))

