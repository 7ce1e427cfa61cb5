"""Cross-checks of a report against itself: numerator over denominator, ratio columns, total rows, 未采样人数.

Each is a warning, never a silent correction: the figures load as given and
the clerk sees what disagreed, with file, row and column.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..domain import aliases, fields, indicators
from ..domain.messages import Message, capped
from . import limits
from .reports import arrow_strings, key

RATIO_TOLERANCE = 0.006  # a ratio printed with one decimal (97.6%) is within 0.05 pt; allow rounding twice


def numbers(raw: pd.Series, unit_words: tuple[str, ...] = ()) -> tuple[pd.Series, pd.Series]:
    """Values as floats and a mask of cells that are not numbers.

    Clean columns (the usual case, and all of a 500,000-row province file) parse in one vectorised step;
    only the cells that fail are cleaned (`cleaned`) and parsed again.
    """
    text = raw.astype(str)
    plain = _plain_integers(text)
    if plain is not None:
        return plain, pd.Series(False, index=raw.index)
    values = pd.to_numeric(text, errors="coerce")
    retry = values.isna() & (text != "")
    if retry.any():
        cleaned = text[retry].map(lambda cell: _cleaned(cell, unit_words))
        values[retry] = pd.to_numeric(cleaned, errors="coerce")
        text = text.where(~retry, cleaned)
    return values, (text != "") & values.isna()


# Digits grouped by thousands with one separator throughout (1,406 · 1 406 · 12,345,678.5); a space is any
# space once NFKC has made a no-break or thin space plain.
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?P<sep>[, ])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?")
_MARKERS = frozenset(aliases.EMPTY_MARKERS)


def _cleaned(cell: str, unit_words: tuple[str, ...] = ()) -> str:
    """A count as offices write it, as a number's text: full width made half (NFKC), spaces around it gone, an
    empty marker (—, /, 无) empty, a unit word the column allows (1623户, 456 人次) dropped, and a comma or a space
    inside only where it separates thousands (1,406 and 1 406; never 1,4,06, 1,2 or 8 00, which are left for
    the caller to call not a number: a figure is stored as the file shows it or not at all)."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", cell)).strip()
    if text.replace(" ", "") in _MARKERS:
        return ""
    for word in unit_words:
        if text.endswith(word) and len(text) > len(word):
            text = text[: -len(word)].rstrip()
            break
    return re.sub("[, ]", "", text) if _THOUSANDS.fullmatch(text) else text


def unit_words_of(field: str | None) -> tuple[str, ...]:
    """The unit words a field's counts may carry: 户 for households, 个/处 for sites, 人/人次/剂次 for people."""
    if not field:
        return ()
    word = aliases.FIELD_UNITS.get(field, "人")
    return aliases.UNIT_WORDS.get(word, (word,))


def _plain_integers(text: pd.Series) -> pd.Series | None:
    """A column of nothing but ASCII digit strings (a canonical file) as int64, else None.

    Arrow's check and cast take ~15 ms for 500,000 cells where `pd.to_numeric` takes ~110 ms; anything else
    (blanks, separators, signs, decimals, other digits, overflow) goes the general way, so values never differ.
    """
    try:
        cells = arrow_strings(text)
        if not pc.all(pc.ascii_is_decimal(cells)).as_py():  # no empty string, sign, space or non-ASCII digit
            return None
        return pd.Series(pc.cast(cells, pa.int64()).to_numpy(), index=text.index)
    except (pa.ArrowException, TypeError, ValueError):
        return None


def percents(raw: pd.Series) -> pd.Series:
    """'97.6%' -> 0.976; '0.976' -> 0.976; '97.6' -> 0.976 (a bare number above 1.5 is read as percent)."""
    text = raw.astype(str).map(lambda c: re.sub(r"\s+", "", unicodedata.normalize("NFKC", c)))
    values, _ = numbers(text.str.rstrip("%"))
    return values.where(~text.str.endswith("%") & (values <= 1.5), values / 100)


def derive_denominators(report, frame: pd.DataFrame) -> None:
    """A denominator the file leaves out, where it gives the numerator and what is still missing (应检人数 missing,
    已采样人数 and 未采样人数 given): denominator = numerator + remainder."""
    for column in report.by_role("remainder"):
        ind = indicators.BY_KEY[column.field]
        if ind.numerator in frame and ind.denominator not in frame:
            missing, _ = numbers(report.frame[f"remainder:{ind.key}"])
            frame[ind.denominator] = (frame[ind.numerator]
                                      + (missing * column.scale).reindex(frame.index).round().astype("Int64"))


def all_checks(report, frame: pd.DataFrame, domain: str, file: str) -> list[Message]:
    return (over_denominator(report, frame, domain, file) + ratio_mismatches(report, frame, domain, file)
            + total_mismatches(report, frame, file) + remainder_mismatches(report, frame, file))


def over_denominator(report, frame: pd.DataFrame, domain: str, file: str) -> list[Message]:
    """Numerator above denominator: a warning, never silently capped."""
    out = []
    for ind in indicators.for_domain(domain):
        if ind.numerator in frame and ind.denominator in frame:
            over = frame[frame[ind.numerator] > frame[ind.denominator]]
            names = {"file": file, "numerator": report.header_of(ind.numerator),
                     "denominator": report.header_of(ind.denominator)}
            out += capped((Message("warn_over_denominator", {**names, "row": line, "num": num, "den": den},
                                   line, names["numerator"])
                           for line, num, den in zip(over.index, over[ind.numerator].tolist(),
                                                            over[ind.denominator].tolist())),
                          len(over), "warn_over_denominator_more", names, limits.MAX_ROW_MESSAGES)
    return out


