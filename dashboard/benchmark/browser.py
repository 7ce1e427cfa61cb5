"""`python -m dashboard bench --browser`: what a person waits for, measured in headless Chromium.

Server-side render times say little about the wait: the browser also fetches, parses and draws. So every page is
timed in Debian's Chromium through Playwright, against an empty Streamlit app (a router, two one-line pages and a
button) served the same way (the dashboard's .streamlit/config.toml too) in the same run, and every figure is a
ratio to that baseline:
- a full load, warm (a new tab, the server's caches filled) against the empty page's full load;
- the first load after a new load (a CLI ingest just changed the store, so every cached result is cold) against the
  same page warm;
- a sidebar switch, a drill click on the map and a date change against an empty rerun (the empty page's button).

Beside the empty page, the same app serves **floors**: a page that draws one kind of the dashboard's elements and
nothing else, with data of the demo county's size (the county's choropleth as the map draws it; a Vega-Lite line
chart with four metrics; a table of the county's townships; in a full run also the same choropleth in Plotly), and
a button whose rerun draws new values. A floor is the least
any page drawing that element waits in this browser: a page is also reported against the floor of its largest
element, as the ingest is against its floor.

"Done" is when the server has sent something since the start, the script has finished, no element is still a
placeholder (Streamlit draws a grey skeleton while an element's code loads), every chart has drawn (Plotly's, a
Plotly map once its areas are drawn, Vega-Lite's canvas or SVG), and no message has come for 300 ms. Where the time goes:
the server's last message after the start (where it stopped sending; the rest is the browser's own work) and the
bytes sent over the WebSocket and HTTP.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from ..analysis import rollup
from ..example import demo_data
from ..output import charts
from ..storage import geo
from ..storage.store import Store
from . import bench

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVER = ROOT / "dashboard" / "ui" / "server.py"  # the dashboard as the README runs it (app.py and its routes)
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = (("总览", "/"), ("地图", "/map"), ("缺口", "/gaps"), ("趋势", "/trends"), ("数据质量", "/quality"),
         ("简报", "/briefing"), ("导入", "/import"), ("设置", "/settings"))
QUICK_PAGES = PAGES[:2]
QUIET_MS = 300
# How long one step (a page's script, a map's draw, a download) may take before it is called hung: generous, as
# CI's two cores also run a second test module, a Streamlit server and Chromium's software WebGL. A bound against
# hangs, not a speed check: what a person waits for is measured as ratios, here.
PATIENCE_MS = 180_000
TARGETS = {"warm": 1.3, "interaction": 2.0, "after_load": 1.5}
EMPTY_APP = {
    "app.py": 'import streamlit as st\nst.navigation([st.Page("one.py", title="one", default=True), '
              'st.Page("two.py", title="two"), st.Page("map.py", title="map", url_path="map"), '
              'st.Page("chart.py", title="chart", url_path="chart"), '
              'st.Page("table.py", title="table", url_path="table"), '
              'st.Page("plotly_map.py", title="plotly", url_path="plotly")]).run()\n',
    "one.py": 'import streamlit as st\nst.write("一")\nst.button("rerun")\n',
    "two.py": 'import streamlit as st\nst.write("二")\n',
}
# The floors (see the module's docstring; no page file may take a package's name: the script's folder comes first
# in the import path, so a "plotly.py" would stand in for Plotly itself): each reads the county's figures from floor.json beside it (written by
# `floor_data`), draws its one element and a button that moves every value by one, so a rerun draws anew.
FLOOR_COMMON = """import json, pathlib
import streamlit as st
floor = json.loads(pathlib.Path(__file__).with_name("floor.json").read_text(encoding="utf-8"))
step = st.session_state.setdefault("step", 0)
st.button("rerun", on_click=lambda: st.session_state.update(step=step + 1))
values = [(v + step) % 4 for v in range(len(floor["codes"]))]
"""
FLOOR_APP = {
    "map.py": FLOOR_COMMON + """for row, v in zip(floor["map"]["layer"][0]["data"]["values"], values):
    row["status"] = ("met", "near", "below", "far")[v]
