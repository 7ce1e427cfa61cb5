"""The 简报 page in Chromium: the present view fills a 1920×1080 screen without scrolling, and the downloads work.

Uses the server, browser and page helpers of tests/test_browser.py (a
`streamlit run app.py` on a copy of the demo store). Screenshots of the
present view (zh, en) and of the page at 1440×900 and 390×844 go to
tests/screenshots/. Skips without /usr/bin/chromium, fails instead under CI=true.
"""
from __future__ import annotations

import io

import pandas as pd
import pytest
from pptx import Presentation

from dashboard import i18n
from dashboard.analysis import rollup
from dashboard.example.demo_data import DEMO_DOMAINS
from tests.test_browser import (MAP_READY, SHOTS, in_language, open_page, pytestmark,  # noqa: F401
                                shoot_at_each_size, via_sidebar, wait_for)

TOWNSHIP = "990101101000"
SLIDE = ".st-key-briefing-slide"
PARTS = {"title": f"{SLIDE} h1", "indicators": f"{SLIDE} [data-testid='stMetric']",
         "map": f"{SLIDE} [data-testid='stImage'] img", "gap table": f"{SLIDE} table.briefing-gaps"}


def boxes(page, selector: str) -> list[dict]:
    return page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel)).map(e => {
        const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })""",
                         selector)


@pytest.mark.parametrize("lang, query, width, height", [
    ("zh", "", 1920, 1080),                                           # a projector, 16:9
    ("en", f"&lang=en&unit={TOWNSHIP}&domain=testing", 1440, 900),    # a laptop, 16:10
    ("zh", f"&unit={TOWNSHIP}", 1366, 768),                           # a small laptop, 16:9
])
def test_present_view_fits_a_16_9_or_16_10_screen_whole(browser, server, lang, query, width, height):
    page = open_page(browser, server, f"/briefing?present=1{query}", width, height)
    wait_for(page, f"() => {{ const i = document.querySelector(\"{PARTS['map']}\"); return !!(i && i.complete); }}",
             "the map picture")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"briefing-present-{lang}-{width}x{height}.png"))
    found = {name: boxes(page, selector) for name, selector in PARTS.items()}
    assert [len(found[n]) for n in PARTS] == [1, 3, 1, 1], found
    for name, items in found.items():
        for box in items:
            assert box["top"] >= 0 and box["left"] >= 0 and box["bottom"] <= height and box["right"] <= width, \
                (name, box)
    scroll = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
        const wrap = document.querySelector('.briefing-gaps-wrap');
        return [m.scrollHeight - m.clientHeight, document.documentElement.scrollHeight - innerHeight,
                document.documentElement.scrollWidth - innerWidth, wrap.scrollWidth - wrap.clientWidth]; }""")
    assert max(scroll) <= 1, f"the present view scrolls (or cuts the table's last column): {scroll}"
    hidden = page.evaluate("""() => ['stSidebar', 'stHeader', 'stToolbar'].map(id => {
        const e = document.querySelector(`[data-testid="${id}"]`); return !e || e.getBoundingClientRect().width === 0
            || getComputedStyle(e).display === 'none'; })""")
    assert all(hidden), f"sidebar, header, toolbar hidden: {hidden}"
    assert page.locator(".st-key-breadcrumb").is_hidden()
    rows = page.locator(f"{SLIDE} table.briefing-gaps tbody tr").count()
    assert 1 <= rows <= 8
    assert page.external == [], page.external
    page.close()


def test_present_view_on_a_phone_stacks_without_cutting_anything(browser, server):
    """At 390×844 the slide is not zoomed to a strip: its parts stack at full width and the page scrolls down."""
    page = open_page(browser, server, "/briefing?present=1", 390, 844)
    wait_for(page, f"() => {{ const i = document.querySelector(\"{PARTS['map']}\"); return !!(i && i.complete); }}",
             "the map picture")
    found = {name: boxes(page, selector) for name, selector in PARTS.items()}
    assert [len(found[n]) for n in PARTS] == [1, 3, 1, 1], found
    assert all(box["left"] >= 0 and box["right"] <= 390 for items in found.values() for box in items), found
    assert found["indicators"][0]["right"] - found["indicators"][0]["left"] > 300  # a card is the phone's width
    page.screenshot(path=str(SHOTS / "briefing-present-zh-390x844.png"))
    page.close()


def test_page_screenshots_and_nothing_overflows(browser, server):
    """The page in both languages, on a laptop and a phone. One tab: Chinese, then English through the language
    switch and the page again through the sidebar (drawn anew in English, as tests/test_browser.py's screenshots)."""
    page = open_page(browser, server, "/briefing?lang=zh")
    shoot_at_each_size(page, "briefing-zh")
    in_language(page, "en")
    via_sidebar(page, i18n.t("page_briefing", "en"))
    assert "/briefing" in page.url and "lang=en" in page.url, page.url
    shoot_at_each_size(page, "briefing-en")
    page.close()


def test_deck_and_gap_table_download_from_the_page(browser, server, demo_store):
    page = open_page(browser, server, "/briefing?domain=testing")
    link = page.locator("[data-testid='stLinkButton'] a").first
    assert link.evaluate("a => a.href") == f"{server}/briefing?domain=testing&present=1"
    with page.expect_download() as caught:
        page.locator(".st-key-briefing-pptx button").first.click()
    deck = Presentation(caught.value.path())
    assert caught.value.suggested_filename == "简报_示范县_2022-05-07.pptx"
    assert len(deck.slides) == 2 + len(DEMO_DOMAINS)
    ratio = rollup.rollup(demo_store, "990101000000", "testing").unit["testing_coverage_ratio"]
    assert any(i18n.fmt_percent(ratio) in shape.text_frame.text for shape in deck.slides[2].shapes
               if shape.has_text_frame)
    with page.expect_download() as caught:
        page.locator("[class*='st-key-briefing-gaps-'][class*='-csv'] button").first.click()
    table = pd.read_csv(io.BytesIO(open(caught.value.path(), "rb").read()), encoding="utf-8-sig")
    assert list(table.columns) == ["序号", "名称", "状态", "完成率", "缺口（人）", "较上次（百分点）"]
    assert list(table["名称"]) == [page.locator(f"{SLIDE} table.briefing-gaps tbody tr").nth(i)
                                   .locator("td").nth(1).inner_text() for i in range(len(table))]
    with page.expect_download() as caught:
        page.locator("[class*='st-key-briefing-img-'][class*='testing_map-png'] button").first.click()
    assert caught.value.suggested_filename.endswith("_testing_map.png")
    assert open(caught.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert page.external == []
    page.close()
