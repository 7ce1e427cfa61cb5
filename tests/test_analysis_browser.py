"""The analyst pages in a real browser (Debian's Chromium via Playwright, `streamlit run app.py` on the demo store).

Checks what AppTest cannot: the charts draw, nothing is fetched from the
internet, nothing overflows at phone width, and a flag's relative link really
resolves to the overview at that unit. Screenshots of each page in both
languages at 1440×900 and 390×844 go to tests/screenshots/ (git-ignored).
Same server fixture pattern as tests/test_browser.py; skips without Chromium
except under CI=true, where it fails.
"""
from __future__ import annotations

import pytest

from dashboard import i18n
from tests.test_browser import (_REASON, PLOTS_READY, READY, SHOTS, in_language, open_page,  # noqa: F401
                                shoot_at_each_size, via_sidebar, wait_for)

pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")

PAGES = (("page_gaps", "gaps"), ("page_trends", "trends"), ("page_quality", "quality"))


def test_analysis_screenshots_and_nothing_overflows(browser, server):  # noqa: F811
    """Each analysis page in both languages, on a laptop and a phone. One tab on the testing domain: the pages
    through the sidebar, English through the language switch, then the pages again (drawn anew in English)."""
    page = open_page(browser, server, "/gaps?domain=testing")
    for lang in ("zh", "en"):
        if lang != "zh":
            in_language(page, lang)
        for key, name in PAGES:
            if (key, lang) != ("page_gaps", "zh"):
                via_sidebar(page, i18n.t(key, lang))
            assert f"/{name}" in page.url and "domain=testing" in page.url, page.url
            shoot_at_each_size(page, f"{name}-{lang}")
            assert "Traceback" not in page.locator("[data-testid='stMain']").inner_text()
    page.close()


def test_small_multiples_draw_one_panel_per_township(browser, server, demo_store):  # noqa: F811
    towns = len(demo_store.query("unit_children", code="990101000000"))
    page = open_page(browser, server, "/trends?domain=testing", 1440, 1600)
    page.get_by_text("全部下辖乡镇/街道小图").click()
    # a bound for a busy machine (two workers, a browser and servers on 2 cores), not a performance limit
    # the main chart is Vega-Lite's: the small multiples are the page's one Plotly figure
    wait_for(page, "() => document.querySelectorAll('.js-plotly-plot').length === 1", "the small multiples")
    page.wait_for_selector(READY)
    wait_for(page, PLOTS_READY, "the small multiples to draw")
    panels = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[0].data.length")
    assert panels == towns * 2  # a line and its target per township
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "trends-multiples-zh-1440x1600.png"))
    assert page.external == []
    page.close()


def test_a_flag_link_resolves_to_the_overview_at_its_unit(browser, server, demo_store):  # noqa: F811
    from dashboard.analysis import quality, rollup
    from dashboard.example.demo_data import COUNTY_CODE, LAST_DATE
    from dashboard.ui.analysis_data import overview_link

    flag = quality.anomalies(demo_store, COUNTY_CODE, "testing", LAST_DATE, LAST_DATE).iloc[0]
    page = open_page(browser, server, "/quality?domain=testing")
    target = page.evaluate("(link) => new URL(link, location.href).href",
                           overview_link(flag["code"], flag["snapshot_date"], "testing", "zh"))
    page.goto(target)
    page.wait_for_selector(READY)
    wait_for(page, "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length === 3", "the overview's cards")
    title = page.locator("[data-testid='stMain'] h1").inner_text()
    assert title.startswith(str(rollup.unit(demo_store, flag["code"])["name"]))
    page.close()