st.vega_lite_chart(spec=floor["map"], width="stretch", on_select="rerun", selection_mode="pick")
""",
    "plotly_map.py": FLOOR_COMMON + """import plotly.graph_objects as go
figure = go.Figure(go.Choropleth(geojson=floor["geojson"], locations=floor["codes"], featureidkey="id", z=values,
                                 zmin=0, zmax=4, showscale=False))
west, south, east, north = floor["bounds"]
figure.update_geos(visible=False, projection_type="mercator", lonaxis_range=[west, east], lataxis_range=[south, north])
figure.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=floor["height"], dragmode=False)
st.plotly_chart(figure, width="stretch", on_select="rerun", selection_mode="points", config=floor["config"])
""",
    "chart.py": FLOOR_COMMON + """for column, v in zip(st.columns(4), values):
    column.metric("指标", f"{87 + v}%", delta=f"{v}%")
rows = [{"day": f"2022-04-{d:02d}", "series": s, "ratio": 0.5 + (d * k + step) % 40 / 100}
        for d in range(1, 31) for k, s in enumerate(("a", "b", "c"), 1)]
st.vega_lite_chart(spec={"data": {"values": rows}, "height": 260, "layer": [
    {"mark": "line", "encoding": {"x": {"field": "day", "type": "temporal"}, "y": {"field": "ratio", "type": "quantitative"},
                                  "color": {"field": "series", "type": "nominal"}}},
    {"mark": "rule", "encoding": {"y": {"datum": 0.9}}}]}, width="stretch")
""",
    "table.py": FLOOR_COMMON + """import pandas as pd
st.dataframe(pd.DataFrame({"单位": floor["codes"], **{f"字段{k}": [(v * 97 + k) * 13 for v in values] for k in range(8)}}),
             hide_index=True, width="stretch")
""",
}
FLOORS = {"map": "/map", "chart": "/chart", "table": "/table", "plotly": "/plotly"}
# Each page against the floor of its largest element.
PAGE_FLOOR = {"/": "chart", "/map": "map", "/gaps": "table", "/trends": "chart", "/quality": "table",
              "/briefing": "map", "/import": "table", "/settings": "table"}
# Counts what the server sends and when; a page's "settled" time is when it last became ready and stayed so.
WATCH = """(() => {
  window.__ws = {frames: 0, bytes: 0, first: null, last: 0};
  const Native = window.WebSocket;
  function Watched(...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', (e) => {
      const d = e.data; __ws.frames++; __ws.bytes += d.byteLength || d.size || d.length || 0;
      __ws.last = performance.now(); if (__ws.first === null) __ws.first = __ws.last; });
    return ws; }
  Watched.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Watched[k] = Native[k];
  window.WebSocket = Watched;
})();"""
SETTLED = """(quiet) => {
  const app = document.querySelector("[data-testid='stApp']");
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const drawn = plots.every(gd => gd._fullLayout && gd.querySelector('.main-svg')
      && (!gd._fullLayout.geo || gd.querySelector('.choroplethlayer path')));
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']").length;
  const vega = Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart']"))
      .every(c => c.querySelector('canvas, svg.marks'));
  const ready = window.__ws.first !== null && app && app.getAttribute('data-test-script-state') === 'notRunning'
      && drawn && vega && plots.length >= charts && !document.querySelector("[data-testid='stSkeleton']")
      && Array.from(document.images).every(img => img.complete);
  const now = performance.now();
  if (!ready) window.__readyAt = null;
  else if (window.__readyAt == null || window.__ws.last > window.__readyAt) window.__readyAt = now;
  return ready && now - window.__readyAt >= quiet ? window.__readyAt : null; }"""


def missing() -> str | None:
    """Why the benchmark cannot run here (no Chromium, no Playwright), or None."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install -r requirements.txt)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(script: pathlib.Path, db: pathlib.Path | None = None):
    """`streamlit run script` on a free port (DASHBOARD_DB=db), from the script's folder (the dashboard's server:
    from the repository, where .streamlit/config.toml is); yields its base URL once healthy, stops it after.
    Its error output goes to a temporary file (a pipe nobody reads could fill and stall it), quoted if it dies."""
    port = _free_port()
    env = {**os.environ, **({"DASHBOARD_DB": str(db)} if db else {})}
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT if script == SERVER else script.parent, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, proc, errors)
            yield base
        finally:
            stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Ends a process this benchmark started (a server, a browser): asked first, killed after 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait_healthy(base: str, proc: subprocess.Popen, errors) -> None:
    deadline = time.monotonic() + PATIENCE_MS / 1000
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            errors.seek(0)
            raise RuntimeError(f"streamlit exited: {errors.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy")


