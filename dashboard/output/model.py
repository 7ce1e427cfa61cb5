"""What the pages show, computed from rollups without Streamlit: headline figures and the children's rows.

Kept free of Streamlit so the numbers a leader reads can be checked in plain
tests, and so cards, tables, maps and tooltips share one computation.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import pandas as pd

from .. import i18n
from ..analysis.rollup import Rollup
from ..domain import fields
from ..domain.indicators import Indicator
from . import charts


@dataclass(frozen=True)
class Headline:
    """One domain's main figure for a unit at a date, with what a leader needs to trust it."""
    ratio: float | None
    numerator: float | None
    denominator: float | None
    target: float
    gap: int | None
    status: str
    change_points: float | None    # since the previous snapshot, in percentage points
    previous_date: dt.date | None
    reported: int
    expected: int
    carried: int
    expected_level: str | None
    source: str | None
    children_below: int
    children_with_data: int


@dataclass(frozen=True)
class Tally:
    """One count of a domain for a unit at a date (排查人数, 返乡人员 …) and its change since the previous snapshot."""
    field: str
    value: int | None
    change: int | None


def tallies(current: Rollup, previous: Rollup | None, domain: str) -> list[Tally]:
    """The domain's card tallies (fields.CARD_TALLIES), summed by the same rollup as the ratios."""
    before = previous.unit if previous is not None else None
    out = []
    for name in fields.CARD_TALLIES.get(domain, ()):
        value = _num(current.unit.get(name)) if current.unit is not None else None
        earlier = _num(before.get(name)) if before is not None else None
        out.append(Tally(name, None if value is None else int(value),
                         None if value is None or earlier is None else int(value - earlier)))
    return out


def tally_text(tally: Tally, lang: str) -> tuple[str, str]:
    """(label, '54.07万 (+1,234)'): the figure in 万 where large, the change in plain digits."""
    label = fields.BY_NAME[tally.field].label(lang)
    if tally.value is None:
        return label, "—"
    figure = i18n.fmt_count(tally.value, lang, wan=True)
    if not tally.change:
        return label, figure
    return label, i18n.t("card_tally_change", lang, figure=figure, change=f"{tally.change:+,}")


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def headline(current: Rollup, previous: Rollup | None, ind: Indicator, target: float) -> Headline:
    """The unit's ratio, status, change and completeness for one indicator."""
    row = current.unit
    ratio = _num(row.get(f"{ind.key}_ratio")) if row is not None else None
    before = _num(previous.unit.get(f"{ind.key}_ratio")) if previous is not None and previous.unit is not None else None
    statuses = child_statuses(current.children, ind)
    with_data = statuses[statuses != "none"]
    gap = row.get(f"{ind.key}_gap") if row is not None else None
    return Headline(
        ratio=ratio, numerator=_num(row.get(f"{ind.key}_numerator")) if row is not None else None,
        denominator=_num(row.get(f"{ind.key}_denominator")) if row is not None else None,
        target=target, gap=None if gap is None or pd.isna(gap) else int(gap), status=charts.status(ratio, target),
        change_points=None if ratio is None or before is None else round((ratio - before) * 100, 1),
        previous_date=previous.snapshot_date if previous is not None else None,
        reported=_int(row, "reported"), expected=_int(row, "expected"), carried=_int(row, "carried"),
        expected_level=current.expected_level,
        source=row.get(f"{ind.key}_denominator_source") if row is not None else None,
        children_below=int((with_data != "met").sum()), children_with_data=len(with_data))


def _int(row, name: str) -> int:
    value = None if row is None else row.get(name)
    return 0 if value is None or pd.isna(value) else int(value)


def children(current: Rollup, previous: Rollup | None, ind: Indicator, all_fields: bool = False) -> pd.DataFrame:
    """One row per child unit: code, name, status, ratio, numerator, denominator, gap, change in points; with
    `all_fields`, every field of the indicator's domain after them (排查人数, 返乡人员 … by their canonical names)."""
    out = indicator_rows(current.children, ind)
    if previous is not None and not previous.children.empty and not out.empty:
        before = previous.children.set_index("code")[f"{ind.key}_ratio"].astype("Float64")
        out["change"] = ((out["ratio"] - out["code"].map(before).astype("Float64")) * 100).round(1)
    if all_fields:
        counts = current.children.set_index("code")
        for name in (f.name for f in fields.domain_fields(ind.domain)):
            values = counts[name] if name in counts else pd.Series(dtype="Float64")
            out[name] = out["code"].map(values.astype("Float64")).astype("Float64")
    return out


