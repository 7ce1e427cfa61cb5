"""The analyst pages (缺口 gaps, 趋势 trends, 数据质量 data quality) under AppTest on the demo store.

Expected figures come from the core functions or from SQL written here on the
store's tables, the planted anomalies from `demo_data.generate()`; the
downloads are captured where the page hands them to Streamlit and read back.
"""
from __future__ import annotations

import datetime as dt
import io
import pathlib

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard.analysis import gaps, rollup
from dashboard.benchmark.browser import demo_county
from dashboard.example import demo_data
from tests.helpers import sql

APP = pathlib.Path(__file__).resolve().parent.parent / "app.py"
COUNTY = demo_data.COUNTY_CODE
LATEST = demo_data.LAST_DATE
PAGES = {"pages/gaps.py": "page_gaps", "pages/trends.py": "page_trends", "pages/quality.py": "page_quality"}


def run_page(monkeypatch, db, page: str, opened: tuple = (), **params) -> AppTest:
    """One page through app.py (the router), with the store and URL parameters given; `opened`: the folded
    sections (`controls.folded`) open, as after a click on each."""
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    for key in opened:
        at.session_state[key] = True
    at.run()
    at.switch_page(page).run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]



def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table shown that has these column headers (AppTest gives plain tables no key)."""
    for element in at.dataframe:
        if set(columns) <= set(element.value.columns):
            return element.value
    raise AssertionError(f"no table with columns {columns}")


# ---- every page ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_each_analysis_page_renders_in_both_languages(monkeypatch, demo_store_path, page, lang):
    at = run_page(monkeypatch, demo_store_path, page, opened=("trends-table-open", "quality-per-date-open"), lang=lang)
    assert_clean(at)
    assert demo_data.COUNTY_NAME in at.title[0].value
    assert any(c.value.startswith(i18n.t(PAGES[page], lang)) for c in at.caption)
    assert at.dataframe, "every analysis page shows a table (趋势's in its folded section, opened here)"


@pytest.mark.parametrize("page", list(PAGES))
def test_an_empty_store_shows_guidance_on_the_analysis_pages(monkeypatch, empty_store, page):
    at = run_page(monkeypatch, empty_store.path, page)
    assert_clean(at)
    assert i18n.t("empty_title", "zh") in [s.value for s in at.subheader]


# ---- gaps --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day, has_earlier", [(demo_data.FIRST_DATE, False), (LATEST, True)])
def test_the_gaps_table_has_change_columns_only_where_there_is_an_earlier_snapshot(monkeypatch, demo_store_path,
                                                                                   day, has_earlier):
    at = run_page(monkeypatch, demo_store_path, "pages/gaps.py", domain="testing", date=day.isoformat())
    assert_clean(at)
    shown = table_with(at, "区划代码", "缺口（人）")
    change = [i18n.t("gaps_col_change", "zh"), i18n.t("gaps_col_increase", "zh", unit="人")]
    assert all((c in shown.columns) is has_earlier for c in change), list(shown.columns)


def test_gaps_table_is_the_ranking_with_pace_largest_gap_first(monkeypatch, demo_store_path, demo_store):
    at = run_page(monkeypatch, demo_store_path, "pages/gaps.py", domain="testing")
    assert_clean(at)
    shown = table_with(at, "区划代码", "缺口（人）")
    expected = gaps.outlook(demo_store, COUNTY, "testing_coverage", LATEST, "village", days=7,
                            deadline=LATEST + dt.timedelta(days=7))
    expected, summary = gaps.pareto(expected, 0.5)
    villages = sql(demo_store_path, "select count(*) from units where level = 'village' and active")[0][0]
    assert len(shown) == villages == len(expected)
    assert list(shown["区划代码"]) == list(expected["code"])
    assert list(shown["缺口（人）"]) == list(expected["gap"])
    assert list(shown["预计还需天数"].astype("Float64")) == list(expected["days_left"].astype("Float64"))
    assert shown["缺口（人）"].is_monotonic_decreasing
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["总缺口（人）"] == i18n.fmt_count(summary.total_gap, "zh", wan=True)
    assert metrics["占缺口 50% 的单位数"] == f"{summary.units_needed} / {summary.units_with_gap}"
    late = int((~expected["reaches_by_deadline"] & (expected["gap"].fillna(0) > 0)).sum())
    assert metrics["按目前进度 5月14日 前达不到"] == str(late)


def _read_back(data: bytes, kind: str, code_column: str) -> pd.DataFrame:
    if kind == "csv":
        return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={code_column: str})
    return pd.read_excel(io.BytesIO(data), dtype={code_column: str}, engine="openpyxl")


@pytest.mark.parametrize("lang, code_column", [("zh", "区划代码"), ("en", "Code")])
def test_gaps_downloads_read_back_equal_to_the_table_shown(monkeypatch, demo_store_path, lang, code_column):
    captured = {}
    button = st.download_button

    def download_button(label, data, file_name=None, *args, **kwargs):  # what a click would download
        captured[str(file_name).rsplit(".", 1)[-1]] = data() if callable(data) else data
        return button(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", download_button)
    at = run_page(monkeypatch, demo_store_path, "pages/gaps.py", domain="vaccination", ind="booster_coverage",
                  lang=lang)
    assert_clean(at)
    shown = table_with(at, code_column)
    assert {b.label for b in at.download_button} == {i18n.t("gaps_csv", lang), i18n.t("gaps_xlsx", lang)}
    for kind in ("csv", "xlsx"):
        back = _read_back(captured[kind], kind, code_column)
        assert list(back.columns) == list(shown.columns)  # the headers shown
        pd.testing.assert_frame_equal(back, shown.astype({c: "float64" for c in shown.columns
                                                          if str(shown[c].dtype) == "Int64"}),
                                      check_dtype=False, check_exact=False)


def test_gaps_township_filter_threshold_and_late_only(monkeypatch, demo_store_path, demo_store):
    at = run_page(monkeypatch, demo_store_path, "pages/gaps.py", domain="testing")
    assert not at.toggle and not at.number_input  # the options are folded: not sent until unfolded
    at.session_state["gaps-options-open"] = True
    at.run()
    town = str(rollup.unit(demo_store, "990101101000")["code"])
    at.multiselect(key=f"gaps-towns-{COUNTY}").set_value([town]).run()
    assert_clean(at)
    shown = table_with(at, "区划代码", "缺口（人）")
    villages = sql(demo_store_path, "select count(*) from units where parent_code = ? and active", town)[0][0]
    assert len(shown) == villages and shown["区划代码"].str.startswith(town[:9]).all()
    total = shown["缺口（人）"].astype("Float64").sum()
    assert {m.label: m.value for m in at.metric}["总缺口（人）"] == i18n.fmt_count(total, "zh", wan=True)
    at.number_input(key="gaps-min-gap").set_value(100).run()
    kept = table_with(at, "区划代码", "缺口（人）")
    assert (kept["缺口（人）"] >= 100).all() and len(kept) == int((shown["缺口（人）"] >= 100).sum())
    at.number_input(key="gaps-min-gap").set_value(0).run()
    middle = round(float(shown["完成率（%）"].median()), 1)
    at.number_input(key="gaps-rate-below").set_value(middle).run()
    below = table_with(at, "区划代码", "缺口（人）")
    assert len(below) and (below["完成率（%）"] < middle).all()
    assert len(below) == int((shown["完成率（%）"] < middle).sum())
    at.number_input(key="gaps-rate-below").set_value(None).run()
    at.toggle(key="gaps-late-only").set_value(True).run()
    late = table_with(at, "区划代码", "缺口（人）")
    assert len(late) and (late["5月14日前能否达标"] == "不能").all()
    at.session_state["gaps-options-open"] = False  # folded again: the options still apply, and come back unfolded
    at.run()
    assert not at.toggle and table_with(at, "区划代码", "缺口（人）").equals(late)
    at.session_state["gaps-options-open"] = True
    at.run()
    assert at.toggle(key="gaps-late-only").value and at.multiselect(key=f"gaps-towns-{COUNTY}").value == [town]
    assert_clean(at)
    assert not at.warning  # no "set via the Session State API" warning from the kept values


def test_gaps_at_grid_level_name_the_village(monkeypatch, demo_store_path):
    at = run_page(monkeypatch, demo_store_path, "pages/gaps.py", domain="testing", unit="990101101000")
    at.segmented_control(key="gaps-level-township").set_value("grid").run()
    assert_clean(at)
    shown = table_with(at, "区划代码", "缺口（人）")
    grids = sql(demo_store_path, "select count(*) from units where level = 'grid' and code like '990101101%'")[0][0]
    assert len(shown) == grids
    first = sql(demo_store_path, "select p.name from units u join units p on p.code = u.parent_code where u.code = ?",
                shown["区划代码"].iloc[0])[0][0]
    assert shown["所属"].iloc[0] == first  # 第1网格 repeats in every village: the village says which


def test_a_grid_has_nothing_to_rank(monkeypatch, demo_store_path):
    at = run_page(monkeypatch, demo_store_path, "pages/gaps.py", unit="990101101201001")
    assert_clean(at)
    assert any("没有下级单位" in i.value for i in at.info)


# ---- trends ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trends_compare_limit_is_said_in_the_pages_language(monkeypatch, demo_store_path, demo_store, lang):
    """Past the limit of units compared, the unit picked last is taken off again and our own words say why
    (Streamlit's max_selections message would be English): the picker sets no max_selections of its own."""
    from dashboard.ui.trends_view import MAX_COMPARED

    at = run_page(monkeypatch, demo_store_path, "pages/trends.py", opened=("trends-table-open",),
                  domain="testing", lang=lang)
    towns = list(rollup.rollup(demo_store, COUNTY, "testing", LATEST).children["code"])
    picker = at.multiselect(key=f"trends-compare-{COUNTY}")
    assert len(towns) > MAX_COMPARED and not picker.proto.max_selections
    limit = i18n.t("trends_compare_limit", lang, count=MAX_COMPARED)
    picker.set_value(towns[:MAX_COMPARED - 1]).run()
    assert limit not in [c.value for c in at.caption]
    at.multiselect(key=f"trends-compare-{COUNTY}").set_value(towns[:MAX_COMPARED + 1]).run()
    assert_clean(at)
    assert at.multiselect(key=f"trends-compare-{COUNTY}").value == towns[:MAX_COMPARED]
    assert limit in [c.value for c in at.caption]
    assert len(table_with(at, "日期" if lang == "zh" else "Date").columns) == 2 + MAX_COMPARED


def test_trends_compare_units_and_measures(monkeypatch, demo_store_path, demo_store):
    at = run_page(monkeypatch, demo_store_path, "pages/trends.py", opened=("trends-table-open",),
                  domain="testing", lang="en")
    assert_clean(at)
    table = table_with(at, "Date")
    assert list(table.columns) == ["Date", demo_data.COUNTY_NAME] and len(table) == 28
    county = rollup.trend(demo_store, COUNTY, "testing", demo_data.FIRST_DATE, LATEST).set_index("snapshot_date")
    assert table[demo_data.COUNTY_NAME].iloc[-1] == round(county.loc[LATEST, "testing_coverage_ratio"] * 100, 1)
    towns = rollup.rollup(demo_store, COUNTY, "testing", LATEST).children
    chosen = list(towns["code"][:2])
    at.multiselect(key=f"trends-compare-{COUNTY}").set_value(chosen).run()
    at.segmented_control(key="trends-measure").set_value("increase").run()
    assert_clean(at)
    table = table_with(at, "Date")
    assert list(table.columns) == ["Date", demo_data.COUNTY_NAME, *towns["name"][:2]]
    first = towns.set_index("code").loc[chosen[0]]
    before = rollup.rollup(demo_store, chosen[0], "testing", LATEST - dt.timedelta(days=1)).unit
    assert table[first["name"]].iloc[-1] == first["sampled"] - before["sampled"]
    at.toggle(key="trends-multiples").set_value(True).run()
    assert_clean(at)
    assert any(f"({len(towns)}, same scale)" in m.value for m in at.markdown)


def test_trends_show_missing_days_as_blanks_not_zeros(monkeypatch, demo_store_path):
    silent = sql(demo_store_path, "select code from facts where domain = 'testing' and prefix_len = 15 group by code "
                 "having max(snapshot_date) = ?", LATEST - dt.timedelta(days=5))[0][0]
    at = run_page(monkeypatch, demo_store_path, "pages/trends.py", opened=("trends-table-open",), domain="testing",
                  unit=silent)
    assert_clean(at)
    column = table_with(at, "日期").set_index("日期").iloc[:, 0]
    assert column.iloc[-2:].isna().all() and (column.iloc[:-2] > 0).all()


# ---- data quality ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def county():
    """The demo county as generated, read only: generated once per process (dashboard/benchmark/browser.py)."""
    return demo_county()


def test_quality_lists_the_demo_anomalies_with_their_load_and_a_link(monkeypatch, demo_store_path, county):
    day = dt.date(2022, 5, 2)
    at = run_page(monkeypatch, demo_store_path, "pages/quality.py", domain="testing", date=day.isoformat())
    assert_clean(at)
    flags = table_with(at, "规则", "情况")
    planted = county.anomalies[(county.anomalies["domain"] == "testing")
                               & (county.anomalies["snapshot_date"].between(day - dt.timedelta(days=6), day))]
    assert len(planted) > 0
    rule_names = {"over_100_percent": "完成率超过100%", "cumulative_drop": "累计数下降"}
    for a in planted.itertuples():
        found = flags[(flags["区划代码"] == a.code) & (flags["日期"] == a.snapshot_date.isoformat())
                      & (flags["规则"] == rule_names[a.kind])]
        assert len(found), a
        load_id, file_name = sql(demo_store_path, "select f.load_id, l.file_name from facts f join loads l using "
                                 "(load_id) where f.domain = 'testing' and f.code = ? and f.snapshot_date = ?",
                                 a.code, a.snapshot_date)[0]
        assert (found["导入批次"] == load_id).all() and (found["文件"] == file_name).all()
        assert (found["查看"] == f"./?unit={a.code}&date={a.snapshot_date.isoformat()}&domain=testing").all()
    rules = at.table[0].value.set_index("规则")
    assert "日增 \\> 5 × 前 7 天日增中位数" in rules.loc["日增突增", "阈值"]  # the setting's factor, shown
    assert rules.loc["合计行与明细不符", "标记数"] == "0"  # checked: the demo's files have no total rows
    assert rules.loc["完成率超过100%", "标记数"] == str((flags["规则"] == "完成率超过100%").sum())


def test_quality_filters_by_rule_with_a_pill_per_rule_present(monkeypatch, demo_store_path):
    """A pill per rule that flagged something, all on (a multiselect with every option chosen says "No options to
    select" in English); switching one off leaves the other rules' flags."""
    day = dt.date(2022, 5, 2)
    at = run_page(monkeypatch, demo_store_path, "pages/quality.py", domain="testing", date=day.isoformat())
    assert not at.multiselect
    flags = table_with(at, "规则", "情况")
    pills = at.pills[0]
    present = list(flags["规则"].unique())
    assert sorted(pills.options) == sorted(present) and len(pills.value) == len(present) >= 2  # all on, by their names
    keep = [rule for rule in pills.value if rule != pills.value[0]]
    pills.set_value(keep).run()
    after = table_with(at, "规则", "情况")
    assert 0 < len(after) < len(flags) and len(after["规则"].unique()) == len(present) - 1


def test_quality_lists_the_grids_that_did_not_report(monkeypatch, demo_store_path, county):
    day = demo_data.DATES[12]
    at = run_page(monkeypatch, demo_store_path, "pages/quality.py", domain="testing", date=day.isoformat(), lang="en")
    assert_clean(at)
    listed = table_with(at, "Status", "Code")
    sent = set().union(*(set(ld.frame["code"]) for ld in county.loads
                         if ld.domain == "testing" and ld.snapshot_date == day))
    grids = {c for c in county.units["code"] if len(c) == 15}
    assert set(listed["Code"]) == grids - sent
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Expected grids"] == f"{len(grids):,}"
    assert metrics["Reported"] == f"{len(grids) - len(grids - sent):,}"
    usual = listed[listed["Usually reports"] != ""]
    assert len(usual) and (usual["Days reported of previous 7"] >= 4).all()


def test_a_flag_link_opens_the_overview_at_that_unit(monkeypatch, demo_store_path):
    at = run_page(monkeypatch, demo_store_path, "pages/quality.py", domain="testing")
    link = table_with(at, "规则", "情况")["查看"].iloc[0]
    params = dict(p.split("=") for p in link.split("?", 1)[1].split("&"))
    overview = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in params.items():
        overview.query_params[key] = value
    overview.run()
    assert_clean(overview)
    name = sql(demo_store_path, "select name from units where code = ?", params["unit"])[0][0]
    assert overview.title[0].value.startswith(name)


@pytest.mark.parametrize("page, keys, folded", [
    ("pages/quality.py", {"quality-missing", "quality-flags", "quality-timeliness"}, {"quality-per-date"}),
    ("pages/trends.py", set(), {"trends-table"}),
])
def test_every_analysis_table_downloads_as_csv_and_xlsx(monkeypatch, demo_store_path, page, keys, folded):
    """A folded table (with its downloads) is sent only once its section is opened."""
    at = run_page(monkeypatch, demo_store_path, page, domain="testing")
    assert_clean(at)
    found = {b.key for b in at.get("download_button")}
    assert {f"{k}-{suffix}" for k in keys for suffix in ("csv", "xlsx")} <= found
    assert not {f"{k}-{suffix}" for k in folded for suffix in ("csv", "xlsx")} & found
    for key in folded:
        at.session_state[f"{key}-open"] = True
    found = {b.key for b in at.run().get("download_button")}
    assert {f"{k}-{suffix}" for k in keys | folded for suffix in ("csv", "xlsx")} <= found


def test_the_trend_draws_a_count_of_the_domain_as_the_rollup_counts_it(monkeypatch, demo_store_path, demo_store):
    """count=returnees: the line is the county's 返乡人员 per day (the stored rollup's), with no ratio to choose."""
    at = run_page(monkeypatch, demo_store_path, "pages/trends.py", opened=("trends-table-open",), domain="screening",
                  count="returnees", lang="en")
    assert_clean(at)
    assert "ratio" not in at.segmented_control(key="trends-measure-count").options
    table = table_with(at, "Date")
    frame = rollup.trend(demo_store, COUNTY, "screening", demo_data.FIRST_DATE, LATEST)
    expected = {pd.Timestamp(d).date().isoformat(): v for d, v in zip(frame["snapshot_date"], frame["returnees"])}
    shown = dict(zip(table["Date"], table[demo_data.COUNTY_NAME]))
    assert len(shown) == 28 and all(shown[day] == value for day, value in expected.items() if day in shown)
    assert shown[LATEST.isoformat()] == expected[LATEST.isoformat()] > 0


@pytest.mark.parametrize("domain, rounds", [("testing", True), ("screening", False)])
def test_the_trend_note_speaks_of_rounds_only_where_the_domain_has_them(monkeypatch, demo_store_path, domain, rounds):
    at = run_page(monkeypatch, demo_store_path, "pages/trends.py", domain=domain)
    assert_clean(at)
    note = " ".join(c.value for c in at.caption)
    assert (i18n.t("trends_rounds_note", "zh") in note) is rounds and i18n.t("trends_gaps_note", "zh") in note
