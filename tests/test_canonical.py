"""The canonical CSV path (dashboard/intake/canonical.py): it reads only files the general reader would find clean,
and then gives exactly the plan the general reader gives; every other file goes the general way, unchanged."""
import pandas as pd
import pytest

from dashboard.intake import canonical, ingest
from tests.helpers import COUNTY, G_JIA_1, G_JIA_2, G_ONE_1, G_ONE_2, V_JIA, V_YI, load, small_store, write

HEAD = "code,resident_population,target_persons,sampled\n"
ROWS = f"{G_JIA_1},100,90,10\n{G_JIA_2},100,95,20\n{G_ONE_1},50,40,5\n{G_ONE_2},60,0,0\n"
CANONICAL = HEAD + ROWS


@pytest.fixture
def store(tmp_path):
    return small_store(tmp_path)


def both_ways(store, path, monkeypatch, **options) -> tuple[ingest.Plan, ingest.Plan, bool]:
    """(the plan as made, the plan the general reader makes, whether the canonical path read the file)."""
    used = []
    read = canonical.read
    monkeypatch.setattr(canonical, "read", lambda *a: used.append(read(*a)) or used[-1])
    made = ingest.plan(store, path, **options)
    monkeypatch.setattr(canonical, "read", lambda *a: None)
    return made, ingest.plan(store, path, **options), used[0] is not None


def assert_same_plan(quick: ingest.Plan, general: ingest.Plan) -> None:
    pd.testing.assert_frame_equal(quick.frame, general.frame)
    assert [m.text("en") for m in quick.errors + quick.warnings] == \
        [m.text("en") for m in general.errors + general.warnings]
    assert (quick.domain, quick.snapshot_date, quick.as_of_hour, quick.round, quick.level, quick.headers, quick.title) \
        == (general.domain, general.snapshot_date, general.as_of_hour, general.round, general.level, general.headers,
            general.title)


@pytest.mark.parametrize("name, text", [
    ("canonical", CANONICAL),
    ("no_final_newline", CANONICAL.rstrip("\n")),
    ("unsorted", HEAD + "".join(reversed(ROWS.splitlines(keepends=True)))),
    ("villages_and_grids", CANONICAL + f"{V_YI},70,60,30\n{COUNTY},5,5,1\n"),
    ("chinese_headers", "区划代码,常住人口,应检人数,已采样人数\n" + ROWS),
    ("over_denominator", HEAD + ROWS.replace(",90,10", ",9,10")),
    ("two_domains", "code,sampled,dose1\n" + f"{G_JIA_1},10,7\n{G_JIA_2},20,8\n"),
])
def test_a_canonical_file_is_planned_as_the_general_reader_plans_it(store, tmp_path, monkeypatch, name, text):
    quick, general, used = both_ways(store, write(tmp_path, f"testing_20220501_{name}.csv", text), monkeypatch)
    assert used and quick.ok
    assert_same_plan(quick, general)


def test_a_later_day_warns_of_the_same_cumulative_drops_either_way(store, tmp_path, monkeypatch):
    load(store, tmp_path, "testing_20220501.csv", CANONICAL)
    path = write(tmp_path, "testing_20220502.csv", CANONICAL.replace(",10\n", ",3\n"))
    quick, general, used = both_ways(store, path, monkeypatch)
    assert used and [m.key for m in quick.warnings] == ["warn_cumulative_drop"]
    assert_same_plan(quick, general)
    ingest.commit(store, quick)
    stored = store.query("facts_day_nums", identifiers=ingest.domain_tables("testing", "facts_table"),
                         domain="testing", snapshot_date=quick.snapshot_date)["num"]
    assert sorted(stored) == sorted(quick.frame["num"])


