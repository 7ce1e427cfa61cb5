"""Figures without Streamlit: status classes against a target, legends, the choropleth, the all-grids deck, the trend.

Why here and not in the UI: the same classes and colours must mean the same
thing on every page and in later exports (briefings, images), and figures
built from plain frames can be tested without a browser.
Offline by construction: no basemap tiles, no topojson, no glyphs fetched (see `label_annotations`).
"""
from __future__ import annotations

import html
import math

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck
import shapely

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
COUNT_TEXT_COLOURS = {"q1": "#1a1a1a", "q2": "#1a1a1a", "q3": "#1a1a1a", "q4": "#ffffff", "q5": "#ffffff",
                      "none": "#333333"}


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


def view_for(bounds, width_px: float, height_px: float, max_zoom: float = 15.0) -> tuple[dict, float]:
    """Centre and zoom that fit lon/lat bounds into a box of pixels (Web Mercator, 512-px world at zoom 0).

    Why: the plotly.js bundled with Streamlit (3.8.2) skips `map.fitbounds` when a
    choroplethmap trace is present, so the view is computed here, once per unit,
    and cached with the geometry. The box is a phone's width, so it fits everywhere.
    """
    west, south, east, north = bounds
    y = _mercator_y
    span_x = max(east - west, 1e-6) / 360.0
    span_y = max(y(north) - y(south), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(width_px / (512 * span_x)), math.log2(height_px / (512 * span_y)), max_zoom)
    mid_y = (y(north) + y(south)) / 2
    centre = {"lon": (east + west) / 2, "lat": math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)}
    return centre, zoom


def label_annotations(base: dict) -> list[dict]:
    """The labels as Plotly annotations, placed by pixel offset from the map's centre (Web Mercator at its zoom).

    Why not a `Scattermap` text trace: MapLibre draws its text from glyphs it fetches from a server, and only CJK
    from the local font, so offline a name such as 第10网格 could carry no ASCII digit (full-width 第１０网格 was the
    workaround, unlike every list). Annotations are SVG text drawn by the browser with its local fonts, the same
    text as the lists. They sit in paper coordinates, so each is put at the paper's centre (the map's centre: no
    margins, fixed view, no pan or zoom) and shifted by its pixels from it, which holds at any width.
    """
    labels = base["labels"]
    if not len(labels):
        return []
    world = 512 * 2 ** base["zoom"]
    centre_x, centre_y = base["centre"]["lon"] / 360.0, _mercator_y(base["centre"]["lat"]) / (2 * math.pi)
    return [{"x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False, "text": plotly_text(name),
             "xshift": (lon / 360.0 - centre_x) * world, "yshift": (_mercator_y(lat) / (2 * math.pi) - centre_y) * world,
             "font": {"size": LABEL_PX, "color": "#1a1a1a"}}
            for name, lon, lat in zip(labels["name"], labels["lon"], labels["lat"])]


def name_list(names: list[str], lang: str, most: int = 12) -> str:
    """Names for a line of text: '东城街道、北城街道' (zh) or 'A, B' (en), the rest counted past `most`."""
    shown = ("、" if lang == "zh" else ", ").join(str(n) for n in names[:most])
    return i18n.t("name_list_more", lang, names=shown, count=len(names) - most) if len(names) > most else shown


def unlabelled_names(base: dict, names: pd.Series) -> list[str]:
    """The names of the mapped units that carry no label at the map's zoom (too small): listed beside the map."""
    labelled = set(base["labels"]["name"]) if len(base["labels"]) else set()  # an empty frame has no columns
    return [str(n) for n in names if n not in labelled]


def label_fits(shapes: gpd.GeoDataFrame, names: pd.Series, zoom: float) -> pd.Series:
    """Which units carry their name as a label at this zoom: the label's box, centred on the unit's
    representative point, lies inside the unit and clear of every label already placed (the largest units
    first), as MapLibre's own placement would have it. The browser draws the labels with its own fonts (see
    `label_annotations`); a unit left out is named beside the map instead."""
    if shapes.empty:
        return pd.Series(dtype=bool)
    m_per_px = 156543.03392 / 2 ** (zoom + 1)  # 512-px tiles
    flat = shapes.geometry.to_crs(3857)
    points = shapes.geometry.representative_point().to_crs(3857)
    half_w = names.fillna("").map(_text_width).to_numpy() * m_per_px / 2
    half_h = LABEL_PX * 1.3 * m_per_px / 2
    boxes = shapely.box(points.x - half_w, points.y - half_h, points.x + half_w, points.y + half_h)
    inside = shapely.contains(flat.values, boxes)
    placed, fits = [], np.zeros(len(shapes), dtype=bool)
    for i in np.argsort(-flat.area.to_numpy(), kind="stable"):
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
               colours: dict = COLOURS) -> go.Figure:
    """The children coloured by class, names where they fit, a tooltip per unit.

    `base` is the cached geometry part (geojson, centre, zoom, label points);
    `values` has code, status (one of `classes`, coloured by `colours`: the target's classes, or a count's
    quantiles) and `tip` (see `tooltip_html`).
    Style "white-bg" and not a style object: with an object, the bundled Plotly
    rejects the map ("Map error.") and hover and click never work. The names are
    SVG annotations over the map (`label_annotations`), so no glyph is fetched.
    """
    index = {s: i for i, s in enumerate(classes)}
    z = values["status"].map(index).astype(float) + 0.5
    scale = []
    for i, key in enumerate(classes):
        scale += [[i / len(classes), colours[key]], [(i + 1) / len(classes), colours[key]]]
    fig = go.Figure(go.Choroplethmap(
        geojson=base["geojson"], locations=values["code"], featureidkey="id", z=z,
        zmin=0, zmax=len(classes), colorscale=scale, showscale=False,
        marker={"line": {"color": LINE_COLOUR, "width": 1.2}, "opacity": 0.92},
        customdata=values[["code", "tip"]].values, hovertemplate="%{customdata[1]}<extra></extra>",
    ))
    fig.update_layout(
        annotations=label_annotations(base),
        map={"style": "white-bg", "center": base["centre"], "zoom": base["zoom"], "fitbounds": False},
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=height, showlegend=False,
        hoverlabel={"bgcolor": "white", "font": {"size": 13}}, uirevision=base["key"],
        clickmode="event+select", dragmode=False)  # no panning: a finger on the map scrolls the page
    return fig


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


def tooltip_html(lines: list[str]) -> str:
    """The lines for a Plotly hover label: every line escaped (names are data), the name in bold."""
    escaped = [plotly_text(line) for line in lines]
    return "<br>".join([f"<b>{escaped[0]}</b>", *escaped[1:]])


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
# for Plotly (the trends page) an annotation anchored at the plot's top edge, for Vega-Lite (the overview) a text
# mark placed above the plot's top (y in pixels from it).
ROUND_ANNOTATION = {"y": 1, "yref": "paper", "showarrow": False, "xanchor": "left", "yanchor": "bottom",
                    "font": {"size": 11, "color": "#555555"}}
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


def fmt_day(day, lang: str) -> str:
    """5月4日 / May 4 from a date or a timestamp."""
    return i18n.fmt_date(pd.Timestamp(day).date(), lang)
