"""The 数据导入 and 设置 pages: the preview/confirm logic on the fixtures, and the pages under AppTest.

AppTest cannot upload a file, so the logic between the uploaded bytes and the
confirm button (`dashboard.ui.import_model`) is tested directly with the sample
files, and the page is tested on a prepared session (the uploaded files put
where the uploader's callback puts them). Figures expected after a load,
rollback or setting change are read from the store with SQL written here, or
from the fixture file itself, not from the code under test.
"""
from __future__ import annotations

import datetime as dt
import io
import pathlib
import re

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard.domain import fields
from dashboard.intake import limits, loads, units
from dashboard.output import import_model
from dashboard.output.import_model import Overrides, Upload
from dashboard.storage import configure, settings
from dashboard.storage.store import Store
from tests.helpers import G_JIA_1, G_JIA_2, G_ONE_1, open_tab, small_store, sql

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
APP = ROOT / "app.py"
JINTANG = "510121000000"
DEMO_COUNTY = "990101000000"


def upload(name: str, fixture: str | None = None) -> Upload:
    return Upload(name, (FIXTURES / (fixture or name)).read_bytes())


@pytest.fixture
def jintang(tmp_path) -> Store:
    """A store with the 金堂县 unit list only: the state in which a county first imports."""
    store = Store(tmp_path / "jintang.duckdb")
    units.load_units(store, FIXTURES / "jintang_units.csv")
    return store


