"""Real report files: encodings, title lines, two-row headers, 万, totals, names, personal data, inferred metadata."""
import datetime as dt

import duckdb
import pandas as pd
import pytest

from dashboard.analysis import rollup
from dashboard.intake import ingest, reports, units
from tests.conftest import FIXTURES
from tests.helpers import write


@pytest.fixture
def store(empty_store):
    for county in ("jintang", "dancheng", "taichen"):
        units.load_units(empty_store, FIXTURES / f"{county}_units.csv")
    return empty_store


def loaded(store, plan):
    assert plan.ok, [m.text("en") for m in plan.errors]
    ingest.commit(store, plan)
    return plan


def test_gbk_csv_with_village_names_loads_intact(store):
    plan = loaded(store, ingest.plan(store, FIXTURES / "taichen_screening_20220429.csv"))
    assert (plan.domain, plan.snapshot_date, plan.level) == ("screening", dt.date(2022, 4, 29), "village")
    roll = rollup.rollup(store, "411122104000", "screening", plan.snapshot_date).children.set_index("name")
    assert roll.loc["台陈村", "households_checked"] == 376 and roll.loc["罗庄村", "health_monitoring"] == 6
    assert any("网格数" in m.text() and "备注" in m.text() for m in plan.warnings)  # ignored columns are named


def test_xlsx_with_title_lines_names_and_a_total_row(store):
    plan = loaded(store, ingest.plan(store, FIXTURES / "jintang_testing_20220412.xlsx"))
    assert (plan.domain, plan.snapshot_date, plan.as_of_hour, plan.round) == ("testing", dt.date(2022, 4, 12), 18, 3)
    assert plan.parent == "510121000000" and len(plan.frame) == 16  # the 总计 row is not a unit
    assert not [m for m in plan.warnings if m.key in ("warn_total_mismatch", "warn_ratio_mismatch")]
    county = rollup.rollup(store, "510121000000", "testing", plan.snapshot_date).unit
    assert (county["sampled"], county["target_persons"]) == (847820, 1029078)  # equals the file's own 总计


def test_two_row_merged_header_and_counts_in_wan(store):
    plan = loaded(store, ingest.plan(store, FIXTURES / "dancheng_vaccination_20220406.xlsx"))
    assert (plan.domain, plan.snapshot_date, plan.as_of_hour) == ("vaccination", dt.date(2022, 4, 6), 24)
    frame = plan.frame.set_index("code")
    assert frame.loc["411625001000", "target_population"] == 43696  # 4.3696 万人
    assert frame.loc["411625001000", "dose1"] == 40505 and frame.loc["411625001000", "booster"] == 30084
    assert not [m for m in plan.warnings if m.key == "warn_ratio_mismatch"]  # 接种率 agrees with the counts


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(store, tmp_path, encoding):
    text = "村,总户数,已排查户数\n台陈村,406,376\n宋王村,412,391\n"
    plan = ingest.plan(store, write(tmp_path, "台陈镇排查_20220429.csv", text, encoding))
    assert plan.ok and list(plan.frame["code"]) == ["411122104201", "411122104202"]


def test_a_total_row_that_disagrees_is_skipped_with_a_warning(store, tmp_path):
    text = """台陈镇网格排查统计表（截至4月29日18时）
填报单位：台陈镇人民政府
序号,村（社区）,总户数（户）,已排查户数（户）
1,台陈村,"1,406",376
2,宋王村,412,391
合计,,1818,800
"""
    plan = ingest.plan(store, write(tmp_path, "report_20220429.csv", text))
    assert plan.ok and len(plan.frame) == 2 and plan.as_of_hour == 18
    warned = [m for m in plan.warnings if m.key == "warn_total_mismatch"]
    assert [(m.row, m.column) for m in warned] == [(6, "已排查户数（户）")]  # the file's own header, in both languages
    assert "767" in warned[0].text() and "800" in warned[0].text() and "households_checked" not in warned[0].text()
    assert "households_checked" not in warned[0].text("en")


def test_ratio_column_only_cross_checks(store, tmp_path):
    text = "镇（街道）,应检人数,已采样人数,采样率\n赵镇街道,1000,900,90.0%\n官仓街道,1000,500,75%\n"
    plan = ingest.plan(store, write(tmp_path, "金堂县核酸_20220412.csv", text))
    assert [(m.key, m.row) for m in plan.warnings if m.key == "warn_ratio_mismatch"] == [("warn_ratio_mismatch", 3)]
    assert "ratio" not in " ".join(plan.frame.columns)


def test_unknown_name_lists_the_closest_known_names(store, tmp_path):
    plan = ingest.plan(store, write(tmp_path, "台陈镇_20220429.csv", "村,总户数,已排查户数\n台陈村,10,5\n宋黄村,10,5\n"))
    assert [m.key for m in plan.errors] == ["err_unknown_name"]
    message = plan.errors[0]
    assert (message.row, message.column) == (3, "村") and "宋王村" in message.text()


