"""Figures without Streamlit: status classes against a target, legends, the choropleth, the all-grids deck, the trend.

Why here and not in the UI: the same classes and colours must mean the same
thing on every page and in later exports (briefings, images), and figures
built from plain frames can be tested without a browser.
Offline by construction: no basemap tiles, no topojson, no glyphs fetched (see `choropleth`, `MAP_CONFIG`).
"""
from __future__ import annotations

import copy
import functools
import html
import math

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck
import shapely
from altair.vegalite.v6.api import _dataset_name  # altair is pinned: trend_spec's names are its own

from .. import i18n
from ..domain import fields

# Classes relative to the target, so a 95 % testing target and a 60 % booster target read alike.
STATUSES = ("met", "near", "below", "far", "none")
NEAR_POINTS, BELOW_POINTS = 0.05, 0.15
COLOURS = {"met": "#1a9850", "near": "#fee08b", "below": "#f46d43", "far": "#a50026", "none": "#d9d9d9"}
TEXT_COLOURS = {"met": "#ffffff", "near": "#3d3300", "below": "#ffffff", "far": "#ffffff", "none": "#333333"}
LINE_COLOUR = "#ffffff"
DOMAIN_COLOURS = fields.DOMAIN_COLOURS  # each domain's own colour, as its declaration gives it
LABEL_PX = 13  # label font size; a CJK character is about this wide
# The Plotly config of the figures that are still Plotly's (趋势's small multiples, the import preview): Plotly's
# geo map loads a world topology from cdn.plot.ly even when it draws none of its layers: an empty topology given
# inline stands in, so nothing is fetched (a data: URL ignores the '#…' Plotly appends).
MAP_CONFIG = {"displayModeBar": False, "scrollZoom": False, "doubleClick": False,
              "topojsonURL": 'data:application/json,{"type":"Topology","objects":{},"arcs":[]}#'}
MAP_PICK = "pick"  # the choropleth's click selection (Vega-Lite's point selection): its code is the unit drilled into
MAP_PADDING = {side: 6 for side in ("left", "right", "top", "bottom")}  # px around the fitted shapes, so the outer borders are not cut by the chart's edge
LABEL_INSIDE = 0.8  # the share of a label's box that must lie within its unit
PHONE_MAP_PX = 350  # a phone's map width: the names that fit there are shown at every width
WIDE_MAP_PX = 600  # at least this wide (a laptop), more names fit: MAP_STYLE shows them from this width on
# A container query, not a media query: what decides is the map's own width. A click or hover on a name goes to the
# unit under it (the names take no pointer events); a name's white outline is drawn under its letters (paint-order),
# so it reads on the darkest class.
MAP_STYLE = f"""[class*="st-key-map-frame"] {{ container-type: inline-size; }}
[class*="st-key-unlabelled-wide"] {{ display: none; }}
[class*="st-key-map-frame"] :is(.labels_marks, .labels_wide_marks) {{ pointer-events: none; }}
[class*="st-key-map-frame"] :is(.labels_marks, .labels_wide_marks) text {{ paint-order: stroke; }}
@container (max-width: {WIDE_MAP_PX - 1}px) {{
  [class*="st-key-map-frame"] .labels_wide_marks {{ display: none; }}
}}
@container (min-width: {WIDE_MAP_PX}px) {{
  [class*="st-key-unlabelled-narrow"] {{ display: none; }}
  [class*="st-key-unlabelled-wide"] {{ display: flex; }}
}}"""


def status(ratio, target: float) -> str:
    """The class of one ratio against its target; 'none' for no data (never confused with 0 %)."""
    if ratio is None or pd.isna(ratio):
        return "none"
    short = round(target - float(ratio), 9)
    if short <= 0:
        return "met"
    return "near" if short <= NEAR_POINTS else "below" if short <= BELOW_POINTS else "far"


def statuses(ratios: pd.Series, target: float) -> pd.Series:
    return pd.Series([status(r, target) for r in ratios], index=ratios.index, dtype="object")


def status_word(key: str, lang: str) -> str:
    return i18n.t(f"status_{key}", lang)