def fixture_totals() -> dict:
    """The 总计 row of the Jintang file, read with openpyxl: what the county's figures must be after loading it."""
    sheet = openpyxl.load_workbook(FIXTURES / "jintang_testing_20220412.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "应检人数" in r)
    total = next(r for r in rows if r and r[0] == "总计")
    return {"target_persons": total[header.index("应检人数")], "sampled": total[header.index("已采样人数")]}



# ---- preview and confirm, without Streamlit ----------------------------------------------

def test_an_uploaded_file_of_any_name_is_read_by_content_and_the_temp_file_is_gone(jintang, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    plan = import_model.plan_upload(jintang, upload("金堂县进度表", "jintang_testing_20220412.xlsx"))
    assert plan.ok, [m.text("en") for m in plan.errors]
    assert (plan.file, plan.domain, plan.snapshot_date, plan.as_of_hour, plan.round, plan.level, plan.parent) == (
        "金堂县进度表", "testing", dt.date(2022, 4, 12), 18, 3, "township", JINTANG)
    assert len(plan.frame) == 16
    assert list((tmp_path / "tmp").iterdir()) == []  # read from a temp file, never kept


def test_the_page_and_the_cli_read_a_file_the_same_way(jintang):
    from dashboard.intake import ingest

    via_page = import_model.plan_upload(jintang, upload("jintang_testing_20220412.xlsx"))
    via_cli = ingest.plan(jintang, FIXTURES / "jintang_testing_20220412.xlsx")
    pd.testing.assert_frame_equal(via_page.frame, via_cli.frame)
    assert via_page.sha256 == via_cli.sha256
    assert [m.text("zh") for m in via_page.warnings] == [m.text("zh") for m in via_cli.warnings]


def test_progress_is_reported_by_stage(jintang):
    stages = []
    plan = import_model.plan_upload(jintang, upload("jintang_testing_20220412.xlsx"),
                                    on_progress=lambda f, s: stages.append((f, s)))
    import_model.confirm(jintang, plan, on_progress=lambda f, s: stages.append((f, s)))
    assert [s for _, s in stages] == ["read", "matched", "validated", "rows", "current", "rollups", "written"]
    checking, writing = [f for f, _ in stages[:3]], [f for f, _ in stages[3:]]  # a bar each, from 0 to 1
    assert checking == sorted(checking) and writing == sorted(writing) and checking[-1] == writing[-1] == 1.0
    assert all(i18n.t(f"imp_stage_{s}", lang) != f"imp_stage_{s}" for _, s in stages for lang in ("zh", "en"))


def test_preview_shows_the_values_under_headers_in_the_users_language(tmp_path):
    store = Store(tmp_path / "taichen.duckdb")
    units.load_units(store, FIXTURES / "taichen_units.csv")
    plan = import_model.plan_upload(store, upload("taichen_screening_20220429.csv"))  # GBK, names not codes
    assert plan.ok, [m.text("en") for m in plan.errors]
    table = store.query("units_all")
    zh = import_model.preview_rows(plan, table, "zh")
    en = import_model.preview_rows(plan, table, "en")
    assert {"区划代码", "名称", "总户数", "已排查户数", "居家隔离"} <= set(zh.columns)
    assert {"Code", "Name", "Households", "Households checked", "Home isolation"} <= set(en.columns)
    raw = pd.read_csv(FIXTURES / "taichen_screening_20220429.csv", encoding="gbk")
    name_col = next(c for c in raw.columns if "村" in c)
    assert list(zh["名称"]) == list(raw[name_col])  # matched back to the very names of the file, none garbled
    facts = dict(import_model.facts(plan, table, "en"))
    assert facts["Domain"] == "Screening" and facts["Date"] == "2022-04-29" and facts["Level"] == "Village"


def test_a_large_file_loads_whole_but_previews_only_its_first_rows(demo_store_copy):
    grids = demo_store_copy.query("units_all").query("level == 'grid'")["code"]
    body = "code,resident_population,sampled\n" + "".join(f"{c},100,{i % 90}\n" for i, c in enumerate(grids))
    plan = import_model.plan_upload(demo_store_copy, Upload("grids_20220508.csv", body.encode()))
    assert plan.ok and len(plan.frame) == len(grids) > import_model.PREVIEW_ROWS
    preview = import_model.preview_rows(plan, demo_store_copy.query("units_all"), "en")
    assert len(preview) == import_model.PREVIEW_ROWS and list(preview["Code"]) == list(grids[:len(preview)])
    result = import_model.confirm(demo_store_copy, plan)
    assert sql(demo_store_copy, "select count(*) from facts_history where load_id = ?", result.load_id)[0][0] \
        == len(grids)


def test_unknown_names_are_listed_with_their_rows(jintang):
    plan = import_model.plan_upload(jintang, upload("taichen_screening_20220429.csv"))
    problems = import_model.name_problems(plan, "zh")
    raw = pd.read_csv(FIXTURES / "taichen_screening_20220429.csv", encoding="gbk")
    assert not plan.ok
    assert list(problems["文件中的名称"]) == list(raw[next(c for c in raw.columns if "村" in c)])
    assert list(problems["行"]) == list(range(2, 2 + len(raw)))
    assert set(problems["问题"]) == {i18n.t("imp_err_unknown_name", "zh")}


def test_ambiguous_names_are_resolved_by_choosing_the_parent(demo_store_copy, tmp_path):
    data = "网格,已采样人数,常住人口\n第1网格,10,100\n第2网格,20,100\n".encode()
    ambiguous = import_model.plan_upload(demo_store_copy, Upload("grids_20220508.csv", data))
    problems = import_model.name_problems(ambiguous, "en")
    assert list(problems["Problem"]) == [i18n.t("imp_err_ambiguous_name", "en")] * 2
    assert "北关南社区" in problems["Closest units"].iloc[0]  # the suggestions name the places
    village = "990101001001"
    chosen = import_model.plan_upload(demo_store_copy, Upload("grids_20220508.csv", data), Overrides(parent=village))
    assert chosen.ok and chosen.parent == village
    assert list(chosen.frame["code"]) == [village + "001", village + "002"]


def test_overrides_replace_what_was_inferred(jintang):
    plan = import_model.plan_upload(jintang, upload("jintang_testing_20220412.xlsx"),
                                    Overrides(snapshot_date=dt.date(2022, 4, 13), round=4))
    assert plan.ok and plan.snapshot_date == dt.date(2022, 4, 13) and plan.round == 4
    assert set(plan.frame["round"]) == {4}
    wrong = import_model.plan_upload(jintang, upload("jintang_testing_20220412.xlsx"), Overrides(domain="vaccination"))
    assert not wrong.ok and wrong.errors[0].key == "err_no_fields"


def test_an_old_xls_workbook_loads_and_a_broken_one_says_what_to_do(empty_store):
    """WPS and older Excel still save .xls: the page reads it like the CLI (the corpus's real 大邑县 file)."""
    units.load_units(empty_store, FIXTURES / "divisions" / "dayi.csv")
    real = FIXTURES / "reports" / "大邑县疫苗接种_20220513.xls"
    plan = import_model.plan_upload(empty_store, Upload(real.name, real.read_bytes()))
    assert plan.ok and plan.domain == "vaccination" and plan.snapshot_date == dt.date(2022, 5, 13)
    broken = import_model.plan_upload(empty_store, Upload("进度表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64))
    assert not broken.ok and broken.errors[0].key == "err_unreadable_book"
    assert ".xlsx" in broken.errors[0].text("zh") and "进度表.xls" in broken.errors[0].text("en")


def test_many_messages_are_listed_up_to_a_limit(jintang, tmp_path):
    lines = "\n".join(f"无此镇{i},{i},{i}" for i in range(30))
    plan = import_model.plan_upload(jintang, Upload("bad_20220412.csv", f"名称,应检人数,已采样人数\n{lines}\n".encode()))
    assert len(plan.errors) == 30
    table = import_model.messages_table(plan.errors, "en", limit=10)
    assert len(table) == 10 and list(table.columns) == ["Row", "Column", "Message"]
    assert table["Message"].iloc[0] == plan.errors[0].text("en")
    assert list(import_model.name_problems(plan, "en", limit=10)["Name in the file"]) == [f"无此镇{i}" for i in range(10)]


def test_confirm_loads_once_and_a_rolled_back_file_is_offered_for_restore(jintang):
    plan = import_model.plan_upload(jintang, upload("jintang_testing_20220412.xlsx"))
    first = import_model.confirm(jintang, plan)
    assert not first.unchanged
    history = jintang.query("loads_all")
    assert import_model.earlier_load(history, plan)["load_id"] == first.load_id
    again = import_model.confirm(jintang, import_model.plan_upload(jintang, upload("jintang_testing_20220412.xlsx")))
    assert again.unchanged and again.load_id == first.load_id
    assert sql(jintang, "select loaded_by from loads")[0][0] == import_model.current_user()
    loads.rollback(jintang, first.load_id, "clerk")
    replan = import_model.plan_upload(jintang, upload("jintang_testing_20220412.xlsx"))
    assert import_model.earlier_load(jintang.query("loads_all"), replan)["status"] == "rolled_back"
    assert import_model.restore(jintang, jintang.query("loads_all"), first.load_id) == []
    assert sql(jintang, "select status from loads")[0][0] == "active"


def test_the_load_summary_gives_the_countys_new_figures(jintang):
    plan = import_model.plan_upload(jintang, upload("jintang_testing_20220412.xlsx"))
    import_model.confirm(jintang, plan)
    total = fixture_totals()
    text = import_model.figures_after(jintang, plan, jintang.query("units_all"), "en")
    ratio = i18n.fmt_percent(total["sampled"] / total["target_persons"])
    assert text.startswith("金堂县, Apr 12") and f"Testing completion {ratio}" in text
    assert f"{total['sampled']:,} / {total['target_persons'] / 1e6:.2f}M" in text


def test_history_in_words_and_restoring_a_superseded_load(tmp_path):
    store = small_store(tmp_path)
    header = "code,resident_population,sampled\n"
    day = "t_20220501"
    older = import_model.confirm(store, import_model.plan_upload(
        store, Upload(f"{day}.csv", f"{header}{G_JIA_1},100,10\n{G_JIA_2},100,20\n".encode())))
    newer = import_model.confirm(store, import_model.plan_upload(
        store, Upload(f"{day}_b.csv", f"{header}{G_JIA_1},100,15\n{G_JIA_2},100,25\n".encode())))
    other = import_model.confirm(store, import_model.plan_upload(
        store, Upload(f"{day}_c.csv", f"{header}{G_ONE_1},100,50\n".encode())))  # another unit, same day
    history = store.query("loads_all")
    words = import_model.history_table(history, "zh").set_index("导入编号")
    assert words.loc[older.load_id, "状态"] == i18n.t("imp_status_superseded", "zh")
    assert words.loc[newer.load_id, "状态"] == i18n.t("imp_status_active", "zh")
    assert words.loc[older.load_id, "文件指纹"] == history.set_index("load_id").loc[older.load_id, "sha256"][:10]
    assert import_model.superseding(store, history, older.load_id) == [newer.load_id]
    assert import_model.restore(store, history, older.load_id) == [newer.load_id]
    current = dict(sql(store, "select code, sampled from facts where domain = 'testing' order by code"))
    assert current == {G_ONE_1: 50, G_JIA_1: 10, G_JIA_2: 20}  # the older values; the other unit's untouched
    statuses = dict(sql(store, "select load_id, status from loads"))
    assert statuses == {older.load_id: "active", newer.load_id: "rolled_back", other.load_id: "active"}


def test_unit_choices_leave_out_the_finest_levels_of_a_large_store(demo_store):
    table = demo_store.query("units_all")
    assert set(import_model.unit_choices(table)["level"]) == {"county", "township", "village"}
    assert len(import_model.unit_choices(table, with_grids=True)) == len(table)
    small = import_model.unit_choices(table, limit=100)
    assert set(small["level"]) == {"county", "township"}
    label = import_model.unit_label(table, "zh")(DEMO_COUNTY)
    assert label.startswith(table.set_index("code").loc[DEMO_COUNTY, "name"]) and DEMO_COUNTY in label


def test_a_unit_picker_offers_the_units_path_and_its_children_not_the_whole_county(demo_store):
    table = demo_store.query("units_all")
    township = table[table["level"] == "township"]["code"].iloc[0]
    village = table[table["parent_code"] == township]["code"].iloc[0]
    around = import_model.unit_neighbourhood(table, village)
    children = table[table["parent_code"] == village]
    assert list(around["code"]) == [DEMO_COUNTY, township, village, *sorted(children["code"])]
    assert len(children) > 0 and len(around) < 60 < len(table)
    top = import_model.unit_neighbourhood(table, DEMO_COUNTY)
    assert list(top["code"]) == [DEMO_COUNTY, *sorted(table[table["parent_code"] == DEMO_COUNTY]["code"])]


# ---- the pages under AppTest ---------------------------------------------------------------

def run(monkeypatch, db, page: str, session: dict | None = None, clean: bool = True, **params) -> AppTest:
    """One page run through app.py, on `db`, with URL parameters and prepared session values; no exception, and
    no error shown unless `clean` is False (a file with errors is shown as an error)."""
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    if clean:
        assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.success]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(parts).replace("\\", "")  # unit names and files are escaped for Markdown


def card_values(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


def template_button(at: AppTest):
    """The template's download button (the history table has its own CSV/XLSX buttons too)."""
    return next(b for b in at.get("download_button") if b.key == "imp-tpl-download")


def test_import_page_renders_history_and_template_on_the_demo_store(monkeypatch, demo_store_copy):
    at = run(monkeypatch, demo_store_copy.path, "pages/import.py")
    assert at.title[0].value == "数据导入"
    assert not at.dataframe and not at.get("download_button")  # the upload tab: the closed tabs send nothing
    history = demo_store_copy.query("loads_all")
    open_tab(at, "imp-tabs", "imp_tab_history")
    assert not [b for b in at.get("download_button") if b.key == "imp-tpl-download"]
    shown = at.dataframe[0].value
    assert len(shown) == len(history) and list(shown["导入编号"]) == list(history["load_id"])
    assert at.selectbox(key="imp-pick-load").value == history["load_id"].iloc[0]
    assert at.button(key="imp-rollback").label == f"撤回导入编号 {history['load_id'].iloc[0]}"
    open_tab(at, "imp-tabs", "imp_tab_template")
    assert not [d for d in at.dataframe if "导入编号" in d.value.columns]  # the history is no longer sent
    assert at.selectbox(key="imp-tpl-unit").value == DEMO_COUNTY  # the URL's unit by default (here: the root)
    children = sql(demo_store_copy, "select count(*) from units where parent_code = ? and active", DEMO_COUNTY)[0][0]
    assert template_button(at).label == f"下载模板（{children} 个单位）"
    township = "990101101000"
    at = run(monkeypatch, demo_store_copy.path, "pages/import.py", unit=township, lang="en")
    assert "Status" in open_tab(at, "imp-tabs", "imp_tab_history", "en").dataframe[0].value.columns
    open_tab(at, "imp-tabs", "imp_tab_template", "en")
    assert at.title[0].value == "Import data" and at.selectbox(key="imp-tpl-unit").value == township
    villages = sql(demo_store_copy, "select count(*) from units where parent_code = ? and active", township)[0][0]
    assert template_button(at).label == f"Download template ({villages} units)"
    at.selectbox(key="imp-tpl-level-township").set_value("grid").run()
    grids = sql(demo_store_copy, "select count(*) from units where level = 'grid' and code like ? and active",
                township[:9] + "%")[0][0]
    assert template_button(at).label == f"Download template ({grids} units)"


def test_the_template_xlsx_is_made_only_when_its_download_is_clicked(monkeypatch, demo_store_copy):
    """A rerun of 数据导入 builds no template workbook (~40 ms each); the button's data, called as a click does,
    is the template: its title line, then the code and name of each township."""
    from dashboard.output import templates

    made, clicks, button, build = [], {}, st.download_button, templates.xlsx_bytes
    monkeypatch.setattr(templates, "xlsx_bytes", lambda *a: made.append(a) or build(*a))

    def download_button(label, data, *args, **kwargs):  # keeps what a click would call
        clicks[kwargs.get("key")] = data
        return button(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", download_button)
    at = open_tab(run(monkeypatch, demo_store_copy.path, "pages/import.py"), "imp-tabs", "imp_tab_template")
    assert template_button(at) and made == [] and callable(clicks["imp-tpl-download"])
    book = pd.read_excel(io.BytesIO(clicks["imp-tpl-download"]()), header=None, dtype=str, engine="openpyxl")
    children = demo_store_copy.query("unit_children", code=DEMO_COUNTY)
    assert len(made) == 1 and "示范县" in book.iloc[0, 0] and list(book.iloc[1, :2]) == ["区划代码", "名称"]
    assert sorted(book.iloc[2:, 0]) == sorted(children["code"])


def test_a_prepared_upload_is_previewed_confirmed_and_shows_on_the_overview(monkeypatch, jintang):
    file = upload("jintang_testing_20220412.xlsx")
    at = run(monkeypatch, jintang.path, "pages/import.py", session={"imp-files": [file]})
    body = texts(at)
    assert "核酸采样" in body and "2022-04-12" in body and "乡镇/街道" in body and "金堂县" in body
    preview = at.dataframe[0].value
    assert len(preview) == 16 and {"应检人数", "已采样人数"} <= set(preview.columns)
    assert preview["已采样人数"].sum() == fixture_totals()["sampled"]
    assert jintang.query("loads_all").empty  # nothing stored before the user confirms
    at.button(key=f"imp-confirm-{file.key}").click().run()
    assert_clean(at)
    loaded = jintang.query("loads_all")
    assert len(loaded) == 1 and loaded["rows_accepted"].iloc[0] == 16
    assert any(f"导入编号 {loaded['load_id'].iloc[0]}" in s.value for s in at.success)
    total = fixture_totals()
    assert i18n.fmt_percent(total["sampled"] / total["target_persons"]) in texts(at)
    at.switch_page("pages/overview.py").run()
    assert_clean(at)
    assert at.title[0].value.startswith("金堂县")
    assert i18n.fmt_count(total["sampled"], "zh", wan=True) in "\n".join(c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_file_whose_title_and_name_disagree_on_the_date_says_so_and_the_chosen_date_decides(monkeypatch, jintang,
                                                                                              lang):
    """The conflict is shown above everything else with the date used, and the corrections are opened to choose."""
    text = "金堂县核酸采样统计表（截至2022年4月13日）\n镇（街道）,应检人数,已采样人数\n赵镇街道,1000,900\n"
    file = Upload("金堂县核酸_20220412.csv", text.encode())
    at = run(monkeypatch, jintang.path, "pages/import.py", session={"imp-files": [file]}, lang=lang)
    [shown] = [w.value.replace("\\", "") for w in at.warning if "2022\\-04\\-12" in w.value]  # Markdown-escaped
    assert "2022-04-13" in shown and ("标题" if lang == "zh" else "title") in shown
    assert at.date_input(key=f"imp-date-{file.key}").value is None  # blank: inferred, until the clerk chooses
    at.date_input(key=f"imp-date-{file.key}").set_value(dt.date(2022, 4, 12))
    at.button(key=f"FormSubmitter:imp-form-{file.key}-{i18n.t('imp_recheck', lang)}").click().run()
    assert_clean(at)
    at.button(key=f"imp-confirm-{file.key}").click().run()
    assert [str(d)[:10] for d in jintang.query("loads_all")["snapshot_date"]] == ["2022-04-12"]


def test_a_file_that_breaks_the_reader_is_refused_alone_and_the_list_can_be_cleared(monkeypatch, jintang):
    good, odd = upload("jintang_testing_20220412.xlsx"), Upload("odd.csv", b"code,sampled\n1,2\n")
    real = import_model.plan_upload

    def breaks_on_odd(store, file, *args, **kwargs):
        if file.name == "odd.csv":
            raise RuntimeError("a reader bug")
        return real(store, file, *args, **kwargs)
    monkeypatch.setattr(import_model, "plan_upload", breaks_on_odd)
    at = AppTest.from_file(str(APP), default_timeout=60)
    monkeypatch.setenv("DASHBOARD_DB", str(jintang.path))
    at.session_state["imp-files"] = [good, odd]
    at.run()
    at.switch_page("pages/import.py").run()
    assert not at.exception
    assert any("odd.csv" in m.value.replace("\\", "") and "RuntimeError" in m.value for m in at.markdown)
    assert at.button(key=f"imp-confirm-{odd.key}").disabled and not at.button(key=f"imp-confirm-{good.key}").disabled
    at.button(key="imp-clear").click().run()
    assert_clean(at)
    assert "imp-files" not in at.session_state
    assert not [b for b in at.button if b.key and b.key.startswith("imp-confirm-")]


def test_choosing_the_parent_on_the_page_resolves_repeated_names(monkeypatch, demo_store_copy):
    file = Upload("grids_20220508.csv", "网格,已采样人数,常住人口\n第1网格,10,100\n第2网格,20,100\n".encode())
    at = run(monkeypatch, demo_store_copy.path, "pages/import.py", session={"imp-files": [file]}, clean=False)
    assert at.error[0].value == i18n.t("imp_errors", "zh", errors=2)
    assert at.button(key=f"imp-confirm-{file.key}").disabled
    assert len(at.dataframe[0].value) == 2  # the two names that exist in many villages
    village = "990101001001"
    at.selectbox(key=f"imp-parent-{file.key}").set_value(village)
    at.button(key=f"FormSubmitter:imp-form-{file.key}-按更正重新检查").click().run()
    assert_clean(at)
    assert not at.button(key=f"imp-confirm-{file.key}").disabled
    assert list(at.dataframe[0].value["区划代码"]) == [village + "001", village + "002"]
    at.button(key=f"imp-confirm-{file.key}").click().run()
    assert_clean(at)
    rows = sql(demo_store_copy, "select code, sampled from facts_history where load_id = "
                                "(select max(load_id) from loads) order by code")
    assert rows == [(village + "001", 10), (village + "002", 20)]


def test_a_file_failing_on_many_rows_counts_every_row_and_says_how_many_are_not_listed(monkeypatch, jintang):
    """Errors are capped like warnings: the first rows one by one, then "and N more", and every count is rows."""
    monkeypatch.setattr(limits, "MAX_ROW_MESSAGES", 2)
    rows = "".join(f"51012199999900{i},{i}\n" for i in range(5))
    file = Upload("unknown_20220412.csv", f"code,sampled\n{rows}".encode())
    at = run(monkeypatch, jintang.path, "pages/import.py", session={"imp-files": [file]}, clean=False)
    assert at.error[0].value == i18n.t("imp_errors", "zh", errors=5)
    assert at.button(key=f"imp-confirm-{file.key}").disabled
    assert "**" + i18n.t("imp_errors_title", "zh", count=5) + "**" in [m.value for m in at.markdown]
    more = i18n.t("err_unknown_code_more", "zh", file="unknown_20220412.csv", column="code", count="3")
    assert more in texts(at)
    shown = texts(at)
    assert "第 2 行" in shown and "第 3 行" in shown and "第 4 行" not in shown  # the first two rows, by line


def test_the_same_file_again_is_unchanged_and_a_rolled_back_one_is_restored(monkeypatch, jintang):
    file = upload("jintang_testing_20220412.xlsx")
    first = import_model.confirm(jintang, import_model.plan_upload(jintang, file))
    at = run(monkeypatch, jintang.path, "pages/import.py", session={"imp-files": [file]})
    assert any(f"导入编号 {first.load_id}" in i.value for i in at.info)
    at.button(key=f"imp-confirm-{file.key}").click().run()
    assert any(i18n.t("load_same", "zh", file=file.name, load_id=first.load_id, domain="核酸采样",
                      date="2022-04-12", rows=16) in i.value.replace("\\", "") for i in at.info)
    loads.rollback(jintang, first.load_id, "clerk")
    at = run(monkeypatch, jintang.path, "pages/import.py", session={"imp-files": [file]})
    assert any(f"{first.load_id}" in w.value for w in at.warning)
    at.button(key=f"imp-restore-{file.key}").click().run()
    assert_clean(at)
    assert sql(jintang, "select status from loads")[0][0] == "active"
    assert len(jintang.query("loads_all")) == 1  # restored, not loaded twice


def completeness(at: AppTest, domain: str) -> tuple[int, int, int]:
    """(reported, expected, carried) from a card's '… / … 个网格已报告，… 个沿用此前数据' line."""
    lines = [c.value for c in at.caption if "已报告" in c.value]
    line = lines[[d for d in fields.DOMAINS].index(domain)]  # one card per domain, in domain order
    found = re.search(r"([\d,]+) / ([\d,]+) 个.+?已报告，([\d,]+) 个沿用", line)
    return tuple(int(x.replace(",", "")) for x in found.groups())


def test_rollback_and_restore_in_the_history_change_the_overview(monkeypatch, demo_store_copy):
    db = demo_store_copy.path
    history = demo_store_copy.query("loads_all")
    last_day = history[history["domain"] == "testing"]["snapshot_date"].max()
    chosen = history[(history["domain"] == "testing") & (history["snapshot_date"] == last_day)].iloc[0]
    load_id, rows = int(chosen["load_id"]), int(chosen["rows_accepted"])  # one township's grids of the last day
    overview = run(monkeypatch, db, "pages/overview.py")
    before, cards_before = completeness(overview, "testing"), card_values(overview)
    at = open_tab(run(monkeypatch, db, "pages/import.py"), "imp-tabs", "imp_tab_history")
    at.selectbox(key="imp-pick-load").set_value(load_id).run()
    at.button(key="imp-rollback").click().run()
    assert_clean(at)
    assert any(i18n.t("rollback_done", "zh", load_id=load_id) in s.value.replace("\\", "") for s in at.success)
    assert sql(demo_store_copy, "select status from loads where load_id = ?", load_id)[0][0] == "rolled_back"
    at.switch_page("pages/overview.py").run()
    after = completeness(at, "testing")
    assert after[0] == before[0] - rows and after[1] == before[1]  # its grids no longer count as reported today
    open_tab(at.switch_page("pages/import.py").run(), "imp-tabs", "imp_tab_history")
    at.selectbox(key="imp-pick-load").set_value(load_id).run()
    assert at.button(key="imp-restore").label == f"恢复导入编号 {load_id}"
    at.button(key="imp-restore").click().run()
    assert_clean(at)
    at.switch_page("pages/overview.py").run()
    assert completeness(at, "testing") == before and card_values(at) == cards_before
    events = demo_store_copy.query("load_events_all")
    assert list(events["action"][:2]) == ["restored", "rolled_back"] and set(events["load_id"][:2]) == {load_id}


def test_a_superseded_load_is_restored_from_the_history(monkeypatch, tmp_path):
    store = small_store(tmp_path)
    header = "code,resident_population,sampled\n"
    older = import_model.confirm(store, import_model.plan_upload(
        store, Upload("t_20220501.csv", f"{header}{G_JIA_1},100,10\n".encode())))
    newer = import_model.confirm(store, import_model.plan_upload(
        store, Upload("t_20220501_b.csv", f"{header}{G_JIA_1},100,15\n".encode())))
    at = open_tab(run(monkeypatch, store.path, "pages/import.py"), "imp-tabs", "imp_tab_history")
    at.selectbox(key="imp-pick-load").set_value(older.load_id).run()
    assert f"#{newer.load_id}" in "\n".join(c.value for c in at.caption)  # says what restoring it rolls back
    at.button(key="imp-restore").click().run()
    assert_clean(at)
    assert sql(store, "select sampled from facts where code = ?", G_JIA_1)[0][0] == 10
    assert dict(sql(store, "select load_id, status from loads")) == {older.load_id: "active",
                                                                      newer.load_id: "rolled_back"}
    shown = at.dataframe[0].value.set_index("导入编号")["状态"]
    assert shown[older.load_id] == "生效" and shown[newer.load_id] == "已撤回"


def test_settings_page_renders_with_the_stored_values(monkeypatch, demo_store_copy):
    configure.put(demo_store_copy, "target.booster_coverage", 0.55)
    at = run(monkeypatch, demo_store_copy.path, "pages/settings.py")
    assert at.title[0].value == "设置"
    assert at.number_input(key="set-target-booster_coverage").value == pytest.approx(55.0)
    assert at.number_input(key="set-target-testing_coverage").value == pytest.approx(95.0)
    assert not at.date_input and not at.dataframe  # the targets' tab: the closed tabs send nothing
    assert open_tab(at, "set-tabs", "set_tab_reporting").number_input(key="set-carry").value == settings.carry_days(demo_store_copy)
    at = run(monkeypatch, demo_store_copy.path, "pages/settings.py", lang="en")
    assert at.title[0].value == "Settings"
    assert "Testing coverage of residents (%)" in [n.label for n in at.number_input]


def test_the_open_tab_stays_open_when_the_language_changes(monkeypatch, demo_store_copy):
    at = open_tab(run(monkeypatch, demo_store_copy.path, "pages/settings.py"), "set-tabs", "set_tab_reporting")
    at.segmented_control(key="ctl-lang").set_value("en").run()
    assert_clean(at)
    assert at.session_state["set-tabs"] == "Reporting"
    assert at.number_input(key="set-carry").value == settings.carry_days(demo_store_copy)
    assert "set-target-testing_coverage" not in [n.key for n in at.number_input]  # the targets' tab stays closed


def test_a_target_changed_in_settings_changes_the_status_on_the_overview(monkeypatch, demo_store_copy):
    db = demo_store_copy.path
    overview = run(monkeypatch, db, "pages/overview.py")
    title = next(m.label for m in overview.metric if "常住人口采样率" in m.label)
    ratio = float(next(m.value for m in overview.metric if m.label == title).rstrip("%")) / 100
    status_before = next(m.value for m in overview.markdown if "目标 95.0%" in m.value)
    at = run(monkeypatch, db, "pages/settings.py")
    lowered = round(ratio * 100 - 5, 1)
    at.number_input(key="set-target-testing_coverage").set_value(lowered)
    at.button(key="FormSubmitter:set-targets-保存").click().run()
    assert_clean(at)
    assert settings.targets(demo_store_copy)["testing_coverage"] == pytest.approx(lowered / 100)
    assert any(f"{lowered:.1f}%" in s.value.replace("\\", "") for s in at.success)
    at.switch_page("pages/overview.py").run()
    status_after = next(m.value for m in at.markdown if f"目标 {lowered:.1f}%" in m.value)
    assert i18n.t("status_met", "zh") in status_after and status_after != status_before


def test_rounds_carry_days_and_expected_level_are_saved(monkeypatch, demo_store_copy):
    at = open_tab(run(monkeypatch, demo_store_copy.path, "pages/settings.py"), "set-tabs", "set_tab_rounds")
    rounds_before = len(demo_store_copy.query("rounds_all"))
    at.number_input(key="set-round-number").set_value(7)
    at.date_input(key="set-round-start").set_value(dt.date(2022, 5, 20))
    at.button(key="FormSubmitter:set-round-保存轮次").click().run()
    assert_clean(at)
    rounds = demo_store_copy.query("rounds_all")
    assert len(rounds) == rounds_before + 1 and (7, dt.date(2022, 5, 20)) in {
        (int(r), pd.Timestamp(d).date()) for r, d in zip(rounds["round"], rounds["start_date"])}
    open_tab(at, "set-tabs", "set_tab_reporting").number_input(key="set-carry").set_value(5)
    at.selectbox(key="set-expected-testing").set_value("village")
    at.button(key="FormSubmitter:set-reporting-保存").click().run()
    assert_clean(at)
    values = settings.all_settings(demo_store_copy)
    assert values["carry_days"] == "5" and settings.expected_level(values, "testing") == "village"
    assert any("5" in s.value for s in at.success)


def test_the_settings_unit_picker_goes_down_a_level_and_the_sidebar_finds_any_unit(monkeypatch, demo_store_path,
                                                                                   demo_store):
    at = open_tab(run(monkeypatch, demo_store_path, "pages/settings.py"), "set-tabs", "set_tab_units")
    picker = at.selectbox(key="set-unit")
    towns = demo_store.query("unit_children", code=DEMO_COUNTY)
    assert picker.value == DEMO_COUNTY and picker.options[1:] == [  # the county, then its townships, by label
        import_model.unit_label(demo_store.query("units_all"), "zh")(c) for c in sorted(towns["code"])]
    town = sorted(towns["code"])[0]
    picker.set_value(town).run()
    assert at.query_params["unit"] == town  # the unit is the URL's, as on every page
    villages = demo_store.query("unit_children", code=town)["code"]
    assert at.selectbox(key="set-unit").value == town and len(at.selectbox(key="set-unit").options) == 2 + len(
        villages)
    at.text_input(key="ctl-find").input("990101101001").run()  # any unit, by code or name, from the sidebar
    at.button(key="find-990101101001").click().run()
    assert at.query_params["unit"] == "990101101001" and at.selectbox(key="set-unit").value == "990101101001"
    assert_clean(at)


def test_a_unit_is_renamed_and_retired_with_its_history_kept(monkeypatch, demo_store_copy):
    village = "990101001001"
    old_name = demo_store_copy.query("unit_by_code", code=village)["name"].iloc[0]
    at = open_tab(run(monkeypatch, demo_store_copy.path, "pages/settings.py", unit=village), "set-tabs",
                  "set_tab_units")
    assert at.selectbox(key="set-unit").value == village
    assert len(at.selectbox(key="set-unit").options) < 60  # one level at a time: not the county's 4,000 units
    at.text_input(key="set-rename-name").input("新名社区")
    at.date_input(key="set-rename-date").set_value(dt.date(2022, 5, 1))
    at.button(key="FormSubmitter:set-rename-更名").click().run()
    assert_clean(at)
    names = demo_store_copy.query("unit_names_history", code=village)
    assert list(names["name"])[-2:] == [old_name, "新名社区"]
    assert any("新名社区" in s.value.replace("\\", "") for s in at.success)
    assert list(at.dataframe[-1].value["名称"])[-2:] == [old_name, "新名社区"]  # history shown on the page
    at.button(key="FormSubmitter:set-retire-撤销").click().run()  # without ticking the box: refused
    assert any(i18n.t("set_err_not_sure", "zh") in e.value for e in at.error)
    assert bool(demo_store_copy.query("unit_by_code", code=village)["active"].iloc[0])
    at.checkbox(key="set-retire-sure").check()
    at.date_input(key="set-retire-date").set_value(dt.date(2022, 5, 8))
    at.button(key="FormSubmitter:set-retire-撤销").click().run()
    assert not bool(demo_store_copy.query("unit_by_code", code=village)["active"].iloc[0])
    assert any(i18n.t("retire_done", "zh", code=village, date="2022-05-08") in s.value.replace("\\", "")
               for s in at.success)


def test_a_store_without_units_says_how_to_load_them(monkeypatch, empty_store):
    at = run(monkeypatch, empty_store.path, "pages/settings.py")
    assert at.info[0].value == i18n.t("imp_no_units", "zh")
    assert "python -m dashboard units" in at.code[0].value
    at = run(monkeypatch, empty_store.path, "pages/import.py")  # where a county is set up from the browser
    assert at.warning[0].value == i18n.t("imp_missing_units", "zh")
    open_tab(at, "imp-tabs", "imp_tab_template")
    assert at.info[-1].value == i18n.t("imp_no_units_yet", "zh")  # the template tab, until units exist


def test_a_workbook_of_several_sheets_names_the_one_read_and_another_can_be_chosen(empty_store):
    """填表说明, 汇总, 分村明细: the detail sheet is read and named; choosing 汇总 on the page reads that one instead."""
    units.load_units(empty_store, FIXTURES / "divisions" / "pishan.csv")
    path = FIXTURES / "reports" / "皮山县核酸采样统计_20220511.xlsx"
    upload_ = Upload(path.name, path.read_bytes())
    plan = import_model.plan_upload(empty_store, upload_)
    assert plan.ok and plan.sheet == "分村明细" and set(plan.other_sheets) >= {"填表说明", "汇总"}
    assert any(m.key == "imp_sheet_read" and "分村明细" in m.text("zh") for m in plan.warnings)
    summary = import_model.plan_upload(empty_store, upload_, Overrides(sheet="汇总"))
    assert summary.sheet == "汇总" and len(summary.frame) < len(plan.frame)
