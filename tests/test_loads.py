"""Load history: rollback and restore keep every row; a template round-trips through ingest."""
import datetime as dt

import openpyxl
import pandas as pd
import pytest

from dashboard.analysis import rollup
from dashboard.intake import ingest, loads
from dashboard.output import templates
from dashboard.domain import fields
from tests.helpers import G_JIA_1, G_JIA_2, V_JIA, load, small_store, sql, write

D1 = dt.date(2022, 5, 1)


@pytest.fixture
def store(tmp_path):
    return small_store(tmp_path)


def sampled(store):
    return rollup.rollup(store, V_JIA, "testing", D1).unit["sampled"]


def test_rollback_brings_back_the_earlier_values_and_restore_undoes_it(store, tmp_path):
    load(store, tmp_path, "t_20220501.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n{G_JIA_2},100,20\n")
    second = load(store, tmp_path, "t_20220501_b.csv", f"code,resident_population,sampled\n{G_JIA_1},100,15\n")
    assert sampled(store) == 35
    loads.rollback(store, second.load_id, "clerk")
    assert sampled(store) == 30
    history = loads.history(store).set_index("load_id")["status"].to_dict()
    assert history == {1: "active", 2: "rolled_back"}
    loads.restore(store, second.load_id, "clerk")
    assert sampled(store) == 35
    events = store.query("load_events_all")
    assert list(zip(events["load_id"], events["action"], events["by_user"]))[:2] == [
        (2, "restored", "clerk"), (2, "rolled_back", "clerk")]


def kept(store) -> dict:
    """Everything a rollback and a restore may touch, every row sorted (test-side SQL)."""
    return {name: sql(store, f"select * from {name} order by all")
            for name in ("facts", "facts_history", "rollups", "village_rollups")} | {
        "statuses": sql(store, "select load_id, status from loads order by load_id")}


def test_rollback_then_restore_returns_to_the_same_rows_and_rollups_each_row_kept_once(store, tmp_path):
    """Issue 19: a row is current or noncurrent, never both; rollback and restore move rows between the two and
    back, so the current rows, every row of every load and the stored rollups come back equal, value for value."""
    load(store, tmp_path, "t_20220501_截至12时.csv", f"code,resident_population,sampled\n{G_JIA_1},100,10\n{G_JIA_2},100,20\n")
    load(store, tmp_path, "t_20220501_截至18时.csv", f"code,resident_population,sampled\n{G_JIA_1},100,15\n")
    load(store, tmp_path, "t_20220501_截至9时.csv", f"code,resident_population,sampled\n{G_JIA_2},100,5\n")
    before = kept(store)
    assert sampled(store) == 35  # 15 (18时) + 20 (12时); the 9时 rows lose to a later hour and are never current
    for load_id, expected in ((2, 30), (1, 5)):  # without 1 and 2, the 9时 row of G_JIA_2 is all that is left
        loads.rollback(store, load_id, "clerk")
        assert sampled(store) == expected
    for load_id in (1, 2):
        loads.restore(store, load_id, "clerk")
    assert kept(store) == before
    loaded = sum(sql(store, "select rows_accepted from loads")[i][0] for i in range(3))
    assert sql(store, "select count(*) from facts_history")[0][0] == loaded == 4
    for domain in fields.DOMAINS:  # fixed names, a test
        assert sql(store, f"select count(*) from facts_{domain} f join facts_noncurrent_{domain} n "
                          "using (load_id, num)")[0][0] == 0, domain


def test_uploading_a_rolled_back_file_again_offers_to_restore_it(store, tmp_path):
    text = f"code,resident_population,sampled\n{G_JIA_1},100,10\n"
    first = load(store, tmp_path, "t_20220501.csv", text)
    loads.rollback(store, first.load_id, "clerk")
    again = ingest.commit(store, ingest.plan(store, write(tmp_path, "t_20220501.csv", text)))
    assert again.rolled_back and again.load_id == first.load_id
    assert len(loads.history(store)) == 1 and pd.isna(sampled(store))  # nothing loaded twice, nothing restored


def test_template_lists_the_units_and_comes_back_clean(store, tmp_path):
    frame = templates.template(store, "testing", "990101101000", level="grid")
    assert list(frame["区划代码"]) == [G_JIA_1, G_JIA_2] and "已采样人数" in frame.columns
    path = tmp_path / "北镇_核酸采样_20220501.xlsx"
    path.write_bytes(templates.xlsx_bytes(frame, "北镇核酸采样情况统计表（截至2022年5月1日24时）"))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for row, value in zip(sheet.iter_rows(min_row=3), (40, 60)):
        row[2].value, row[4].value = 100, value  # 常住人口, 已采样人数
    book.save(path)
    plan = ingest.plan(store, path)
    assert plan.ok and (plan.domain, plan.snapshot_date, plan.as_of_hour) == ("testing", D1, 24)
    ingest.commit(store, plan)
    assert sampled(store) == 100
