"""The demo store as the product sees it: coverage JSON, independent SQL checks, determinism, nested boundaries."""
import json
import os
import subprocess
import sys

import duckdb
import pytest
import shapely

from dashboard.analysis import rollup
from dashboard.benchmark.browser import demo_county
from dashboard.domain import fields
from dashboard.example import demo, demo_data
from dashboard.storage import geo, settings
from dashboard.storage.store import Store, is_demo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COUNTY = demo_data.COUNTY_CODE


@pytest.fixture(scope="module")
def coverage_json(demo_store_path):
    out = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(demo_store_path), "coverage",
                          "--unit", COUNTY, "--format", "json"], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout)


def test_coverage_json_has_the_documented_shape(coverage_json):
    assert set(coverage_json) == {"date", "dates", "unit", "children"}
    assert coverage_json["date"] == demo_data.LAST_DATE.isoformat()
    unit = coverage_json["unit"]
    assert (unit["code"], unit["name"], unit["level"]) == (COUNTY, demo_data.COUNTY_NAME, "county")
    for key in ("household_screening_rate", "testing_coverage", "testing_completion", "dose1_coverage",
                "full_course_coverage", "booster_coverage"):
        assert set(unit[key]) == {"numerator", "denominator", "ratio", "target", "gap", "denominator_source"}
        assert 0 < unit[key]["ratio"] < 1.5  # a fraction, not a percent
    assert set(unit["reported"]) == {"screening", "testing", "vaccination"}
    assert len(coverage_json["children"]) == len([c for c in demo_county().units["code"]
                                                  if c.endswith("000") and c != COUNTY and len(c) == 12])


def test_every_row_has_the_total_of_every_field_and_children_add_up_to_it(coverage_json, demo_store):
    """The tallies no ratio shows (排查人数, 返乡人员, 居家隔离 …) reach the JSON, by the rule the ratios use."""
    unit, children = coverage_json["unit"], coverage_json["children"]
    shown = [f.name for f in fields.FIELDS if f.domain in settings.enabled_domains(settings.all_settings(demo_store))]
    assert shown == [f.name for d in ("screening", "testing", "vaccination") for f in fields.domain_fields(d)]
    assert list(unit["totals"]) == shown and all(list(c["totals"]) == shown for c in children)
    for name in ("persons_checked", "returnees", "risk_area_returnees", "home_isolation", "health_monitoring",
                 "sampled", "dose1", "booster"):
        assert isinstance(unit["totals"][name], int) and unit["totals"][name] > 0, name
        assert sum(c["totals"][name] or 0 for c in children) == unit["totals"][name], name
    assert unit["totals"]["sampled"] == unit["testing_coverage"]["numerator"]
    assert unit["totals"]["households_checked"] == unit["household_screening_rate"]["numerator"]
    assert unit["totals"]["resident_population"] == unit["testing_coverage"]["denominator"]  # register-filled too


def test_children_add_up_to_the_county(coverage_json):
    for key in ("testing_coverage", "full_course_coverage", "household_screening_rate"):
        parts = [c[key]["numerator"] for c in coverage_json["children"]]
        assert sum(parts) == coverage_json["unit"][key]["numerator"]


def test_county_testing_figures_equal_an_independent_computation(coverage_json, demo_store_path):
    """Latest grid row of the last 4 days in the current round, register residents where the report has none."""
    sql = """
        with rows as (
            select * from facts where domain = 'testing' and round = 2
              and snapshot_date between date '2022-05-04' and date '2022-05-07'
            qualify row_number() over (partition by code order by snapshot_date desc) = 1)
        select sum(sampled), sum(coalesce(r.resident_population, p.resident_population)),
               count(*) filter (where r.snapshot_date = date '2022-05-07'),
               count(*) filter (where r.snapshot_date < date '2022-05-07')
        from rows r left join population p on p.code = r.code and p.current
    """
    with duckdb.connect(str(demo_store_path), read_only=True) as con:
        sampled, residents, fresh, carried = con.execute(sql).fetchone()
    testing = coverage_json["unit"]["testing_coverage"]
    assert (testing["numerator"], testing["denominator"]) == (sampled, residents)
    assert testing["gap"] == max(0, -(-(95 * residents - 100 * sampled) // 100))
    assert coverage_json["unit"]["reported"]["testing"] == fresh
    assert coverage_json["unit"]["carried"]["testing"] == carried
    assert testing["denominator_source"] == "mixed"
    assert 0.83 < testing["ratio"] < 0.91


def test_demo_has_missing_reports_and_is_labelled(demo_store, coverage_json):
    unit = coverage_json["unit"]
    assert unit["reported"]["testing"] < unit["expected"]["testing"]
    assert unit["expected"]["testing"] > 3500 and unit["expected"]["vaccination"] > 250
    assert is_demo(demo_store)


def test_the_demo_build_is_deterministic(demo_store_path, tmp_path):
    again = tmp_path / "again.duckdb"
    demo.build(Store(again))
    tables = ["units", "boundaries", "population", "facts", "facts_history", "rounds"]
    with duckdb.connect(str(demo_store_path), read_only=True) as a, duckdb.connect(str(again), read_only=True) as b:
        for name in tables:
            cols = "* exclude (loaded_at)" if name in ("boundaries", "population") else "*"
            cols = "* exclude (updated_at)" if name == "units" else cols
            query = f"select {cols} from {name} order by all"
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), name


def test_stored_demo_boundaries_nest_exactly(demo_store):
    county = rollup.unit(demo_store, COUNTY)
    outline = geo.child_shapes(demo_store, county, level="county")
    for level in ("township", "village", "grid"):
        parts = geo.child_shapes(demo_store, county, level=level)
        union = shapely.union_all(parts.geometry.values)
        total = outline.geometry.iloc[0]
        assert abs(union.area - total.area) / total.area < 1e-9, level
        assert abs(shapely.area(parts.geometry.values).sum() - total.area) / total.area < 1e-9, level  # no overlaps
