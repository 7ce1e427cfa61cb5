"""Figures of the analyst pages (gaps, trends, data quality), without Streamlit.

Same conventions as dashboard/output/charts.py: dates on a category axis labelled the
way people write them (5月4日 / May 4), white background, no external assets.
A day without data is a None in the trace and `connectgaps` stays off, so it
shows as a break in the line, never as a fall to zero.
"""
from __future__ import annotations

import math

import altair as alt
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import charts

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22")
HEAD_COLOUR, TAIL_COLOUR, SHARE_COLOUR = "#a50026", "#f4a582", "#333333"


def _values(frame: pd.DataFrame, measure: str) -> list:
    """The measure per day; NaN becomes None so the line breaks there."""
    values = frame[measure] * 100 if measure == "ratio" else frame[measure]
    return [None if pd.isna(v) else float(v) for v in values]


def lines(series: list[tuple[str, pd.DataFrame]], measure: str, lang: str, marks=(), target_label: str = "",
          height: int = 340) -> alt.LayerChart:
    """One line per unit for a measure (ratio in %, cumulative count, daily increase); the target dotted.

    The target line is drawn for the ratio (one target for every unit) and, for
    a single unit, for the count (target × denominator per day).
    Vega-Lite, not Plotly: nothing on it is clicked, and 趋势 then loads no Plotly (its 4.7 MB of JavaScript)
    unless the small multiples are asked for; a day without data breaks the line (`invalid=None`), names are
    data in a tooltip, which Vega escapes.
    """
    order = list(dict.fromkeys(charts.fmt_day(d, lang) for _, frame in series for d in frame["snapshot_date"]))
    percent = measure == "ratio"
    names = [str(label) for label, _ in series]
    points = pd.concat([pd.DataFrame({"day": [charts.fmt_day(d, lang) for d in frame["snapshot_date"]],
                                      "value": _values(frame, measure), "unit": name, "main": i == 0})
                        for i, (name, (_, frame)) in enumerate(zip(names, series))], ignore_index=True)
    x = alt.X("day:O", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy", labelSeparation=8,
                                                            gridColor="#f4f4f4", grid=True))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=True),
              axis=alt.Axis(gridColor="#eeeeee", format=",.0f", labelExpr="datum.label + '%'" if percent else
                            alt.Undefined))
    target = _target_line(series, measure)
    legend_names = names + ([target_label] if target is not None else [])
    colour = alt.Color("unit:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=320),  # whole names
                       scale=alt.Scale(domain=legend_names, range=[PALETTE[i % len(PALETTE)] for i in range(len(names))]
                                       + (["#555555"] if target is not None else [])))
    drawn = alt.Chart(points).mark_line(point=alt.OverlayMarkDef(size=25), invalid=None).encode(
        x=x, y=y, color=colour, strokeWidth=alt.condition("datum.main", alt.value(2.5), alt.value(1.8)),
        tooltip=[alt.Tooltip("unit:N", title=" "), alt.Tooltip("day:O", title=" "),
                 alt.Tooltip("value:Q", title="%" if percent else " ", format=",.1f")])
    layers = [drawn]
    if target is not None:
        goal = pd.DataFrame({"day": [charts.fmt_day(d, lang) for d in series[0][1]["snapshot_date"]],
                             "value": target, "unit": target_label})
        layers.insert(0, alt.Chart(goal).mark_line(strokeDash=[2, 3], strokeWidth=1.2, invalid=None).encode(
            x=x, y=y, color=colour))
    shown = [(charts.fmt_day(day, lang), text) for day, text in marks if charts.fmt_day(day, lang) in order]
    if shown:
        frame = pd.DataFrame(shown, columns=["day", "text"])
        layers += [alt.Chart(frame).mark_rule(strokeDash=[4, 4], color="#888888").encode(x=x),
                   alt.Chart(frame).mark_text(**charts.ROUND_LABEL).encode(x=x, text="text:N")]
    return alt.layer(*layers).properties(height=height, padding={"top": 24 if shown else 6, "left": 4, "right": 8,
                                                                 "bottom": 4}).configure_view(stroke=None)