def test_an_ambiguous_name_is_settled_by_the_level_of_the_other_rows(store, tmp_path):
    units.load_units(store, write(tmp_path, "u.csv", "code,name\n411122104213,城东社区\n"))
    alone = ingest.plan(store, write(tmp_path, "a_20220429.csv", "名称,总户数,已排查户数\n台陈,10,5\n"))
    assert [m.key for m in alone.errors] == ["err_ambiguous_name"]
    assert "台陈镇" in alone.errors[0].text() and "台陈村" in alone.errors[0].text()
    with_villages = ingest.plan(store, write(tmp_path, "b_20220429.csv", "名称,总户数,已排查户数\n台陈,10,5\n宋王村,9,9\n城东,5,5\n"))
    assert with_villages.ok and list(with_villages.frame["code"]) == ["411122104201", "411122104202", "411122104213"]
    given = ingest.plan(store, write(tmp_path, "c_20220429.csv", "名称,总户数,已排查户数\n台陈,10,5\n"), parent="411122000000")
    assert [m.key for m in given.errors] == ["err_ambiguous_name"]  # a parent narrows the search, the level still decides
    township = ingest.plan(store, write(tmp_path, "d_20220429.csv", "名称,总户数,已排查户数\n台陈,10,5\n"),
                           parent="411122104000")
    assert township.ok and list(township.frame["code"]) == ["411122104201"]


@pytest.mark.parametrize("header, value, kind", [
    ("负责人身份证", "41112219800101123X", "id_card"),
    ("联系方式", "13912345678", "phone"),
    ("姓名", "张三", "personal_header"),
])
def test_personal_data_is_refused_naming_the_column(store, tmp_path, header, value, kind):
    path = write(tmp_path, "p_20220429.csv", f"村,{header},总户数,已排查户数\n台陈村,{value},10,5\n")
    plan = ingest.plan(store, path)
    assert [(m.key, m.column, m.values["kind"]) for m in plan.errors] == [("err_personal_data", header, kind)]
    assert header in plan.errors[0].text("zh")


def test_overrides_beat_what_the_file_says(store):
    plan = ingest.plan(store, FIXTURES / "jintang_testing_20220412.xlsx", snapshot_date=dt.date(2022, 4, 13),
                       round=4, as_of_hour=24)
    assert (plan.snapshot_date, plan.round, plan.as_of_hour) == (dt.date(2022, 4, 13), 4, 24)


def test_not_sampled_gives_the_target_when_it_is_missing(store, tmp_path):
    plan = ingest.plan(store, write(tmp_path, "j_20220412.csv", "镇（街道）,已采样人数,未采样人数\n赵镇街道,900,100\n"))
    assert plan.ok and plan.frame["target_persons"].tolist() == [1000]


def test_percent_strings_and_separators_parse(store, tmp_path):
    path = write(tmp_path, "v_20220406.csv", "乡镇（街道）,目标人群（万人）,第一剂次,\n,,累计（人）,接种率\n"
                                             "洺南街道,4.3696,\"40,505\",92.70%\n")
    plan = ingest.plan(store, path)
    assert plan.ok, [m.text() for m in plan.errors]
    assert plan.frame[["target_population", "dose1"]].values.tolist() == [[43696, 40505]]


def test_no_personal_column_reaches_the_store(store):
    loaded(store, ingest.plan(store, FIXTURES / "taichen_screening_20220429.csv"))
    with duckdb.connect(str(store.path), read_only=True) as con:
        columns = {row[0] for row in con.execute("describe facts_history").fetchall()}
    assert not columns & {"name", "姓名", "备注"}


def test_the_cli_prints_what_it_inferred(store):
    import subprocess, sys, os
    out = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(store.path), "ingest",
                          str(FIXTURES / "jintang_testing_20220412.xlsx"), "--dry-run"], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.returncode == 0
    assert "核酸采样 · 2022-04-12 截至18时 · 第3轮 · 乡镇/街道 · 16 行 · 所属 金堂县" in out.stdout


def test_a_county_reporting_persons_to_test_but_no_residents_gets_a_completion_headline(store):
    from dashboard.domain import indicators
    loaded(store, ingest.plan(store, FIXTURES / "jintang_testing_20220412.xlsx"))
    county = rollup.rollup(store, "510121000000", "testing", dt.date(2022, 4, 12)).unit
    chosen = indicators.headline_indicator("testing", county)
    assert chosen.key == "testing_completion" and county[f"{chosen.key}_ratio"] == pytest.approx(847820 / 1029078)
    assert indicators.headline_indicator("testing", None).key == "testing_coverage"


@pytest.mark.parametrize("text, hour", [
    ("核酸采样统计表（截至5月8日18时）", 18), ("截至2022年5月8日 18 点", 18), ("数据截至 5月8日 18:00", 18),
    ("城关镇_核酸采样_20220508_18h.csv", 18), ("城关镇_核酸采样_20220508_截至12时.xlsx", 12),
    ("5月7日24时", 24), ("截至5月8日8时，更新于18时", 18),  # the last hour named wins
    ("城关镇_核酸采样_20220508.csv", None), ("25时", None), ("0时", None), ("18h版", None)])
def test_the_as_of_hour_is_read_alike_from_a_title_and_a_file_name(text, hour):
    assert reports.hour_in(text) == hour