def legend(target: float, lang: str) -> list[tuple[str, str, str]]:
    """(status, label, colour) per class, with the ratio range each class covers for this target."""
    hi, near, below = target, target - NEAR_POINTS, target - BELOW_POINTS
    ranges = {
        "met": f"≥ {i18n.fmt_percent(hi)}",
        "near": f"{i18n.fmt_percent(max(near, 0))} – {i18n.fmt_percent(hi)}",
        "below": f"{i18n.fmt_percent(max(below, 0))} – {i18n.fmt_percent(max(near, 0))}",
        "far": f"< {i18n.fmt_percent(max(below, 0))}",
        "none": "",
    }
    out = []
    for key in STATUSES:
        word = status_word(key, lang)
        label = i18n.t("legend_item", lang, word=word, range=ranges[key]) if ranges[key] else word
        out.append((key, label, COLOURS[key]))
    return out


# Classes of a count (排查人数, 发现隐患数): no target to be near, so quantiles of the units shown, light to dark.
COUNT_CLASSES = ("q1", "q2", "q3", "q4", "q5", "none")
COUNT_COLOURS = {"q1": "#eff3ff", "q2": "#bdd7e7", "q3": "#6baed6", "q4": "#3182bd", "q5": "#08519c",
                 "none": COLOURS["none"]}


def count_classes(values: pd.Series, step: float = 1) -> tuple[pd.Series, list[tuple[float, float]]]:
    """Each value's quantile class (q1 lowest … q5 highest; 'none' without a figure) and each class's range.

    Why quantiles: a count has no target, and its spread across units is wide (a town of 60,000 beside a village of
    800); five classes of about equal size show where it is high without one unit washing out the rest. Equal values
    share a class, so fewer distinct values give fewer classes. `step`: the values' precision (1 for a count, 0.1
    for a count per 1,000 residents), to which the class edges are rounded."""
    known = values.dropna().astype(float)
    if known.empty:
        return pd.Series("none", index=values.index), []
    digits = 0 if step >= 1 else 1
    edges = sorted(set(known.quantile([0.2, 0.4, 0.6, 0.8]).round(digits).tolist()) - {known.max()})
    bins = [known.min() - step, *edges, known.max()]
    steps = len(bins) - 1  # fewer distinct values, fewer classes, spread from light to dark
    labels = [COUNT_CLASSES[round(n * 4 / (steps - 1))] if steps > 1 else COUNT_CLASSES[0] for n in range(steps)]
    classes = pd.cut(values.astype("Float64").astype(float), bins=bins, labels=list(labels), include_lowest=True)
    ranges = [(round(bins[n] + step, digits), bins[n + 1]) for n in range(len(bins) - 1)]
    return classes.astype(object).where(values.notna(), "none").fillna("none"), list(zip(labels, ranges))


def count_legend(ranges: list, lang: str, step: float = 1) -> list[tuple[str, str, str]]:
    """(class, '13 – 40', colour) per quantile class with its range in the count's own digits, then no data."""
    shown = (lambda v: i18n.fmt_count(v, lang)) if step >= 1 else (lambda v: f"{v:,.1f}")  # noqa: E731
    out = [(key, f"{shown(lo)} – {shown(hi)}" if lo < hi else shown(hi), COUNT_COLOURS[key]) for key, (lo, hi) in ranges]
    return out + [("none", status_word("none", lang), COUNT_COLOURS["none"])]


def rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)] + [alpha]


# ---- map view -----------------------------------------------------------------
def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def drawn_size(bounds, zoom: float) -> tuple[float, float]:
    """Width and height in pixels that lon/lat bounds take at a zoom: the figure need not be taller."""
    west, south, east, north = bounds
    world = 512 * 2 ** zoom
    return (east - west) / 360.0 * world, (_mercator_y(north) - _mercator_y(south)) / (2 * math.pi) * world


def framed(bounds, margin: float = 0.03) -> tuple[float, float, float, float]:
    """A unit's bounds with a margin on each side (a share of the larger span), so its outer borders are not cut by
    the map's frame."""
    west, south, east, north = (float(v) for v in bounds)
    pad = margin * max(east - west, north - south)
    return west - pad, south - pad, east + pad, north + pad


def view_for(bounds, width_px: float, height_px: float, max_zoom: float = 15.0) -> tuple[dict, float]:
    """Centre and zoom that fit lon/lat bounds into a box of pixels (Web Mercator, 512-px world at zoom 0).

    Why: the grids' deck (pydeck) has no fit of its own, so its view is computed here, once per unit, and cached
    with the geometry; and the choropleth's names are placed for the scale the browser's fit will give a box of
    this size (`label_fits`).
    """
    west, south, east, north = bounds
    y = _mercator_y
    span_x = max(east - west, 1e-6) / 360.0
    span_y = max(y(north) - y(south), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(width_px / (512 * span_x)), math.log2(height_px / (512 * span_y)), max_zoom)
    mid_y = (y(north) + y(south)) / 2
    centre = {"lon": (east + west) / 2, "lat": math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)}
    return centre, zoom


