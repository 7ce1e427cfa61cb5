"""Report files as offices send them (tests/fixtures/reports, on real division lists): each loads with no flags and
gives the totals its manifest records; and the general rules that make them load, one by one."""
from __future__ import annotations

import datetime as dt
import json
import pathlib
import shutil

import openpyxl
import pandas as pd
import pytest

from dashboard import i18n
from dashboard.analysis import rollup
from dashboard.domain import aliases
from dashboard.domain.messages import InputError
from dashboard.intake import checks, ingest, matching, reports, sheets, units
from dashboard.storage.store import Store
from tests.conftest import FIXTURES
from tests.helpers import write

REPORTS, DIVISIONS = FIXTURES / "reports", FIXTURES / "divisions"
CORPUS = json.loads((REPORTS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One store file per division list, built once for the module (each test works on a copy)."""
    folder, made = tmp_path_factory.mktemp("divisions"), {}

    def store_file(division: str) -> pathlib.Path:
        if division not in made:
            store = Store(folder / f"{division}.duckdb")
            store.create()
            units.load_units(store, DIVISIONS / division)
            made[division] = store.path
        return made[division]
    return store_file


def county_store(built, division: str, tmp_path: pathlib.Path) -> Store:
    target = tmp_path / "county.duckdb"
    shutil.copyfile(built(division), target)
    return Store(target)


def county_code(division: str) -> str:
    return (DIVISIONS / division).read_text(encoding="utf-8").splitlines()[1].split(",")[0]


def figures(store: Store, code: str, domain: str, day: dt.date, names, empty=()) -> dict:
    """The stored figures of a unit; a field the file left empty in every row of the unit (— / 无) has none,
    which the manifest writes as the sum of nothing, 0."""
    unit = rollup.rollup(store, code, domain, day).unit
    return {name: (0 if name in empty else None) if pd.isna(unit[name]) else int(unit[name]) for name in names}


@pytest.mark.parametrize("entry", CORPUS, ids=[e["file"] for e in CORPUS])
def test_every_corpus_file_loads_with_no_flags_and_gives_its_totals(entry, built, tmp_path):
    store = county_store(built, entry["units"], tmp_path)
    path = tmp_path / entry["file"]
    shutil.copyfile(REPORTS / entry["file"], path)
    plan = ingest.plan(store, path)
    assert plan.ok, [m.text("en") for m in plan.errors]
    assert (plan.domain, plan.snapshot_date.isoformat(), plan.level) == (entry["domain"], entry["date"], entry["level"])
    assert len(plan.frame) == entry["rows"]
    if entry["format"] in ("xlsx", "xls", "ods"):
        assert plan.sheet == entry["sheet"]
    assert not [m for m in plan.warnings if m.key in ("warn_ratio_mismatch", "warn_total_mismatch")]
    off = [m for m in plan.warnings if m.key == "warn_summary_mismatch"]
    assert [m.values["sheet"] for m in off] == (["汇总"] if entry.get("summary_mismatch") else [])
    ingest.commit(store, plan)
    day = plan.snapshot_date
    empty = entry.get("markers_mean_empty", ())
    assert figures(store, county_code(entry["units"]), plan.domain, day, entry["county"], empty) == entry["county"]
    for code, expected in entry["townships"].items():
        assert figures(store, code, plan.domain, day, expected, empty) == expected, code


def test_no_message_of_any_corpus_file_shows_a_phone_number(built, tmp_path):
    """Footers carry the clerk's phone: the table ends above them, and nothing of theirs reaches a message."""
    for entry in [e for e in CORPUS if "footer" in e["traits"]]:
        store = county_store(built, entry["units"], tmp_path)
        plan = ingest.plan(store, REPORTS / entry["file"])
        texts = " ".join(m.text(lang) for m in plan.errors + plan.warnings for lang in i18n.LANGS)
        assert plan.ok and "139" not in texts and "135" not in texts and "填报人" not in texts, entry["file"]


# ---- header words ----------------------------------------------------------------------------

@pytest.mark.parametrize("header, role, level", [
    ("苏木", "name", "township"), ("苏木镇", "name", "township"), ("乡镇（苏木）", "name", "township"),
    ("苏木（乡镇）", "name", "township"), ("乡（镇、街道）", "name", "township"), ("镇街", "name", "township"),
    ("乡镇（街道）名称", "name", "township"), ("民族乡", "name", "township"), ("嘎查", "name", "village"),
    ("嘎查村", "name", "village"), ("嘎查（村）", "name", "village"), ("村（社区）", "name", "village"),
    ("村(居)", "name", "village"), ("居委会", "name", "village"), ("社区名称", "name", "village"),
    ("村级名称", "name", "village"), ("行政村", "name", "village"), ("县（区）", "name", "county"),
    ("名称", "name", None), ("村级区划代码", "code", "village"), ("村代码", "code", "village"),
    ("乡镇代码", "code", "township"), ("12位区划代码", "code", None), ("统计用区划代码", "code", None),
    ("区划代码", "code", None), ("网格编码", "code", "grid"),
])
def test_unit_column_headers_follow_one_rule(header, role, level):
    assert aliases.unit_column(header) == (role, level)


@pytest.mark.parametrize("header", ["总户数", "序号", "网格数", "备注", "已采样人数", "unit", "编号"])
def test_other_headers_are_not_unit_columns(header):
    assert aliases.unit_column(header) is None


@pytest.mark.parametrize("header, field", [
    ("第一剂次接种人数", "dose1"), ("全程接种人数", "full_course"), ("加强免疫接种人数", "booster"),
    ("已出结果", "tested"), ("目标人群（万人）", "target_population"),
])
def test_a_field_with_a_count_word_after_it_is_that_field(header, field):
    assert aliases.field_for(header) == field


@pytest.mark.parametrize("header, field", [
    ("加强免疫接种率", "booster"), ("第一剂次接种率", "dose1"), ("全程接种率", "full_course"), ("采样率", None),
])
def test_a_ratio_header_names_its_indicator(header, field):
    assert aliases.ratio_field(header) == field


def test_a_two_row_header_with_its_group_row_unmerged_is_joined(tmp_path):
    text = ("序号,乡镇,常住人口（万人）,核酸采样,,\n,,,应检人数,已采样人数,采样率\n1,北镇,0.01,90,80,88.9%\n")
    report = reports.read_report(sheets.read_sheet(write(tmp_path, "t_20220501.csv", text)))
    assert [(c.role, c.field) for c in report.columns][1:5] == [
        ("name", None), ("field", "resident_population"), ("field", "target_persons"), ("field", "sampled")]
    assert report.by_role("ratio")[0].header == "核酸采样/采样率"


# ---- values -------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, field, value", [
    ("1623户", "households_total", 1623), ("456人", "persons_checked", 456), ("12个", "sampling_sites", 12),
    ("4500人次", "sampled", 4500), ("１２３４", "sampled", 1234), (" ２６８５户 ", "households_total", 2685),
    ("\t16人 ", "risk_area_returnees", 16), ("1,406", "households_total", 1406), ("12,345,678", "sampled", 12345678),
])
def test_counts_as_offices_write_them_are_read(cell, field, value):
    values, bad = checks.numbers(pd.Series([cell]), checks.unit_words_of(field))
    assert not bad.iloc[0] and values.iloc[0] == value