# ---- one measurement -------------------------------------------------------------------------
def _settle(page, started: float) -> dict:
    """Waits until the page is done (see SETTLED) and returns the times from `started` (page clock, ms)."""
    at = page.wait_for_function(SETTLED, arg=QUIET_MS, polling="raf", timeout=PATIENCE_MS).json_value()
    ws = page.evaluate("() => window.__ws")
    http = page.evaluate(f"() => performance.getEntriesByType('resource').concat(performance.getEntriesByType("
                         f"'navigation')).filter(e => e.startTime >= {started}).reduce((s, e) => s + e.transferSize, 0)")
    return {"ms": at - started, "last_message_ms": max(ws["last"] - started, 0), "ws_bytes": ws["bytes"],
            "http_bytes": http}


def full_load(context, url: str, inspect=None) -> dict:
    """A new tab on `url`: navigation start to done. `inspect(page)`, if given, reads the settled page before the
    tab closes (what it showed, for the rush's torn-read check); its answer is the result's "inspected"."""
    page = context.new_page()
    page.set_default_timeout(PATIENCE_MS)
    page.add_init_script(WATCH)
    try:
        page.goto(url)
        result = _settle(page, 0.0)
        result["first_message_ms"] = page.evaluate("() => window.__ws.first")
        if inspect is not None:
            result["inspected"] = inspect(page)
    finally:
        page.close()
    return result


def interaction(page, act) -> dict:
    """`act(page)` (a click) from the moment before it to done; WebSocket counts restart at the click."""
    started = page.evaluate("() => { window.__ws.bytes = 0; window.__ws.first = null; window.__readyAt = null;"
                            " return performance.now(); }")
    act(page)
    result = _settle(page, started)
    first = page.evaluate("() => window.__ws.first")
    result["first_message_ms"] = None if first is None else first - started
    return result


def open_settled(context, url: str):
    page = context.new_page()
    page.set_default_timeout(PATIENCE_MS)
    page.add_init_script(WATCH)
    page.goto(url)
    _settle(page, 0.0)
    return page


def median(runs: list[dict]) -> dict:
    """The run with the median time, with the spread of the times."""
    ordered = sorted(runs, key=lambda r: r["ms"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    return middle | {"min_ms": ordered[0]["ms"], "max_ms": ordered[-1]["ms"], "runs": len(runs)}


# ---- what changes the store between measures -------------------------------------------------
@functools.cache
def demo_county() -> demo_data.DemoCounty:
    """The demo county's generated reports (deterministic), once per process: the loads below and the rush's
    corrections copy their frames from it, never change them. A benchmark run generates it once either way; a test
    run does several smoke runs in a process (2 CPU s a generation)."""
    return demo_data.generate()


class Loads:
    """A day's county-wide vaccination file of the demo, one more person a time in a village (a new file each
    time, so every ingest is a real load); run through the CLI as a clerk's load would be."""

    def __init__(self, db: pathlib.Path, folder: pathlib.Path):
        last = [load for load in demo_county().loads if load.domain == "vaccination"][-1]
        self.db, self.folder, self.frame, self.name, self.count = db, folder, last.frame.copy(), last.file_name, 0

    def one(self) -> None:
        self.count += 1
        row = self.count % len(self.frame)
        self.frame.loc[row, "booster"] = min(self.frame.loc[row, "booster"] + 1, self.frame.loc[row, "full_course"])
        path = self.folder / self.name.replace(".csv", f"_更正{self.count}.csv")
        self.frame.to_csv(path, index=False)
        done = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(self.db), "ingest", str(path)],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"the load between measures failed: {done.stderr[-1000:]}")


