"""趋势 Trends: an indicator over time for the current unit, compared with chosen units, or all children side by side.

Every calendar day is a point, so a day without data breaks the line instead
of pretending to be zero (dashboard/analysis/trends.py); testing rounds are marked
where counts restart. The numbers behind the chart are in a table below it,
blanks where there was no data.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from .. import i18n
from ..analysis import trends
from ..domain import fields
from ..output import analysis_charts
from ..output.model import level_words
from . import analysis_data, downloads
from .context import Context
from .controls import folded, measure_picker, view_pickers

PERIODS = (14, 28, 0)  # days shown; 0 = every snapshot
MAX_MULTIPLES = 36
MAX_COMPARED = len(analysis_charts.PALETTE) - 1  # the units compared with the current one, a colour each


def render(ctx: Context) -> None:
    view_pickers(ctx, key="trends")
    measure_picker(ctx, "trends-show", "trends_shows_label")
    days = [d for d in ctx.by_domain.get(ctx.domain, []) if d <= ctx.date]
    if not days:
        st.info(i18n.t("card_no_data", ctx.lang, domain=fields.DOMAIN_LABELS[ctx.domain][ctx.lang]))
        return
    children = trends.children_codes(ctx.store, ctx.code)
    measure, period, chosen, multiples = controls(ctx, children)
    last = days[-1]
    first = days[0] if period == 0 else max(days[0], last - dt.timedelta(days=period - 1))
    marks = [(d, i18n.t("trend_round", ctx.lang, round=r))
             for r, d in analysis_data.rounds(ctx.store, ctx.code, ctx.domain, first, last)]
    names = dict(zip(children["code"], children["name"]))
    series = [(str(ctx.unit["name"]), _series(ctx, ctx.code, first, last))]
    series += [(str(names[c]), _series(ctx, c, first, last)) for c in chosen]
    title = i18n.t("trends_chart_title", ctx.lang, indicator=_shown(ctx), measure=_measure_word(ctx, measure))
    st.markdown(f"**{title}**")
    st.vega_lite_chart(spec=analysis_data.chart_spec("lines", series, measure, ctx.lang, marks,
                                                     i18n.t("trends_target", ctx.lang)),
                       width="stretch", key=f"trend-lines-{ctx.lang}")
    notes = [i18n.t("trends_gaps_note", ctx.lang)] + \
        ([i18n.t("trends_rounds_note", ctx.lang)] if fields.has_rounds(ctx.domain) else [])
    st.caption(("" if ctx.lang == "zh" else " ").join(notes))
    if multiples and len(children):
        small_multiples(ctx, children, measure, first, last, marks)
    folded(i18n.t("trends_table", ctx.lang), "trends-table-open", lambda: figures_table(ctx, series, measure))


def figures_table(ctx: Context, series, measure) -> None:
    """The figures drawn, one column per unit, with their downloads."""
    frame = trends.table(dict(series), measure)
    frame["snapshot_date"] = [d.isoformat() for d in frame["snapshot_date"]]
    frame = frame.rename(columns={"snapshot_date": i18n.t("trends_col_date", ctx.lang)})
    st.dataframe(frame, hide_index=True, width="stretch", key="trends-table")
    downloads.table(frame, f"{ctx.unit['name']}_{i18n.t('trends_table', ctx.lang)}_{ctx.date.isoformat()}",
                    ctx.lang, key="trends-table")


def _series(ctx: Context, code: str, first, last):
    """The unit's series of what is shown: the indicator, or the count the URL names (`count=`)."""
    if ctx.count:
        return analysis_data.count_series(ctx.store, code, ctx.domain, ctx.count, first, last)
    return analysis_data.series(ctx.store, code, ctx.ind.key, first, last)


def _shown(ctx: Context) -> str:
    return fields.BY_NAME[ctx.count].label(ctx.lang) if ctx.count else ctx.ind.label(ctx.lang)


def _measure_word(ctx: Context, measure: str) -> str:
    return i18n.t("trends_measure_count" if ctx.count and measure == "numerator" else f"trends_measure_{measure}",
                  ctx.lang)


def controls(ctx: Context, children) -> tuple[str, int, list[str], bool]:
    """Measure, period, units to compare (children of the current unit) and the small-multiples switch."""
    one, two = st.columns([3, 2], vertical_alignment="bottom")
    with one:
        options = [m for m in trends.MEASURES if not (ctx.count and m == "ratio")]  # a count has no ratio
        measure = st.segmented_control(
            i18n.t("trends_measure", ctx.lang), options, default=options[0], key="trends-measure-count" if ctx.count else "trends-measure",
            format_func=lambda m: _measure_word(ctx, m)) or options[0]
    with two:
        period = st.selectbox(i18n.t("trends_period", ctx.lang), list(PERIODS), index=1, key="trends-period",
                              format_func=lambda p: i18n.t("trends_period_all", ctx.lang) if p == 0
                              else i18n.t("trends_period_days", ctx.lang, days=p))
    if children.empty:
        return measure, period, [], False
    names = dict(zip(children["code"], children["name"]))
    level = level_words(children["level"].mode().iloc[0], ctx.lang)
    three, four = st.columns([3, 2], vertical_alignment="bottom")
    with three:
        key = f"trends-compare-{ctx.code}"
        chosen = st.multiselect(i18n.t("trends_compare", ctx.lang, level=level), list(names), format_func=names.get,
                                key=key, on_change=_at_most, args=(key,),
                                placeholder=i18n.t("trends_compare_placeholder", ctx.lang))
        if len(chosen) >= MAX_COMPARED:
            st.caption(i18n.t("trends_compare_limit", ctx.lang, count=MAX_COMPARED))
    with four:
        multiples = st.toggle(i18n.t("trends_multiples", ctx.lang, level=level), key="trends-multiples")
    return measure, period, chosen, multiples


def _at_most(key: str) -> None:
    """Runs before the rerun: a unit picked past the limit is taken off again, and the caption under the picker says
    why, in the page's language (Streamlit's own `max_selections` message is English only)."""
    st.session_state[key] = st.session_state[key][:MAX_COMPARED]


def small_multiples(ctx: Context, children, measure: str, first, last, marks) -> None:
    """All children (up to MAX_MULTIPLES), same scales; three columns on a laptop, two on a phone-sized chart."""
    shown = children.head(MAX_MULTIPLES)
    series = [(str(n), _series(ctx, c, first, last)) for c, n in zip(shown["code"], shown["name"])]
    level = level_words(children["level"].mode().iloc[0], ctx.lang, capital=True)
    st.markdown(f"**{i18n.t('trends_multiples_title', ctx.lang, level=level, count=len(series))}**")
    if len(children) > MAX_MULTIPLES:
        st.caption(i18n.t("trends_multiples_cut", ctx.lang, shown=MAX_MULTIPLES, total=len(children)))
    st.plotly_chart(analysis_charts.small_multiples(series, measure, ctx.lang, marks, columns=3),
                    config={"displayModeBar": False}, key=f"trend-multiples-{ctx.lang}")
