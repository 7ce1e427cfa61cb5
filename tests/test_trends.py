"""Trends: one row per calendar day, missing days as gaps (never zeros), daily increases that respect rounds."""
import datetime as dt

import duckdb
import pandas as pd
import pytest

from dashboard.analysis import pace, rounds, trends
from dashboard.example import demo_data
from dashboard.storage import configure
from tests.helpers import COUNTY, G_JIA_1, G_ONE_1, V_JIA, load, small_store

D = [dt.date(2022, 5, d) for d in range(1, 11)]


@pytest.fixture
def store(tmp_path):
    return small_store(tmp_path)


def _testing(store, tmp_path, day, value, code=G_JIA_1):
    load(store, tmp_path, f"t_{day:%Y%m%d}.csv", f"code,resident_population,sampled\n{code},1000,{value}\n")


def test_a_day_without_any_report_is_a_gap_not_a_zero(store, tmp_path):
    for day, value in ((D[0], 100), (D[1], 150), (D[3], 300)):
        _testing(store, tmp_path, day, value)
    out = trends.unit_series(store, V_JIA, "testing_coverage", D[0], D[3])
    assert list(out["snapshot_date"]) == D[:4]
    assert list(out["numerator"].iloc[[0, 1, 3]]) == [100, 150, 300] and pd.isna(out["numerator"].iloc[2])
    assert pd.isna(out["ratio"].iloc[2]) and out["ratio"].iloc[3] == pytest.approx(0.3)
    assert out["increase"].iloc[1] == 50
    assert pd.isna(out["increase"].iloc[2]) and pd.isna(out["increase"].iloc[3])  # no day before to compare with
    assert (out["target"] == 0.95).all()


def test_a_unit_silent_beyond_the_carry_days_has_no_value(store, tmp_path):
    _testing(store, tmp_path, D[0], 100)
    for day in D[1:6]:
        _testing(store, tmp_path, day, 10, code=G_ONE_1)  # the county keeps reporting, G_JIA_1 does not
    out = trends.unit_series(store, G_JIA_1, "testing_coverage", D[0], D[5]).set_index("snapshot_date")
    assert list(out.loc[D[1]:D[3], "numerator"]) == [100, 100, 100]  # carried for settings' 3 days
    assert out.loc[D[4]:D[5], "numerator"].isna().all()
    county = trends.unit_series(store, COUNTY, "testing_coverage", D[0], D[5]).set_index("snapshot_date")
    assert county.loc[D[5], "numerator"] == 10


@pytest.mark.parametrize("code", [COUNTY, V_JIA, G_JIA_1, "990100000000", "990000000000"])
def test_a_units_rounds_are_its_countys_and_a_province_sees_its_counties(store, code):
    configure.put_round(store, COUNTY, 2, D[2])
    configure.put_round(store, COUNTY, 3, D[6])
    assert rounds.starts(store, code)[-2:] == [(2, D[2]), (3, D[6])]
    assert rounds.began_within(store, code, D[3], D[9]) == [(3, D[6])]
    assert [rounds.running_since(store, code, day) for day in (D[2], D[5], D[6], D[9])] == [D[2], D[2], D[6], D[6]]
    assert pace.round_start(store, code, "testing", D[5]) == D[2] and pace.round_start(store, code, "screening", D[5]) is None


def test_another_countys_rounds_are_not_a_units(store):
    configure.put_round(store, COUNTY, 2, D[2])
    assert rounds.starts(store, "990102000000") == [] and rounds.starts(store, "980000000000") == []


def test_the_daily_increase_restarts_with_a_testing_round(store, tmp_path):
    configure.put_round(store, COUNTY, 2, D[2])
    _testing(store, tmp_path, D[0], 100)
    _testing(store, tmp_path, D[1], 180)
    _testing(store, tmp_path, D[2], 40)
    _testing(store, tmp_path, D[3], 90)
    out = trends.unit_series(store, V_JIA, "testing_coverage", D[0], D[3])
    assert list(out["increase"].iloc[1:]) == [80, 40, 50]  # the round's first day counts from 0, never −140
    assert trends.rounds_in(store, V_JIA, "testing", D[0], D[3]) == [(2, D[2])]
    assert trends.rounds_in(store, V_JIA, "vaccination", D[0], D[3]) == []


def test_daily_increase_on_plain_numbers():
    days = pd.Series(D[:5])
    values = pd.Series([10.0, 15.0, float("nan"), 30.0, 31.0])
    out = trends.daily_increase(days, values, [D[4]])
    assert pd.isna(out.iloc[0]) and out.iloc[1] == 5 and out.iloc[2:4].isna().all() and out.iloc[4] == 31