# ---- the run ---------------------------------------------------------------------------------
def run(source_db: pathlib.Path, repeat: int = 3, pages=PAGES, chromium=None) -> dict:
    """Every measure of the module docstring on a copy of `source_db` (the demo county's store), in `chromium` (a
    Playwright browser; one is launched when not given: a process holds one Playwright at a time)."""
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp, contextlib.ExitStack() as stack:
        folder = pathlib.Path(tmp)
        db = folder / "dashboard.duckdb"
        shutil.copyfile(source_db, db)
        empty = folder / "empty"
        empty.mkdir()
        for name, text in (EMPTY_APP | FLOOR_APP).items():
            (empty / name).write_text(text, encoding="utf-8")
        (empty / "floor.json").write_text(json.dumps(floor_data(db), ensure_ascii=False), encoding="utf-8")
        shutil.copytree(ROOT / ".streamlit", empty / ".streamlit")  # the same server settings (no source watcher …)
        loads = Loads(db, folder)
        blank = stack.enter_context(served(empty / "app.py"))
        app = stack.enter_context(served(SERVER, db))
        chromium = chromium or stack.enter_context(launched())
        context = chromium.new_context(viewport={"width": 1440, "height": 900})
        floors = list(FLOORS) if pages == PAGES else sorted({PAGE_FLOOR[path] for _, path in pages})
        result = {"baseline": _baselines(context, blank, repeat), "floors": _floors(context, blank, floors, repeat),
                  "pages": _pages(context, app, pages, repeat, loads),
                  "actions": _actions(context, app, db, pages, repeat), "loads": loads.count}
        context.close()
    return result