@pytest.mark.parametrize("name, text", [
    ("unknown_code", CANONICAL + "990101101201009,1,1,1\n"),
    ("village_written_as_15_digits", CANONICAL + f"{V_JIA}000,1,1,1\n"),
    ("grid_cut_to_12_digits", CANONICAL + f"{G_JIA_1[:12]}0,1,1,1\n"),
    ("short_code", CANONICAL + "12345,1,1,1\n"),
    ("duplicate_code", CANONICAL + f"{G_JIA_1},1,1,1\n"),
    ("empty_cell", CANONICAL + f"{V_YI},,1,1\n"),
    ("negative", CANONICAL + f"{V_YI},-1,1,1\n"),
    ("decimal", CANONICAL + f"{V_YI},1.5,1,1\n"),
    ("a_phone_number", CANONICAL + f"{V_YI},13800138000,1,1\n"),
    ("eleven_digit_count", CANONICAL + f"{V_YI},10000000000,1,1\n"),
    ("space", CANONICAL + f"{V_YI}, 1,1,1\n"),
    ("ragged", CANONICAL + f"{V_YI},1,1\n"),
    ("too_wide", CANONICAL + f"{V_YI},1,1,1,1\n"),
    ("trailing_comma", CANONICAL + f"{V_YI},1,1,1,\n"),
    ("trailing_comma_last", CANONICAL + f"{V_YI},1,1,1,"),
    ("empty_code", CANONICAL + ",1,1,1\n"),
    ("blank_line", CANONICAL + f"\n{V_YI},1,1,1\n"),
    ("crlf", CANONICAL.replace("\n", "\r\n")),
    ("bom", "\ufeff" + CANONICAL),
    ("quoted_header", '"code",resident_population,target_persons,sampled\n' + ROWS),
    ("total_row", CANONICAL + "合计,310,225,35\n"),
    ("title_row", "截至5月1日18时,,,\n" + CANONICAL),
    ("name_column", "code,name,sampled\n" + f"{G_JIA_1},甲村第1网格,3\n"),
    ("ratio_column", "code,target_persons,sampled,采样率\n" + f"{G_JIA_1},10,5,50\n"),
    ("ten_thousands", "code,常住人口（万人）,sampled\n" + f"{G_JIA_1},1,5\n"),
    ("remainder_column", "code,target_persons,sampled,未采样人数\n" + f"{G_JIA_1},10,5,5\n"),
    ("numbered_rows", "序号,code,sampled\n" + f"1,{G_JIA_1},5\n"),
    ("no_code_column", "名称,sampled\n" + "甲村第1网格,5\n"),
    ("header_only", HEAD),
])
def test_any_other_file_is_left_to_the_general_reader(store, tmp_path, monkeypatch, name, text):
    """The canonical path reads none of these, so every message (file, row, column) is the general reader's."""
    path = write(tmp_path, f"testing_20220501_{name}.csv", text)
    assert canonical.read(store, path, path.name) is None
    quick, general, used = both_ways(store, path, monkeypatch)
    assert not used
    assert_same_plan(quick, general)


def test_a_store_without_units_leaves_the_file_to_the_general_reader(tmp_path):
    from dashboard.storage.store import Store

    path = write(tmp_path, "testing_20220501.csv", CANONICAL)
    empty = Store(tmp_path / "empty.duckdb")
    assert canonical.read(empty, path, path.name) is None
    assert [m.key for m in ingest.plan(empty, path).errors] == ["err_no_units"]


def current_and_set_aside(store) -> tuple[dict, list]:
    """{num: load_id} of the current rows, and the (num, load_id) of the rows set aside, read past the product."""
    from tests.helpers import sql

    current = dict(sql(store, "select num, load_id from facts_testing"))
    aside = sorted(sql(store, "select num, load_id from facts_noncurrent_testing"))
    return current, aside


def test_a_whole_day_sent_again_and_a_part_of_it_displace_exactly_their_units(store, tmp_path):
    """A load that holds every unit with a current row on its date displaces without matching its units
    (facts_displace_day.sql); one that holds some of them only theirs; a load of an earlier hour none."""
    first = load(store, tmp_path, "testing_20220501.csv", CANONICAL).load_id
    nums = sorted(int(code.ljust(15, "0")) for code in (G_JIA_1, G_JIA_2, G_ONE_1, G_ONE_2))
    part = load(store, tmp_path, "testing_20220501_part.csv", HEAD + ROWS.splitlines(keepends=True)[0]).load_id
    current, aside = current_and_set_aside(store)
    assert current == {nums[0]: first, nums[1]: first, nums[2]: part, nums[3]: first}  # G_JIA_1 is the third num
    assert aside == [(nums[2], first)]
    whole = load(store, tmp_path, "testing_20220501_whole.csv", CANONICAL.replace(",5\n", ",6\n")).load_id
    current, aside = current_and_set_aside(store)
    assert current == dict.fromkeys(nums, whole)
    assert aside == sorted([(nums[2], first), (nums[0], first), (nums[1], first), (nums[3], first), (nums[2], part)])
    early = load(store, tmp_path, "testing_20220501_08时.csv", CANONICAL.replace(",6\n", ",7\n").replace(",5\n", ",7\n"),
                 as_of_hour=8).load_id
    current, aside = current_and_set_aside(store)
    assert current == dict.fromkeys(nums, whole) and len(aside) == 9 and {n for n, i in aside if i == early} == set(nums)


def test_covers_is_whether_every_current_unit_is_among_the_loads():
    import numpy as np

    loaded = np.array([3, 5, 8, 13])
    assert ingest._covers(loaded, np.array([13, 3, 8])) and ingest._covers(loaded, loaded)
    assert not ingest._covers(loaded, np.array([3, 4])) and not ingest._covers(loaded, np.array([14]))
    assert not ingest._covers(np.array([], dtype=np.int64), np.array([1]))