@pytest.mark.parametrize("cell", ["—", "-", "/", "无", "空", "－－"[:1]])
def test_an_empty_marker_is_empty_not_an_error(cell):
    values, bad = checks.numbers(pd.Series([cell]), checks.unit_words_of("home_isolation"))
    assert not bad.iloc[0] and pd.isna(values.iloc[0])


@pytest.mark.parametrize("cell, field", [("1,4,06", "sampled"), ("12户", "sampled"), ("12人", "households_total"),
                                         ("十二", "sampled"), ("1.2.3", "sampled")])
def test_separators_and_units_are_never_guessed(cell, field):
    _, bad = checks.numbers(pd.Series([cell]), checks.unit_words_of(field))
    assert bad.iloc[0]


# ---- a small county with one village name under two townships ------------------------------------

UNITS = """\
区划代码,名称
990101000000,小县
990101001000,东街道
990101101000,北镇
990101001001,一社区
990101001201,新村村民委员会
990101101201,甲村村民委员会
990101101202,新村村民委员会
"""


@pytest.fixture
def small(tmp_path) -> Store:
    store = Store(tmp_path / "small.duckdb")
    store.create()
    units.load_units(store, write(tmp_path, "units.csv", UNITS))
    return store


def test_a_village_name_under_two_townships_resolves_by_the_township_column(small, tmp_path):
    """The township is written once over its villages (merged, or blank below in a CSV); short names."""
    text = "乡镇,村,应检人数,已采样人数\n东街道,一社区,100,90\n,新村,200,150\n北镇,新村,300,250\n,甲村,50,40\n"
    plan = ingest.plan(small, write(tmp_path, "小县核酸_20220501.csv", text))
    assert plan.ok, [m.text("en") for m in plan.errors]
    assert dict(zip(plan.frame["code"], plan.frame["sampled"])) == {
        "990101001001": 90, "990101001201": 150, "990101101202": 250, "990101101201": 40}


