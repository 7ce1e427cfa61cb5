"""The 数据导入 page in a real browser: upload a township office's file, confirm, and see the figures on the overview.

A store holding only 金堂县's unit list (built through the core, as a county
starts) is served by `streamlit run app.py`; the sample XLSX goes through the
file uploader's input. Screenshots of the import and settings pages in both
languages at 1440×900 and 390×844 land in tests/screenshots/ for a human to look at.

Skips when /usr/bin/chromium is missing, except under CI=true, where it fails (see test_browser.py).
"""
from __future__ import annotations

import openpyxl
import pytest

from dashboard import i18n
from dashboard.intake import units
from dashboard.storage.store import Store
from tests.test_browser import (_REASON, MAP_CODES, MAP_READY, READY, ROOT, open_page,  # noqa: F401
                                shoot_at_each_size, streamlit_server, via_sidebar, wait_for)

pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")
FIXTURES = ROOT / "tests" / "fixtures"
REPORT = FIXTURES / "jintang_testing_20220412.xlsx"
UPLOADER = "[data-testid='stFileUploaderDropzoneInput']"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` on a free port, on a store with the Jintang units and no report yet."""
    db = tmp_path_factory.mktemp("import-browser") / "jintang.duckdb"
    units.load_units(Store(db), FIXTURES / "jintang_units.csv")
    with streamlit_server(db) as base:
        yield base


def totals() -> tuple[int, int]:
    """(sampled, persons to test) from the file's own 总计 row."""
    rows = list(openpyxl.load_workbook(REPORT).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and "应检人数" in r)
    total = next(r for r in rows if r and r[0] == "总计")
    return total[header.index("已采样人数")], total[header.index("应检人数")]


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def upload(page, *files) -> None:
    """Puts files into the uploader and waits until every one is checked (each shows its confirm button)."""
    page.locator(UPLOADER).set_input_files([str(f) for f in files])
    wait_for(page, f"""() => document.querySelectorAll('[class*="st-key-imp-file-"]').length === {len(files)}
        && document.querySelectorAll('[class*="st-key-imp-confirm-"], [class*="st-key-imp-restore-"]').length
           === {len(files)}""", "every uploaded file to be checked")
    page.wait_for_selector(READY)


UPLOADER_WORDS = """() => {
    const seen = (el) => { const own = getComputedStyle(el).fontSize !== '0px' ? el.textContent : '';
                           const after = getComputedStyle(el, '::after').content;
                           return own + (after && after !== 'none' ? JSON.parse(after) : ''); };
    const zone = document.querySelector("[data-testid='stFileUploaderDropzone']");
    return [seen(zone.querySelector("button [data-testid='stMarkdownContainer'] p")),
            seen(zone.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] span"))]; }"""


def assert_the_uploader_speaks(page, lang: str) -> None:
    """Streamlit draws "Upload" and "100MB per file" whatever the language; the page draws its own in their place
    (what a person sees: the rendered text of the button and of the limit, pseudo-elements included)."""
    shown = page.evaluate(UPLOADER_WORDS)
    assert shown == [i18n.t("imp_upload_button", lang), i18n.t("imp_upload_limit", lang, mb=100)]


def test_upload_confirm_and_the_overview_shows_the_new_figures(browser, server):
    sampled, to_test = totals()
    page = open_page(browser, server, "/import")
    upload(page, REPORT)
    text = main_text(page)
    assert "核酸采样" in text and "2022-04-12" in text and "乡镇/街道" in text and "金堂县" in text
    assert "检查通过：16 个单位" in text
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入 jintang_testing_20220412.xlsx").wait_for()
    page.wait_for_selector(READY)
    text = main_text(page)
    assert f"应检尽检完成率 {i18n.fmt_percent(sampled / to_test)}" in text  # 82.4%, the county, as now counted
    assert f"{i18n.fmt_count(sampled, 'zh', wan=True)} / {i18n.fmt_count(to_test, 'zh', wan=True)}" in text
    page.get_by_role("link", name="查看总览").click()
    wait_for(page, "() => location.pathname.endsWith('/overview') || location.pathname === '/'", "the overview")
    page.wait_for_selector(READY)
    wait_for(page, "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 1", "the cards")
    text = main_text(page)
    assert "金堂县 · 4月12日" in text  # the new snapshot, without a restart
    assert f"{i18n.fmt_count(sampled, 'zh', wan=True)} / " in text  # sampled, county-wide
    assert "16 / 16 个乡镇/街道已报告" in text
    assert page.external == [], "nothing may be fetched from the internet"
    page.close()


def test_screenshots_of_the_data_pages_and_nothing_overflows(browser, server):
    """The import page with a good and a bad file checked, and the settings page (through the sidebar), in both
    languages, on a laptop and a phone; the uploader's own words in the page's language before the upload."""
    bad = FIXTURES / "taichen_screening_20220429.csv"  # another county's villages: names not in this unit list
    for lang in ("zh", "en"):
        page = open_page(browser, server, f"/import?lang={lang}")
        assert_the_uploader_speaks(page, lang)
        upload(page, REPORT, bad)
        assert ("Names that match no unit" if lang == "en" else "未能匹配的单位名称") in main_text(page)
        shoot_at_each_size(page, f"import-{lang}")
        page.get_by_role("tab", name=i18n.t("imp_tab_history", lang)).click()
        shoot_at_each_size(page, f"import-history-{lang}")
        via_sidebar(page, i18n.t("page_settings", lang))
        assert "/settings" in page.url, page.url
        shoot_at_each_size(page, f"settings-{lang}")
        page.close()


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """`streamlit run app.py` on an empty store: a clerk's first day."""
    db = tmp_path_factory.mktemp("first-day") / "county.duckdb"
    Store(db).create()
    with streamlit_server(db) as base:
        yield base


def test_a_real_county_goes_from_an_empty_store_to_its_map_in_the_browser(browser, empty_server, tmp_path):
    """大邑县's real unit list, a boundary zip with its parts in a folder, and an old .xls report, uploaded together on
    数据导入 and confirmed in the setup order; the map, through the sidebar, then draws every township of the list."""
    from dashboard.output.import_model import Upload
    from tests.county_files import DIVISIONS, division, polygons, shapefile_zip

    files = [FIXTURES / "reports" / "大邑县核酸检测进度统计表_20220511.xls",
             shapefile_zip(polygons("dayi", levels=("township",)), tmp_path / "乡镇界.zip"), DIVISIONS / "dayi.csv"]
    towns = division("dayi").query("区划代码.str.endswith('000') and not 区划代码.str.endswith('000000')")
    page = open_page(browser, empty_server, "/import")
    assert "还没有单位名录" in main_text(page)
    upload(page, *files)
    for path in reversed(files):  # units, boundaries, then the report
        key = Upload(path.name, path.read_bytes()).key
        page.locator(f"[class*='st-key-imp-confirm-{key}'] button").click()
        wait_for(page, f"""() => !document.querySelector("[class*='st-key-imp-confirm-{key}']")""",
                 f"{path.name} to be stored")
        page.wait_for_selector(READY)
    assert "Traceback" not in main_text(page)
    via_sidebar(page, i18n.t("page_map", "zh"))  # on to the map as the clerk would, in the same tab (a rerun)
    wait_for(page, MAP_READY, "the map to draw")
    drawn = page.evaluate(MAP_CODES)
    assert set(drawn) == set(towns["区划代码"])
    assert "大邑县" in main_text(page) and page.external == []
    page.close()
