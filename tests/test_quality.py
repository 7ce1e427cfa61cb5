"""Data quality: each anomaly rule firing and not firing on hand-made files, completeness, timeliness, and the
demo store's planted anomalies and missing reports found."""
import datetime as dt

import pandas as pd
import pytest

from dashboard.analysis import quality, rollup
from dashboard.benchmark.browser import demo_county
from dashboard.example import demo_data
from dashboard.intake import loads, population
from dashboard.output import analysis_charts
from dashboard.storage import configure, settings
from tests.helpers import (COUNTY, G_JIA_1, G_JIA_2, G_ONE_1, G_ONE_2, V_JIA, V_ONE, V_TWO, V_YI, load, small_store,
                           write)

D = [dt.date(2022, 5, d) for d in range(1, 15)]  # D[0] = May 1


@pytest.fixture
def store(tmp_path):
    return small_store(tmp_path)


def flags_of(store, domain, rule, first=D[0], last=D[13], factor=None):
    flags = quality.anomalies(store, COUNTY, domain, first, last, factor)
    return flags[flags["rule"] == rule].reset_index(drop=True)


def send_testing(store, tmp_path, day, rows: str, **options):
    return load(store, tmp_path, f"t_{day:%Y%m%d}.csv", "code,resident_population,target_persons,sampled\n" + rows,
                **options)


# ---- coverage above 100 % ------------------------------------------------------------------------------------------

def test_coverage_above_100_fires_per_indicator_with_its_load(store, tmp_path):
    result = send_testing(store, tmp_path, D[0], f"{G_ONE_1},100,90,101\n{G_ONE_2},100,100,100\n")
    flags = flags_of(store, "testing", "coverage_over_100")
    assert set(zip(flags["code"], flags["reference_field"])) == {(G_ONE_1, "resident_population"),
                                                                 (G_ONE_1, "target_persons")}
    row = flags.set_index("reference_field").loc["resident_population"]
    assert (row["field"], row["value"], row["reference"]) == ("sampled", 101, 100)
    assert row["load_id"] == result.load_id and row["file_name"] == "t_20220501.csv"
    assert row["snapshot_date"] == D[0]  # G_ONE_2 at exactly 100 % is not above it


def test_coverage_above_100_uses_the_register_when_the_report_has_no_denominator(store, tmp_path):
    register = write(tmp_path, "pop.csv", f"code,resident_population\n{G_JIA_1},50\n{G_JIA_2},500\n")
    population.load_register(store, register)
    load(store, tmp_path, "t_20220501.csv", f"code,sampled\n{G_JIA_1},60\n{G_JIA_2},60\n")
    flags = flags_of(store, "testing", "coverage_over_100")
    assert list(flags["code"]) == [G_JIA_1] and flags["reference"].iloc[0] == 50


# ---- cumulative count went down ------------------------------------------------------------------------------------

def test_a_cumulative_drop_is_flagged_against_the_previous_report(store, tmp_path):
    send_testing(store, tmp_path, D[0], f"{G_ONE_1},100,100,80\n{G_ONE_2},100,100,50\n")
    send_testing(store, tmp_path, D[2], f"{G_ONE_1},100,100,70\n{G_ONE_2},100,100,50\n")  # D[1]: nothing sent
    flags = flags_of(store, "testing", "cumulative_drop")
    assert list(flags["code"]) == [G_ONE_1]  # an unchanged count is no drop
    row = flags.iloc[0]
    assert (row["field"], row["value"], row["reference"], row["reference_date"], row["snapshot_date"]) == \
        ("sampled", 70, 80, D[0], D[2])


def test_a_new_testing_round_restarts_the_counts_without_a_flag(store, tmp_path):
    configure.put_round(store, COUNTY, 2, D[1])
    send_testing(store, tmp_path, D[0], f"{G_ONE_1},100,100,80\n", round=1)
    send_testing(store, tmp_path, D[1], f"{G_ONE_1},100,100,10\n")
    assert flags_of(store, "testing", "cumulative_drop").empty


def test_screening_drop_is_flagged_for_each_cumulative_field(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"code,households_total,households_checked,returnees\n{G_JIA_1},50,40,9\n")
    load(store, tmp_path, "s_20220502.csv", f"code,households_total,households_checked,returnees\n{G_JIA_1},50,45,8\n")
    flags = flags_of(store, "screening", "cumulative_drop")
    assert list(flags["field"]) == ["returnees"]


# ---- zero or missing denominator -----------------------------------------------------------------------------------

def test_a_zero_or_missing_denominator_is_flagged_once_per_denominator(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv",
         f"code,households_total,households_checked\n{G_JIA_1},0,5\n{G_JIA_2},20,5\n")
    flags = flags_of(store, "screening", "denominator_missing")
    assert list(flags["code"]) == [G_JIA_1]
    assert (flags["field"].iloc[0], flags["value"].iloc[0], flags["reference"].iloc[0]) == ("households_total", 0, 5)
    load(store, tmp_path, "t_20220501.csv", f"code,sampled\n{G_ONE_1},60\n")  # neither report nor register
    testing = flags_of(store, "testing", "denominator_missing")
    assert set(testing["field"]) == {"resident_population", "target_persons"} and pd.isna(testing["value"]).all()


def test_a_register_denominator_or_no_numerator_is_not_flagged(store, tmp_path):
    population.load_register(store, write(tmp_path, "pop.csv",
                                          f"code,resident_population,target_persons\n{G_ONE_1},100,90\n"))
    load(store, tmp_path, "t_20220501.csv", f"code,sampled,sampling_sites\n{G_ONE_1},60,1\n")
    load(store, tmp_path, "t_20220502.csv", f"code,sampling_sites\n{G_ONE_2},2\n")  # a resource row: no numerator
    assert flags_of(store, "testing", "denominator_missing").empty


# ---- daily increase spike ------------------------------------------------------------------------------------------

def _daily(store, tmp_path, values: dict[int, int], code=G_JIA_1):
    for day, value in values.items():
        load(store, tmp_path, f"v_{D[day]:%Y%m%d}.csv", f"code,target_population,dose1\n{code},100000,{value}\n")


def test_a_daily_increase_far_above_the_weeks_median_is_flagged(store, tmp_path):
    _daily(store, tmp_path, {0: 1000, 1: 1020, 2: 1040, 3: 1060, 4: 1080, 5: 1200}, code=V_JIA)
    flags = flags_of(store, "vaccination", "daily_spike", factor=5)
    assert list(zip(flags["code"], flags["snapshot_date"])) == [(V_JIA, D[5])]
    assert (flags["value"].iloc[0], flags["reference"].iloc[0]) == (120, 20)  # +120 against a median of 20
    assert flags_of(store, "vaccination", "daily_spike", factor=6).empty  # 120 is not above 6 × 20


def test_no_spike_without_three_earlier_increases_or_below_the_minimum(store, tmp_path):
    _daily(store, tmp_path, {0: 100, 1: 101, 2: 102, 3: 103, 4: 109}, code=V_JIA)  # 6× the median, but 6 a day
    _daily(store, tmp_path, {0: 100, 1: 120, 2: 140, 3: 400}, code=V_YI)            # only two earlier increases
    assert flags_of(store, "vaccination", "daily_spike", factor=5).empty


def test_a_missed_day_spreads_the_increase_instead_of_spiking(store, tmp_path):
    _daily(store, tmp_path, {0: 1000, 1: 1020, 2: 1040, 3: 1060, 4: 1080, 9: 1180}, code=V_JIA)  # 5 days × 20
    assert flags_of(store, "vaccination", "daily_spike", factor=2).empty
    _daily(store, tmp_path, {10: 1400}, code=V_JIA)  # +220 in one day against a median of 20
    assert list(flags_of(store, "vaccination", "daily_spike", factor=5)["snapshot_date"]) == [D[10]]


# ---- reported itself and through its children ----------------------------------------------------------------------

def test_a_unit_reported_itself_and_through_its_children_is_flagged_with_both_figures(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"""\
        code,households_total,households_checked
        {V_ONE},100,70
        {G_ONE_1},10,8
        {G_ONE_2},20,15
        {V_TWO},50,50
        """)
    load(store, tmp_path, "s_20220502.csv", f"code,households_total,households_checked\n{V_ONE},100,75\n")
    flags = flags_of(store, "screening", "double_reported")
    assert list(zip(flags["code"], flags["snapshot_date"])) == [(V_ONE, D[0])]  # D[1]: only its own row
    row = flags.iloc[0]
    assert (row["field"], row["value"], row["reference"], row["rows_below"]) == ("households_checked", 70, 23, 2)
    assert rollup.rollup(store, COUNTY, "screening", D[0]).unit["double_reported"] == len(flags)


def test_a_total_row_that_disagreed_at_load_time_is_flagged_on_the_unit_the_file_covered(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"code,households_total,households_checked\n{G_ONE_1},10,8\n"
                                            f"{G_ONE_2},20,15\n合计,30,25\n")  # 8 + 15 = 23, not 25
    load(store, tmp_path, "s_20220502.csv", f"code,households_total,households_checked\n{G_ONE_1},10,9\n"
                                            f"{G_ONE_2},20,16\n合计,30,25\n")  # agrees: no flag
    flags = quality.anomalies(store, COUNTY, "screening", D[0], D[1])
    hit = flags[flags["rule"] == "total_mismatch"]
    assert list(zip(hit["code"], hit["snapshot_date"], hit["field"], hit["value"], hit["reference"])) == [
        (V_ONE, D[0], "households_checked", 25, 23)]
    assert hit["file_name"].iloc[0] == "s_20220501.csv" and hit["load_id"].iloc[0] == 1
    counts = quality.rule_counts(flags)
    assert list(counts) == list(quality.RULES) and counts["total_mismatch"] == 1


def test_flags_outside_the_window_are_left_out_but_context_before_it_is_read(store, tmp_path):
    send_testing(store, tmp_path, D[0], f"{G_ONE_1},100,100,80\n")
    send_testing(store, tmp_path, D[5], f"{G_ONE_1},100,100,70\n")
    assert len(flags_of(store, "testing", "cumulative_drop", first=D[5], last=D[5])) == 1  # against D[0]
    assert flags_of(store, "testing", "cumulative_drop", first=D[0], last=D[4]).empty


def test_the_spike_factor_setting_is_read_and_checked():
    assert quality.spike_factor({}) == settings.DEFAULT_SPIKE_FACTOR
    assert quality.spike_factor({"spike_factor": "3"}) == 3
    assert quality.spike_factor({"spike_factor": "zero"}) == settings.DEFAULT_SPIKE_FACTOR
    assert quality.spike_factor({"spike_factor": "0.5"}) == settings.DEFAULT_SPIKE_FACTOR


# ---- completeness and timeliness -----------------------------------------------------------------------------------

def test_completeness_counts_and_lists_who_did_not_report(store, tmp_path):
    for i in range(7):  # G_ONE_1 every day, G_ONE_2 until D[5], G_JIA_1 on D[0] only, G_JIA_2 never
        rows = [G_ONE_1] + ([G_ONE_2] if i <= 5 else []) + ([G_JIA_1] if i == 0 else [])
        load(store, tmp_path, f"s_{D[i]:%Y%m%d}.csv", "code,households_total,households_checked\n"
             + "".join(f"{c},10,{i + 1}\n" for c in rows))
    frame = quality.completeness(store, COUNTY, "screening", D[6]).set_index("snapshot_date")
    assert tuple(frame.loc[D[6], ["expected", "reported", "carried", "missing"]]) == (4, 1, 1, 2)
    assert frame.loc[D[6], "rate"] == pytest.approx(0.25)
    assert tuple(frame.loc[D[0], ["reported", "carried", "missing"]]) == (3, 0, 1)
    missing = quality.missing_units(store, COUNTY, "screening", D[6]).set_index("code")
    assert list(missing.index) == [G_ONE_2, G_JIA_1, G_JIA_2]  # the usual reporter first
    assert tuple(missing.loc[G_ONE_2, ["status", "days_reported", "usually_reports"]]) == ("carried", 6, True)
    assert missing.loc[G_ONE_2, "last_reported"] == D[5]
    assert tuple(missing.loc[G_JIA_1, ["status", "days_reported", "usually_reports"]]) == ("missing", 1, False)
    assert missing.loc[G_JIA_2, "last_reported"] is None and missing.loc[G_JIA_2, "parent_name"] == "甲村"


