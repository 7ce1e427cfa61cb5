"""Units: level and parent from the code, renames with history, range warnings, names beyond the BMP."""
import datetime as dt

import pandas as pd
import pytest

from dashboard.domain import codes
from dashboard.domain.messages import InputError
from dashboard.intake import units
from tests.helpers import write

FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("code, level, parent_candidates", [
    ("410000000000", "province", []),
    ("411100000000", "prefecture", ["410000000000"]),
    ("411122000000", "county", ["411100000000", "410000000000"]),
    ("411122104000", "township", ["411122000000", "411100000000", "410000000000"]),
    ("411122104201", "village", ["411122104000", "411122000000", "411100000000", "410000000000"]),
    ("411122104201003", "grid", ["411122104201", "411122104000", "411122000000", "411100000000", "410000000000"]),
])
def test_level_and_ancestors_follow_from_the_code(code, level, parent_candidates):
    assert codes.level_of(code) == level
    assert codes.ancestor_codes(code) == parent_candidates


@pytest.mark.parametrize("prefix_lens", [[15, 15, 12], [12, 15], [2, 4, 4, 2], [9], [], [15, 12, 9] * 3, [12] * 5 + [15]])
def test_a_loads_level_is_the_commonest_as_pandas_mode_gives_it(prefix_lens):
    """A load's level (its rows' commonest level; ties to the name first in sorted order) and each row's level name,
    from the integers, equal what the string column's `mode()` and a per-row map give."""
    column = pd.Series(prefix_lens, dtype="int8")
    names = column.map(codes.LEVEL_OF_PREFIX)
    assert codes.commonest_level(column) == (names.mode().iloc[0] if len(names) else None)
    assert list(codes.levels_of_prefix(column)) == list(names)


def test_subtree_is_a_num_range():
    county, grid = "411122000000", "411122104201003"
    assert codes.num(county) <= codes.num(grid) < codes.num(county) + codes.span("county")
    assert codes.num("411123000000") == codes.num(county) + codes.span("county")  # the next county starts right after


@pytest.mark.parametrize("sample, root, townships", [
    ("jintang_units.csv", "510121000000", 16), ("dancheng_units.csv", "411625000000", 22),
])
def test_sample_unit_lists_load_with_code_and_name_only(empty_store, sample, root, townships):
    result = units.load_units(empty_store, FIXTURES / sample)
    table = empty_store.query("units_all")
    assert result.added == len(table) == townships + 1
    assert list(table.loc[table["parent_code"].isna(), "code"]) == [root]
    assert (table.loc[table["code"] != root, "parent_code"] == root).all()


def test_a_village_list_nests_under_its_township_and_county(empty_store):
    units.load_units(empty_store, FIXTURES / "taichen_units.csv")
    table = empty_store.query("units_all").set_index("code")
    assert table.loc["411122104201", "parent_code"] == "411122104000"
    assert table.loc["411122104000", "parent_code"] == "411122000000"
    assert table.loc["411122104201", "level"] == "village"


def test_a_store_can_hold_a_prefecture_above_its_counties(empty_store, tmp_path):
    units.load_units(empty_store, FIXTURES / "taichen_units.csv")
    units.load_units(empty_store, write(tmp_path, "pref.csv", "code,name\n411100000000,漯河市\n"))
    table = empty_store.query("units_all").set_index("code")
    assert table.loc["411122000000", "parent_code"] == "411100000000"
    assert list(empty_store.query("root_units")["code"]) == ["411100000000"]


def test_rename_keeps_the_unit_and_its_name_history(empty_store, tmp_path):
    units.load_units(empty_store, FIXTURES / "taichen_units.csv", effective=dt.date(2020, 1, 1))
    renamed = write(tmp_path, "r.csv", "区划代码,名称\n411122104201,台陈社区\n")
    result = units.load_units(empty_store, renamed, effective=dt.date(2022, 6, 1))
    assert (result.added, result.renamed) == (0, 1)
    history = empty_store.query("unit_names_history", code="411122104201")
    assert list(history["name"]) == ["台陈村", "台陈社区"]
    assert history["valid_to"].iloc[0].date() == dt.date(2022, 5, 31) and history["valid_to"].isna().iloc[1]
    assert len(empty_store.query("units_all")) == 14


def test_names_outside_the_basic_multilingual_plane_survive_intact(empty_store, tmp_path):
    name = "岞\U0002AA30镇"
    units.load_units(empty_store, write(tmp_path, "u.csv", f"code,name\n411325000000,内乡县\n411325106000,{name}\n"))
    stored = empty_store.query("unit_by_code", code="411325106000")["name"].iloc[0]
    assert stored == name and len(stored) == 3


def test_out_of_range_codes_warn_but_load(empty_store, tmp_path):
    result = units.load_units(empty_store, write(tmp_path, "u.csv",
                                                 "code,name\n411122000000,临颍县\n411122050000,某镇\n411122104450,某村\n"))
    assert result.added == 3
    assert sorted(m.key for m in result.warnings) == ["code_range_township", "code_range_village"]


@pytest.mark.parametrize("text, key", [
    ("code,name\n4111,某县\n", "err_bad_code"),
    ("code,name\n411122000000,\n", "err_missing_name"),
    ("code,name\n411122000000,甲\n411122000000,乙\n", "err_duplicate_code"),
    ("编号,名称\n411122000000,甲\n", "err_missing_column"),
    ("code,name\n411122104201000,网格\n", "err_grid_suffix"),
])
def test_bad_unit_files_are_refused_whole(empty_store, tmp_path, text, key):
    with pytest.raises(InputError) as caught:
        units.load_units(empty_store, write(tmp_path, "u.csv", text))
    assert caught.value.messages[0].key == key
    assert empty_store.query("units_all").empty


def test_units_load_from_xlsx(empty_store, tmp_path):
    import pandas as pd
    path = tmp_path / "units.xlsx"
    pd.DataFrame({"单位名称": ["临颍县", "台陈镇"], "统计用区划代码": ["411122000000", "411122104000"]}).to_excel(path, index=False)
    assert units.load_units(empty_store, path).added == 2
    assert empty_store.query("unit_by_code", code="411122104000")["parent_code"].iloc[0] == "411122000000"


def test_rename_and_retire_with_an_effective_date_keep_history(empty_store, tmp_path):
    from tests.helpers import load, V_JIA, G_JIA_1, small_store
    store = small_store(tmp_path)
    load(store, tmp_path, "s_20220501.csv", f"code,households_total,households_checked\n{G_JIA_1},10,5\n")
    later = dt.date.today() + dt.timedelta(days=30)  # the unit list was loaded today
    units.rename(store, V_JIA, "甲新村", later)
    assert store.query("unit_by_code", code=V_JIA)["name"].iloc[0] == "甲新村"
    assert list(store.query("unit_names_history", code=V_JIA)["name"]) == ["甲村", "甲新村"]
    units.retire(store, G_JIA_1, later)
    assert not store.query("unit_by_code", code=G_JIA_1)["active"].iloc[0]
    from dashboard.analysis import rollup
    roll = rollup.rollup(store, V_JIA, "screening", dt.date(2022, 5, 1))
    assert roll.unit["households_checked"] == 5 and roll.unit["expected"] == 1  # figures kept; no longer expected
    with pytest.raises(InputError):
        units.retire(store, "990101999999", dt.date(2022, 6, 1))