def _target_line(series, measure: str) -> list | None:
    if not series:
        return None
    frame = series[0][1]
    if measure == "ratio":
        return [float(t) * 100 for t in frame["target"]]
    if measure == "numerator" and len(series) == 1:
        return [None if pd.isna(d) else float(t) * float(d) for t, d in zip(frame["target"], frame["denominator"])]
    return None


def _hover_label(label: str) -> str:
    """A unit name as Plotly text: HTML-escaped (Plotly renders tags); hover text goes in `text`, never a template."""
    return charts.plotly_text(label)


def small_multiples(series: list[tuple[str, pd.DataFrame]], measure: str, lang: str, marks=(), columns: int = 3,
                    row_height: int = 150) -> go.Figure:
    """One small panel per unit, same scales, so the odd one out shows at a glance."""
    rows = max(1, math.ceil(len(series) / columns))
    fig = make_subplots(rows=rows, cols=columns, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=[_hover_label(label) for label, _ in series],
                        vertical_spacing=min(0.3 / rows, 0.08),
                        horizontal_spacing=0.03)
    percent = measure == "ratio"
    for i, (label, frame) in enumerate(series):
        row, col = i // columns + 1, i % columns + 1
        x = [charts.fmt_day(d, lang) for d in frame["snapshot_date"]]
        fig.add_trace(go.Scatter(x=x, y=_values(frame, measure), mode="lines", connectgaps=False, showlegend=False,
                                 line={"color": PALETTE[0], "width": 1.8}, text=[_hover_label(label)] * len(x),
                                 hovertemplate=f"%{{text}}<br>%{{x}}: %{{y:,.1f}}"
                                               f"{'%' if percent else ''}<extra></extra>"), row=row, col=col)
        if percent:
            fig.add_trace(go.Scatter(x=x, y=[float(t) * 100 for t in frame["target"]], mode="lines",
                                     showlegend=False, hoverinfo="skip",
                                     line={"color": "#555555", "width": 1, "dash": "dot"}), row=row, col=col)
        for day, _ in marks:
            fig.add_vline(x=charts.fmt_day(day, lang), line={"color": "#888888", "width": 1, "dash": "dash"},
                          row=row, col=col)
    fig.update_annotations(font={"size": 12})
    fig.update_layout(height=rows * row_height + 40, margin={"l": 8, "r": 8, "t": 28, "b": 8},
                      plot_bgcolor="white", paper_bgcolor="white", font={"size": 11}, hovermode="closest")
    fig.update_yaxes(ticksuffix="%" if percent else "", gridcolor="#eeeeee", zeroline=False, rangemode="tozero")
    fig.update_xaxes(type="category", nticks=4, tickangle=0, showgrid=False)
    return fig


