"""Generated messy report files thrown at the ingest (the CLI's path: `ingest.plan`, then `ingest.commit`).

Each file is built from a model that knows what every cell means: headers
from the alias table (any alias, any case, a unit in brackets, 万 columns)
mixed with junk columns, cells that are counts written the ways offices write
them (thousands separators, full-width commas, spaces, 1.0) or cells that are
not counts (negative, 12.5, 50%, 1.2万, huge, NaN, SQL, quotes, separators
in odd places (1,2 · 8 00 with a no-break space), NUL, a formula with no value), title lines (sometimes
with a date that disagrees with the file name's), a second column for a field (another alias or the same
header again; agreeing or not), personal data (a header such as 联系人姓名, or a phone or ID-card number in a
note column), CSV in UTF-8/BOM/GB18030/UTF-16 (Excel's "Unicode text") with , ; or tab, or XLSX.
The property: a file whose cells are all counts and whose second columns agree loads, and the stored rows
equal the model's numbers (on the title's date where it disagrees with the name's, with the conflict shown);
any other file is refused with messages naming it, a commit of the refused plan raises, and no table gains a
row. Any other exception fails the test.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
import shutil
import tempfile
from dataclasses import dataclass

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dashboard.domain import aliases, fields
from dashboard.intake import ingest
from dashboard.storage import configure
from dashboard.storage import settings as dashboard_settings
from dashboard.storage.store import Store
from tests.helpers import G_JIA_1, G_JIA_2, G_ONE_1, G_ONE_2, V_JIA, V_ONE, V_TWO, V_YI, small_store

UNITS = {"village": (V_ONE, V_TWO, V_JIA, V_YI), "grid": (G_ONE_1, G_ONE_2, G_JIA_1, G_JIA_2)}
JUNK_HEADERS = ("备注", "序号", "说明", "note", "remarks", "其他情况", "x_col", "")
JUNK_TEXT = st.text(alphabet="甲乙丙戊abc xyz-_/()（）#@!?'\";,\t", max_size=12)  # no surname first: not a person
PERSONAL_HEADERS = ("联系人姓名", "网格员", "联系人", "户主手机号", "身份证号码")
PERSONAL_VALUES = ("+86 138 0013 8000", "138-0013-8000", "13912345678", "0874-5123456", "53032619800101123X")
TITLES = ("核酸采样统计表", "填报单位：北镇", "（单位：人）", "说明：以上数据截至当日")
TABLES = ("facts", "facts_history", "loads", "load_events", "load_warnings", "rollups", "village_rollups", "units")
NOT_COUNTS = ("-5", "-1", "abc", "50%", "1.2万", "1e30", "99999999999999999999999", "NaN", "inf", "-inf", "一百",
              "'; drop table facts; --", "\"", "1;2", "0x1F", "12-3", "１２３ｘ", "\x00",
              "1,2", "8\u00a000", "12 34", "1,23,456", "1, 234", "１，２")


@dataclass
class Cell:
    text: str | int | float
    value: int | None      # the count it means; None when blank
    ok: bool = True        # False: not a count, the file must be refused


@st.composite
def count_cell(draw, scale: int, xlsx: bool, messy: bool) -> Cell:
    """A count as offices write it, blank, or (in a messy file, sometimes) something that is not a count."""
    kind = draw(st.sampled_from(["count"] * 6 + ["blank"] + (["bad"] if messy else [])))
    if kind == "blank":
        return Cell("", None)
    if kind == "bad":
        bad = draw(st.sampled_from(NOT_COUNTS + (("12.5",) if scale == 1 else ()) + (("=B2*2",) if xlsx else ())))
        return Cell(bad.replace("\x00", "?") if xlsx else bad, None, ok=False)  # =B2*2: a formula with no value
    if scale == 10_000:
        k = draw(st.integers(0, 10**6))  # 万 to four decimals: 12.3456万 = 123,456 people
        return Cell(repr(k / 10_000), k)
    n = draw(st.integers(0, 10**7))
    form = draw(st.sampled_from(["plain", "thousands", "fullwidth", "spaces", "point_zero", "space_thousands",
                                 "nbsp_thousands"] + (["number"] if xlsx else [])))
    text = {"plain": str(n), "thousands": f"{n:,}", "fullwidth": f"{n:,}".replace(",", "，"),
            "spaces": f" {n} ", "point_zero": f"{n}.0", "space_thousands": f"{n:,}".replace(",", " "),
            "nbsp_thousands": f"{n:,}".replace(",", "\u00a0"), "number": n}[form]
    return Cell(text, n)


@st.composite
def report_files(draw):
    """(file name, bytes, expected rows {code: {field: value}} or None when it must be refused)."""
    xlsx, messy = draw(st.booleans()), draw(st.booleans())  # about half the files are clean and must load
    domain = draw(st.sampled_from(fields.DOMAINS))
    names = [f.name for f in fields.domain_fields(domain)]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    level = draw(st.sampled_from(sorted(UNITS)))
    codes = draw(st.lists(st.sampled_from(UNITS[level]), min_size=1, max_size=6))  # repeats: duplicate codes
    columns = [("code", draw(st.sampled_from(aliases.CODE_ALIASES)), 1)]
    for name in chosen:
        alias = draw(st.sampled_from((name,) + aliases.FIELD_ALIASES[name]))
        alias = alias.upper() if draw(st.booleans()) and alias.isascii() else alias
        scale = draw(st.sampled_from([1, 1, 1, 10_000]))
        columns.append((name, alias + ("（万人）" if scale == 10_000 else draw(st.sampled_from(["", "（人）", "(人)"]))),
                        scale))
    for _ in range(draw(st.integers(0, 2))):
        columns.insert(draw(st.integers(1, len(columns))), ("junk", draw(st.sampled_from(JUNK_HEADERS)), 1))
    twice = draw(st.sampled_from([None] * 3 + chosen))  # a second column for this field: another alias, or the same
    if twice:
        scale = next(scale for kind, _, scale in columns if kind == twice)
        alias = draw(st.sampled_from((twice,) + aliases.FIELD_ALIASES[twice]))
        columns.insert(draw(st.integers(1, len(columns))), ("again", alias + ("（万人）" if scale == 10_000 else ""), scale))
    agree = draw(st.booleans())
    if draw(st.integers(0, 7)) == 0:  # personal data: a header naming it, or a phone or ID-card number in a note
        columns.insert(draw(st.integers(1, len(columns))), ("personal", draw(st.sampled_from(PERSONAL_HEADERS + ("备注",))), 1))
    rows, expected, ok = [], {}, not any(kind == "personal" for kind, _, _ in columns)
    for code in codes:
        row = []
        for kind, _, scale in columns:
            if kind == "code":
                row.append(Cell(code, None))
            elif kind == "junk":
                row.append(Cell(draw(JUNK_TEXT), None))
            elif kind == "personal":
                row.append(Cell(draw(st.sampled_from(PERSONAL_VALUES)), None))
            elif kind == "again":
                row.append(None)  # filled from its field's cell below
            else:
                row.append(draw(count_cell(scale, xlsx, messy)))
        if twice:
            first = row[[kind for kind, _, _ in columns].index(twice)]
            differs = not agree and first.ok
            row[[kind for kind, _, _ in columns].index("again")] = Cell(str((first.value or 0) + 1), None) if differs else first
            ok &= not differs
        rows.append(row)
        counts = [c for c, (kind, _, _) in zip(row, columns) if kind not in ("code", "junk", "personal", "again")]
        ok &= all(c.ok for c in counts)
        if any(c.value is not None or not c.ok for c in counts):  # a row with no values at all is skipped
            ok &= code not in expected
            expected[code] = {name: c.value for c, (name, _, _) in zip(row, columns)
                              if name not in ("code", "junk", "personal", "again")}
    ok &= bool(expected)  # nothing to load is refused too
    titles = draw(st.lists(st.sampled_from(TITLES), max_size=2))
    title_day = draw(st.sampled_from([None, 4, 5]))  # a title's date: the file name's (4 May) or another
    if title_day:
        titles.insert(0, f"统计表（截至2022年5月{title_day}日）")
    header = [h for _, h, _ in columns]
    name = f"{domain}_报表_20220504.{'xlsx' if xlsx else 'csv'}"
    if xlsx:
        data = _xlsx(titles, header, rows)
    else:
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
        delimiter = draw(st.sampled_from([",", ";", "\t"]))
        data = _csv(titles, header, rows, delimiter, encoding)
        ok &= not any("\x00" in str(c.text) for row in rows for c in row)
    return name, data, expected if ok else None, title_day


def _csv(titles, header, rows, delimiter: str, encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for title in titles:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows([[c.text for c in row] for row in rows])
    return out.getvalue().encode(encoding)


def _xlsx(titles, header, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for title in titles:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append([c.text for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _counts(path: pathlib.Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}  # fixed names, a test
    finally:
        con.close()


def _stored(path: pathlib.Path, load_id: int, names: list[str]) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(f"select code, {', '.join(names)} from facts_history where load_id = ?",  # test-side SQL
                           [load_id]).fetchall()
    finally:
        con.close()
    return {code: dict(zip(names, values)) for code, *values in rows}


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> pathlib.Path:
    """A small county with every optional domain switched on, so files of every declared domain are drawn."""
    store = small_store(tmp_path_factory.mktemp("property"))
    for domain in fields.OPTIONAL_DOMAINS:
        configure.put(store, dashboard_settings.switch_key(domain), "on")
    return store.path


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(report=report_files())
def test_a_messy_file_loads_exactly_or_is_refused_with_a_message_and_nothing_stored(base_store, report):
    name, data, expected, title_day = report
    folder = pathlib.Path(tempfile.mkdtemp(prefix="property-"))
    shutil.copyfile(base_store, folder / "store.duckdb")
    store = Store(folder / "store.duckdb")
    try:
        path = folder / name
        path.write_bytes(data)
        before = _counts(store.path)
        plan = ingest.plan(store, path)
        event("refused" if expected is None else "loaded")
        if expected is None:
            assert plan.errors, f"{name} should have been refused"
            assert all(name in m.text(lang) for m in plan.errors for lang in ("zh", "en")), \
                [m.text("en") for m in plan.errors]
            with pytest.raises(Exception):
                ingest.commit(store, plan)
            assert _counts(store.path) == before
            return
        assert plan.ok, [m.text("en") for m in plan.errors]
        assert plan.snapshot_date == dt.date(2022, 5, title_day or 4)  # the title's date where it gives one
        assert any(m.key == "warn_conflict" and m.values["what"]["en"] == "date" for m in plan.warnings) \
            == (title_day == 5)  # and the disagreement shown
        result = ingest.commit(store, plan)
        names = sorted({field for row in expected.values() for field in row})
        assert _stored(store.path, result.load_id, names) == expected
        after = _counts(store.path)
        assert after["facts_history"] == before["facts_history"] + len(expected)
        assert after["loads"] == before["loads"] + 1
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)

