"""Setting a county up on 数据导入: a unit list, a boundary zip and a register, each previewed and confirmed under
AppTest; what the pages say on an empty store; the default root of a store with several counties.

The files are the real division lists (tests/fixtures/divisions/) and boundaries
and registers built from them (tests/county_files.py). AppTest cannot upload, so
the files are put where the uploader's callback puts them. Expected counts come
from the files (pandas) and from the store (SQL written here).
"""
from __future__ import annotations

import pytest

from dashboard import i18n
from dashboard.domain.messages import InputError
from dashboard.intake import kinds, units
from dashboard.output import import_model
from dashboard.output.import_model import Upload
from dashboard.storage import access
from tests.county_files import DIVISIONS, division, polygons, register_csv, shapefile_zip
from tests.helpers import sql
from tests.test_import_page import APP, assert_clean, run, texts

DAYI = "510129000000"


def division_upload(county: str = "dayi", name: str | None = None) -> Upload:
    return Upload(name or f"{county}名录.csv", (DIVISIONS / f"{county}.csv").read_bytes())


def boundary_upload(tmp_path, county: str = "dayi") -> Upload:
    return Upload("村界.zip", shapefile_zip(polygons(county), tmp_path / "村界.zip").read_bytes())


def confirm(at, upload: Upload):
    at.button(key=f"imp-confirm-{upload.key}").click().run()
    assert_clean(at)
    return at


# ---- the model, without Streamlit --------------------------------------------------------------

def test_each_kind_is_told_from_the_uploaded_bytes(empty_store, tmp_path):
    assert import_model.kind_of(division_upload(name="名录")) == kinds.UNITS
    assert import_model.kind_of(boundary_upload(tmp_path)) == kinds.BOUNDARIES
    assert import_model.kind_of(Upload("x", register_csv("dayi", tmp_path / "r.csv").read_bytes())) == kinds.REGISTER
    assert import_model.kind_of(Upload("x", "code,sampled\n1,2\n".encode())) == kinds.REPORT


def test_a_scoped_account_may_not_change_the_unit_tree_or_boundaries(empty_store, tmp_path):
    scoped = "510129001000"
    plan = import_model.plan_setup(empty_store, division_upload(), kinds.UNITS, scope=scoped)
    assert not plan.ok and plan.errors[0].key == "imp_setup_unscoped_only"
    unscoped = import_model.plan_setup(empty_store, division_upload(), kinds.UNITS, scope=access.ALL)
    with pytest.raises(InputError):
        import_model.confirm_setup(empty_store, unscoped, scope=scoped)  # checked again at confirm
    import_model.confirm_setup(empty_store, unscoped)
    register = Upload("r.csv", register_csv("dayi", tmp_path / "r.csv").read_bytes())
    refused = import_model.plan_setup(empty_store, register, kinds.REGISTER, scope=scoped)
    assert [m.key for m in refused.errors] == ["acc_import_outside"]


def test_missing_steps_follow_the_setup_order(empty_store, tmp_path):
    assert import_model.missing_steps(empty_store) == ["units", "boundaries", "register", "report"]
    units.load_units(empty_store, DIVISIONS / "dayi.csv")
    assert import_model.missing_steps(empty_store) == ["boundaries", "register", "report"]


# ---- the page --------------------------------------------------------------------------------

def test_an_empty_store_says_what_is_missing_and_previews_a_unit_list(monkeypatch, empty_store):
    at = run(monkeypatch, empty_store.path, "pages/import.py")
    assert i18n.t("imp_missing_units", "zh") in [w.value for w in at.warning]
    file = division_upload()
    at = run(monkeypatch, empty_store.path, "pages/import.py", session={"imp-files": [file]})
    frame = division("dayi")
    assert at.selectbox(key=f"imp-kind-{file.key}").value == kinds.UNITS
    body = texts(at)
    assert f"新增 **{len(frame)}**" in body.replace("\\", "")
    levels = at.dataframe[0].value.set_index("级别")
    towns = (frame["区划代码"].str.endswith("000") & ~frame["区划代码"].str.endswith("000000")).sum()
    assert levels.loc["乡镇/街道", "单位数"] == towns and levels.loc["县", "根单位"] == 1
    assert sql(empty_store, "select count(*) from units")[0][0] == 0  # nothing before confirm
    confirm(at, file)
    assert sql(empty_store, "select count(*) from units")[0][0] == len(frame)
    assert i18n.t("imp_setup_next", "zh", step=i18n.t("imp_missing_boundaries", "zh")) in texts(at)


