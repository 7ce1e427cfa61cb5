"""The stored counts the rollups' refresh reads (dashboard/storage/stored_counts.py) stay equal to a count from
scratch through every write that changes what they derive from: a unit list, a retirement, a rollback of the only
load of a date, an upgrade of an older store, a restore."""
import datetime as dt

import pandas as pd

from dashboard.domain import codes
from dashboard.intake import loads, units
from dashboard.storage import backup, materialize
from dashboard.storage.store import Store
from tests.helpers import G_JIA_1, G_JIA_2, G_ONE_1, UNITS_CSV, V_JIA, V_ONE, load, small_store, sql, write
from tests.test_rollup import assert_one_counting_rule

D1, D2, D3, D5 = dt.date(2022, 5, 1), dt.date(2022, 5, 2), dt.date(2022, 5, 3), dt.date(2022, 5, 5)
ABOVE_GRID = ("province", "prefecture", "county", "township", "village")


def subtree_units_from_scratch(store: Store) -> list[tuple]:
    """(num, prefix_len, units) counted in pandas from the active units: for each level at or above village, each
    active unit at or below it is counted under the num its code starts at that level."""
    active = pd.DataFrame(sql(store, "select num, prefix_len from units where active"), columns=["num", "prefix_len"])
    counted = []
    for level in ABOVE_GRID:
        under = active[active["prefix_len"] >= codes.PREFIX_LEN[level]]
        counted.append(under.assign(num=under["num"] // codes.span(level) * codes.span(level)))
    counts = pd.concat(counted).groupby(["num", "prefix_len"]).size()
    return sorted((int(n), int(p), int(c)) for (n, p), c in counts.items())


def day_levels_from_scratch(store: Store) -> list[tuple]:
    return sql(store, "select domain, snapshot_date, max(prefix_len) from facts group by all order by all")


def assert_counts_right(store: Store) -> None:
    assert sql(store, "select num, prefix_len, units from subtree_units order by all") == \
        subtree_units_from_scratch(store)
    assert sql(store, "select domain, snapshot_date, prefix_len from day_levels order by all") == \
        day_levels_from_scratch(store)


def expected_of(store: Store, code: str, day: dt.date) -> int:
    table = "village_rollups" if codes.level_of(code) == "village" else "rollups"
    return sql(store, f"select expected from {table} where num = ? and snapshot_date = ?", codes.num(code), day)[0][0]


def test_a_unit_list_and_a_retirement_recount_the_units_before_the_rollups(tmp_path):
    store = small_store(tmp_path)
    load(store, tmp_path, "testing_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n")
    assert_counts_right(store)
    assert expected_of(store, V_JIA, D1) == 2  # the grid level reported: both of the village's grids expected
    grown = UNITS_CSV + "990101101201003,甲村第3网格\n990101101203,丙村\n990101101203001,丙村第1网格\n"
    units.load_units(store, write(tmp_path, "grown.csv", grown))
    assert_counts_right(store)
    assert expected_of(store, V_JIA, D1) == 3 and expected_of(store, "990101000000", D1) == 6
    units.retire(store, G_JIA_2, dt.date(2022, 6, 1))
    assert_counts_right(store)
    assert expected_of(store, V_JIA, D1) == 2
    assert assert_one_counting_rule(store) > 0


def test_a_rollback_of_the_only_load_of_a_date_takes_its_level_away(tmp_path):
    store = small_store(tmp_path)
    load(store, tmp_path, "testing_20220501.csv", f"code,resident_population,sampled\n{V_ONE},100,10\n")
    second = load(store, tmp_path, "testing_20220502.csv", f"code,resident_population,sampled\n{G_ONE_1},100,10\n")
    load(store, tmp_path, "testing_20220503.csv", f"code,resident_population,sampled\n{V_JIA},100,10\n")
    assert sql(store, "select snapshot_date, prefix_len from day_levels order by all") == [(D1, 12), (D2, 15), (D3, 12)]
    assert expected_of(store, V_JIA, D3) == 2  # the grids reported within the week up to May 3
    loads.rollback(store, second.load_id, "clerk")
    assert_counts_right(store)
    assert sql(store, "select snapshot_date, prefix_len from day_levels order by all") == [(D1, 12), (D3, 12)]
    assert expected_of(store, V_JIA, D3) == 1  # the window's finest level is the villages' again
    assert assert_one_counting_rule(store) > 0
    loads.restore(store, second.load_id, "clerk")
    assert_counts_right(store)
    assert expected_of(store, V_JIA, D3) == 2


def test_an_older_store_builds_the_counts_once_on_its_next_write(tmp_path):
    store = small_store(tmp_path)
    load(store, tmp_path, "testing_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n")
    store.close()
    older = Store(store.path)  # as a version without the stored counts left it
    with older.write() as con:
        con.execute("drop table subtree_units")
        con.execute("drop table day_levels")
    older.close()
    upgraded = Store(store.path)
    assert upgraded.query("table_rows", table_name="day_levels")["rows"].iat[0] == 1  # a first read brings it up
    assert_counts_right(upgraded)


def test_a_restore_rebuilds_the_counts_the_backup_does_not_carry(tmp_path):
    store = small_store(tmp_path)
    load(store, tmp_path, "testing_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n")
    manifest = backup.backup(store, tmp_path / "backup")
    assert not {"subtree_units", "day_levels"} & set(manifest["tables"])
    units.retire(store, G_JIA_2, dt.date(2022, 6, 1))
    load(store, tmp_path, "testing_20220502.csv", f"code,resident_population,sampled\n{V_JIA},100,10\n")
    backup.restore(store, tmp_path / "backup")
    assert_counts_right(store)
    assert sql(store, "select snapshot_date, prefix_len from day_levels") == [(D1, 15)]
    assert expected_of(store, V_JIA, D1) == 2


def test_a_date_whose_finest_level_changes_refreshes_the_expected_level_of_the_week_after(tmp_path):
    """A date's expected level is the finest level reported in the 7 days up to it: a grid's row loaded late for May 1
    makes May 5 (village rows only) expect grids, though May 5 is past the carry window of May 1's load."""
    store = small_store(tmp_path)
    load(store, tmp_path, "testing_20220505.csv", f"code,resident_population,sampled\n{V_ONE},100,10\n")
    assert sql(store, "select expected_prefix_len from village_rollups where snapshot_date = ?", D5)[0][0] == 12
    load(store, tmp_path, "testing_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n")
    stored = sql(store, "select * from village_rollups where snapshot_date = ? order by num", D5)
    assert {row[0] for row in sql(store, "select expected_prefix_len from village_rollups where snapshot_date = ?",
                                    D5)} == {15}
    with store.write() as con:
        materialize.refresh_all(con)
    assert sql(store, "select * from village_rollups where snapshot_date = ? order by num", D5) == stored
    assert_one_counting_rule(store)
