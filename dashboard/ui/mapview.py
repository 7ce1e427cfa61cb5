"""The map page's body: legend, choropleth of the children (click to drill), all grids (pydeck), units without a boundary.

The map colours a ratio against its target, or one of the domain's counts by quantile classes (`count=` in the URL);
either way every tooltip lists the domain's card tallies.

Why two map engines: Vega-Lite's SVG choropleth registers clicks (a point selection) and fits any width
without WebGL, so drilling happens there; thousands of grid polygons need WebGL, so
the all-grids view is a pydeck deck with hover tooltips only.
Geometry and the grid deck are built once and cached; a rerun recomputes values.
"""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from .. import i18n
from ..domain import fields, indicators
from ..output import charts
from ..output import model
from ..storage.store import Store
from . import controls, data, reads
from .context import Context, update
from .table import drill_table

GRID_LEVELS = ("prefecture", "county", "township")  # where "all grids" is offered


def render(ctx: Context) -> None:
    """Map left (first on a phone); pickers and the units furthest behind right; units without a boundary below."""
    day = ctx.domain_date(ctx.domain)
    if day is None:
        st.info(i18n.t("card_no_data", ctx.lang, domain=fields.DOMAIN_LABELS[ctx.domain][ctx.lang]))
        return
    rows = data.child_rows(ctx.store, ctx.code, ctx.ind.key, day, ctx.previous_date(ctx.domain, day), ctx.lang)
    if rows.empty:
        st.info(i18n.t("map_leaf", ctx.lang, name=controls.md_escape(ctx.unit["name"])))
        return
    left, right = st.columns([7, 3], gap="medium")  # the map is the page's largest thing
    with right:
        controls.domain_picker(ctx, "map")
        if not ctx.count:  # a count replaces the indicator's ratio: no indicator to pick
            controls.indicator_picker(ctx, "map")
        controls.measure_picker(ctx, "map")
        if ctx.count and fields.RESIDENTS:
            controls.per_1000_switch(ctx)
        all_grids = ctx.unit["level"] in GRID_LEVELS and not ctx.count and controls.grids_switch(ctx)
    with left:
        if all_grids:
            base = grids_map(ctx, day)
        elif ctx.count:
            classed, ranges = model.count_rows(rows, ctx.count, ctx.lang, _residents(ctx) if ctx.per_1000 else None)
            base = count_map(ctx, classed, ranges)
        else:
            base = children_map(ctx, rows, day)
    with right:
        if ctx.count and not all_grids:
            largest_counts(ctx, classed)
        else:
            largest_gaps(ctx, rows)
    if base is not None:  # the list of units without a boundary: the indicator's columns, and the count shown
        others = [f.name for f in fields.domain_fields(ctx.domain) if f.name != ctx.count]
        unmapped(ctx, rows[~rows["code"].isin(base["codes"])].drop(columns=others, errors="ignore"))


def largest_gaps(ctx: Context, rows: pd.DataFrame, count: int = 5) -> None:
    """The children furthest from the target in people, as buttons that drill in (a second way in)."""
    behind = rows[rows["gap"].fillna(0) > 0].sort_values("gap", ascending=False).head(count)
    if behind.empty:
        return
    level = model.level_words(rows["level"].mode().iloc[0], ctx.lang, capital=True)
    st.markdown(f"**{i18n.t('map_focus_title', ctx.lang, level=level)}**")
    unit_word = ctx.ind.unit_word(ctx.lang)
    for row in behind.itertuples():
        label = i18n.t("map_focus_item", ctx.lang, name=controls.md_escape(row.name),
                       ratio=i18n.fmt_percent(row.ratio), gap=i18n.fmt_count(row.gap, ctx.lang), unit=unit_word)
        st.button(label, key=f"focus-{row.code}", type="tertiary", icon=":material/arrow_forward:",
                  on_click=update, kwargs={"unit": row.code, "grids": None})


def _residents(ctx: Context) -> pd.Series | None:
    """Each child's residents (the declared residents' count, as its own domain's rollup counts it on its latest date
    on or before the chosen one), by code; None where that domain has no data."""
    domain = fields.BY_NAME[fields.RESIDENTS].domain
    day = ctx.domain_date(domain)
    found = data.unit_rollup(ctx.store, ctx.code, domain, day) if day is not None else None
    return None if found is None else found.children.set_index("code")[fields.RESIDENTS]