def test_name_pair_matching_reports_an_unknown_township_by_its_column(small, tmp_path):
    text = "县,乡镇,村,应检人数,已采样人数\n小县,西镇,新村,200,150\n"
    plan = ingest.plan(small, write(tmp_path, "小县核酸_20220501.csv", text))
    assert not plan.ok and {m.column for m in plan.errors} >= {"乡镇"}


def test_resolve_within_settles_each_row_within_its_parent():
    units_ = matching.with_stems(pd.DataFrame({
        "code": ["990101001000", "990101101000", "990101001201", "990101101202"],
        "name": ["东街道", "北镇", "新村村民委员会", "新村村民委员会"], "level": ["township", "township", "village", "village"],
        "parent_code": ["990101000000", "990101000000", "990101001000", "990101101000"],
        "prefix_len": [9, 9, 12, 12]}).assign(num=lambda f: f["code"].str.ljust(15, "0").astype("int64")))
    names = pd.Series(["新村", "新村"], index=[2, 3])
    found = matching.resolve_within(names, [("乡镇", pd.Series(["北镇", "东街道"], index=[2, 3]))], units_, "f", "村")
    assert found.codes.to_dict() == {2: "990101101202", 3: "990101001201"} and not found.errors


# ---- footers ------------------------------------------------------------------------------------

def test_footer_lines_end_the_table_and_are_never_shown_back(small, tmp_path):
    text = ("乡镇,应检人数,已采样人数\n东街道,100,90\n北镇,300,250\n"
            "填报人：张三    联系电话：13912345678    审核人：李四,,\n填报日期：2022年5月1日,,\n注：应检人数不含3岁以下儿童。,,\n")
    plan = ingest.plan(small, write(tmp_path, "小县核酸_20220501.csv", text))
    assert plan.ok and len(plan.frame) == 2
    shown = " ".join(m.text(lang) for m in plan.warnings for lang in i18n.LANGS)
    assert "13912345678" not in shown and "张三" not in shown


@pytest.mark.parametrize("cell, footer", [("填报人：王丽", True), ("备注:数据截至17时", True), ("注：1.目标人群…", True),
                                          ("制表：县指挥部", True), ("东街道", False), ("合计", False),
                                          ("注射点", False)])
def test_footer_text_is_a_note_word_then_a_colon(cell, footer):
    assert aliases.is_footer_text(cell) is footer