def _indicator_for(field: str | None, frame: pd.DataFrame, domain: str, stated: pd.Series):
    """The indicator a ratio column states: of the ones whose numerator is the field its header names
    (加强免疫接种率: booster only, never the first dose), or of all the domain's where it names none (采样率), the
    one it agrees with on most rows (采样率 over 应检人数 or over 常住人口, whichever the file meant)."""
    options = [i for i in indicators.for_domain(domain) if i.numerator in frame and i.denominator in frame]
    if field:
        options = [i for i in options if i.numerator == field]
    if not options:
        return None, None
    scored = [(int((stated - _computed(frame, i)).abs().le(RATIO_TOLERANCE).fillna(False).sum()), -n, i)
              for n, i in enumerate(options)]
    best = max(scored, key=lambda s: s[:2])[2]
    return best, _computed(frame, best)


def _computed(frame: pd.DataFrame, ind) -> pd.Series:
    return frame[ind.numerator].astype("Float64") / frame[ind.denominator].astype("Float64")


def ratio_mismatches(report, frame: pd.DataFrame, domain: str, file: str) -> list[Message]:
    """A ratio column (采样率, 接种率) only cross-checks: warn where it disagrees with the counts."""
    out = []
    for column in report.by_role("ratio"):
        stated = percents(report.frame[f"ratio:{column.index}"]).reindex(frame.index)
        ind, computed = _indicator_for(column.field, frame, domain, stated)
        if ind is None:
            continue
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
            stated, bad = numbers(pd.Series([values[name]]), unit_words_of(name))
            if bad.iloc[0] or pd.isna(stated.iloc[0]):
                continue
            total, summed = round(stated.iloc[0] * scales.get(name, 1)), int(frame[name].sum())
            if total != summed:
                header = report.header_of(name)
                out.append(Message("warn_total_mismatch", {"file": file, "row": line, "column": header, "field": name,
                                                            "stated": total, "summed": summed}, line, header))
    return out


def remainder_mismatches(report, frame: pd.DataFrame, file: str) -> list[Message]:
    """A remainder column (未采样人数) should be the denominator − the numerator (应检人数 − 已采样人数)."""
    out = []
    for column in report.by_role("remainder"):
        ind = indicators.BY_KEY[column.field]
        if not {ind.numerator, ind.denominator} <= set(frame):
            continue
        stated, _ = numbers(report.frame[f"remainder:{ind.key}"])
        stated = stated * column.scale
        expected = (frame[ind.denominator] - frame[ind.numerator]).astype("Float64")
        off = frame.index[(stated.reindex(frame.index) != expected).fillna(False).astype(bool)]
        labels = {side: {"zh": fields.BY_NAME[name].label_zh, "en": fields.BY_NAME[name].label_en}
                  for side, name in (("numerator", ind.numerator), ("denominator", ind.denominator))}
        names = {"file": file, "column": column.header, **labels}
        out += capped((Message("warn_remainder_mismatch", {**names, "row": line, "stated": stated[line],
                                                           "computed": expected[line]}, line, column.header)
                       for line in off), len(off), "warn_remainder_mismatch_more", names, limits.MAX_ROW_MESSAGES)
    return out


def duplicate_columns(report) -> tuple[list[Message], list[Message]]:
    """(errors, notes) for columns that say what an earlier one says (reports._unit_roles): where the two differ
    on a row the file is refused there, naming both columns (which one is right is the office's to say, not
    ours); where they agree on every row the second is read as the same figure, and a note says so."""
    errors, notes = [], []
    first_of = {c.index: c for c in report.columns}
    for dup in report.by_role("duplicate"):
        first = first_of[dup.same_as]
        given, other = report.frame[key(first)], report.frame[key(dup)]
        off = report.frame.index[~_same_values(given, other, first)]
        names = {"file": report.file, "column": dup.header, "first": first.header,
                 "letter": column_letter(dup.index), "first_letter": column_letter(first.index)}
        errors += capped((Message("err_duplicate_column", {**names, "row": line, "value": other[line],
                                                            "first_value": given[line]}, line, dup.header)
                          for line in off), len(off), "err_duplicate_column_more", names, limits.MAX_ROW_MESSAGES)
        if not len(off):
            notes.append(Message("warn_duplicate_column", names, column=dup.header))
    return errors, notes


def _same_values(given: pd.Series, other: pd.Series, column) -> pd.Series:
    """Cell by cell: the same count (1,406 and 1406 agree; both blank agree) for a figure column, the same text
    otherwise."""
    if column.role not in ("field", "remainder"):
        return given == other
    words = unit_words_of(column.field)
    a, bad_a = numbers(given, words)
    b, bad_b = numbers(other, words)
    same = (a == b).fillna(False).astype(bool) | (a.isna() & b.isna() & ~bad_a & ~bad_b)
    return same | ((given == other) & (bad_a | bad_b))  # text that is no number is the counts check's to refuse


def column_letter(index: int) -> str:
    """A column's letter as a spreadsheet shows it (0 -> A, 26 -> AA): how a clerk finds a column whose header
    is written twice."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters

