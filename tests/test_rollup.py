"""The rollup rule on hand-computed numbers: sums, mixed levels, carry-forward and its limit, rounds, registers."""
import datetime as dt
import os
import pathlib

import pandas as pd
import pytest

from dashboard.analysis import rollup
from dashboard.benchmark import bench, synthetic
from dashboard.domain import codes
from dashboard.storage import configure, settings
from dashboard.storage.store import Store
from tests.helpers import (COUNTY, EAST, G_JIA_1, G_JIA_2, G_ONE_1, G_ONE_2, NORTH, V_JIA, V_ONE, V_TWO, V_YI,
                           load, small_store)

D1, D2, D3 = dt.date(2022, 5, 1), dt.date(2022, 5, 2), dt.date(2022, 5, 3)


@pytest.fixture
def store(tmp_path):
    return small_store(tmp_path)


def child(roll, code):
    return roll.children.set_index("code").loc[code]


def test_sums_and_indicators_match_hand_computation(store, tmp_path):
    load(store, tmp_path, "t_20220501.csv", f"""\
        code,resident_population,target_persons,sampled
        {G_ONE_1},100,90,80
        {G_ONE_2},200,190,150
        {V_TWO},300,300,240
        {V_JIA},400,380,100
        """)
    roll = rollup.rollup(store, COUNTY, "testing", D1)
    assert roll.unit["sampled"] == 80 + 150 + 240 + 100
    assert roll.unit["resident_population"] == 1000
    assert roll.unit["testing_coverage_ratio"] == pytest.approx(570 / 1000)
    # gap = ceil(0.95 × 1000 − 570) = 380; completion: ceil(1.0 × 960 − 570) = 390
    assert roll.unit["testing_coverage_gap"] == 380
    assert roll.unit["testing_completion_gap"] == 390
    east = child(roll, EAST)
    assert (east["sampled"], east["resident_population"]) == (470, 600)
    assert east["testing_coverage_gap"] == 100  # ceil(570 − 470)
    assert child(roll, NORTH)["testing_coverage_ratio"] == pytest.approx(0.25)


def test_a_unit_with_its_own_row_and_its_childrens_rows_counts_once_and_is_flagged(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"""\
        code,households_total,households_checked
        {V_ONE},1000,999
        {G_ONE_1},10,8
        {G_ONE_2},20,15
        {V_JIA},50,50
        """)
    roll = rollup.rollup(store, COUNTY, "screening", D1)
    assert roll.unit["households_checked"] == 8 + 15 + 50  # the village's own 999 is not added
    assert child(roll, EAST)["double_reported"] == 1
    village = rollup.rollup(store, EAST, "screening", D1)
    assert child(village, V_ONE)["households_checked"] == 23


def test_carry_forward_fills_a_silent_unit_for_at_most_the_set_days(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"code,households_total,households_checked\n{G_ONE_1},10,5\n{G_ONE_2},20,10\n")
    load(store, tmp_path, "s_20220502.csv", f"code,households_total,households_checked\n{G_ONE_1},10,7\n")
    roll = rollup.rollup(store, V_ONE, "screening", D2)
    assert roll.unit["households_checked"] == 7 + 10
    assert (roll.unit["reported"], roll.unit["carried"], roll.unit["expected"]) == (1, 1, 2)
    later = dt.date(2022, 5, 5)  # D1 + 4 days: beyond the default 3-day carry
    load(store, tmp_path, "s_20220505.csv", f"code,households_total,households_checked\n{G_ONE_1},10,9\n")
    assert rollup.rollup(store, V_ONE, "screening", later).unit["households_checked"] == 9
    configure.put(store, "carry_days", 5)
    assert rollup.rollup(store, V_ONE, "screening", later).unit["households_checked"] == 9 + 10


def test_partial_reporting_counts_expected_units_of_the_finest_level(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"code,households_total,households_checked\n{G_JIA_1},10,5\n")
    roll = rollup.rollup(store, COUNTY, "screening", D1)
    assert roll.expected_level == "grid"
    assert (roll.unit["reported"], roll.unit["expected"]) == (1, 4)
    assert child(roll, NORTH)["expected"] == 2 and child(roll, EAST)["reported"] == 0


def test_testing_rows_are_not_carried_across_a_new_round(store, tmp_path):
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,90\n{G_JIA_2},100,95\n",
         round=1)
    load(store, tmp_path, "t_20220502.csv", f"code,resident_population,sampled\n{G_JIA_1},100,20\n", round=2)
    roll = rollup.rollup(store, V_JIA, "testing", D2)
    assert roll.unit["sampled"] == 20  # grid 2's round-1 count does not leak into round 2
    assert roll.unit["carried"] == 0


def test_register_supplies_missing_denominators_and_says_so(store, tmp_path):
    from dashboard.intake import population
    from tests.helpers import write
    population.load_register(store, write(tmp_path, "reg.csv", f"code,resident_population\n{G_ONE_1},100\n{G_ONE_2},300\n"))
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_ONE_1},,50\n{G_ONE_2},200,100\n")
    roll = rollup.rollup(store, V_ONE, "testing", D1)
    assert roll.unit["resident_population"] == 100 + 200  # the report's 200 wins over the register's 300
    assert roll.unit["testing_coverage_denominator_source"] == "mixed"
    assert child(roll, G_ONE_1)["testing_coverage_denominator_source"] == "register"
    assert child(roll, G_ONE_2)["testing_coverage_denominator_source"] == "report"


def test_unit_without_rows_falls_back_to_its_own_register_entry(store, tmp_path):
    from dashboard.intake import population
    from tests.helpers import write
    population.load_register(store, write(tmp_path, "reg.csv", f"code,target_population\n{V_YI},500\n"))
    load(store, tmp_path, "v_20220501.csv", f"code,target_population,dose1\n{V_JIA},400,380\n")
    roll = rollup.rollup(store, NORTH, "vaccination", D1)
    yi = child(roll, V_YI)
    assert yi["dose1_coverage_denominator"] == 500 and yi["dose1_coverage_denominator_source"] == "register"
    assert pd.isna(yi["dose1_coverage_ratio"]) and pd.isna(yi["dose1_coverage_gap"])  # no report: unknown, not 0 %


def test_previous_snapshot_is_the_previous_date_with_data(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"code,households_total,households_checked\n{G_ONE_1},10,5\n")
    load(store, tmp_path, "s_20220503.csv", f"code,households_total,households_checked\n{G_ONE_1},10,6\n")
    assert rollup.previous_date(store, "screening", D3) == D1
    assert rollup.latest_date(store, "screening") == D3
    assert rollup.latest_date(store, "testing") is None


def test_trend_gives_the_rollup_of_each_date_with_data(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"code,households_total,households_checked\n{G_ONE_1},10,5\n{G_JIA_1},10,2\n")
    load(store, tmp_path, "s_20220503.csv", f"code,households_total,households_checked\n{G_ONE_1},10,8\n")
    series = rollup.trend(store, COUNTY, "screening", D1, D3)
    assert list(series["snapshot_date"]) == [D1, D3]  # May 2 has no data: no point, not a zero
    assert list(series["households_checked"]) == [7, 8 + 2]  # grid 甲1 carried on May 3
    assert list(series["carried"]) == [0, 1]
    for day, row in zip([D1, D3], series.itertuples()):
        assert row.households_checked == rollup.rollup(store, COUNTY, "screening", day).unit["households_checked"]


def test_level_rollup_lists_every_unit_of_a_level_with_its_own_figures(store, tmp_path):
    load(store, tmp_path, "s_20220501.csv", f"code,households_total,households_checked\n{G_ONE_1},10,5\n{G_JIA_2},20,4\n"
                                            f"{V_TWO},30,30\n")
    grids = rollup.level_rollup(store, COUNTY, "screening", "grid", D1).set_index("code")
    assert len(grids) == 4
    assert grids.loc[G_ONE_1, "household_screening_rate_ratio"] == pytest.approx(0.5)
    assert grids.loc[G_JIA_2, "households_checked"] == 4 and pd.isna(grids.loc[G_ONE_2, "households_checked"])
    villages = rollup.level_rollup(store, COUNTY, "screening", "village", D1).set_index("code")
    assert villages.loc[V_TWO, "households_checked"] == 30 and villages.loc[V_JIA, "households_checked"] == 4


def test_gap_ranking_orders_by_people_not_ratio_and_shows_the_change(store, tmp_path):
    from dashboard.analysis import gaps
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_ONE_1},1000,700\n{G_JIA_1},100,40\n")
    load(store, tmp_path, "t_20220503.csv", f"code,resident_population,sampled\n{G_ONE_1},1000,800\n{G_JIA_1},100,50\n")
    ranked = gaps.ranking(store, COUNTY, "testing_coverage", D3, level="grid")
    top = ranked.iloc[0]
    assert top["code"] == G_ONE_1 and top["gap"] == 150  # 80 % of 1,000 leaves more people than 50 % of 100
    assert ranked.iloc[1]["gap"] == 45 and ranked.iloc[1]["parent_code"] == V_JIA
    assert top["numerator_change"] == 100 and top["ratio_change"] == pytest.approx(0.1)
    assert ranked["gap"].isna().sum() == 2  # grids without reports rank last, gap unknown


# ---- one query per view: the folded reads give what the separate ones gave ---------------------------------------

def _separately(store, code, domain, day):
    """The unit and its children the way rollup() read them before folding: one query each."""
    values = settings.all_settings(store)
    u = rollup.unit(store, code)
    expected = rollup._expected_prefix_len(store, domain, day, values)
    child_level = rollup._child_level(store, u)
    itself = rollup._members(store, u, domain, day, day, values, expected, u["level"], None)
    children = rollup._members(store, u, domain, day, day, values, expected, child_level, code)
    return itself, children


@pytest.mark.parametrize("domain", ["testing", "screening", "vaccination"])
def test_a_unit_and_its_children_in_one_query_equal_two_queries(demo_store, domain):
    county = demo_store.query("root_units")["code"].iloc[0]
    township = demo_store.query("unit_children", code=county)["code"].iloc[0]
    day = rollup.latest_date(demo_store, domain)
    for code in (county, township):
        folded = rollup.rollup(demo_store, code, domain, day)
        itself, children = _separately(demo_store, code, domain, day)
        pd.testing.assert_series_equal(folded.unit, itself.iloc[0], check_names=False, check_dtype=False)
        pd.testing.assert_frame_equal(folded.children, children, check_dtype=False)


@pytest.mark.parametrize("level", [None, "village", "township"])
def test_two_dates_in_one_query_equal_one_query_per_date(demo_store, level):
    county = demo_store.query("root_units")["code"].iloc[0]
    dates = rollup.snapshot_dates(demo_store, "testing")[-2:]
    both = rollup.level_rollups(demo_store, county, "testing", level, dates)
    for day in dates:
        alone = (rollup.level_rollup(demo_store, county, "testing", level, day) if level else
                 _separately(demo_store, county, "testing", day)[1])
        assert len(alone) > 0
        pd.testing.assert_frame_equal(both[day], alone, check_dtype=False)


@pytest.mark.parametrize("domain", ["testing", "vaccination"])
def test_a_date_read_from_the_units_history_equals_a_query_of_that_date(demo_store, domain):
    county = demo_store.query("root_units")["code"].iloc[0]
    township = demo_store.query("unit_children", code=county)["code"].iloc[0]
    village = demo_store.query("unit_children", code=township)["code"].iloc[0]
    days = rollup.snapshot_dates(demo_store, domain)
    for code in (county, township):
        history = rollup.history(demo_store, code, domain)
        assert set(history.rows) == set(days)  # one read holds every date of the domain
        for day in days:  # each a slice of the history, its indicators computed once for all dates
            sliced, alone = rollup.rollup(demo_store, code, domain, day, history=history), rollup.rollup(
                demo_store, code, domain, day)
            pd.testing.assert_series_equal(sliced.unit, alone.unit)  # dtypes too: the same frame as a query's
            pd.testing.assert_frame_equal(sliced.children, alone.children)
            assert sliced.expected_level == alone.expected_level and sliced.snapshot_date == alone.snapshot_date
    assert rollup.history(demo_store, village, domain) is None  # its children are grids: read date by date


def test_a_date_with_gaps_read_from_the_history_equals_a_query_of_that_date_dtypes_too(store, tmp_path):
    """Children without a row on some dates (nulls that day, not on others): each date's slice of the history, its
    indicators computed once for all dates, is the frame a query of that date alone gives, dtype for dtype."""
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,target_persons,sampled\n{V_TWO},300,300,240\n")
    load(store, tmp_path, "t_20220502.csv", f"""\
        code,resident_population,target_persons,sampled
        {G_ONE_1},100,90,80
        {V_TWO},300,300,250
        {V_JIA},400,380,100
        """)
    load(store, tmp_path, "t_20220507.csv", f"code,resident_population,target_persons,sampled\n{V_JIA},400,380,120\n")
    for code in (COUNTY, EAST):
        history = rollup.history(store, code, "testing")
        assert any(not present.all() and any(present[p].all() for p in history.rows.values())
                   for present in history.present.values())  # a column null on some dates only
        for day in rollup.snapshot_dates(store, "testing"):
            sliced, alone = rollup.rollup(store, code, "testing", day, history=history), rollup.rollup(
                store, code, "testing", day)
            pd.testing.assert_series_equal(sliced.unit, alone.unit)
            pd.testing.assert_frame_equal(sliced.children, alone.children)


def test_a_remembered_lookup_sees_the_next_write_and_hands_out_copies(store):
    from dashboard.intake import units

    first = rollup.unit(store, V_JIA)
    first["name"] = "changed by the caller"
    assert rollup.unit(store, V_JIA)["name"] != "changed by the caller"
    units.rename(store, V_JIA, "新名村", D1)
    assert rollup.unit(store, V_JIA)["name"] == "新名村"


# ---- the stored-rollup read: one scan + remembered members, equal to the joined query it replaced ----------------

BEFORE_SQL = (pathlib.Path(__file__).parent / "fixtures" / "rollup_stored_before.sql").read_text(encoding="utf-8")


def _before(store, u, domain, date_from, date_to, level, parent_code, with_unit=False):
    """What `_members` gave before issue 7's page work: members, days, stored rows and register joined in SQL
    (the former queries/rollup_stored.sql, kept as a fixture), then the same indicator columns."""
    params = dict(domain=domain, date_from=date_from, date_to=date_to, lo=int(u["num"]),
                  hi=int(u["num"]) + codes.span(u["level"]), member_prefix_len=codes.PREFIX_LEN[level],
                  parent_code=parent_code, unit_num=int(u["num"]) if with_unit else None,
                  columns=list(rollup.stored_columns(domain)))
    with store.read() as cur:
        frame = cur.execute(BEFORE_SQL, params).df()
    return rollup._with_indicators(store, frame, domain, settings.all_settings(store))


def _cases(store, domain):
    """(unit, date_from, date_to, member level, parent code, with the unit itself) across levels and dates."""
    county = rollup.unit(store, store.query("root_units")["code"].iloc[0])
    township = rollup.unit(store, store.query("unit_children", code=county["code"])["code"].iloc[0])
    dates = rollup.snapshot_dates(store, domain)
    first, last = dates[0], dates[-1]
    after, before = last + dt.timedelta(days=3), first - dt.timedelta(days=5)
    return {
        "county and townships": (county, last, last, "township", county["code"], True),
        "county and townships, a day without data": (county, after, after, "township", county["code"], True),
        "county before any data": (county, before, before, "township", county["code"], True),
        "county's villages": (county, last, last, "village", None, False),
        "county's villages on an early date": (county, first, first, "village", None, False),
        "township's villages": (township, dates[-5], dates[-5], "village", township["code"], True),
        "county trend": (county, first, last, "county", None, False),
        "county trend to a day without data": (county, dates[3], after, "county", None, False),
        "township trend over a week": (township, dates[-7], last, "township", None, False),
        "villages on two dates": (county, dates[-2], last, "village", None, False),
        "trend before any data": (county, before - dt.timedelta(days=3), before, "county", None, False),
    }


@pytest.mark.parametrize("domain", ["testing", "screening", "vaccination"])
def test_the_stored_rollup_read_equals_the_joined_query_it_replaced(demo_store, domain):
    values = settings.all_settings(demo_store)
    for name, (u, date_from, date_to, level, parent, with_unit) in _cases(demo_store, domain).items():
        expected = _before(demo_store, u, domain, date_from, date_to, level, parent, with_unit)
        got = rollup._members(demo_store, u, domain, date_from, date_to, values, None, level, parent, with_unit)
        assert len(got) > 0, name
        pd.testing.assert_frame_equal(got, expected, check_dtype=True, check_exact=True, check_like=True, obj=name)


def test_a_day_without_data_lists_every_member_with_empty_values(demo_store):
    county = rollup.unit(demo_store, demo_store.query("root_units")["code"].iloc[0])
    last = rollup.latest_date(demo_store, "testing")
    after = last + dt.timedelta(days=2)
    trend = rollup.trend(demo_store, county["code"], "testing", last, after)
    assert list(trend["snapshot_date"]) == [last, after]
    assert trend["sampled"].notna().iloc[0] and trend["sampled"].isna().iloc[1] and trend["reported"].iloc[1] == 0
    villages = rollup._members(demo_store, county, "testing", after, after, settings.all_settings(demo_store), None,
                               "village", None)
    assert len(villages) == (demo_store.query("units_all").query("level == 'village' and active")).shape[0]
    assert villages["sampled"].isna().all() and (villages["reported"] == 0).all()


@pytest.mark.parametrize("indicator", ["testing_coverage", "testing_completion", "household_screening_rate",
                                       "booster_coverage"])
@pytest.mark.parametrize("level", ["village", None])
def test_one_indicators_columns_give_its_figures_as_all_columns_do(demo_store, indicator, level):
    from dashboard.domain import indicators

    county = demo_store.query("root_units")["code"].iloc[0]
    domain = indicators.BY_KEY[indicator].domain
    dates = rollup.snapshot_dates(demo_store, domain)[-2:]
    narrow = rollup.level_rollups(demo_store, county, domain, level, dates, indicator=indicator)
    full = rollup.level_rollups(demo_store, county, domain, level, dates)
    for day in dates:
        assert set(narrow[day].columns) < set(full[day].columns)
        assert any(c.startswith(indicator) for c in narrow[day].columns)
        pd.testing.assert_frame_equal(narrow[day], full[day][narrow[day].columns], check_dtype=True)


def test_only_whitelisted_columns_are_read(demo_store):
    county = rollup.unit(demo_store, demo_store.query("root_units")["code"].iloc[0])
    bounds = dict(domain="testing", date_from=None, date_to=None, lo=int(county["num"]),
                  hi=int(county["num"]) + codes.span("county"), member_prefix_len=9)
    with pytest.raises(ValueError, match="domain"):
        rollup._stored_members(demo_store, bounds, None, None, ("sampled", "domain"), demo_store.query)


BENCH_STORE = pathlib.Path(os.environ.get("DASHBOARD_BENCH_STORE",
                                          pathlib.Path(__file__).parent.parent / "bench" /
                                          f"store-c100-d10-{synthetic.GENERATION}.duckdb"))


@pytest.fixture(scope="module")
def province_store(tmp_path_factory) -> pathlib.Path:
    """The benchmark's province store where `python -m dashboard bench` has built one (100 counties, 50,000
    villages), else a province of two counties built the same way (about a second): never a skip."""
    if BENCH_STORE.exists():
        return BENCH_STORE
    folder = tmp_path_factory.mktemp("province")
    province = synthetic.build(folder, 2, 4)
    return bench.build_store(province, bench.store_path(folder, province)).path


def test_the_stored_rollup_read_equals_the_joined_query_at_province_scale(province_store):
    """The same proof on a synthetic province (prefecture, counties, townships, villages, grids), read only."""
    store = Store(province_store)
    values = settings.all_settings(store)
    province = rollup.unit(store, store.query("root_units")["code"].iloc[0])
    lo = int(province["num"])
    county = rollup.unit(store, store.query("units_in_subtree", lo=lo, hi=lo + codes.span(province["level"]),
                                            prefix_len=codes.PREFIX_LEN["county"])["code"].iloc[-1])
    for domain in rollup.domains_with_data(store):
        dates = rollup.snapshot_dates(store, domain)
        after = dates[-1] + dt.timedelta(days=1)
        for name, (u, date_from, date_to, level, parent, with_unit) in {
            "province's villages on two dates": (province, dates[-2], dates[-1], "village", None, False),
            "province and its children": (province, dates[-1], dates[-1], "prefecture", province["code"], True),
            "province's counties, a day without data": (province, after, after, "county", None, False),
            "province trend": (province, dates[0], dates[-1], "province", None, False),
            "county and townships": (county, dates[-1], dates[-1], "township", county["code"], True),
            "county's villages on two dates": (county, dates[-2], dates[-1], "village", None, False),
            "county trend to a day without data": (county, dates[2], after, "county", None, False),
        }.items():
            expected = _before(store, u, domain, date_from, date_to, level, parent, with_unit)
            got = rollup._members(store, u, domain, date_from, date_to, values, None, level, parent, with_unit)
            assert len(got) > 0, name
            pd.testing.assert_frame_equal(got, expected, check_dtype=True, check_exact=True, check_like=True, obj=name)
    store.close()


@pytest.mark.parametrize("stored_dtype", ["int64", "Int64"])
def test_each_stored_row_lands_on_its_day_and_member_and_missing_ones_are_null(stored_dtype):
    members = pd.DataFrame({"code": ["a", "b", "c"], "name": ["甲", "乙", "丙"], "level": "village",
                            "num": [10, 20, 30], "own_resident_population": pd.array([5, None, 7], dtype="Int64"),
                            "own_target_persons": 1, "own_target_population": 2, "own_households_total": 3})
    days = pd.DatetimeIndex(["2022-05-01", "2022-05-02"], dtype="datetime64[us]")
    rows = pd.DataFrame({"snapshot_date": pd.to_datetime(["2022-05-02", "2022-05-01", "2022-05-01", "2022-05-02"])
                         .astype("datetime64[us]"),
                         "num": [30, 10, 15, 20],  # 15: not a member (an ancestor's row), left out
                         "sampled": pd.array([3, 1, 99, 2], dtype=stored_dtype),
                         "last_reported": pd.to_datetime(["2022-05-02", "2022-05-01", "2022-05-01", "2022-04-30"])
                         .astype("datetime64[us]")})
    out = rollup._like_sql(rollup._day_by_member(members, days, rows, ["sampled", "last_reported"]))
    assert list(out["code"]) == ["a", "b", "c", "a", "b", "c"]
    assert list(out["snapshot_date"].dt.day) == [1, 1, 1, 2, 2, 2]
    assert list(out["sampled"]) == [1, pd.NA, pd.NA, pd.NA, 2, 3] and out["sampled"].dtype == "Int64"
    assert out["last_reported"].isna().tolist() == [False, True, True, True, False, False]
    assert out["own_resident_population"].dtype == "Int64" and out["own_target_persons"].dtype == "int64"
    first = rows.iloc[[1]]  # member a's row on May 1
    both = rollup._like_sql(rollup._day_by_member(members.iloc[[0, 2]].reset_index(drop=True), days[:1],
                                                  first, ["sampled"]))
    assert list(both["sampled"]) == [1, pd.NA] and both["sampled"].dtype == "Int64"
    one = rollup._like_sql(rollup._day_by_member(members.iloc[[0]], days[:1], first, ["sampled"]))
    assert list(one["sampled"]) == [1] and one["sampled"].dtype == "int64"  # no null: numpy, as SQL gives


# ---- one counting rule: the grids' on-the-fly rollup and the stored rollups agree at every level -----------------
COUNTED = ("reported", "carried", "double_reported", "rows_used", "expected")


def _on_the_fly(store: Store, u: pd.Series, domain: str, days: list[dt.date], level: str,
                expected_prefix_len) -> pd.DataFrame:
    """queries/rollup.sql asked for the members at `level` (the pages ask it for grids only) on each of `days`: one
    query over their span (its days are the span's dates with data, as a trend asks), the other dates dropped."""
    frame = store.query("rollup", domain=domain, date_from=min(days), date_to=max(days), lo=int(u["num"]),
                        hi=int(u["num"]) + codes.span(u["level"]), member_prefix_len=codes.PREFIX_LEN[level],
                        member_span=codes.span(level), parent_code=None, carry_days=settings.carry_days(store),
                        expected_prefix_len=expected_prefix_len)
    return frame[pd.to_datetime(frame["snapshot_date"]).dt.date.isin(days)]


def _stored(store: Store, domain: str, level: str) -> pd.DataFrame:
    """The stored rows of `level` on every date."""
    table = "village_rollups" if level == "village" else "rollups"
    with store.read() as cur:
        return cur.execute(f"select * from {table} where domain = ? and prefix_len = ?",
                           [domain, codes.PREFIX_LEN[level]]).df()


def _as_numbers(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Counts as floats (NaN for none) and dates as dates, by day and member: the two results' dtypes differ, their
    values must not."""
    out = frame.assign(snapshot_date=pd.to_datetime(frame["snapshot_date"])).set_index(["snapshot_date", "num"])
    out = out[list(columns)].sort_index()
    return out.apply(lambda c: pd.to_datetime(c) if c.name == "last_reported" else c.astype("float64"))


def assert_one_counting_rule(store: Store) -> int:
    """Every stored row of every level and date equals what rollup.sql counts for the same members that day (asked
    once for all the dates that share the day's finest reporting level, as stored with the day's rows)."""
    root = rollup.unit(store, store.query("root_units")["code"].iloc[0])
    levels = [lv for lv in codes.LEVELS[codes.LEVELS.index(root["level"]):] if lv != "grid"]
    compared = 0
    for domain in rollup.domains_with_data(store):
        columns = [*rollup.stored_columns(domain), *COUNTED]
        columns = [c for c in dict.fromkeys(columns) if c not in ("code", "name", "level", "snapshot_date")]
        days = rollup.snapshot_dates(store, domain)
        for level in levels:
            stored = _stored(store, domain, level)
            on_day = pd.to_datetime(stored["snapshot_date"]).dt.date
            assert set(on_day) == set(days), (domain, level, set(days) - set(on_day))  # rows on every date
            expected = stored.groupby(on_day)["expected_prefix_len"].first()
            for prefix_len, same in expected.groupby(expected):
                rows = stored[on_day.isin(same.index)]
                fly = _on_the_fly(store, root, domain, list(same.index), level, int(prefix_len))
                shared = [c for c in columns if c in rows.columns and c in fly.columns]
                assert set(COUNTED) <= set(shared) and len(shared) > 10
                pd.testing.assert_frame_equal(_as_numbers(fly, shared), _as_numbers(rows, shared),
                                              obj=f"{domain} {level}")
                compared += len(rows)
    return compared


def test_the_grids_rollup_and_the_stored_rollups_count_alike_on_the_demo_county(demo_store):
    assert assert_one_counting_rule(demo_store) > 1000


def test_the_grids_rollup_and_the_stored_rollups_count_alike_on_a_bench_province(tmp_path):
    """Two counties of the benchmark's synthetic province (real-looking codes, grid rows, carried days)."""
    from dashboard.benchmark import bench

    province = synthetic.build(tmp_path / "province", counties=2, days=4)
    store = bench.build_store(province, tmp_path / "province.duckdb")
    assert assert_one_counting_rule(store) > 100


def test_the_expected_level_alone_is_the_rollups(demo_store, store, tmp_path):
    """`rollup.expected_level` (no rollup read) gives what a whole rollup says, on every date and between them."""
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{V_TWO},300,240\n")
    load(store, tmp_path, "t_20220503.csv", f"code,resident_population,sampled\n{G_ONE_1},100,80\n")
    for s, code in ((demo_store, demo_store.query("root_units")["code"].iloc[0]), (store, COUNTY), (store, EAST)):
        for domain in ("testing", "vaccination"):
            days = rollup.snapshot_dates(s, domain)
            for day in days + [d + dt.timedelta(days=1) for d in days[:3]]:
                assert rollup.expected_level(s, code, domain, day) == rollup.rollup(s, code, domain, day).expected_level
    configure.put(store, "expected_level.testing", "village")
    alone, whole = rollup.expected_level(store, COUNTY, "testing", D3), rollup.rollup(store, COUNTY, "testing", D3)
    assert alone == whole.expected_level == "village"


@pytest.mark.parametrize("domain", ["testing", "vaccination"])
def test_a_units_own_rows_in_its_history_are_its_trend(demo_store, domain):
    """总览's trend reads the unit's own rows from the history the cards read (no query of its own): the same
    dates and figures as `trend` over the domain's dates."""
    county = demo_store.query("root_units")["code"].iloc[0]
    township = demo_store.query("unit_children", code=county)["code"].iloc[-1]
    days = rollup.snapshot_dates(demo_store, domain)
    for code in (county, township):
        own = rollup.own_rows(rollup.history(demo_store, code, domain), rollup.unit(demo_store, code))
        trend = rollup.trend(demo_store, code, domain, days[0], days[-1])
        assert len(own) == len(days) and list(own["snapshot_date"]) == days
        pd.testing.assert_frame_equal(own[trend.columns], trend, check_dtype=False)
