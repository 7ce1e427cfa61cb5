"""The child units as a sortable table; selecting a row drills into that unit.

The table keeps numbers numeric (so sorting by a header is right) and formats
them in the column configuration; status is a word on its class colour.
The selection is handled in a callback, before the rerun, and the widget key
carries the unit code, so a drilled-into unit starts with a fresh table.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import i18n
from ..domain import fields
from ..output import charts
from ..output import model
from . import data, downloads
from .context import Context, update
from .controls import md_escape, view_pickers


def drill_table(ctx: Context, rows: pd.DataFrame, key: str, height: int | str = "auto") -> None:
    """Name, status, ratio, numerator, denominator, gap and change (and every field of the domain, where `rows`
    carry them: the 全部字段 switch); tick a row to open that unit."""
    ind = ctx.ind
    # the largest gap in people (households) first, as a leader reads it; then the lowest rate; no data last
    rows = rows.sort_values(["gap", "ratio"], ascending=[False, True], na_position="last", kind="stable")
    rows = rows.reset_index(drop=True)
    shown = pd.DataFrame({
        "name": rows["name"].astype(str),
        "status": [charts.status_word(s, ctx.lang) for s in rows["status"]],
        "ratio": (rows["ratio"] * 100).astype("Float64").round(1),
        "gap": rows["gap"], "change": rows["change"],
        "numerator": rows["numerator"], "denominator": rows["denominator"],
        **{f.name: rows[f.name] for f in fields.domain_fields(ind.domain) if f.name in rows},
    })  # gap and change before the counts: on a phone the first columns are what is seen
    if shown["change"].isna().all():  # no earlier snapshot: a column of "None" says nothing (Streamlit prints nulls)
        shown = shown.drop(columns="change")
    colours = dict(zip(shown["status"], rows["status"]))
    styled = shown.style.map(lambda word: _cell_style(colours.get(word, "none")), subset=["status"])
    widget_key = f"{key}-{ctx.code}-{ind.key}-{ctx.lang}-{len(shown.columns)}"
    codes = list(rows["code"])
    with st.container(key=f"full-table-{widget_key}"):
        _grid(ctx, styled, widget_key, codes, height)
    with st.container(key=f"phone-table-{widget_key}"):  # shown instead of the full table at phone width
        _grid(ctx, _phone(shown, rows["status"]), f"{widget_key}-phone", codes, height)
    downloads.table(shown, f"{ctx.unit['name']}_{ind.label(ctx.lang)}_{ctx.date.isoformat()}", ctx.lang,
                    key=widget_key, labels=_columns(ctx))


# On a phone the table's columns are what a leader reads (name, rate on its status colour, gap): it fits 390 px
# without scrolling sideways; a wider window shows the full table instead. Which one is the browser's choice (the
# page style's media query in shell.py), so one script run serves any width.
PHONE_COLUMNS = ("name", "ratio", "gap")


def _phone(shown: pd.DataFrame, statuses: pd.Series):
    """The phone's columns, the rate cell on its status colour (the status word's column left out)."""
    colours = [_cell_style(s) for s in statuses]
    return shown[list(PHONE_COLUMNS)].style.apply(lambda _: colours, subset=["ratio"])


def _grid(ctx: Context, styled, widget_key: str, codes: list[str], height) -> None:
    """One sortable table; ticking a row opens that unit."""
    st.dataframe(styled, key=widget_key, hide_index=True, width="stretch", height=height,
                 on_select=lambda: _drill(widget_key, codes), selection_mode="single-row",
                 column_config=_columns(ctx))


def _cell_style(status: str) -> str:
    return f"background-color: {charts.COLOURS[status]}; color: {charts.TEXT_COLOURS[status]}"


def _columns(ctx: Context) -> dict:
    """Labels and number formats; numbers stay numeric underneath so that sorting by a header is right."""
    ind, lang = ctx.ind, ctx.lang
    unit_word = ind.unit_word(lang)
    number = lambda label: st.column_config.NumberColumn(label, format="localized")  # noqa: E731
    return {
        "name": st.column_config.TextColumn(i18n.t("col_name", lang), pinned=True),
        "status": st.column_config.TextColumn(i18n.t("col_status", lang)),
        "ratio": st.column_config.NumberColumn(i18n.t("col_rate", lang), format="%.1f%%", help=ind.label(lang)),
        "numerator": number(fields.BY_NAME[ind.numerator].label(lang)),
        "denominator": number(fields.BY_NAME[ind.denominator].label(lang)),
        "gap": number(i18n.t("col_gap", lang, unit=unit_word)),
        "change": st.column_config.NumberColumn(i18n.t("col_change", lang), format="%+.1f"),
        **{f.name: number(f.label(lang)) for f in fields.domain_fields(ind.domain)},
    }


def _drill(widget_key: str, codes: list[str]) -> None:
    """Runs before the rerun: the selected row's unit becomes the current unit."""
    rows = st.session_state[widget_key]["selection"]["rows"]
    if rows:
        update(unit=codes[rows[0]], grids=None)


def children_section(ctx: Context) -> None:
    """The heading, the domain and indicator pickers, and the table of the current unit's children."""
    day = ctx.domain_date(ctx.domain)
    current = data.unit_rollup(ctx.store, ctx.code, ctx.domain, day)
    if current is None:  # the chosen domain has no data yet on this date: offer another
        view_pickers(ctx, key="overview")
        st.info(i18n.t("card_no_data", ctx.lang, domain=fields.DOMAIN_LABELS[ctx.domain][ctx.lang]))
        return
    if current.children.empty:
        st.info(i18n.t("no_children", ctx.lang, name=md_escape(ctx.unit["name"])))
        return
    previous = data.unit_rollup(ctx.store, ctx.code, ctx.domain, ctx.previous_date(ctx.domain, day))
    level = model.level_words(current.children["level"].mode().iloc[0], ctx.lang, capital=True)
    st.subheader(i18n.t("children_title", ctx.lang, level=level, name=md_escape(ctx.unit["name"]),
                        indicator=ctx.ind.label(ctx.lang)), anchor=False)
    view_pickers(ctx, key="overview")
    hint, switch = st.columns([4, 1], vertical_alignment="center")
    hint.caption(i18n.t("children_hint", ctx.lang))
    all_fields = switch.toggle(i18n.t("table_all_fields", ctx.lang), key="children-all-fields",
                               help=i18n.t("table_all_fields_help", ctx.lang,
                                           domain=fields.DOMAIN_LABELS[ctx.domain][ctx.lang]))
    rows = model.children(current, previous, ctx.ind, all_fields=all_fields)
    drill_table(ctx, rows, key="children")
