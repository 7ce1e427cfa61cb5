"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against `streamlit run app.py`.

Checks what AppTest cannot: a click on a map polygon drills in (URL, breadcrumb,
the map redrawn with the villages), a deep link in English, the view kept
across a sidebar page switch, no request leaves the machine, nothing overflows
at phone width. Screenshots of each page in both languages at 1440×900 and
390×844 go to tests/screenshots/ (git-ignored) for a human to look at.

Skips when /usr/bin/chromium is missing, except under CI=true, where it fails.
"""
from __future__ import annotations

import json
import os
import pathlib
import re

import pytest

from dashboard import i18n
from dashboard.analysis import rollup
from dashboard.benchmark import browser as bench_browser
from dashboard.benchmark.browser import PATIENCE_MS
from dashboard.storage import geo
from dashboard.storage.store import Store

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
SHOTS.mkdir(exist_ok=True)
TOWNSHIP = "990101101000"  # 城关镇
VILLAGE = "990101101001"  # 府前北社区, 14 grids named 第1网格 … 第14网格
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
PLOTS_READY = """() => { const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
    return plots.length > 0 && plots.every(gd => gd._fullLayout && gd.querySelector('.main-svg')
        && (!gd._fullLayout.geo || gd.querySelector('.choroplethlayer path'))); }"""
DRAWN_SOMETHING = "[data-testid='stMain'] [data-testid='stElementContainer']"
DRAWN = "() => !document.querySelector(\"[data-testid='stSkeleton']\")"
MAP_READY = bench_browser.MAP_DRAWN
# The codes of the units the map draws (each shape is labelled "name code"), and the text of its open tooltip.
MAP_CODES = f"""() => Array.from(document.querySelectorAll("{bench_browser.MAP_SHAPES}"))
    .map(p => p.getAttribute('aria-label').split(' ').pop())"""
TOOLTIP = "() => (document.querySelector('#vg-tooltip-element.visible') || {}).textContent || ''"


_REASON = bench_browser.missing()
if _REASON and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot be skipped in CI: {_REASON}")
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


def streamlit_server(db):
    """`streamlit run app.py` on a free port with DASHBOARD_DB=db (the benchmark's own server, one way to start it)."""
    return bench_browser.served(bench_browser.SERVER, db)


def launched_browser():
    """Headless Chromium through Playwright; the session's `browser` fixture (tests/conftest.py) holds one."""
    return bench_browser.launched()


PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.0 Mobile/15E148 Safari/604.1")  # a phone says so; a page may lay out for it


def open_page(browser, server, path: str, width: int = 1440, height: int = 900):
    """A new tab on `path`, after the script has run (a phone's browser where the screen is a phone's); requests
    leaving the machine are collected in `.external`."""
    page = browser.new_page(viewport={"width": width, "height": height}, user_agent=PHONE_UA if width <= 640 else None)
    page.set_default_timeout(PATIENCE_MS)
    page.external = []
    page.on("request", lambda r: page.external.append(r.url)
            if not r.url.startswith((server, "data:", "blob:")) else None)
    page.add_init_script(bench_browser.WATCH)  # counts the server's messages, for `rerun`
    page.goto(server + path)
    page.wait_for_selector(DRAWN_SOMETHING)  # the page is "not running" before its first run, too
    page.wait_for_selector(READY)
    page.wait_for_function(DRAWN)  # an element whose code is still loading is a grey skeleton
    return page


def rerun(page, act) -> None:
    """`act(page)` (a click that reruns the script), then waits until the rerun is drawn: the server sent something
    since, the script finished, every chart drew and nothing came for 300 ms (the benchmark's "done"). One tab
    then shows several pages or languages for the cost of a rerun each, where a full load costs several times
    that (Streamlit's whole front end started again in a new tab)."""
    if page.viewport_size["width"] < 768:  # the sidebar folds away at a phone's width
        for _ in at_each_size(page, "the page", sizes=(SIZES[0],)):
            pass
    bench_browser.interaction(page, act)


def via_sidebar(page, title: str) -> None:
    """The sidebar's link to the page titled `title`, as a person switches pages (the view's parameters carry over)."""
    rerun(page, lambda p: p.locator("[data-testid='stSidebarNav'] a", has_text=title).click())


def in_language(page, lang: str) -> None:
    """The sidebar's language switch to `lang`; the URL then says so (lang=en, or no lang for Chinese)."""
    rerun(page, lambda p: p.locator(".st-key-ctl-lang button", has_text=i18n.t(f"lang_{lang}", lang)).click())
    wait_for(page, f"() => location.search.includes('lang=en') === {str(lang == 'en').lower()}",
             f"the URL to say the language {lang}")


def wait_map(page) -> None:
    wait_for(page, MAP_READY, "the map to draw")


def wait_for(page, script: str, what: str) -> None:
    """page.wait_for_function with a failure that says what did not happen and where the page was."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(script)
    except PlaywrightTimeout:
        page.screenshot(path=str(SHOTS / "failure.png"))
        raise AssertionError(f"timed out waiting for {what}; page at {page.url}") from None


def hover_until_tooltip(page, code: str, text: str, tries: int = 6) -> tuple[float, float]:
    """The mouse onto the unit `code` on the map until Vega's tooltip shows `text`; returns where. A hover that lands
    while the chart is being drawn again (a rerun's last message, a resize) shows nothing and no later event comes,
    so after a few quiet seconds the hand moves onto the unit again, as a person would; the tooltip must still say
    `text` (never markup) or the test fails."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wanted = f"() => ({TOOLTIP})().includes({json.dumps(text)})"
    for _ in range(tries):
        x, y = bench_browser.hover_on_map(page, code)
        try:
            page.wait_for_function(wanted, timeout=PATIENCE_MS / tries)
            return x, y
        except PlaywrightTimeout:
            page.mouse.move(0, 0)
    page.screenshot(path=str(SHOTS / "failure.png"))
    raise AssertionError(f"timed out waiting for the tooltip to show {text}; page at {page.url}")


SIZES = ((1440, 900), (390, 844))  # a laptop, a phone
OVERFLOW = """() => { const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    return main.scrollWidth - main.clientWidth; }"""


def overflow(page) -> int:
    """How far the main column scrolls sideways, in px (0 when it fits)."""
    return page.evaluate(OVERFLOW)


def at_each_size(page, what: str, sizes=SIZES):
    """Yields each (width, height) once the page is laid out at it: one script run serves every size, as the
    layout is the browser's (CSS breakpoints; charts follow their container), and a narrow window folds the
    sidebar as a phone's first load does."""
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        if width < 768:
            page.wait_for_selector("[data-testid='stSidebar'][data-collapsed='true']", state="attached")
        else:  # Streamlit unfolds it again when the window widens
            page.wait_for_selector("[data-testid='stSidebar'][data-collapsed='false']", state="attached")
        if page.locator(".js-plotly-plot").count():
            wait_for(page, PLOTS_READY, f"{what} to draw at {width}px")
        page.wait_for_timeout(300)  # last paint of the charts at this size
        yield width, height


def shoot_at_each_size(page, name: str) -> None:
    """tests/screenshots/<name>-<width>x<height>.png at each size; the main column never scrolls sideways and
    nothing was fetched from outside the machine."""
    for width, height in at_each_size(page, name):
        page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"))
        assert overflow(page) <= 1, f"{name} at {width}px overflows by {overflow(page)}px"
    assert page.external == [], page.external


def drill_into_a_township(page, demo_store) -> None:
    """On the county's map: a hover on 城关镇 names it in the tooltip, a click drills into it (URL, breadcrumb, the
    map redrawn with its villages)."""
    name = rollup.unit(demo_store, TOWNSHIP)["name"]
    x, y = hover_until_tooltip(page, TOWNSHIP, name)
    tooltip = page.evaluate(TOOLTIP)
    assert "%" in tooltip and "/" in tooltip, tooltip  # ratio and numerator / denominator
    page.wait_for_timeout(300)  # Streamlit binds the selection handler just after the first draw
    page.mouse.click(x, y)
    wait_for(page, f"() => location.search.includes('unit={TOWNSHIP}')", "the URL to name the township")
    wait_for(page, f"() => {{ const c = ({MAP_CODES})(); return c.length > 0 && c.every(c => c.startsWith('{TOWNSHIP[:9]}')); }}",
             "the map to show the township's villages")
    assert name in page.locator(".st-key-breadcrumb").inner_text()
    villages = set(demo_store.query("unit_children", code=TOWNSHIP)["code"])
    assert set(page.evaluate(MAP_CODES)) == villages
    assert page.external == [], "the map must not fetch anything from the internet"


# The names shown on the map (a hidden layer's are not), each with its box on the screen and the unit drawn under
# its centre (the shape there: names take no pointer events, so the shape is what a hand would point at).
LABELS = f"""() => {{ const shapes = Array.from(document.querySelectorAll("{bench_browser.MAP_SHAPES}"));
    return Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] :is(.labels_marks, .labels_wide_marks) text"))
      .filter(t => t.getBoundingClientRect().width > 0)
      .map(t => {{ const b = t.getBoundingClientRect(), x = b.left + b.width / 2, y = b.top + b.height / 2;
        const under = document.elementsFromPoint(x, y).find(e => shapes.includes(e));
        return {{text: t.textContent, x, y, under: under ? under.getAttribute('aria-label') : null,
                 box: [b.left, b.top, b.right, b.bottom]}}; }}); }}"""


def on_own_unit(label: dict, named) -> bool:
    """The shape under the label's centre is the unit it names (the shape is labelled "name code")."""
    return label["under"] == f"{label['text']} {named.loc[label['text'], 'code']}"


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes on the screen overlap (one name written over another)."""
    return [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if a["box"][0] < b["box"][2] and b["box"][0] < a["box"][2] and a["box"][1] < b["box"][3]
            and b["box"][1] < a["box"][3]]


def test_the_map_fills_its_column_names_more_units_where_it_is_wider_and_a_click_drills_in(browser, server,
                                                                                          demo_store):
    """The county's map is the page's largest thing on a laptop; on a phone it takes the screen's width. A wider map
    names small central 街道 a phone's cannot; at both widths no name is written over another, each sits on
    its own unit, and the names that are not on the map are listed under it. Then, on the laptop's map (the same
    load), a click on a township drills into it."""
    shapes = geo.child_shapes(demo_store, rollup.unit(demo_store, "990101000000"))
    named = shapes.merge(demo_store.query("unit_children", code="990101000000")[["code", "name"]]).set_index("name")
    small = {n for n in named.index if n.endswith("街道")}
    shown = {}
    for width, height in SIZES:
        page = open_page(browser, server, "/map", width, height)
        wait_map(page)
        box = page.locator("[data-testid='stVegaLiteChart']").first.bounding_box()
        main = page.evaluate("""() => { const c = document.querySelector("[data-testid='stMainBlockContainer']"),
            style = getComputedStyle(c); return c.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight); }""")
        drawn = page.locator("[data-testid='stVegaLiteChart'] g.mark-shape").first.bounding_box()  # the shapes
        assert drawn["width"] >= (0.6 if width > 800 else 0.9) * main and drawn["height"] >= 300, (drawn, main)
        assert box["height"] - drawn["height"] <= 0.1 * box["height"], (box, drawn)  # no empty band (a margin)
        labels = page.evaluate(LABELS)
        assert overlapping(labels) == [], (width, overlapping(labels))
        for label in labels:
            assert on_own_unit(label, named), label
        shown[width] = {label["text"] for label in labels}
        listed = page.locator("[class*='st-key-unlabelled-']").filter(visible=True).all_inner_texts()
        assert all(any(n in line for line in listed) for n in set(named.index) - shown[width]), (width, listed)
        assert not any(n in line for line in listed for n in shown[width]), (width, listed)
        assert page.external == []
        if width > 800:
            drill_into_a_township(page, demo_store)
        page.close()
    assert small & shown[1440] and not small & shown[390], shown  # the wider map names central 街道
    assert shown[390] < shown[1440]


def test_grid_labels_on_the_map_read_as_the_lists_write_them(browser, server, demo_store):
    """A village's grids are labelled 第10网格 (ASCII digits, as in the list beside the map, not full-width), each
    label on its own grid, nothing fetched for them, and a hover through a label still reaches the unit."""
    shapes = geo.child_shapes(demo_store, rollup.unit(demo_store, VILLAGE))
    named = shapes.merge(demo_store.query("unit_children", code=VILLAGE)[["code", "name"]]).set_index("name")
    for width, height in SIZES:
        page = open_page(browser, server, f"/map?unit={VILLAGE}", width, height)
        wait_map(page)
        labels = page.evaluate(LABELS)
        texts = [label["text"] for label in labels]
        two_digits = [t for t in texts if re.fullmatch(r"第1\d网格", t)]  # 第10网格 … as the list writes them
        assert two_digits and len(texts) == len(set(texts)) and set(texts) <= set(named.index), texts
        assert overlapping(labels) == [], (width, overlapping(labels))
        for label in labels:
            assert on_own_unit(label, named), label
        buttons = page.locator("[class*='st-key-focus-'] button").all_inner_texts()  # 第2网格：93.2%，还差 3 户
        listed = " ".join(page.locator("[class*='st-key-unlabelled-']").filter(visible=True).all_inner_texts())
        for name in (b.split("：")[0].split()[-1] for b in buttons):  # on the map or named under it, written alike
            assert (name in texts) != bool(re.search(f"(^|[：:、 ]){name}($|[、，, ])", listed)), (width, name, listed)
        first = labels[0]
        page.mouse.move(first["x"] - 3, first["y"] - 3)
        page.mouse.move(first["x"], first["y"], steps=3)
        wait_for(page, f"() => ({TOOLTIP})().includes('{first['text']}')", "the tooltip under a label")
        assert page.external == []
        page.close()


def test_deep_link_in_english_and_page_switch_keeps_the_view(browser, server):
    page = open_page(browser, server, f"/map?unit={TOWNSHIP}&date=2022-05-01&ind=booster_coverage&lang=en")
    body = page.locator("[data-testid='stMain']")
    assert "城关镇 · May 1" in body.locator("h1").inner_text()
    # the legend is drawn with the map, which may come a moment after the first idle state on a busy machine
    wait_for(page, """() => document.querySelector("[data-testid='stMain']").innerText
                                .includes('Booster coverage (target 60.0%)')""", "the English legend of the map")
    page.locator("[data-testid='stSidebarNav'] a", has_text="Overview").click()
    wait_for(page, f"() => location.search.includes('unit={TOWNSHIP}')", "the overview URL to keep the unit")
    page.wait_for_selector(READY)
    wait_for(page, "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length === 3", "three cards")
    assert "lang=en" in page.url and "date=2022-05-01" in page.url and "ind=booster_coverage" in page.url
    assert "Testing · Testing coverage of residents" in body.inner_text()
    via_sidebar(page, "Map")
    in_language(page, "zh")  # the pickers show the new language's words at once, not after the page is left
    assert page.locator(".st-key-ctl-date input").input_value() == "5月1日"
    assert page.locator(".st-key-map-ind input").input_value() == "加强免疫接种率"
    assert page.external == []
    page.close()


def test_screenshots_and_nothing_overflows(browser, server):
    """Each page in both languages, on a laptop and a phone; the main column never scrolls sideways. One tab: the
    overview, the map through the sidebar, English through the language switch, then each page again through the
    sidebar (drawn anew in English: the switch's own rerun leaves some widgets' labels in Chinese)."""
    page = open_page(browser, server, "/")
    shoot_at_each_size(page, "overview-zh")
    via_sidebar(page, i18n.t("page_map", "zh"))
    shoot_at_each_size(page, "map-zh")
    in_language(page, "en")
    for key, name in (("page_overview", "overview"), ("page_map", "map")):
        via_sidebar(page, i18n.t(key, "en"))
        shoot_at_each_size(page, f"{name}-en")
    page.close()


def test_the_browser_benchmark_times_a_page_a_load_and_a_rerun(browser, demo_store_path):
    """`bench --browser` on one page: a full load after a real load of the store (the CLI ran it), warm loads, a date
    change, each settled (script done, charts drawn) with what the server sent; the empty app as the baseline."""
    result = bench_browser.run(demo_store_path, repeat=1, pages=bench_browser.PAGES[:1], chromium=browser)
    assert result["loads"] == 1
    overview = result["pages"]["/"]
    for measure in (result["baseline"]["full_load"], result["baseline"]["rerun"], overview["warm"],
                    overview["after_load"], result["actions"]["date change /"]):
        assert measure["ms"] > 0 and measure["ws_bytes"] > 0
        assert measure["last_message_ms"] <= measure["ms"] + 1  # done is after the server's last message
    assert overview["warm"]["ws_bytes"] > 10 * result["baseline"]["full_load"]["ws_bytes"]  # it is the dashboard
    floor = result["floors"]["chart"]  # the overview's floor: its chart and metrics on the empty app's page
    assert list(result["floors"]) == ["chart"] and floor["full_load"]["ms"] > 0 and floor["rerun"]["ms"] > 0
    assert floor["full_load"]["ws_bytes"] > 2 * result["baseline"]["full_load"]["ws_bytes"]  # it drew the chart
    assert floor["rerun"]["ws_bytes"] > 5_000  # the rerun sent the chart's new values
    table = bench_browser.markdown(result)
    assert "总览 `/`" in table and "date change /" in table and "×" in table and "× chart" in table
    assert "| chart |" in table


def test_the_map_floor_draws_the_county_map_the_dashboard_draws(demo_store_path):
    """The benchmark's map floor is the dashboard's own choropleth spec over the county's shapes (simplified as the
    map page does), less the names: what it measures is the same element with the same data; its Plotly floor
    draws the same shapes, framed, with nothing fetched."""
    floor = bench_browser.floor_data(demo_store_path)
    store = Store(demo_store_path)
    shapes = geo.child_shapes(store, rollup.unit(store, store.query("root_units")["code"].iloc[0]))
    assert sorted(floor["codes"]) == sorted(shapes["code"]) and len(floor["codes"]) >= 10
    assert [f["id"] for f in floor["map"]["datasets"]["shapes"]] == floor["codes"]
    assert [row["code"] for row in floor["map"]["layer"][0]["data"]["values"]] == floor["codes"]
    assert [f["id"] for f in floor["geojson"]["features"]] == floor["codes"]
    west, south, east, north = floor["bounds"]
    assert west < shapes.total_bounds[0] and north > shapes.total_bounds[3]  # the frame's margin around the county
    assert floor["config"]["topojsonURL"].startswith("data:")  # nothing fetched


TABLES = """() => Array.from(document.querySelectorAll("[data-testid='stDataFrame']"))
    .filter(t => t.getBoundingClientRect().width > 0).map(t => { const s = t.querySelector('.dvn-scroller');
        return {phone: !!t.closest("[class*='st-key-phone-table-']"), scrolls: s.scrollWidth - s.clientWidth,
                right: t.getBoundingClientRect().right}; })"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_phones_first_screen_shows_every_domains_status_and_its_table_fits(browser, server, lang):
    """At 390×844 the title, the date picker and one line per domain (figure and status word) fit the first
    screen, and the table of child units shows the phone's columns (name, rate, gap) without scrolling sideways;
    on a laptop those lines are hidden, as the cards beside each other say it, and the full table shows instead,
    also without scrolling. One load at the phone's size, then the same tab at the laptop's."""
    page = open_page(browser, server, f"/?lang={lang}", width=390, height=844)
    page.wait_for_selector(".status-strip .strip-row")
    rows = page.locator(".status-strip .strip-row")
    assert rows.count() == 3
    for i in range(3):
        box = rows.nth(i).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 844, rows.nth(i).inner_text()
    words = {i18n.t(f"status_{s}", lang) for s in ("met", "near", "below", "far", "none")}
    assert all(rows.nth(i).locator(".strip-status").inner_text() in words for i in range(3))
    picker = page.locator(".st-key-ctl-date").bounding_box()
    assert picker["y"] + picker["height"] <= 844 and picker["width"] >= 120
    for width, _ in at_each_size(page, "the overview", sizes=((390, 844), (1440, 900))):
        wait_for(page, "() => document.querySelector(\"[data-testid='stDataFrame'] .dvn-scroller\")", "the table")
        tables = page.evaluate(TABLES)
        assert len(tables) == 1 and tables[0]["phone"] == (width < 640), tables
        assert tables[0]["scrolls"] <= 1 and tables[0]["right"] <= width, (width, tables)
    assert not page.locator(".status-strip").is_visible()  # at the laptop's width
    page.close()


def test_no_page_logs_an_error_or_asks_for_a_missing_file(browser, server):
    """Every page in the menu, loaded in one tab: no console error, no request answered 4xx/5xx. Streamlit's page
    looks for its server under its own path first (/map/_stcore/health and /host-config: two 404s and their console
    lines at every load, streamlit#7074) unless told where it is, as dashboard/ui/server.py tells it."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(PATIENCE_MS)
    failed, console = [], []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url.removeprefix(server)) if r.status >= 400 else None)
    for _, path in bench_browser.PAGES + (("", "/gaps/?lang=en"),):  # a trailing slash, a query: the same root
        page.goto(server + path)
        page.wait_for_selector(READY)
        page.wait_for_timeout(500)  # late requests: fonts, images, a chart's own files
    assert (failed, console) == ([], [])
    page.close()
