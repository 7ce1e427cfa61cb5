"""Gaps: Pareto shares, pace and days to target, on hand-made numbers and a small store."""
import datetime as dt

import pandas as pd
import pytest

from dashboard.analysis import gaps, pace
from dashboard.output import analysis_charts
from dashboard.storage import configure
from tests.helpers import COUNTY, EAST, G_JIA_1, G_JIA_2, G_ONE_1, G_ONE_2, NORTH, V_JIA, load, small_store

D = [dt.date(2022, 5, d) for d in range(1, 11)]  # D[0] = May 1


@pytest.fixture
def store(tmp_path):
    return small_store(tmp_path)


def ranked(gap_values) -> pd.DataFrame:
    """A ranking-shaped frame: only code, gap and ratio matter to pareto()."""
    return pd.DataFrame({"code": [f"u{i}" for i in range(len(gap_values))],
                         "gap": pd.array(gap_values, dtype="Int64"),
                         "ratio": pd.array([0.5] * len(gap_values), dtype="Float64")})


# ---- Pareto -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("share, needed", [(0.5, 1), (0.51, 2), (0.8, 2), (0.81, 3), (0.9, 3), (0.95, 4), (1.0, 4)])
def test_pareto_counts_the_fewest_largest_gaps_that_make_up_the_share(share, needed):
    out, summary = gaps.pareto(ranked([10, 50, 0, 30, None, 10]), share)
    assert summary.total_gap == 100 and summary.units_needed == needed
    assert (summary.units_with_gap, summary.units_total) == (4, 6)
    assert list(out["gap"].head(4)) == [50, 30, 10, 10]  # largest first, whatever the input order
    assert list(out["cum_share"].head(4)) == pytest.approx([0.5, 0.8, 0.9, 1.0])
    assert list(out["in_head"]) == [True] * needed + [False] * (6 - needed)


def test_the_pareto_chart_is_a_valid_vega_lite_spec_with_the_head_marked():
    out, summary = gaps.pareto(ranked([10, 50, 0, 30, None, 10]), 0.5)
    labels = ["<b>甲</b>", "乙", "丙", "丁", "戊", "己"]
    spec = analysis_charts.pareto(out, labels, 0.5, "人", "缺口", "累计", "前 1 个", "排名").to_dict()  # validated
    rows = next(iter(spec["datasets"].values()))
    assert [r["rank"] for r in rows] == [1, 2, 3, 4] and [r["head"] for r in rows] == [True, False, False, False]
    assert rows[0]["name"] == "<b>甲</b>"  # a name is data (Vega's tooltip escapes it), never markup to strip
    assert summary.units_needed == 1


def test_pareto_of_no_gap_needs_no_unit():
    out, summary = gaps.pareto(ranked([0, None, 0]), 0.5)
    assert (summary.total_gap, summary.units_needed, summary.units_with_gap) == (0, 0, 0)
    assert not out["in_head"].any()


def test_pareto_when_one_unit_holds_more_than_the_share():
    _, summary = gaps.pareto(ranked([900, 50, 50]), 0.5)
    assert summary.units_needed == 1


# ---- pace and days to target ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("gap, pace_value, days", [
    (100, 30, 4), (90, 30, 3), (0, 30, 0), (0, 0, 0), (3, 0.1, 30), (1, 2, 1)])
def test_days_to_target_is_the_gap_over_the_pace_rounded_up(gap, pace_value, days):
    assert pace.days_to_target(gap, pace_value) == days


@pytest.mark.parametrize("gap, pace_value", [(10, 0), (10, -5), (10, None), (None, 5), (pd.NA, 5), (10, float("nan"))])
def test_no_days_to_target_when_the_gap_never_closes_or_is_unknown(gap, pace_value):
    assert pace.days_to_target(gap, pace_value) is None


def test_reaching_by_a_deadline():
    assert pace.reaches_by(3, D[0], D[3]) and not pace.reaches_by(4, D[0], D[3])
    assert not pace.reaches_by(None, D[0], D[9])


def test_daily_pace_is_the_mean_increase_over_the_last_reported_days():
    history = pd.DataFrame({
        "code": ["a", "a", "a", "a", "b", "c", "c"],
        "snapshot_date": [D[0], D[1], D[2], D[3], D[0], D[0], D[2]],
        "value": [10.0, 20.0, float("nan"), 50.0, 5.0, 7.0, 7.0],
    })  # a has no value on D[2]: a missing report is skipped, not read as zero
    out = pace.daily_pace(history, 2).set_index("code")
    assert out.loc["a", "pace"] == pytest.approx((50 - 10) / 3)  # its last 3 values: D0, D1, D3
    assert out.loc["a", "pace_from"] == D[0]
    assert pace.daily_pace(history, 1).set_index("code").loc["a", "pace"] == pytest.approx((50 - 20) / 2)
    assert pd.isna(out.loc["b", "pace"])  # one value: no pace, never zero
    assert out.loc["c", "pace"] == 0


def test_the_pace_window_stays_within_the_round():
    dates = D[:8]
    assert pace.window_dates(dates, D[7], 3, None) == D[4:8]
    assert pace.window_dates(dates, D[7], 10, D[5]) == D[5:8]
    assert pace.window_dates(dates, D[3], 2, None) == D[1:4]


# ---- outlook on a store --------------------------------------------------------------------------------------------