def largest_counts(ctx: Context, classed: pd.DataFrame, count: int = 5) -> None:
    """The children with the highest value shown (the count, or per 1,000 residents), as buttons that drill in."""
    top = classed[classed["value"].fillna(0) > 0].sort_values("value", ascending=False).head(count)
    if top.empty:
        return
    level = model.level_words(classed["level"].mode().iloc[0], ctx.lang, capital=True)
    label = _count_label(ctx)
    st.markdown(f"**{controls.md_escape(i18n.t('map_count_top', ctx.lang, field=label, level=level))}**")
    for row in top.itertuples():
        value = f"{row.value:,.1f}" if ctx.per_1000 else i18n.fmt_count(row.value, ctx.lang)
        text = i18n.t("map_count_item", ctx.lang, name=controls.md_escape(row.name), value=value)
        st.button(text, key=f"top-{row.code}", type="tertiary", icon=":material/arrow_forward:",
                  on_click=update, kwargs={"unit": row.code, "grids": None})


def _count_label(ctx: Context) -> str:
    label = fields.BY_NAME[ctx.count].label(ctx.lang)
    return i18n.t("map_per_1000_of", ctx.lang, field=label) if ctx.per_1000 else label


def count_map(ctx: Context, classed: pd.DataFrame, ranges: list) -> dict:
    """The children coloured by the quantile class of one count or of it per 1,000 residents (no target: the legend
    says so), click to drill."""
    base = data.map_base(ctx.store, ctx.code)
    _chips(i18n.t("legend_count_title", ctx.lang, field=_count_label(ctx)),
           charts.count_legend(ranges, ctx.lang, 0.1 if ctx.per_1000 else 1), classed["status"].value_counts())
    if ctx.per_1000 and classed["value"].isna().all():
        st.caption(i18n.t("map_per_1000_none", ctx.lang, field=fields.BY_NAME[fields.RESIDENTS].label(ctx.lang)))
    mapped = classed[classed["code"].isin(base["codes"])]
    if mapped.empty:
        return base
    key = f"map-{ctx.code}-{ctx.count}-{ctx.per_1000}"
    drawn(ctx, base, mapped, charts.choropleth(base, mapped, ctx.lang, figure_height(base), charts.COUNT_CLASSES,
                                               charts.COUNT_COLOURS), key)
    return base


def legend(ctx: Context, statuses: pd.Series) -> None:
    """Class colours with their words, ranges for this target and how many units fall in each."""
    target = ctx.target(ctx.ind)
    title = i18n.t("legend_title", ctx.lang, indicator=ctx.ind.label(ctx.lang), target=i18n.fmt_percent(target))
    _chips(title, charts.legend(target, ctx.lang), statuses.value_counts())


def _chips(title: str, entries: list, counts: pd.Series) -> None:
    """A legend: its title, then a colour chip, label and number of units per class."""
    chips = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:6px;margin:2px 14px 2px 0;white-space:nowrap">'
        f'<span style="width:14px;height:14px;border-radius:3px;background:{colour};'
        f'border:1px solid #9e9e9e"></span>{html.escape(label)} · {int(counts.get(key, 0))}</span>'
        for key, label, colour in entries)
    st.markdown(f'<div style="font-weight:600;margin-bottom:2px">{html.escape(title)}</div>'
                f'<div style="display:flex;flex-wrap:wrap;font-size:0.9rem">{chips}</div>', unsafe_allow_html=True)


def children_map(ctx: Context, rows: pd.DataFrame, day) -> dict:
    """The legend and the choropleth; a click selects a polygon and the callback drills into it."""
    base = data.map_base(ctx.store, ctx.code)
    legend(ctx, rows["status"])
    mapped = rows[rows["code"].isin(base["codes"])]
    if mapped.empty:
        return base
    key = f"map-{ctx.code}"
    figure = _children_figure(ctx.store, ctx.code, ctx.ind.key, day, ctx.previous_date(ctx.domain, day), ctx.lang,
                              figure_height(base))
    drawn(ctx, base, mapped, figure, key)
    return base