@contextlib.contextmanager
def launched():
    """Headless Debian Chromium through Playwright, closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _baselines(context, blank: str, repeat: int) -> dict:
    full_load(context, blank)  # the browser's cache of Streamlit's own files, as for the app's pages
    loads = [full_load(context, blank) for _ in range(repeat)]
    page = open_settled(context, blank)
    reruns, switches = [], []
    for _ in range(repeat):
        reruns.append(interaction(page, lambda p: p.get_by_role("button", name="rerun").click()))
        switches.append(interaction(page, lambda p: p.locator("[data-testid='stSidebarNav'] a", has_text="two").click()))
        switches.append(interaction(page, lambda p: p.locator("[data-testid='stSidebarNav'] a", has_text="one").click()))
    page.close()
    return {"full_load": median(loads), "rerun": median(reruns), "switch": median(switches)}


def floor_data(db: pathlib.Path) -> dict:
    """What the floors draw: the demo county's townships, as the dashboard's map draws them (its simplified shapes
    in `charts.choropleth`'s spec, less the names; tooltips of a line each), and the same shapes for Plotly's geo
    map (the engine the map used before; its floor says what a page with any Plotly chart waits for)."""
    store = Store(db)
    try:
        county = rollup.unit(store, store.query("root_units")["code"].iloc[0])
        shapes = geo.simplified(geo.child_shapes(store, county))
    finally:
        store.close()
    return {"codes": list(shapes["code"]), "geojson": charts.geojson(shapes), "height": 560,
            "map": bench.bare_map(shapes, 560), "bounds": charts.framed(shapes.total_bounds),
            "config": charts.MAP_CONFIG}


def _floors(context, blank: str, floors, repeat: int) -> dict:
    """Per floor: its warm full loads, then reruns by its button (every value new)."""
    out = {}
    for name in floors:
        url = blank + FLOORS[name]
        full_load(context, url)  # the element's own code in the browser's cache, as for the pages
        loads = [full_load(context, url) for _ in range(repeat)]
        page = open_settled(context, url)
        reruns = [interaction(page, lambda p: p.get_by_role("button", name="rerun").click()) for _ in range(repeat)]
        page.close()
        out[name] = {"full_load": median(loads), "rerun": median(reruns)}
    return out


def _pages(context, app: str, pages, repeat: int, loads: Loads) -> dict:
    """Per page: its first full load after a load, then warm full loads."""
    out = {}
    for title, path in pages:
        full_load(context, app + path)  # the page's own files in the browser's cache; the server's caches filled
        loads.one()
        cold = full_load(context, app + path)
        warm = median([full_load(context, app + path) for _ in range(repeat)])
        out[path] = {"title": title, "after_load": cold, "warm": warm}
    return out


def _actions(context, app: str, db: pathlib.Path, pages, repeat: int) -> dict:
    """Sidebar switches from the overview to each page (and back), a drill click on the map, a date change."""
    page = open_settled(context, app + "/")
    out = {}
    for title, path in pages[1:]:
        runs = []
        for _ in range(repeat):
            runs.append(interaction(page, lambda p, t=title: p.locator("[data-testid='stSidebarNav'] a", has_text=t).click()))
            interaction(page, lambda p: p.locator("[data-testid='stSidebarNav'] a", has_text=pages[0][0]).click())
        out[f"switch {path}"] = median(runs)
    out["date change /"] = median([_change_date(page, i) for i in range(repeat)])
    page.close()
    if any(path == "/map" for _, path in pages):
        out["drill click /map"] = median([_drill(context, app, db) for _ in range(repeat)])
    return out


def _change_date(page, i: int) -> dict:
    """The date picker's next older (or the latest again) date: a rerun with every figure new."""
    page.locator(".st-key-ctl-date").click()
    option = page.locator("[role='option']").nth(1 + i % 2)
    return interaction(page, lambda p: option.click())


def _drill(context, app: str, db: pathlib.Path) -> dict:
    """A click on the county map's largest township: the page redrawn with its villages."""
    store = Store(db)
    county = rollup.unit(store, store.query("root_units")["code"].iloc[0])
    shapes = geo.child_shapes(store, county)
    store.close()
    target = shapes.assign(area=shapes.to_crs(3857).geometry.area).sort_values("area").iloc[-1]
    page = open_settled(context, app + "/map")
    x, y = hover_on_map(page, target["code"])
    page.wait_for_timeout(300)  # the tooltip, as a person's hover before the click
    result = interaction(page, lambda p: p.mouse.click(x, y))
    drilled = target["code"] in page.url
    page.close()
    if not drilled:
        raise RuntimeError("the drill click on the map did not open the township")
    return result


# The map's unit shapes (Vega-Lite's geoshape layer, SVG paths labelled "name code"), and a point on the screen
# inside one, scrolled into view: the point nearest its box's centre that hits the unit's own path (a concave
# unit's centre may not), as a hand would point at it.
MAP_SHAPES = "[data-testid='stVegaLiteChart'] g.mark-shape path"
MAP_DRAWN = f"() => !!document.querySelector(\"{MAP_SHAPES}\")"
POINT_IN_UNIT = f"""(code) => {{
  const path = Array.from(document.querySelectorAll("{MAP_SHAPES}"))
      .find(p => (p.getAttribute('aria-label') || '').endsWith(' ' + code));
  if (!path) return null;
  path.scrollIntoView({{block: 'center', inline: 'center'}});  // a point off the screen hits nothing
  const b = path.getBoundingClientRect(), cx = b.left + b.width / 2, cy = b.top + b.height / 2, found = [];
  for (let i = 0; i <= 20; i++) for (let j = 0; j <= 20; j++) {{
    const x = b.left + b.width * i / 20, y = b.top + b.height * j / 20;
    if (document.elementFromPoint(x, y) === path) found.push([Math.hypot(x - cx, y - cy), x, y]); }}
  found.sort((a, b) => a[0] - b[0]);
  return found.length ? found[0].slice(1) : null; }}"""


def hover_on_map(page, code: str) -> tuple[float, float]:
    """Moves the mouse onto the unit `code` on the page's (first) map, as a hand does; returns where, for a click."""
    point = page.evaluate(POINT_IN_UNIT, code)
    if point is None:
        raise RuntimeError(f"the map shows no unit {code} under the pointer")
    x, y = point
    page.mouse.move(x - 4, y - 4)
    page.mouse.move(x, y, steps=4)
    return x, y


# ---- the report ------------------------------------------------------------------------------
def _ms(r: dict) -> str:
    return f"{r['ms']:,.0f} ms"


def _kb(r: dict) -> str:
    return f"{(r['ws_bytes'] + r['http_bytes']) / 1024:,.0f} KB"


def _ratio(r: dict, baseline: dict) -> str:
    return f"{r['ms'] / baseline['ms']:.2f}×"


def _action_page(name: str) -> str:
    """The page an action ends on ("switch /map", "date change /", "drill click /map")."""
    return name.rsplit(" ", 1)[-1]


def _mark(value: float, target: float) -> str:
    return f"{value:.2f}×" + (" ✓" if value <= target else " ✗")


def markdown(result: dict) -> str:
    """The tables for BENCHMARKS.md: ratios first, times and bytes beside them, ✓/✗ against the targets."""
    base = result["baseline"]
    lines = [f"Empty Streamlit app in the same run: full load {_ms(base['full_load'])} (last message at"
             f" {base['full_load']['last_message_ms']:,.0f} ms, {_kb(base['full_load'])}), rerun {_ms(base['rerun'])},"
             f" sidebar switch {_ms(base['switch'])}.", "",
             f"| page | warm full load | × empty page (≤ {TARGETS['warm']}) | × its floor | first load after a load |"
             f" × warm (≤ {TARGETS['after_load']}) | last message (warm) | sent (warm) |",
             "|---|---|---|---|---|---|---|---|"]
    for path, r in result["pages"].items():
        warm, cold, floor = r["warm"], r["after_load"], result["floors"][PAGE_FLOOR[path]]["full_load"]
        lines.append(f"| {r['title']} `{path}` | {_ms(warm)} | {_mark(warm['ms'] / base['full_load']['ms'], TARGETS['warm'])}"
                     f" | {_ratio(warm, floor)} {PAGE_FLOOR[path]} | {_ms(cold)}"
                     f" | {_mark(cold['ms'] / warm['ms'], TARGETS['after_load'])}"
                     f" | {warm['last_message_ms']:,.0f} ms | {_kb(warm)} |")
    lines += ["", f"| action | time | × empty rerun (≤ {TARGETS['interaction']}) | × its floor's rerun | last message"
              f" | sent |", "|---|---|---|---|---|---|"]
    for name, r in result["actions"].items():
        floor = result["floors"][PAGE_FLOOR[_action_page(name)]]["rerun"]
        lines.append(f"| {name} | {_ms(r)} | {_mark(r['ms'] / base['rerun']['ms'], TARGETS['interaction'])}"
                     f" | {_ratio(r, floor)} {PAGE_FLOOR[_action_page(name)]} | {r['last_message_ms']:,.0f} ms | {_kb(r)} |")
    lines += ["", "Floors (one kind of element on the empty app's page, the county's data; see the benchmark's"
              " docstring):", "", "| floor | warm full load | × empty page | rerun, new values | × empty rerun | sent (load) |",
              "|---|---|---|---|---|---|"]
    for name, r in result["floors"].items():
        lines.append(f"| {name} | {_ms(r['full_load'])} | {_ratio(r['full_load'], base['full_load'])} | {_ms(r['rerun'])}"
                     f" | {_ratio(r['rerun'], base['rerun'])} | {_kb(r['full_load'])} |")
    lines += ["", f"Widest spread of a repeated measure (max / min): {spread(result):.1f}×."]
    return "\n".join(lines) + "\n"


def spread(result: dict) -> float:
    """The widest spread (max / min) of any repeated measure: how noisy this run was."""
    runs = [r for r in (*result["baseline"].values(), *(m for f in result["floors"].values() for m in f.values()),
                        *(p["warm"] for p in result["pages"].values()),
                        *result["actions"].values()) if r.get("runs", 1) > 1]
    return max((r["max_ms"] / max(r["min_ms"], 1) for r in runs), default=1.0)