def _testing(store, tmp_path, day, sampled: dict):
    rows = "\n".join(f"{code},1000,{value}" for code, value in sampled.items())
    load(store, tmp_path, f"t_{day:%Y%m%d}.csv", f"code,resident_population,sampled\n{rows}\n")


def test_outlook_gives_pace_days_left_and_the_deadline_verdict(store, tmp_path):
    for i, day in enumerate(D[:5]):
        _testing(store, tmp_path, day, {G_ONE_1: 500 + 100 * i, G_JIA_1: 800 + 10 * i, G_JIA_2: 900})
    out = gaps.outlook(store, COUNTY, "testing_coverage", D[4], level="grid", days=4, deadline=D[6]).set_index("code")
    one = out.loc[G_ONE_1]  # 900 of 1000, target 95 %: 50 short, 100 a day
    assert (one["gap"], one["pace"], one["days_left"]) == (50, 100, 1)
    assert one["finish_date"] == D[5] and one["reaches_by_deadline"]
    jia = out.loc[G_JIA_1]  # 840: 110 short at 10 a day = 11 days
    assert (jia["gap"], jia["pace"], jia["days_left"], jia["reaches_by_deadline"]) == (110, 10, 11, False)
    still = out.loc[G_JIA_2]  # no progress: never at this pace
    assert still["pace"] == 0 and pd.isna(still["days_left"]) and not still["reaches_by_deadline"]
    assert pd.isna(out.loc[G_ONE_2, "gap"]) and pd.isna(out.loc[G_ONE_2, "pace"])  # never reported
    assert out.loc[G_ONE_1, "township_code"] == EAST and out.loc[G_JIA_1, "township_code"] == NORTH
    assert out.index[0] == G_JIA_1 and out["gap"].dropna().is_monotonic_decreasing  # the ranking's order kept


def test_outlook_pace_uses_the_setting_and_ignores_the_previous_round(store, tmp_path):
    for i, day in enumerate(D[:6]):
        _testing(store, tmp_path, day, {G_JIA_1: 100 * (i + 1) if i < 3 else 300 + 20 * (i - 2)})
    configure.put(store, "pace_days", 1)
    last = gaps.outlook(store, V_JIA, "testing_coverage", D[5], level="grid").set_index("code")
    assert last.loc[G_JIA_1, "pace"] == 20  # one day: 360 − 340
    configure.put(store, "pace_days", 10)
    whole = gaps.outlook(store, V_JIA, "testing_coverage", D[5], level="grid").set_index("code")
    assert whole.loc[G_JIA_1, "pace"] == pytest.approx((360 - 100) / 5)
    configure.put_round(store, COUNTY, 2, D[3])  # counts restarted on D[3]: earlier days are another round
    _testing(store, tmp_path, D[3], {G_JIA_1: 50})  # a corrected file for the round's first day
    rounded = gaps.outlook(store, V_JIA, "testing_coverage", D[5], level="grid").set_index("code")
    assert rounded.loc[G_JIA_1, "pace"] == pytest.approx((360 - 50) / 2)


def test_ranking_keeps_its_columns_for_the_briefing(store, tmp_path):
    _testing(store, tmp_path, D[0], {G_ONE_1: 500})
    assert tuple(gaps.ranking(store, COUNTY, "testing_coverage", D[0], level="grid").columns) == gaps.RANK_COLUMNS


@pytest.mark.parametrize("target", [0.9, 0.95, 0.985, 1.0, 0.333333, 0.1234567, 5e-7, 1.5e-6])
def test_gaps_of_a_whole_column_equal_the_gap_of_each_unit(target):
    import numpy as np
    from dashboard.domain import indicators

    rng = np.random.default_rng(7)
    num = pd.Series(rng.integers(0, 1000, 5000), dtype="Int64")
    den = pd.Series(rng.integers(0, 1000, 5000), dtype="Int64")
    num[::17], den[::23] = pd.NA, pd.NA
    one_by_one = [indicators.gap(n, d, target) for n, d in zip(num.astype("Float64"), den.astype("Float64"))]
    assert indicators.gaps(num, den, target).tolist() == [pd.NA if g is None else g for g in one_by_one]


@pytest.mark.parametrize("code, parent", [
    ("990101001001001", "990101001001"),  # a grid: its village
    ("990101001001", "990101001000"),     # a village: its township
    ("990101101202", "990101101000"),
    ("990101001000", "990101000000"),     # a township: its county
    ("990101000000", "990101000000"),     # a county: itself (no parent below the county in a ranking)
])
def test_a_units_parent_comes_from_its_code(code, parent):
    assert list(gaps._parents(pd.DataFrame({"code": [code, code]}))) == [parent, parent]


def test_a_ranking_of_every_village_matches_each_townships_ranking(demo_store):
    """The ranking of every village in one call equals the villages' figures ranked township by township."""
    county = demo_store.query("root_units")["code"].iloc[0]
    whole = gaps.ranking(demo_store, county, "testing_coverage", level="village").set_index("code")
    townships = demo_store.query("unit_children", code=county)["code"]
    parts = pd.concat([gaps.ranking(demo_store, t, "testing_coverage") for t in townships]).set_index("code")
    parts = parts[parts["level"] == "village"]
    assert len(parts) > 100 and set(parts.index) <= set(whole.index)
    pd.testing.assert_frame_equal(whole.loc[parts.index], parts, check_dtype=False)