def indicator_rows(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    """The rows of a rollup-shaped frame reduced to one indicator, with its status class."""
    if frame.empty:
        return pd.DataFrame(columns=["code", "name", "level", "status", "ratio", "numerator", "denominator", "gap",
                                     "change", "reported", "expected"])
    out = pd.DataFrame({
        "code": frame["code"], "name": frame["name"], "level": frame["level"],
        "ratio": frame[f"{ind.key}_ratio"].astype("Float64"),
        "numerator": frame[f"{ind.key}_numerator"].astype("Float64"),
        "denominator": frame[f"{ind.key}_denominator"].astype("Float64"),
        "gap": frame[f"{ind.key}_gap"].astype("Int64"),
        "reported": frame["reported"].fillna(0).astype("Int64") if "reported" in frame else pd.NA,
        "expected": frame["expected"].astype("Int64") if "expected" in frame else pd.NA,
    })
    out["status"] = child_statuses(frame, ind)
    out["change"] = pd.array([pd.NA] * len(out), dtype="Float64")
    return out.reset_index(drop=True)


def child_statuses(frame: pd.DataFrame, ind: Indicator) -> pd.Series:
    """The status class of each row of a rollup-shaped frame for one indicator, against the frame's own target:
    the headline counts them without building the children's rows (a few ms a domain and date)."""
    if frame.empty:
        return pd.Series([], dtype="object")
    return charts.statuses(frame[f"{ind.key}_ratio"].astype("Float64"), float(frame[f"{ind.key}_target"].iloc[0]))


PER = 1000  # a count per 1,000 residents


def count_rows(rows: pd.DataFrame, name: str, lang: str, residents: pd.Series | None = None):
    """The children's rows (model.children with all fields) classed by one count instead of the ratio: `value` is
    the count, or with `residents` (by code) the count per 1,000 residents; `status` its quantile class
    (charts.count_classes); `tip` names the count first. Returns the rows and the classes' ranges."""
    out = rows.copy()
    out["value"] = out[name].astype("Float64")
    if residents is not None:
        base = out["code"].map(residents).astype("Float64")
        out["value"] = (out["value"] / base.where(base > 0) * PER).round(1)
    out["status"], ranges = charts.count_classes(out["value"], step=1 if residents is None else 0.1)
    field_ = fields.BY_NAME[name]
    lines = [[str(r["name"]), f"{field_.label(lang)} {i18n.fmt_count(r[name], lang)}"
              if not pd.isna(r[name]) else charts.status_word("none", lang)]
             + ([i18n.t("tip_per_1000", lang, value=f"{r['value']:,.1f}")]
                if residents is not None and not pd.isna(r["value"]) else []) for _, r in out.iterrows()]
    out["tip"] = [charts.tooltip_object(parts) for parts in lines]
    out["tip_text"] = ["\n".join(parts) for parts in lines]
    return out, ranges


def with_tooltips(rows: pd.DataFrame, ind: Indicator, lang: str) -> pd.DataFrame:
    """Adds `tip` (the map's tooltip, `charts.tooltip_object`) and `tip_text` (plain text for deck.gl)."""
    out = rows.copy()
    lines = [charts.tooltip_lines(r, ind, lang) for _, r in out.iterrows()]
    out["tip"] = [charts.tooltip_object(parts) for parts in lines]
    out["tip_text"] = ["\n".join(parts) for parts in lines]
    return out


def level_words(level: str, lang: str, capital: bool = False) -> str:
    """'乡镇/街道' / 'townships' ('Townships' at the start of an English heading)."""
    words = i18n.t(f"level_pl_{level}", lang) if f"level_pl_{level}" in i18n.MESSAGES else str(level)
    return words[:1].upper() + words[1:] if capital else words


def change_text(points: float | None, lang: str) -> str | None:
    """'+1.3 个百分点' / '+1.3 pts'; None when there is nothing to compare."""
    if points is None:
        return None
    return i18n.t("card_delta", lang, value="0.0" if points == 0 else f"{points:+.1f}")


SEARCH_LIMIT = 8
PATH_DEPTH = 3  # names shown in a result's path: 石桥镇 › 长安南社区 › 第3网格


def unit_search(units: pd.DataFrame, text: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """The active units whose name holds the text (full-width folded, any case) or whose code starts with it, as
    code and path (石桥镇 › 长安南社区): a name that is the whole text first, then coarser levels, then by code.

    `units` is what the user may see (auth.filter_units): the search never offers a unit outside the scope."""
    wanted = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    if not wanted:
        return pd.DataFrame(columns=["code", "path"])
    active = units[units["active"].astype(bool)]
    names = active["name"].astype(str).map(lambda n: unicodedata.normalize("NFKC", n).lower())
    found = active[names.str.contains(wanted, regex=False) | active["code"].astype(str).str.startswith(wanted)]
    found = found.assign(exact=names.loc[found.index] != wanted).sort_values(["exact", "prefix_len", "code"])
    paths = _paths(units)
    return pd.DataFrame({"code": found["code"].head(limit).tolist(),
                         "path": [paths(c) for c in found["code"].head(limit)]})


def _paths(units: pd.DataFrame):
    """code -> 'township › village': the last PATH_DEPTH names on the way down to the unit."""
    name, parent = dict(zip(units["code"], units["name"])), dict(zip(units["code"], units["parent_code"]))

    def path(code: str) -> str:
        chain, seen = [], set()
        while code in name and code not in seen and len(chain) < PATH_DEPTH:
            seen.add(code)
            chain.append(str(name[code]))
            code = parent.get(code)
        return " › ".join(reversed(chain))
    return path