def test_the_completeness_chart_stacks_missing_under_carried_in_a_valid_spec():
    frame = pd.DataFrame({"snapshot_date": [dt.date(2022, 5, 1), dt.date(2022, 5, 2)], "missing": [1, 0],
                          "carried": [3, 2]})
    spec = analysis_charts.completeness(frame, "zh", "沿用", "无数据").to_dict()  # checked against the schema
    rows = next(iter(spec["datasets"].values()))
    assert [(r["day"], r["kind"], r["units"]) for r in rows] == [
        ("5月1日", "无数据", 1), ("5月2日", "无数据", 0), ("5月1日", "沿用", 3), ("5月2日", "沿用", 2)]


def test_the_expected_level_setting_changes_who_is_expected(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"code,households_total,households_checked\n{G_ONE_1},10,5\n{V_JIA},9,9\n")
    assert quality.expected_level(store, COUNTY, "screening", D[0]) == "grid"
    configure.put(store, "expected_level.screening", "village")
    missing = quality.missing_units(store, COUNTY, "screening", D[0])
    assert set(missing["code"]) == {V_ONE, V_TWO, V_YI}  # as the rollup counts: V_ONE sent no village row
    counts = quality.completeness(store, COUNTY, "screening", D[0]).iloc[-1]
    assert (counts["expected"], counts["reported"]) == (4, 1)


def test_timeliness_per_snapshot_with_rolled_back_loads_apart(store, tmp_path):
    first = load(store, tmp_path, "t_20220501.csv", f"code,sampled\n{G_ONE_1},5\n", as_of_hour=18)
    load(store, tmp_path, "t_20220501_b.csv", f"code,sampled\n{G_ONE_1},6\n", snapshot_date=D[0], as_of_hour=20)
    loads.rollback(store, first.load_id, "tester")
    out = quality.timeliness(store, "testing").set_index("snapshot_date").loc[D[0]]
    assert (out["loads"], out["rolled_back"], out["as_of_hour"]) == (1, 1, 20)
    record = store.query("load_by_id", load_id=first.load_id + 1).iloc[0]
    expected = (pd.Timestamp(record["loaded_at"]) - pd.Timestamp(D[0]) - pd.Timedelta(hours=20)) / pd.Timedelta(hours=1)
    assert out["delay_hours"] == pytest.approx(expected, abs=0.05)


# ---- the demo store ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def county():
    """The demo county as generated, read only: generated once per process (dashboard/benchmark/browser.py)."""
    return demo_county()


def test_every_planted_anomaly_of_the_demo_is_flagged_and_nothing_else_by_those_rules(demo_store, county):
    rule_of = {"over_100_percent": "coverage_over_100", "cumulative_drop": "cumulative_drop"}
    planted = {(a.domain, a.snapshot_date, a.code, a.field, rule_of[a.kind]) for a in county.anomalies.itertuples()}
    found = set()
    for domain in ("screening", "testing", "vaccination"):
        flags = quality.anomalies(demo_store, demo_data.COUNTY_CODE, domain, demo_data.FIRST_DATE, demo_data.LAST_DATE)
        flags = flags[flags["rule"].isin(set(rule_of.values()))]
        found |= {(domain, f.snapshot_date, f.code, f.field, f.rule) for f in flags.itertuples()}
        assert flags["file_name"].notna().all() and flags["load_id"].notna().all()
    assert found == planted


def test_every_missing_demo_report_is_listed(demo_store, county):
    for day in (demo_data.DATES[10], demo_data.LAST_DATE):
        sent = set().union(*(set(ld.frame["code"]) for ld in county.loads
                             if ld.domain == "testing" and ld.snapshot_date == day))
        grids = {c for c in county.units["code"] if len(c) == 15}
        missing = quality.missing_units(demo_store, demo_data.COUNTY_CODE, "testing", day)
        assert set(missing["code"]) == grids - sent and len(missing) > 0
        counts = quality.completeness(demo_store, demo_data.COUNTY_CODE, "testing", day).set_index("snapshot_date")
        assert counts.loc[day, "expected"] - counts.loc[day, "reported"] == len(grids - sent)