@pytest.mark.parametrize("label, total", [("合计", True), ("全区合计", True), ("总计", True), ("全县", True),
                                          ("本镇小计", True), ("合计村", False), ("东街道", False)])
def test_total_row_labels(label, total):
    assert aliases.is_total_label(label) is total


# ---- checks -------------------------------------------------------------------------------------

def test_a_booster_rate_is_checked_against_booster_coverage_only(small, tmp_path):
    text = ("乡镇,目标人群,第一剂次,加强免疫,加强免疫接种率\n东街道,1000,950,600,60.0%\n北镇,1000,900,500,40.0%\n")
    plan = ingest.plan(small, write(tmp_path, "小县接种_20220501.csv", text))
    warned = [m for m in plan.warnings if m.key == "warn_ratio_mismatch"]
    assert plan.ok and [(m.row, m.column) for m in warned] == [(3, "加强免疫接种率")]
    assert "50.0%" in warned[0].text("en")  # booster / target, never dose1 / target (90.0%)


def test_an_unnamed_ratio_is_checked_against_the_indicator_it_agrees_with(small, tmp_path):
    text = "乡镇,常住人口,应检人数,已采样人数,采样率\n东街道,1000,900,810,90.0%\n北镇,2000,1800,900,50.0%\n"
    plan = ingest.plan(small, write(tmp_path, "小县核酸_20220501.csv", text))
    assert plan.ok and not [m for m in plan.warnings if m.key == "warn_ratio_mismatch"]  # 采样率 = 已采样 / 应检


def test_a_duplicate_code_is_named_by_the_column_as_the_file_writes_it(small, tmp_path):
    text = "村级区划代码,嘎查村,应检人数,已采样人数\n990101101201,甲村,10,9\n990101101201,甲村,10,8\n"
    plan = ingest.plan(small, write(tmp_path, "小县核酸_20220501.csv", text))
    dup = [m for m in plan.errors if m.key == "err_duplicate_code"]
    assert dup and dup[0].column == "村级区划代码" and "村级区划代码" in dup[0].text("zh")


def test_no_unit_column_names_the_headers_read_and_what_to_write(small, tmp_path):
    plan = ingest.plan(small, write(tmp_path, "小县核酸_20220501.csv", "地方,应检人数,已采样人数\n东街道,10,9\n"))
    hint = [m for m in plan.errors if m.key == "err_unit_column_hint"]
    assert hint and all("地方" in hint[0].text(lang) for lang in i18n.LANGS)


# ---- workbooks: sheets, formats -------------------------------------------------------------------

def _book(path: pathlib.Path, sheets_: dict[str, list[list]]) -> pathlib.Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets_.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


DETAIL = [["乡镇", "村", "应检人数", "已采样人数"], ["东街道", "一社区", 100, 90], ["东街道", "新村", 200, 150],
          ["北镇", "新村", 300, 250], ["北镇", "甲村", 50, 40]]


def test_the_detail_sheet_is_read_the_others_named_and_the_summary_cross_checked(small, tmp_path):
    path = _book(tmp_path / "小县核酸_20220501.xlsx", {
        "填表说明": [["填表说明"], ["1. 各乡镇每日17时前报送。"]],
        "汇总": [["乡镇", "应检人数", "已采样人数"], ["东街道", 300, 240], ["北镇", 350, 291]],
        "分村明细": DETAIL})
    plan = ingest.plan(small, path)
    assert plan.ok and plan.sheet == "分村明细" and plan.other_sheets == ["填表说明", "汇总"]
    read = [m for m in plan.warnings if m.key == "imp_sheet_read"]
    assert read and "分村明细" in read[0].text("zh") and "汇总" in read[0].text("en")
    off = [m for m in plan.warnings if m.key == "warn_summary_mismatch"]
    assert [(m.row, m.values["stated"], m.values["summed"]) for m in off] == [(3, 291, 290)]