def test_a_unit_list_with_a_missing_township_shows_its_orphans(monkeypatch, empty_store, tmp_path):
    frame = division("linying")
    frame[frame["区划代码"] != "411122001000"].to_csv(tmp_path / "partial.csv", index=False)
    file = Upload("partial.csv", (tmp_path / "partial.csv").read_bytes())
    at = run(monkeypatch, empty_store.path, "pages/import.py", session={"imp-files": [file]})
    lost = frame["区划代码"].str.startswith("411122001").sum() - 1
    assert i18n.t("imp_orphans_title", "zh", count=lost) in [w.value for w in at.warning]
    assert len(at.dataframe[1].value) == lost


def test_a_boundary_zip_is_previewed_with_its_matches_and_map_then_stored(monkeypatch, empty_store, tmp_path):
    units.load_units(empty_store, DIVISIONS / "dayi.csv")
    file = boundary_upload(tmp_path)
    shapes = polygons("dayi")
    at = run(monkeypatch, empty_store.path, "pages/import.py", session={"imp-files": [file]})
    assert at.selectbox(key=f"imp-kind-{file.key}").value == kinds.BOUNDARIES
    body = texts(at)
    assert f"匹配单位 **{len(shapes)}**" in body and "EPSG:4547" in body and "匹配方式 **代码**" in body
    assert "大邑县（510129000000）" in body  # the county itself gets no polygon from this file
    assert at.get("plotly_chart"), "the preview map"
    confirm(at, file)
    assert sql(empty_store, "select count(*) from boundaries")[0][0] == len(shapes)


def test_a_register_is_previewed_with_its_changes_then_stored(monkeypatch, empty_store, tmp_path):
    units.load_units(empty_store, DIVISIONS / "dayi.csv")
    path = register_csv("dayi", tmp_path / "参考人口.csv")
    file = Upload("参考人口.csv", path.read_bytes())
    at = run(monkeypatch, empty_store.path, "pages/import.py", session={"imp-files": [file]})
    rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
    assert at.selectbox(key=f"imp-kind-{file.key}").value == kinds.REGISTER
    assert f"新增 **{rows}**" in texts(at).replace("\\", "")
    assert "常住人口" in set(at.dataframe[0].value["字段"])
    confirm(at, file)
    assert sql(empty_store, "select count(*) from population where current")[0][0] == rows


def test_a_file_taken_for_the_wrong_kind_can_be_set_by_hand(monkeypatch, empty_store):
    file = division_upload()
    at = run(monkeypatch, empty_store.path, "pages/import.py", session={"imp-files": [file]})
    at.selectbox(key=f"imp-kind-{file.key}").set_value(kinds.REPORT).run()
    assert not at.exception
    assert at.button(key=f"imp-confirm-{file.key}").disabled  # a unit list is no report: refused with a message


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/map.py", "pages/gaps.py", "pages/trends.py",
                                  "pages/quality.py", "pages/briefing.py"])
def test_pages_on_a_store_with_units_but_no_reports_point_to_the_import_page(monkeypatch, empty_store, page):
    units.load_units(empty_store, DIVISIONS / "dayi.csv")
    at = run(monkeypatch, empty_store.path, page)
    assert i18n.t("imp_missing_boundaries", "zh") in [i.value for i in at.info]
    assert any(link.label == i18n.t("empty_go_import", "zh") for link in at.get("page_link"))


# ---- several roots -----------------------------------------------------------------------------

def demo_badge(at) -> bool:
    return any(i18n.t("demo_label", "zh") in m.value for m in at.markdown)


def test_a_county_added_beside_the_demo_opens_by_default_without_the_demo_badge(monkeypatch, demo_store_copy):
    from dashboard.intake import ingest
    from tests.test_kinds import REPORTS

    units.load_units(demo_store_copy, DIVISIONS / "dayi.csv")
    ingest.commit(demo_store_copy, ingest.plan(demo_store_copy, REPORTS / "大邑县核酸采样_分村_20220510.csv"))
    at = run(monkeypatch, demo_store_copy.path, "pages/overview.py")
    assert at.title[0].value.startswith("大邑县")
    assert not demo_badge(at), "no demo badge on a real county"
    assert at.selectbox(key="ctl-root").value == DAYI
    at.selectbox(key="ctl-root").set_value("990101000000").run()
    assert_clean(at)
    assert at.title[0].value.startswith("示范县") and at.query_params["unit"] in ("990101000000", ["990101000000"])
    assert demo_badge(at)