def no_labels() -> pd.DataFrame:
    """A map's labels when it has none: the columns every label frame has (name, lon, lat, wide)."""
    return pd.DataFrame({"name": pd.Series(dtype=object), "lon": pd.Series(dtype=float),
                         "lat": pd.Series(dtype=float), "wide": pd.Series(dtype=bool)})


def label_layers(base: dict) -> list[dict]:
    """The names as text on the map, placed at each unit's representative point: two layers, the names that fit at
    a phone's width, then those that fit only on a wider map (`labels_wide`, hidden by `MAP_STYLE` where the map is
    narrow).

    Text marks of the SVG map, not a tile map's symbols: MapLibre draws its text from glyphs it fetches from a
    server (only CJK comes from the local font), so offline 第10网格 could carry no ASCII digit; these are SVG text
    drawn by the browser with its local fonts, the same text as the lists (escaped by the browser's text node, not
    read as markup), and they stay on their unit at any width because the map is fitted in the browser.
    """
    labels = base["labels"]
    return [{"name": "labels_wide" if wide else "labels",
             "data": {"values": [{"lon": float(r.lon), "lat": float(r.lat), "name": str(r.name)}
                                 for r in shown.itertuples()]},
             "mark": {"type": "text", "fontSize": LABEL_PX, "color": "#1a1a1a", "tooltip": None, "aria": False,
                      "stroke": "#ffffff", "strokeWidth": 3, "strokeOpacity": 0.8, "strokeJoin": "round"},
             "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                          "latitude": {"field": "lat", "type": "quantitative"}, "text": {"field": "name"}}}
            for wide in (False, True) for shown in [labels[labels["wide"] == wide]]]


def name_list(names: list[str], lang: str, most: int = 12) -> str:
    """Names for a line of text: '东城街道、北城街道' (zh) or 'A, B' (en), the rest counted past `most`."""
    shown = ("、" if lang == "zh" else ", ").join(str(n) for n in names[:most])
    return i18n.t("name_list_more", lang, names=shown, count=len(names) - most) if len(names) > most else shown


def unlabelled_names(base: dict, names: pd.Series, wide: bool) -> list[str]:
    """The names of the mapped units that carry no label on a narrow map (a phone's) or a `wide` one (too small
    there): listed beside the map."""
    labels = base["labels"]
    labelled = set(labels["name"][labels["wide"] <= wide])
    return [str(n) for n in names if n not in labelled]


def label_fits(shapes: gpd.GeoDataFrame, names: pd.Series, zoom: float, placed_first=None) -> pd.Series:
    """Which units carry their name as a label at this zoom: the label's box, centred on the unit's
    representative point, lies mostly inside the unit (`LABEL_INSIDE` of it: a corner may cross a border, as
    MapLibre's labels do freely) and clear of every label already placed (the largest units
    first; `placed_first`, a mask, places those before any other: the names already shown on a narrower map),
    as MapLibre's own placement would have it. The browser draws the labels with its own fonts (see
    `label_traces`); a unit left out is named beside the map instead."""
    if shapes.empty:
        return pd.Series(dtype=bool)
    m_per_px = 156543.03392 / 2 ** (zoom + 1)  # 512-px tiles
    flat = shapes.geometry.to_crs(3857)
    points = shapes.geometry.representative_point().to_crs(3857)
    half_w = names.fillna("").map(_text_width).to_numpy() * m_per_px / 2
    half_h = LABEL_PX * 1.3 * m_per_px / 2
    boxes = shapely.box(points.x - half_w, points.y - half_h, points.x + half_w, points.y + half_h)
    inside = shapely.area(shapely.intersection(flat.values, boxes)) >= LABEL_INSIDE * shapely.area(boxes)
    placed, fits = [], np.zeros(len(shapes), dtype=bool)
    first = np.zeros(len(shapes), dtype=bool) if placed_first is None else np.asarray(placed_first, dtype=bool)
    for i in np.lexsort((-flat.area.to_numpy(), ~first)):
        if inside[i] and not any(shapely.intersects(boxes[i], other) for other in placed):
            fits[i] = True
            placed.append(boxes[i])
    return pd.Series(fits, index=shapes.index)


def _text_width(name: str) -> float:
    """A label's width in pixels: a CJK character about LABEL_PX, a Latin letter or digit about 0.6 of it."""
    return sum(LABEL_PX if ord(ch) > 0x2E80 else LABEL_PX * 0.6 for ch in str(name)) + 4


def geojson(shapes: gpd.GeoDataFrame) -> dict:
    """A FeatureCollection keyed by unit code (feature id), geometry only: values travel separately."""
    frame = shapes[["code", "geometry"]].set_index("code")
    return frame.to_geo_dict(drop_id=False)


# ---- choropleth of children (Plotly, click to drill) -------------------------
def choropleth(base: dict, values: pd.DataFrame, lang: str, height: int, classes: tuple = STATUSES,
               colours: dict = COLOURS) -> dict:
    """The children coloured by class, names where they fit, a tooltip per unit: a Vega-Lite spec.

    `base` is the cached geometry part (geojson, labels); `values` has code, name, status (one of `classes`,
    coloured by `colours`: the target's classes, or a count's quantiles) and `tip` (see `tooltip_object`).
    Vega-Lite's SVG geoshape and not Plotly's geo map: it draws the same shapes, and a click selects a unit
    (`MAP_PICK`), but a page with Plotly waits for Plotly's bundle (about 3.5 MB of script) to be parsed and run in
    every new tab, which made 地图 and 简报 the slowest pages to open (`bench --browser`'s floors: a lone Plotly
    chart took 2-3× an empty page's load, the same map in Vega-Lite about 1×); the trend charts are Vega-Lite too.
    The projection fits the shapes to whatever width the browser gives (a phone, a laptop), draws without WebGL,
    and needs nothing fetched; the names are text layers over it (`label_layers`).
    """
    rows = [{"code": r.code, "status": r.status, "tip": r.tip, "about": f"{r.name} {r.code}"}
            for r in values.assign(name=values.get("name", values["code"])).itertuples()]
    return {"height": height, "padding": MAP_PADDING, "projection": {"type": "mercator"},
            "datasets": {"shapes": base["geojson"]["features"] if base["geojson"] else []},
            "layer": [_shapes_layer(rows, classes, colours), *label_layers(base)],
            "config": {"view": {"stroke": None}}}


def _shapes_layer(rows: list[dict], classes: tuple, colours: dict) -> dict:
    """The units' shapes (looked up by code in the spec's `shapes` dataset), filled by class; hovering one shows
    its tooltip, clicking it selects its code; each shape's accessible label is its name and code."""
    return {"data": {"values": rows},
            "transform": [{"lookup": "code", "from": {"data": {"name": "shapes"}, "key": "id"}, "as": "geo"}],
            "mark": {"type": "geoshape", "stroke": LINE_COLOUR, "strokeWidth": 1.2, "fillOpacity": 0.92,
                     "cursor": "pointer", "tooltip": {"expr": "datum.tip"}},
            "params": [{"name": MAP_PICK, "select": {"type": "point", "fields": ["code"], "on": "click"}}],
            "encoding": {"shape": {"field": "geo", "type": "geojson"},
                         "color": {"field": "status", "type": "nominal", "legend": None,
                                   "scale": {"domain": list(classes), "range": [colours[c] for c in classes]}},
                         "description": {"field": "about"}}}


def tooltip_lines(row: pd.Series, ind, lang: str) -> list[str]:
    """Name; status and ratio; numerator / denominator; gap: one unit's tooltip as plain text lines."""
    unit_word = ind.unit_word(lang)
    if row["status"] == "none":
        return [str(row["name"]), status_word("none", lang)]
    gap = i18n.t("tip_gap", lang, gap=i18n.fmt_count(row["gap"], lang), unit=unit_word) \
        if not pd.isna(row["gap"]) and row["gap"] > 0 else i18n.t("tip_gap_none", lang)
    return [str(row["name"]), f"{status_word(row['status'], lang)} · {i18n.fmt_percent(row['ratio'])}",
            i18n.t("tip_numden", lang, num=i18n.fmt_count(row["numerator"], lang),
                   den=i18n.fmt_count(row["denominator"], lang), unit=unit_word), gap] + tally_lines(row, ind, lang)


def tally_lines(row: pd.Series, ind, lang: str) -> list[str]:
    """The domain's card tallies a row carries (排查人数 5,590 …), one line each: the map shows them on hover."""
    return [f"{fields.BY_NAME[name].label(lang)} {i18n.fmt_count(row[name], lang)}"
            for name in fields.CARD_TALLIES.get(ind.domain, ()) if name in row and not pd.isna(row[name])]


def plotly_text(text) -> str:
    """Text for Plotly, which renders a few tags (<b>, <br>, <a>) and decodes &lt; &gt; &amp; but not &quot;:
    tags are escaped, quotes left as they are, so `"><svg onload=…>` shows exactly as typed."""
    return html.escape(str(text), quote=False)


def tooltip_object(lines: list[str]) -> dict:
    """The lines as Vega's tooltip shows them: the first (the name) as its title, each other line on a row of its
    own. The tooltip writes them as text (vega-tooltip escapes markup), so a name shows exactly as typed."""
    return {"title": lines[0], **{line: "" for line in lines[1:]}}


# ---- all grids (pydeck, WebGL, hover only) -----------------------------------
def grids_deck(shapes: gpd.GeoDataFrame, values: pd.DataFrame, outlines: gpd.GeoDataFrame,
               view: tuple[dict, float], height: int) -> pydeck.Deck:
    """Thousands of grid polygons coloured by class, the children's borders on top, hover tooltips.

    Tooltips are plain text (`text`, not `html`): unit names are data, never markup.
    """
    frame = shapes[["code", "geometry"]].merge(values, on="code", how="left")
    frame["status"] = frame["status"].fillna("none")
    frame["fill"] = frame["status"].map(lambda s: rgb(COLOURS[s], 235))
    frame["tip"] = frame["tip_text"].fillna(frame["code"])
    features = gpd.GeoDataFrame(frame[["fill", "tip", "geometry"]], geometry="geometry", crs=shapes.crs)
    centre, zoom = view
    layers = [
        pydeck.Layer("GeoJsonLayer", id="grids", data=features.to_geo_dict(drop_id=True), pickable=True,
                     stroked=True, filled=True, get_fill_color="properties.fill", get_line_color=[255, 255, 255, 160],
                     line_width_min_pixels=0.3, auto_highlight=True, highlight_color=[0, 0, 0, 60]),
        pydeck.Layer("GeoJsonLayer", id="borders", data=geojson(outlines) if len(outlines) else None,
                     stroked=True, filled=False, get_line_color=[40, 40, 40, 220], line_width_min_pixels=1.5,
                     pickable=False),
    ]
    return pydeck.Deck(layers=layers, map_provider=None,  # and no map_style: None would mean Carto in Streamlit
                       initial_view_state=pydeck.ViewState(longitude=centre["lon"], latitude=centre["lat"],
                                                           zoom=zoom, pitch=0, bearing=0),
                       tooltip={"text": "{tip}"}, height=height)


# ---- trend -------------------------------------------------------------------
# A round's label sits above the plot area, in the top padding, so no line (a 100 % target, a curve) runs under it:
# a Vega-Lite text mark placed above the plot's top (y in pixels from it), on the overview's and the trends' charts.
ROUND_LABEL_DY = -6
ROUND_LABEL = {"y": ROUND_LABEL_DY, "align": "left", "baseline": "bottom", "dx": 3, "fontSize": 11, "color": "#555555"}


def trend_chart(series: list[dict], lang: str, marks: list[tuple] = (), height: int = 280) -> alt.LayerChart:
    """The main indicator of each domain over recent snapshots, with its target as a dotted line.

    `series`: one dict per domain with domain, label, target and a frame of snapshot_date, ratio.
    `marks`: (date, text) drawn as vertical lines, e.g. a new testing round (cumulative counts restart), the text
    above the plot area (ROUND_LABEL_DY), where no line runs.
    Vega-Lite and not Plotly: the overview, the leader's page, then never loads Plotly's 4.7 MB of JavaScript
    (see BENCHMARKS.md); Streamlit ships Vega-Lite, and it works offline.
    """
    days = sorted({pd.Timestamp(d) for item in series for d in item["frame"]["snapshot_date"]})
    order = [fmt_day(d, lang) for d in days]
    points = pd.concat([pd.DataFrame({"day": [fmt_day(d, lang) for d in item["frame"]["snapshot_date"]],
                                      "value": item["frame"]["ratio"].astype(float) * 100, "indicator": item["label"]})
                        for item in series], ignore_index=True)
    targets = pd.DataFrame({"indicator": [i["label"] for i in series], "value": [i["target"] * 100 for i in series]})
    colour = alt.Color("indicator:N", title=None, legend=alt.Legend(orient="bottom"),
                       scale=alt.Scale(domain=[i["label"] for i in series],
                                       range=[DOMAIN_COLOURS[i["domain"]] for i in series]))
    x = alt.X("day:O", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy", labelSeparation=8))
    y = alt.Y("value:Q", title=None, axis=alt.Axis(format=".0f", labelExpr="datum.label + '%'"),
              scale=alt.Scale(zero=False))
    lines = alt.Chart(points).mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2.5).encode(
        x=x, y=y, color=colour, tooltip=[alt.Tooltip("indicator:N", title=""), alt.Tooltip("day:O", title=""),
                                         alt.Tooltip("value:Q", title="%", format=".1f")])
    goals = alt.Chart(targets).mark_rule(strokeDash=[2, 3], strokeWidth=1).encode(y="value:Q", color=colour)
    layers = [goals, lines]
    shown = [(fmt_day(day, lang), text) for day, text in marks if fmt_day(day, lang) in order]
    if shown:
        frame = pd.DataFrame(shown, columns=["day", "text"])
        layers += [alt.Chart(frame).mark_rule(strokeDash=[4, 4], color="#888888").encode(x=x),
                   alt.Chart(frame).mark_text(**ROUND_LABEL).encode(x=x, text="text:N")]
    return alt.layer(*layers).properties(height=height, padding={"top": 24 if shown else 6, "left": 4,
                                                                  "right": 8, "bottom": 4}).configure_view(stroke=None)


def trend_spec(series: list[dict], lang: str, marks: list[tuple] = (), height: int = 280) -> dict:
    """`trend_chart(series, lang, marks, height).to_dict(validate=False)`, dataset names and all, without Altair
    building the chart again for each window of dates: it lays the chart out once per language, indicators,
    targets and whether rounds are marked (`_trend_layout`), and a window puts its own dates and values into that
    layout. Why: Altair's encode and to_dict took 25-40 ms a window, the largest part of what a date the overview
    had not shown before cost."""
    order = [fmt_day(d, lang) for d in sorted({pd.Timestamp(d) for i in series for d in i["frame"]["snapshot_date"]})]
    shown = [{"day": fmt_day(day, lang), "text": text} for day, text in marks if fmt_day(day, lang) in order]
    spec = copy.deepcopy(_trend_layout(lang, tuple((i["domain"], i["label"], i["target"]) for i in series),
                                       bool(shown), height))
    named = _trend_datasets(series, lang, shown)
    for layer, (name, _) in zip(spec["layer"], named):
        layer["data"]["name"] = name
        if "x" in layer["encoding"]:
            layer["encoding"]["x"]["sort"] = order
    spec["datasets"] = dict(named)
    return spec


def _trend_datasets(series: list[dict], lang: str, shown: list[dict]) -> list[tuple[str, list[dict]]]:
    """The layers' data in `trend_chart`'s order (the targets, the lines, the round marks' rule and text), each
    named as Altair names it; a missing ratio is null, as Altair writes it."""
    targets = [{"indicator": i["label"], "value": i["target"] * 100} for i in series]
    points = [{"day": fmt_day(d, lang), "value": None if math.isnan(v) else v, "indicator": i["label"]}
              for i in series for d, v in zip(i["frame"]["snapshot_date"],
                                              (i["frame"]["ratio"].astype(float) * 100).tolist())]
    return [_named(targets), _named(points)] + ([_named(shown)] * 2 if shown else [])


@functools.lru_cache(maxsize=32)
def _trend_layout(lang: str, indicators: tuple, marked: bool, height: int) -> dict:
    """Altair's spec of the trend for these indicators (domain, label, target), with round marks or without, on
    a stand-in date: `trend_spec` fills in the dates and values. Do not mutate."""
    day = pd.Timestamp("2000-01-01")
    frame = pd.DataFrame({"snapshot_date": [day.date()], "ratio": [0.5]})
    series = [{"domain": d, "label": label, "target": target, "frame": frame} for d, label, target in indicators]
    return trend_chart(series, lang, [(day, "")] if marked else [], height).to_dict(validate=False)


def _named(values: list[dict]) -> tuple[str, list[dict]]:
    """A dataset as Altair names it (`data-` and a hash of its values) with its values."""
    return _dataset_name(values), values


def fmt_day(day, lang: str) -> str:
    """5月4日 / May 4 from a date or a timestamp."""
    return i18n.fmt_date(pd.Timestamp(day).date(), lang)