def test_the_sheet_option_overrides_and_an_unknown_sheet_lists_the_sheets(small, tmp_path):
    path = _book(tmp_path / "小县核酸_20220501.xlsx", {"汇总": [["乡镇", "应检人数", "已采样人数"], ["东街道", 300, 240]],
                                                   "分村明细": DETAIL})
    assert ingest.plan(small, path, sheet="汇总").frame["sampled"].tolist() == [240]
    missing = ingest.plan(small, path, sheet="明细")
    assert [m.key for m in missing.errors] == ["err_no_such_sheet"] and "分村明细" in missing.errors[0].text("en")


def test_a_workbook_of_instructions_only_says_which_sheets_it_looked_at(small, tmp_path):
    path = _book(tmp_path / "小县核酸_20220501.xlsx", {"填表说明": [["填表说明"]], "Sheet2": [["备注", "说明"]]})
    plan = ingest.plan(small, path)
    assert [m.key for m in plan.errors] == ["err_no_data_sheet"] and "Sheet2" in plan.errors[0].text("zh")


@pytest.mark.parametrize("name, sheet, row, cells", [
    ("会泽县核酸采样_分村_20220508.xls", "分村采样", 4, ["迤车镇", "张家村村委会"]),  # merged township, spread down
    ("正蓝旗嘎查村排查统计_20220504.ods", "分村明细", 2, ["152530100001", "上都镇"]),
    ("宝安区社区疫苗接种_20220510.xls", "社区接种", 3, ["统计用区划代码", "社区名称"]),  # merged over two header rows
])
def test_xls_and_ods_are_read_with_merged_cells_spread(name, sheet, row, cells):
    read = {s.sheet_name: s for s in sheets.read_sheets(REPORTS / name)}
    assert list(read[sheet].cells.loc[row])[: len(cells)] == cells


@pytest.mark.parametrize("source, named, fmt, sheet", [
    ("正蓝旗疫苗接种进度统计表_20220506.xls", "小县核酸_20220501.csv", "xls", "Sheet1"),
    ("皮山县核酸采样_20220512.ods", "upload.xlsx", "ods", "核酸"),  # the import page names uploads by their zip bytes
])
def test_a_workbook_under_another_name_is_read_by_its_bytes(tmp_path, source, named, fmt, sheet):
    path = tmp_path / named
    shutil.copyfile(REPORTS / source, path)
    assert sheets.format_of(path) == fmt and sheets.read_sheet(path).sheet_name == sheet


@pytest.mark.parametrize("name, data, key, words", [
    ("报表.numbers", b"PK\x03\x04 not really", "err_format_save_as", ("Numbers", ".xlsx")),
    ("报表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "err_unreadable_book", (".xls", ".xlsx")),
    ("报表.ods", b"PK\x03\x04" + b"\x00" * 100, "err_bad_zip", ("报表.ods",)),
])
def test_an_unreadable_format_says_what_it_is_and_what_to_do(small, tmp_path, name, data, key, words):
    path = tmp_path / name
    path.write_bytes(data)
    plan = ingest.plan(small, path)
    assert [m.key for m in plan.errors] == [key]
    for lang in i18n.LANGS:
        assert name in plan.errors[0].text(lang) and all(w in plan.errors[0].text(lang) for w in words)


def test_a_refused_corpus_file_stores_nothing(built, tmp_path):
    """A village the unit list does not have: the whole file is refused and the store does not change."""
    store = county_store(built, "baoan.csv", tmp_path)
    source = (REPORTS / "宝安区社区排查_20220507.csv").read_bytes().decode("utf-8-sig")
    path = tmp_path / "宝安区社区排查_20220507.csv"
    path.write_text(source.replace("上川社区居委会", "不存在社区居委会", 1), encoding="utf-8-sig")
    before = store.version()
    plan = ingest.plan(store, path)
    assert [m.key for m in plan.errors] == ["err_unknown_name"] and "不存在社区居委会" in plan.errors[0].text("zh")
    with pytest.raises(InputError):
        ingest.commit(store, plan)
    assert store.version() == before
