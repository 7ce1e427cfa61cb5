"""Cross-checks of a report against itself: numerator over denominator, ratio columns, total rows, 未采样人数.

Each is a warning, never a silent correction: the figures load as given and
the clerk sees what disagreed, with file, row and column.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import indicators, limits
from .messages import Message, capped

RATIO_TOLERANCE = 0.006  # a ratio printed with one decimal (97.6%) is within 0.05 pt; allow rounding twice


def numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Values as floats (thousands separators and spaces dropped) and a mask of cells that are not numbers.

    Clean columns (the usual case, and all of a 500,000-row province file) parse in one vectorised step;
    only the cells that fail are cleaned and parsed again.
    """
    text = raw.astype(str)
    plain = _plain_integers(text)
    if plain is not None:
        return plain, pd.Series(False, index=raw.index)
    values = pd.to_numeric(text, errors="coerce")
    retry = values.isna() & (text != "")
    if retry.any():
        cleaned = text[retry].str.replace(r"[,，\s]", "", regex=True)
        values[retry] = pd.to_numeric(cleaned, errors="coerce")
        text = text.where(~retry, cleaned)
    return values, (text != "") & values.isna()


def _plain_integers(text: pd.Series) -> pd.Series | None:
    """A column of nothing but ASCII digit strings (a canonical file) as int64, else None.

    Arrow's check and cast take ~15 ms for 500,000 cells where `pd.to_numeric` takes ~110 ms; anything else
    (blanks, separators, signs, decimals, other digits, overflow) goes the general way, so values never differ.
    """
    try:
        cells = pa.array(text.array if hasattr(text.array, "__arrow_array__") else text, type=pa.string())
        if not pc.all(pc.ascii_is_decimal(cells)).as_py():  # no empty string, sign, space or non-ASCII digit
            return None
        return pd.Series(pc.cast(cells, pa.int64()).to_numpy(), index=text.index)
    except (pa.ArrowException, TypeError, ValueError):
        return None


def percents(raw: pd.Series) -> pd.Series:
    """'97.6%' -> 0.976; '0.976' -> 0.976; '97.6' -> 0.976 (a bare number above 1.5 is read as percent)."""
    text = raw.astype(str).str.strip()
    values, _ = numbers(text.str.rstrip("%"))
    return values.where(~text.str.endswith("%") & (values <= 1.5), values / 100)


def derive_target_persons(report, frame: pd.DataFrame) -> None:
    """应检人数 missing but 已采样 and 未采样 given: target_persons = sampled + not_sampled."""
    if "not_sampled" in report.frame and "sampled" in frame and "target_persons" not in frame:
        missing, _ = numbers(report.frame["not_sampled"])
        frame["target_persons"] = (frame["sampled"] + missing.reindex(frame.index).round().astype("Int64"))


def all_checks(report, frame: pd.DataFrame, domain: str, file: str) -> list[Message]:
    return (over_denominator(frame, domain, file) + ratio_mismatches(report, frame, domain, file)
            + total_mismatches(report, frame, file) + not_sampled_mismatches(report, frame, file))


def over_denominator(frame: pd.DataFrame, domain: str, file: str) -> list[Message]:
    """Numerator above denominator: a warning, never silently capped."""
    out = []
    for ind in indicators.for_domain(domain):
        if ind.numerator in frame and ind.denominator in frame:
            over = frame[frame[ind.numerator] > frame[ind.denominator]]
            names = {"file": file, "numerator": ind.numerator, "denominator": ind.denominator}
            out += capped((Message("warn_over_denominator", {**names, "row": line, "num": num, "den": den},
                                   line, ind.numerator)
                           for line, num, den in zip(over.index, over[ind.numerator].tolist(),
                                                            over[ind.denominator].tolist())),
                          len(over), "warn_over_denominator_more", names, limits.MAX_ROW_MESSAGES)
    return out


def _indicator_for(field: str | None, frame: pd.DataFrame, domain: str):
    """The indicator a ratio column states: the one of its field, else the domain's first computable one."""
    options = [i for i in indicators.for_domain(domain) if i.numerator in frame and i.denominator in frame]
    if field:
        options = [i for i in options if i.numerator == field]
    return options[0] if options else None


def ratio_mismatches(report, frame: pd.DataFrame, domain: str, file: str) -> list[Message]:
    """A ratio column (采样率, 接种率) only cross-checks: warn where it disagrees with the counts."""
    out = []
    for column in report.by_role("ratio"):
        ind = _indicator_for(column.field, frame, domain)
        if ind is None:
            continue
        stated = percents(report.frame[f"ratio:{column.index}"]).reindex(frame.index)
        computed = frame[ind.numerator].astype("Float64") / frame[ind.denominator].astype("Float64")
        off = frame.index[((stated - computed).abs() > RATIO_TOLERANCE).fillna(False).astype(bool)]
        out += capped((Message("warn_ratio_mismatch", {
            "file": file, "row": line, "column": column.header, "stated": f"{stated[line]:.1%}",
            "computed": f"{computed[line]:.1%}"}, line, column.header) for line in off),
            len(off), "warn_ratio_mismatch_more", {"file": file, "column": column.header}, limits.MAX_ROW_MESSAGES)
    return out


def total_mismatches(report, frame: pd.DataFrame, file: str) -> list[Message]:
    """A 合计/总计 row is skipped, but compared with the sum of the rows."""
    out = []
    scales = {c.field: c.scale for c in report.by_role("field")}
    for line, values in report.totals:
        for name in [f for f in values if f in frame]:
            stated, bad = numbers(pd.Series([values[name]]))
            if bad.iloc[0] or pd.isna(stated.iloc[0]):
                continue
            total, summed = round(stated.iloc[0] * scales.get(name, 1)), int(frame[name].sum())
            if total != summed:
                out.append(Message("warn_total_mismatch", {"file": file, "row": line, "column": name,
                                                            "stated": total, "summed": summed}, line, name))
    return out


def not_sampled_mismatches(report, frame: pd.DataFrame, file: str) -> list[Message]:
    """未采样人数 should be 应检人数 − 已采样人数."""
    if "not_sampled" not in report.frame or not {"sampled", "target_persons"} <= set(frame):
        return []
    stated, _ = numbers(report.frame["not_sampled"])
    expected = (frame["target_persons"] - frame["sampled"]).astype("Float64")
    off = frame.index[(stated.reindex(frame.index) != expected).fillna(False).astype(bool)]
    return capped((Message("warn_not_sampled_mismatch", {"file": file, "row": line, "stated": stated[line],
                                                         "computed": expected[line]}, line, "not_sampled")
                   for line in off), len(off), "warn_not_sampled_mismatch_more", {"file": file},
                  limits.MAX_ROW_MESSAGES)
