"""Unit names are data, never markup: every page in Chromium on a store whose units carry hostile names.

The demo county is renamed `<img src=x onerror=alert(1)>`, its townships and
城关镇's villages get script tags, Markdown, formulas, SQL, TeX, Plotly and
pydeck template syntax (tests/helpers.py), through the units file like any
county's renames. Each page must run no script (no dialog opens, no request
for `x` is made, no element carries an inline handler or a `javascript:` link)
and show the names literally: in titles, the breadcrumb, buttons, legends,
Plotly and pydeck tooltips and the briefing's gap table.

Reuses the server and browser of tests/test_browser.py; skips without
Chromium except under CI=true, where it fails.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from dashboard.analysis import rollup
from dashboard.benchmark import browser as bench_browser
from dashboard.intake import units
from dashboard.storage.store import Store
from tests.helpers import DEMO_COUNTY, DEMO_TOWNSHIP, HOSTILE_COUNTY, HOSTILE_NAMES, hostile_units_csv
from tests.test_browser import (_REASON, MAP_READY, PATIENCE_MS, PLOTS_READY, READY, SHOTS, TOOLTIP,  # noqa: F401
                                hover_until_tooltip, rerun, streamlit_server, via_sidebar, wait_for)

pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")

SCRIPTED = """() => ({
    img: document.querySelectorAll('img[src="x"]').length,
    handlers: document.querySelectorAll('[onerror],[onload],[onmouseover],[onclick]').length,
    js_links: document.querySelectorAll('a[href^="javascript"]').length,
    scripts: Array.from(document.scripts).filter(s => s.textContent.includes('alert(1)')).length,
    svg: document.querySelectorAll('svg[onload]').length })"""
CLEAN = {"img": 0, "handlers": 0, "js_links": 0, "scripts": 0, "svg": 0}


@pytest.fixture(scope="module")
def hostile(demo_store_path, tmp_path_factory):
    """(server URL, store): a copy of the demo store after a units file renamed its units to hostile names."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "hostile.duckdb"
    shutil.copyfile(demo_store_path, db)
    store = Store(db)
    units.load_units(store, hostile_units_csv(store, folder), dt.date(2022, 4, 1))
    store.close()
    with streamlit_server(db) as base:
        yield base, store


def visit(browser, base: str, path: str, width: int = 1440, height: int = 1000):  # noqa: F811
    """A tab on `path` that records every dialog (dismissed) and every request for a path ending in /x."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(PATIENCE_MS)
    page.dialogs, page.fetched_x = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda r: page.fetched_x.append(r.url) if r.url.rstrip("/").endswith("/x") else None)
    page.add_init_script(bench_browser.WATCH)  # counts the server's messages, for a switch through the sidebar
    page.goto(base + path)
    page.wait_for_selector(READY)
    return page


def assert_inert(page, what: str) -> None:
    page.wait_for_timeout(300)  # an onerror would have fired by now
    assert page.dialogs == [], f"{what}: a script ran ({page.dialogs})"
    assert page.fetched_x == [], f"{what}: an <img src=x> was created"
    assert page.evaluate(SCRIPTED) == CLEAN, what


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def _shows_the_county_name_as_text_and_runs_nothing(page, name: str) -> None:
    if page.locator(".js-plotly-plot").count():
        wait_for(page, PLOTS_READY, f"the charts of {name} to draw")
    title = page.locator("[data-testid='stMain'] h1").first.inner_text()
    assert HOSTILE_COUNTY in title, (name, title)
    page.screenshot(path=str(SHOTS / f"hostile-{name}.png"))
    assert "Traceback" not in main_text(page), name
    assert_inert(page, name)


def test_every_page_shows_the_county_name_as_text_and_runs_nothing(browser, hostile):  # noqa: F811
    """One tab: the overview, each page of the menu through the sidebar (the domain carried over), then the
    briefing's present view (its own URL, a full load)."""
    base, _ = hostile
    page = visit(browser, base, "/?domain=testing")
    _shows_the_county_name_as_text_and_runs_nothing(page, "overview")
    for title, path in bench_browser.PAGES[1:6]:  # 地图 缺口 趋势 数据质量 简报
        via_sidebar(page, title)
        assert page.url.split("?")[0].endswith(path) and "domain=testing" in page.url, page.url
        _shows_the_county_name_as_text_and_runs_nothing(page, path.strip("/"))
    page.goto(base + "/briefing?present=1")
    page.wait_for_selector(READY)
    _shows_the_county_name_as_text_and_runs_nothing(page, "briefing-present")
    page.close()