def test_the_table_keeps_blanks_and_shows_percent(store, tmp_path):
    _testing(store, tmp_path, D[0], 100)
    _testing(store, tmp_path, D[2], 300)
    frame = trends.table({"甲村": trends.unit_series(store, V_JIA, "testing_coverage", D[0], D[2])}, "ratio")
    assert list(frame.columns) == ["snapshot_date", "甲村"]
    assert frame["甲村"].iloc[0] == 10.0 and pd.isna(frame["甲村"].iloc[1]) and frame["甲村"].iloc[2] == 30.0


def test_demo_grid_silent_for_five_days_shows_a_gap_at_the_end(demo_store, demo_store_path):
    """The demo's grid silent for its last 5 days: carried for 3 days, then nothing (not zero) on the last two."""
    con = duckdb.connect(str(demo_store_path), read_only=True)
    silent = con.execute("select code from facts where domain = 'testing' and prefix_len = 15 group by code "
                         "having max(snapshot_date) = ?", [demo_data.LAST_DATE - dt.timedelta(days=5)]).fetchall()
    con.close()
    assert len(silent) == 1
    silent = silent[0][0]
    out = trends.unit_series(demo_store, silent, "testing_coverage", demo_data.FIRST_DATE, demo_data.LAST_DATE)
    last_two = out[out["snapshot_date"] > demo_data.LAST_DATE - dt.timedelta(days=2)]
    assert len(last_two) == 2 and last_two["numerator"].isna().all() and last_two["ratio"].isna().all()
    assert out["numerator"].iloc[:-2].notna().all() and (out["numerator"].fillna(1) > 0).all()


def test_the_trend_lines_chart_breaks_at_missing_days_and_draws_the_target():
    """趋势's main chart (Vega-Lite): one line per unit, a day without data breaks the line (a null, not a zero, and
    nulls break the path), the target dotted under a name of its own, a round's start marked; the spec validates."""
    from dashboard.output import analysis_charts

    days = [dt.date(2022, 5, d) for d in range(1, 6)]
    frame = pd.DataFrame({"snapshot_date": days, "ratio": [0.5, 0.6, None, 0.7, 0.8], "target": [0.95] * 5})
    spec = analysis_charts.lines([("小县", frame), ("<b>北镇</b>", frame.assign(ratio=frame["ratio"] / 2))], "ratio",
                                 "zh", [(days[2], "第2轮核酸开始")], "目标").to_dict()  # validated against the schema
    rows = [r for data in spec["datasets"].values() for r in data]
    county = [r["value"] for r in rows if r.get("unit") == "小县" and "main" in r]
    assert county == [50.0, 60.0, None, 70.0, 80.0]
    assert [r["value"] for r in rows if r.get("unit") == "目标"] == [95.0] * 5
    assert any(r.get("unit") == "<b>北镇</b>" for r in rows)  # a name is data, never markup
    assert any(r.get("text") == "第2轮核酸开始" and r["day"] == "5月3日" for r in rows)
    lines = [layer["mark"] for layer in spec["layer"] if layer["mark"]["type"] == "line"]
    assert lines and all("invalid" in mark and mark["invalid"] is None for mark in lines)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overviews_trend_spec_is_altairs_for_every_window(lang):
    """总览's trend spec (`charts.trend_spec`: Altair's layout made once, each window's dates and values put in) is
    `trend_chart(...).to_dict()` for every window of dates: a missing ratio (null), round marks inside the window,
    outside it and none, one domain or several, other targets; and it validates against Vega-Lite's schema."""
    from dashboard.output import charts

    days = [dt.date(2022, 4, 20) + dt.timedelta(days=i) for i in range(20)]
    ratios = {"screening": [0.5 + i / 100 for i in range(20)], "testing": [0.4 + i / 50 for i in range(20)]}
    ratios["testing"][7] = None
    for end in range(1, 21):
        window = days[max(0, end - 14):end]
        for domains, target in ((("screening",), 0.95), (("screening", "testing"), 0.9)):
            series = [{"domain": d, "label": f"{d}-{lang}", "target": target, "frame": pd.DataFrame(
                {"snapshot_date": window, "ratio": pd.array(ratios[d][max(0, end - 14):end], dtype="Float64")})}
                for d in domains]
            for marks in ([], [(days[3], "第2轮")], [(days[3], "第2轮"), (days[15], "第3轮")]):
                spec = charts.trend_spec(series, lang, marks)
                assert spec == charts.trend_chart(series, lang, marks).to_dict(validate=False), (end, domains, marks)
    type(charts.trend_chart(series, lang, marks)).from_dict(charts.trend_spec(series, lang, marks))  # validates
