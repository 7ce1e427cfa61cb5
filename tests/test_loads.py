"""Load history: rollback and restore keep every row; a template round-trips through ingest."""
import datetime as dt

import openpyxl
import pandas as pd
import pytest

from dashboard.analysis import rollup
from dashboard.intake import ingest, loads
from dashboard.output import templates
from tests.helpers import G_JIA_1, G_JIA_2, V_JIA, load, small_store, write

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