def test_the_breadcrumb_the_drill_list_and_the_grid_tooltips_show_names_literally(browser, hostile):  # noqa: F811
    """The township's map: its breadcrumb and focus list; then, the grids switch on (a rerun of the same tab), the
    WebGL map's tooltips: pydeck tooltips take HTML; the grids map passes plain text, so a village named <b ...>
    shows its tags."""
    base, store = hostile
    township = rollup.unit(store, DEMO_TOWNSHIP)["name"]
    page = visit(browser, base, f"/map?unit={DEMO_TOWNSHIP}")
    wait_for(page, MAP_READY, "the map to draw")
    crumb = page.locator(".st-key-breadcrumb").inner_text()
    assert HOSTILE_COUNTY in crumb and township in crumb, crumb  # '[click](javascript:alert(1))', not a link
    villages = set(store.query("unit_children", code=DEMO_TOWNSHIP)["name"])
    shown = main_text(page)
    assert sum(name in shown for name in villages) >= 3, shown  # the focus list names villages literally
    assert page.locator("[data-testid='stMain'] strong", has_text="bold").count() == 0  # **bold** stays asterisks
    assert_inert(page, "breadcrumb")
    rerun(page, lambda p: p.locator(".st-key-ctl-grids label").click())
    assert "grids=1" in page.url, page.url
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for()
    page.wait_for_timeout(1500)  # deck.gl draws after the script finishes
    box = canvas.bounding_box()
    tip = ""
    for fx, fy in ((0.5, 0.5), (0.4, 0.45), (0.6, 0.55), (0.45, 0.6), (0.55, 0.4), (0.35, 0.5), (0.65, 0.5)):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, steps=3)
        page.wait_for_timeout(250)
        tip = page.evaluate("() => Array.from(document.querySelectorAll('.deck-tooltip'))"
                            ".map(e => e.style.display === 'none' ? '' : e.textContent).join('')")
        if any(name in tip for name in villages):
            break
    assert any(name in tip for name in villages), tip
    assert page.locator(".deck-tooltip img, .deck-tooltip b, .deck-tooltip svg").count() == 0
    assert_inert(page, "grid tooltip")
    page.close()


def test_map_tooltips_show_hostile_names_as_text(browser, hostile):  # noqa: F811
    """Map tooltips show names as text: <script>, <b onmouseover>, %{customdata[0]} {tip} must come out as typed.
    One map, each hostile township hovered in turn."""
    base, store = hostile
    page = visit(browser, base, "/map")
    wait_for(page, MAP_READY, "the map to draw")
    for code in ("990101001000", "990101102000", "990101103000", "990101109000"):
        name = rollup.unit(store, code)["name"]
        hover_until_tooltip(page, code, name)
        assert page.locator("#vg-tooltip-element img, #vg-tooltip-element script, #vg-tooltip-element b").count() == 0
        assert_inert(page, f"tooltip of {name}")
    page.close()


def test_legends_small_multiples_and_the_briefing_table_show_names_literally(browser, hostile):  # noqa: F811
    base, store = hostile
    townships = list(store.query("unit_children", code=DEMO_COUNTY)["name"])
    page = visit(browser, base, "/trends?domain=testing", 1440, 2400)
    legend = "() => Array.from(document.querySelectorAll(\"[data-testid='stVegaLiteChart'] .role-legend text\"))" \
             ".map(e => e.textContent)"
    wait_for(page, f"() => ({legend})().length > 0", "the trend (Vega-Lite) to draw")
    assert HOSTILE_COUNTY in page.evaluate(legend), page.evaluate(legend)
    page.locator("[data-testid='stMain'] label", has_text="小图").first.click()
    wait_for(page, "() => document.querySelectorAll('.js-plotly-plot').length >= 1", "the small multiples")
    wait_for(page, PLOTS_READY, "the small multiples to draw")
    titles = page.evaluate("() => Array.from(document.querySelectorAll('.annotation-text')).map(e => e.textContent)")
    assert set(townships) <= set(titles), titles  # every panel titled with its township exactly as named
    assert_inert(page, "trends")
    via_sidebar(page, "简报")
    table = page.locator("table.briefing-gaps").inner_text()
    assert sum(name in table for name in townships) >= 3, table
    assert_inert(page, "briefing gap table")
    page.close()
