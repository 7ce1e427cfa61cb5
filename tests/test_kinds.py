"""What a file is, told from its content; the setup plans (units, boundaries, register) the CLI and the page share.

The unit lists are the real division lists of six counties; boundaries and
registers are built from them (tests/county_files.py). Expected counts are read
from the files with pandas here, not from the code under test.
"""
from __future__ import annotations

import pytest

from dashboard.intake import boundaries, kinds, population, units
from tests.conftest import FIXTURES
from tests.county_files import COUNTIES, DIVISIONS, division, polygons, register_csv, shapefile_zip
from tests.helpers import sql

REPORTS = FIXTURES / "reports"


def kind(path) -> str:
    """The kind of a file as the page sees it: the suffix from the bytes only, then the content."""
    target = path.with_name("upload" + kinds.suffix_for(path.read_bytes()))
    if target != path:
        target.write_bytes(path.read_bytes())
    return kinds.kind_of(target, path.name)


@pytest.fixture
def copied(tmp_path):
    def copy(source, name="file"):
        target = tmp_path / name
        target.write_bytes(source.read_bytes())
        return target
    return copy


@pytest.mark.parametrize("county", sorted(COUNTIES))
def test_every_real_division_list_is_a_unit_list_whatever_its_name(county, copied):
    assert kind(copied(DIVISIONS / f"{county}.csv", "新建文本文档")) == kinds.UNITS


@pytest.mark.parametrize("report", ["大邑县核酸采样_分村_20220510.csv", "临颍县核酸采样_20220510.csv",
                                    "会泽县疫苗接种统计表_20220508.xlsx", "宝安区社区核酸采样_20220508.xlsx"])
def test_report_files_stay_reports(report, copied):
    assert kind(copied(REPORTS / report)) == kinds.REPORT


def test_a_zipped_shapefile_in_a_folder_a_geopackage_and_geojson_are_boundaries(tmp_path):
    frame = polygons("dayi")
    assert kind(shapefile_zip(frame, tmp_path / "a.zip")) == kinds.BOUNDARIES
    frame.to_file(tmp_path / "b.gpkg")
    frame.to_file(tmp_path / "c.geojson")
    for name in ("b.gpkg", "c.geojson"):
        blind = tmp_path / f"{name}.bin"
        blind.write_bytes((tmp_path / name).read_bytes())
        assert kind(blind) == kinds.BOUNDARIES


def test_a_register_is_code_and_denominators_only(tmp_path):
    assert kind(register_csv("huize", tmp_path / "参考人口.csv")) == kinds.REGISTER
    (tmp_path / "r.csv").write_text("代码,常住人口数,应检人数\n530326001001,10,9\n", encoding="utf-8")
    assert kind(tmp_path / "r.csv") == kinds.REGISTER
    (tmp_path / "t.csv").write_text("代码,常住人口,已采样人数\n530326001001,10,9\n", encoding="utf-8")
    assert kind(tmp_path / "t.csv") == kinds.REPORT


def test_an_xlsx_is_never_taken_for_a_zipped_shapefile(tmp_path):
    path = tmp_path / "名录.xlsx"
    division("baoan").to_excel(path, index=False)
    assert kinds.suffix_for(path.read_bytes()) == ".xlsx" and kind(path) == kinds.UNITS


# ---- the plans ----------------------------------------------------------------------------------

def test_a_unit_plan_counts_new_renamed_and_the_tree_before_anything_is_stored(empty_store, tmp_path):
    frame = division("pishan")
    plan = units.plan_units(empty_store, DIVISIONS / "pishan.csv")
    assert (plan.added, plan.renamed, plan.unchanged) == (len(frame), 0, 0)
    assert sql(empty_store, "select count(*) from units")[0][0] == 0
    levels = units.tree_levels(plan.tree).set_index("level")
    towns = frame["区划代码"].str.endswith("000") & ~frame["区划代码"].str.endswith("000000")
    assert levels.loc["township", "units"] == towns.sum() and levels.loc["county", "roots"] == 1
    assert levels["orphans"].sum() == 0
    units.commit_units(empty_store, plan)
    renamed = frame.copy()
    renamed.loc[1, "名称"] = "新名字街道"
    renamed = renamed.drop(index=[len(frame) - 1])
    renamed.to_csv(tmp_path / "v2.csv", index=False)
    again = units.plan_units(empty_store, tmp_path / "v2.csv")
    assert (again.added, again.renamed, again.unchanged, again.absent) == (0, 1, len(frame) - 2, 1)


def test_a_village_list_without_its_townships_shows_orphans(empty_store, tmp_path):
    frame = division("linying")
    frame[~frame["区划代码"].isin(["411122001000"])].to_csv(tmp_path / "partial.csv", index=False)
    plan = units.plan_units(empty_store, tmp_path / "partial.csv")
    lost = units.orphans(plan.tree)
    assert len(lost) == frame["区划代码"].str.startswith("411122001").sum() - 1
    assert units.tree_levels(plan.tree).set_index("level").loc["village", "orphans"] == len(lost)


def test_a_shapefile_in_a_folder_inside_the_zip_loads_through_the_cli_path(empty_store, tmp_path):
    units.load_units(empty_store, DIVISIONS / "dayi.csv")
    frame = polygons("dayi")
    archive = shapefile_zip(frame, tmp_path / "村界.zip")
    plan = boundaries.plan_boundaries(empty_store, archive)
    assert "4547" in plan.crs and plan.features == len(frame) and plan.matched_by == "code"
    assert len(plan.shapes) == len(frame) and plan.unmatched_features == []
    assert plan.units_without_geometry == ["大邑县（510129000000）"]
    assert boundaries.matched_by_level(plan).set_index("level")["matched"].sum() == len(frame)
    result = boundaries.load_boundaries(empty_store, archive)
    assert result.matched == len(frame)
    assert sql(empty_store, "select count(*) from boundaries")[0][0] == len(frame)


def test_a_register_plan_tells_new_changed_and_unchanged(empty_store, tmp_path):
    units.load_units(empty_store, DIVISIONS / "huize.csv")
    path = register_csv("huize", tmp_path / "参考人口.csv")
    plan = population.plan_register(empty_store, path)
    rows = len(division("huize")[~division("huize")["区划代码"].str.endswith("000")])
    assert (plan.new, plan.changed, plan.unchanged) == (rows, 0, 0) and len(plan.sample)
    population.commit_register(empty_store, plan)
    text = path.read_text(encoding="utf-8").splitlines()
    code, people, households = text[1].split(",")
    text[1] = f"{code},{int(people) + 5},{households}"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    again = population.plan_register(empty_store, path)
    assert (again.new, again.changed, again.unchanged) == (0, 1, rows - 1)
    assert again.sample.to_dict("records") == [{"code": code, "field": "resident_population",
                                                "before": int(people), "after": int(people) + 5}]