def pareto(ranked: pd.DataFrame, labels: list[str], share: float, unit_word: str, bar_label: str,
           share_label: str, head_text: str, rank_label: str, height: int = 320) -> alt.LayerChart:
    """Every unit's gap by rank (largest first) and the cumulative share of the whole gap.

    The units that together make up `share` of the gap are dark red, and a
    marker says how many they are: on a rank axis this reads the same for 20
    villages or 4,000 grids. Hover names the unit.
    Vega-Lite, not Plotly: nothing here is clicked, and a page without Plotly never loads its 4.7 MB of
    JavaScript (BENCHMARKS.md, issue 17); names are data in a tooltip, which Vega escapes.
    """
    with_gap = ranked[ranked["gap"].fillna(0) > 0]
    points = pd.DataFrame({"rank": range(1, len(with_gap) + 1), "gap": with_gap["gap"].astype("float64").to_numpy(),
                           "share": with_gap["cum_share"].astype("float64").to_numpy() * 100,
                           "name": [str(label) for label in labels[: len(with_gap)]],
                           "head": with_gap["in_head"].astype(bool).to_numpy(), "bars": bar_label,
                           "line": share_label})
    series = alt.Scale(domain=[bar_label, share_label], range=[TAIL_COLOUR, SHARE_COLOUR])
    legend = alt.Legend(orient="bottom", title=None)
    x = alt.X("rank:Q", title=rank_label, scale=alt.Scale(domain=[0.5, max(len(points), 1) + 0.5], nice=False),
              axis=alt.Axis(grid=False, tickMinStep=1, format="d", titleColor="#555555", titleFontWeight="normal"))
    base = alt.Chart(points).encode(x=x)
    bars = base.mark_bar(binSpacing=0, width={"band": 0.9} if len(points) < 60 else alt.Undefined).encode(
        y=alt.Y("gap:Q", title=None, axis=alt.Axis(format="~s", gridColor="#eeeeee")),
        color=alt.condition("datum.head", alt.value(HEAD_COLOUR), alt.Color("bars:N", scale=series, legend=legend)),
        tooltip=[alt.Tooltip("rank:Q", title="#"), alt.Tooltip("name:N", title=" "),
                 alt.Tooltip("gap:Q", title=unit_word, format=",.0f")])
    right = alt.Y("share:Q", title=None, scale=alt.Scale(domain=[0, 102]),
                  axis=alt.Axis(orient="right", values=[0, 25, 50, 75, 100], grid=False,
                                labelExpr="datum.value + '%'"))
    line = base.mark_line(strokeWidth=2).encode(y=right, color=alt.Color("line:N", scale=series, legend=legend),
                                                tooltip=[alt.Tooltip("share:Q", title=share_label, format=".1f")])
    goal = alt.Chart(pd.DataFrame({"share": [share * 100]})).mark_rule(
        color=SHARE_COLOUR, strokeWidth=1, strokeDash=[2, 3]).encode(y=right)
    layers = [line, goal]
    needed = int(with_gap["in_head"].sum())
    if needed:
        head = alt.Chart(points.iloc[[needed - 1]].assign(text=head_text)).encode(x=x, y=right)
        layers += [head.mark_point(filled=True, size=70, color=HEAD_COLOUR),
                   head.mark_text(align="left", baseline="top", dx=6, dy=6, fontSize=12, color=HEAD_COLOUR
                                  ).encode(text="text:N")]
    return (alt.layer(bars, alt.layer(*layers)).resolve_scale(y="independent", color="shared")
            .properties(height=height, padding={"top": 8, "left": 4, "right": 4, "bottom": 4})
            .configure_view(stroke=None))


def completeness(frame: pd.DataFrame, lang: str, carried_label: str, missing_label: str,
                 height: int = 220) -> alt.Chart:
    """Per snapshot date, the expected units that did not report: carried from earlier days, or no data at all.

    Only the shortfall is drawn: next to thousands of units that did report,
    a hundred missing ones would be a sliver (the rate is in the table below). Vega-Lite, as `pareto`.
    """
    days = [charts.fmt_day(d, lang) for d in frame["snapshot_date"]]
    stacked = pd.DataFrame({"day": days * 2, "order": [0] * len(days) + [1] * len(days),
                            "kind": [missing_label] * len(days) + [carried_label] * len(days),
                            "units": pd.concat([frame["missing"], frame["carried"]]).astype("float64").to_numpy()})
    return alt.Chart(stacked).mark_bar().encode(
        x=alt.X("day:O", sort=days, title=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy")),
        y=alt.Y("units:Q", title=None, stack="zero", axis=alt.Axis(gridColor="#eeeeee", tickMinStep=1, format="d")),
        color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=[missing_label, carried_label], range=[charts.COLOURS["far"],
                                                                                        "#f4a582"])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("day:O", title=" "), alt.Tooltip("kind:N", title=" "),
                 alt.Tooltip("units:Q", title="#", format=",")],
    ).properties(height=height, padding={"top": 6, "left": 4, "right": 8, "bottom": 4}).configure_view(stroke=None)