@reads.scoped(max_entries=32, resource=True)
def _children_figure(s: Store, code: str, ind_key: str, day, previous_day, lang: str, height: int):
    """The choropleth of `data.child_rows`, built once per view and store version; shared, do not mutate
    (st.vega_lite_chart serialises it)."""
    base = data.map_base(s, code)
    rows = data.child_rows(s, code, ind_key, day, previous_day, lang)
    return charts.choropleth(base, rows[rows["code"].isin(base["codes"])], lang, height)


def figure_height(base: dict) -> int:
    """The map's height for this device: the unit's shape at a phone's width on a phone (its browser says "Mobi",
    as MDN advises to detect one), else at a laptop's. Vega-Lite centres the fitted map in its chart, so a laptop's
    height on a phone would put empty bands above and below it; a narrow desktop window gets them, and the same map."""
    phone = "Mobi" in (st.context.headers.get("User-Agent") or "")
    return base["phone_height"] if phone else base["height"]


def drawn(ctx: Context, base: dict, mapped: pd.DataFrame, figure, key: str) -> None:
    """The choropleth, click to drill, in a frame whose width decides which names it shows (`charts.MAP_STYLE`),
    and under it the click hint and the units that carry no name on the map, named."""
    with st.container(key=f"map-frame-{key}"):
        st.vega_lite_chart(spec=figure, key=key, width="stretch", on_select=lambda: _drill(key),
                           selection_mode=charts.MAP_PICK)
        st.caption(i18n.t("map_click_hint", ctx.lang))
        for wide in (False, True):  # a wider map names more units: the frame's width shows one of the two lines
            small = charts.unlabelled_names(base, mapped["name"], wide)
            if small:
                with st.container(key=f"unlabelled-{'wide' if wide else 'narrow'}-{key}"):
                    names = charts.name_list(small, ctx.lang)
                    st.caption(controls.md_escape(i18n.t("map_unlabelled", ctx.lang, names=names)))


def _drill(key: str) -> None:
    """Runs before the rerun: the clicked polygon's unit becomes the current unit."""
    picked = st.session_state[key]["selection"].get(charts.MAP_PICK) or []
    for point in picked if isinstance(picked, list) else []:
        if point.get("code"):
            update(unit=point["code"], grids=None)
            return


def unmapped(ctx: Context, rows: pd.DataFrame) -> None:
    """Units without a boundary still count: listed with their values, drillable from the table."""
    if rows.empty:
        return
    st.markdown(f"**{i18n.t('map_no_shapes', ctx.lang)}**")
    drill_table(ctx, rows, key="unmapped")


def grids_map(ctx: Context, day) -> None:
    """Every grid under the unit, coloured by class, the children's borders on top; hover for values."""
    deck, statuses = _grid_deck(ctx.store, ctx.code, ctx.ind.key, day, ctx.lang)
    legend(ctx, statuses)
    if (statuses == "none").all():
        st.caption(i18n.t("map_no_grid_data", ctx.lang, indicator=ctx.ind.label(ctx.lang)))
    st.pydeck_chart(deck, height=data.MAP_HEIGHT, key=f"grids-{ctx.code}")
    st.caption(i18n.t("map_grids_hint", ctx.lang))


@reads.scoped(max_entries=16, resource=True)
def _grid_deck(s: Store, code: str, ind_key: str, day, lang: str):
    """The deck and the grids' classes; cached per unit, indicator, date and language (a deck is JSON-heavy).

    Grid names repeat in every village (第1网格), so a tooltip names the village too.
    """
    ind = indicators.BY_KEY[ind_key]
    frame = data.level_rollup(s, code, "grid", ind.domain, day)
    frame = frame.assign(name=frame["parent_name"].fillna("") + " " + frame["name"])
    rows = model.with_tooltips(model.indicator_rows(frame, ind), ind, lang)
    shapes = data.shapes(s, code, "grid")
    outlines = data.shapes(s, code)
    view = charts.view_for(shapes.total_bounds if len(shapes) else outlines.total_bounds, *data.MAP_FIT_PX)
    deck = charts.grids_deck(shapes, rows[["code", "status", "tip_text"]], outlines, view, data.MAP_HEIGHT)
    return deck, rows["status"]
