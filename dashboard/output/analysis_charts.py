"""Figures of the analyst pages (gaps, trends, data quality), without Streamlit.

Same conventions as dashboard/output/charts.py: dates on a category axis labelled the
way people write them (5月4日 / May 4), white background, no external assets.
A day without data is a None in the trace and `connectgaps` stays off, so it
shows as a break in the line, never as a fall to zero.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import charts

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22")
HEAD_COLOUR, TAIL_COLOUR, SHARE_COLOUR = "#a50026", "#f4a582", "#333333"


def _layout(fig: go.Figure, height: int, percent: bool, top: int = 8) -> go.Figure:
    fig.update_layout(
        height=height, margin={"l": 8, "r": 8, "t": top, "b": 8}, hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        plot_bgcolor="white", paper_bgcolor="white", font={"size": 12})
    fig.update_yaxes(ticksuffix="%" if percent else "", gridcolor="#eeeeee", zeroline=False, rangemode="tozero")
    fig.update_xaxes(type="category", gridcolor="#f4f4f4", tickangle=0, nticks=5)
    return fig


def _values(frame: pd.DataFrame, measure: str) -> list:
    """The measure per day; NaN becomes None so the line breaks there."""
    values = frame[measure] * 100 if measure == "ratio" else frame[measure]
    return [None if pd.isna(v) else float(v) for v in values]


def _marks(fig: go.Figure, marks, lang: str) -> None:
    """Dashed vertical lines at round starts (shape + annotation: add_vline cannot annotate a category axis)."""
    for day, text in marks:
        x = charts.fmt_day(day, lang)
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper",
                      line={"color": "#888888", "width": 1, "dash": "dash"})
        fig.add_annotation(**charts.ROUND_ANNOTATION, x=x, text=text)


def lines(series: list[tuple[str, pd.DataFrame]], measure: str, lang: str, marks=(), target_label: str = "",
          height: int = 340) -> go.Figure:
    """One line per unit for a measure (ratio in %, cumulative count, daily increase); the target dotted.

    The target line is drawn for the ratio (one target for every unit) and, for
    a single unit, for the count (target × denominator per day).
    """
    fig = go.Figure()
    _marks(fig, marks, lang)
    percent = measure == "ratio"
    for i, (label, frame) in enumerate(series):
        x = [charts.fmt_day(d, lang) for d in frame["snapshot_date"]]
        colour = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(
            x=x, y=_values(frame, measure), name=_hover_label(label), mode="lines+markers", connectgaps=False,
            line={"color": colour, "width": 2.5 if i == 0 else 1.8}, marker={"size": 5},
            text=[_hover_label(label)] * len(x),
            hovertemplate=f"%{{text}}: %{{y:,.1f}}{'%' if percent else ''}<extra></extra>"))
    target = _target_line(series, measure)
    if target is not None:
        x = [charts.fmt_day(d, lang) for d in series[0][1]["snapshot_date"]]
        fig.add_trace(go.Scatter(x=x, y=target, name=target_label, mode="lines", connectgaps=False,
                                 hoverinfo="skip", line={"color": "#555555", "width": 1.2, "dash": "dot"}))
    return _layout(fig, height, percent, top=26 if marks else 8)  # the rounds' labels above the plot


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
           share_label: str, head_text: str, rank_label: str, height: int = 320) -> go.Figure:
    """Every unit's gap by rank (largest first) and the cumulative share of the whole gap.

    The units that together make up `share` of the gap are dark red, and a
    marker says how many they are: on a rank axis this reads the same for 20
    villages or 4,000 grids. Hover names the unit.
    """
    with_gap = ranked[ranked["gap"].fillna(0) > 0]
    rank = list(range(1, len(with_gap) + 1))
    names = [_hover_label(label) for label in labels[: len(with_gap)]]
    colours = [HEAD_COLOUR if head else TAIL_COLOUR for head in with_gap["in_head"]]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=rank, y=with_gap["gap"].astype("float64"), name=bar_label, marker={"color": colours,
                         "line": {"width": 0}}, text=names, textposition="none",
                         hovertemplate=f"%{{x}}. %{{text}}: %{{y:,.0f}} {charts.plotly_text(unit_word)}<extra></extra>"),
                  secondary_y=False)
    fig.add_trace(go.Scatter(x=rank, y=with_gap["cum_share"] * 100, name=share_label, mode="lines",
                             line={"color": SHARE_COLOUR, "width": 2}, hovertemplate="%{y:.1f}%<extra></extra>"),
                  secondary_y=True)
    needed = int(with_gap["in_head"].sum())
    if needed:
        fig.add_trace(go.Scatter(x=[needed], y=[float(with_gap["cum_share"].iloc[needed - 1]) * 100],
                                 mode="markers+text", text=[charts.plotly_text(head_text)], textposition="bottom right",
                                 marker={"size": 9, "color": HEAD_COLOUR}, showlegend=False, hoverinfo="skip",
                                 textfont={"size": 12, "color": HEAD_COLOUR}), secondary_y=True)
    fig.add_hline(y=share * 100, line={"color": SHARE_COLOUR, "width": 1, "dash": "dot"}, secondary_y=True)
    fig.update_layout(height=height, margin={"l": 8, "r": 8, "t": 8, "b": 8}, plot_bgcolor="white",
                      paper_bgcolor="white", font={"size": 12}, bargap=0.1 if len(rank) < 60 else 0,
                      hovermode="closest", legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0})
    fig.update_xaxes(range=[0.5, max(len(rank), 1) + 0.5], showgrid=False, zeroline=False,
                     title={"text": charts.plotly_text(rank_label), "font": {"size": 11, "color": "#555555"}})
    fig.update_yaxes(gridcolor="#eeeeee", zeroline=False, rangemode="tozero", secondary_y=False)
    fig.update_yaxes(range=[0, 102], dtick=25, ticksuffix="%", showgrid=False, secondary_y=True)
    return fig


def completeness(frame: pd.DataFrame, lang: str, carried_label: str, missing_label: str,
                 height: int = 220) -> go.Figure:
    """Per snapshot date, the expected units that did not report: carried from earlier days, or no data at all.

    Only the shortfall is drawn: next to thousands of units that did report,
    a hundred missing ones would be a sliver (the rate is in the table below).
    """
    x = [charts.fmt_day(d, lang) for d in frame["snapshot_date"]]
    fig = go.Figure()
    for column, label, colour in (("missing", missing_label, charts.COLOURS["far"]),
                                  ("carried", carried_label, "#f4a582")):
        fig.add_trace(go.Bar(x=x, y=frame[column], name=_hover_label(label), marker={"color": colour},
                             text=[_hover_label(label)] * len(x), textposition="none",
                             hovertemplate="%{text}: %{y:,}<extra></extra>"))
    fig.update_layout(barmode="stack", bargap=0.2)
    return _layout(fig, height, percent=False)
