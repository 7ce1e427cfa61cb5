"""缺口 Gaps: where the missing people are, how few units hold most of them, and who will be late at today's pace.

The table is built once as the frame shown, with the headers shown, and the
CSV and XLSX downloads are made from that same frame: what a briefing pastes
is what the analyst saw. Numbers stay numeric (sortable); percentages are
in percent with one decimal and say so in the header.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from .. import i18n
from ..analysis import gaps, pace
from ..domain import fields, indicators
from ..output import exports
from ..output.model import level_words
from . import analysis_data, auth
from .context import Context
from .controls import md_escape, view_pickers

DEADLINE_DAYS = 7  # the default deadline: a week after the snapshot


@dataclass(frozen=True)
class Options:
    level: str
    days: int
    deadline: dt.date
    share: float
    townships: tuple
    min_gap: int
    rate_below: float | None
    late_only: bool


def render(ctx: Context) -> None:
    """Pickers, the summary and Pareto chart, then the table with its downloads."""
    view_pickers(ctx, key="gaps")
    day = ctx.domain_date(ctx.domain)
    levels = analysis_data.levels_below(ctx.unit)
    if day is None:
        st.info(i18n.t("card_no_data", ctx.lang, domain=fields.DOMAIN_LABELS[ctx.domain][ctx.lang]))
        return
    if not levels:
        st.info(i18n.t("gaps_no_levels", ctx.lang, name=md_escape(ctx.unit["name"])))
        return
    opts = options(ctx, levels, day)
    frame = analysis_data.outlook(ctx.store, ctx.code, ctx.ind.key, day, opts.level, opts.days, opts.deadline)
    if opts.townships:
        frame = frame[frame["township_code"].isin(opts.townships)]
    ranked, summary = gaps.pareto(frame, opts.share)
    parents = analysis_data.parent_path(ctx.store, ranked["code"], ctx.code)
    headline(ctx, ranked, summary, opts)
    if summary.total_gap > 0:
        labels = [f"{p} · {n}" if p else str(n) for p, n in zip(parents, ranked["name"])]
        head = i18n.t("gaps_head_mark", ctx.lang, needed=i18n.fmt_count(summary.units_needed, ctx.lang),
                      share=i18n.fmt_percent(opts.share, 0))
        spec = analysis_data.chart_spec("pareto", ranked, labels, opts.share, _unit_word(ctx),
                                        i18n.t("gaps_bar", ctx.lang, unit=_unit_word(ctx)),
                                        i18n.t("gaps_cum_share", ctx.lang), head,
                                        i18n.t("gaps_rank_axis", ctx.lang,
                                               level=level_words(opts.level, ctx.lang, capital=True)))
        st.vega_lite_chart(spec=spec, width="stretch", key=f"pareto-{ctx.lang}")
    shown = table(ranked.assign(parent=parents), ctx.ind, ctx.lang, opts)
    st.caption(i18n.t("gaps_table_note", ctx.lang, shown=len(shown), total=len(ranked)))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config(shown), key="gaps-table")
    downloads(ctx, shown, opts, day)


KEPT = "gaps-options"  # the folded options' values: a widget that is not drawn in a run loses its own


def options(ctx: Context, levels: list[str], day: dt.date) -> Options:
    """The page's own controls (not in the URL): the level in sight, the rest folded (they would fill a phone) and
    drawn only while unfolded (seven widgets the browser would otherwise build on every switch to the page); their
    values are kept in the session meanwhile."""
    default_level = "village" if "village" in levels else levels[0]
    level = st.segmented_control(i18n.t("gaps_level", ctx.lang), levels, default=default_level,
                                 format_func=lambda lv: level_words(lv, ctx.lang, capital=True),
                                 key=f"gaps-level-{ctx.unit['level']}") or default_level  # options differ per level
    towns = f"gaps-towns-{ctx.code}"
    defaults = {"gaps-share": 50, "gaps-pace-days": pace.pace_days(ctx.settings),
                "gaps-deadline": day + dt.timedelta(days=DEADLINE_DAYS), towns: [], "gaps-min-gap": 0,
                "gaps-rate-below": None, "gaps-late-only": False}
    kept = st.session_state.setdefault(KEPT, {})
    box = st.expander(i18n.t("gaps_options", ctx.lang), icon=":material/tune:", key="gaps-options-open",
                      on_change="rerun")
    if box.open:
        for key, value in defaults.items():  # the widgets start from the kept values (no default argument: no warning)
            if key not in st.session_state:
                st.session_state[key] = kept.get(key, value)
        with box:
            _option_widgets(ctx, level, towns)
        kept.update({key: st.session_state[key] for key in defaults})
    value = {key: kept.get(key, default) for key, default in defaults.items()}
    rate = value["gaps-rate-below"]
    return Options(level=level, days=int(value["gaps-pace-days"]), deadline=value["gaps-deadline"],
                   share=value["gaps-share"] / 100, townships=tuple(value[towns]), min_gap=int(value["gaps-min-gap"]),
                   rate_below=None if rate is None else rate / 100, late_only=bool(value["gaps-late-only"]))


def _option_widgets(ctx: Context, level: str, towns_key: str) -> None:
    """Share, pace days and deadline; the township filter (from a county), a minimum gap, a rate threshold and
    'only those who will be late'. Their values are read from the session (`options`)."""
    one, two, three = st.columns(3, vertical_alignment="bottom")
    one.slider(i18n.t("gaps_share", ctx.lang), 10, 90, step=5, format="%d%%", key="gaps-share")
    two.number_input(i18n.t("gaps_pace_days", ctx.lang), 1, 60, step=1, key="gaps-pace-days",
                     help=i18n.t("gaps_pace_help", ctx.lang))
    three.date_input(i18n.t("gaps_deadline", ctx.lang), key="gaps-deadline", format="YYYY-MM-DD")
    towns = analysis_data.townships(ctx.store, ctx.code) if level in ("village", "grid") else pd.DataFrame()
    one, two, three, four = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
    if len(towns) > 1:
        names = dict(zip(towns["code"], towns["name"]))
        one.multiselect(i18n.t("gaps_townships", ctx.lang), list(names), format_func=names.get,
                        placeholder=i18n.t("gaps_townships_all", ctx.lang), key=towns_key)
    two.number_input(i18n.t("gaps_min_gap", ctx.lang, unit=_unit_word(ctx)), 0, None, step=10, key="gaps-min-gap")
    three.number_input(i18n.t("gaps_rate_below", ctx.lang), 0.0, 200.0, None, 1.0, format="%.1f",
                       key="gaps-rate-below", placeholder="—")
    four.toggle(i18n.t("gaps_late_only", ctx.lang), key="gaps-late-only")


def headline(ctx: Context, ranked: pd.DataFrame, summary: gaps.Pareto, opts: Options) -> None:
    """Total gap, how few units hold the chosen share, how many will miss the deadline at their pace."""
    count = lambda n: i18n.fmt_count(n, ctx.lang)  # noqa: E731
    level = level_words(opts.level, ctx.lang)
    late = int((~ranked["reaches_by_deadline"] & ranked["gap"].fillna(0).gt(0)).sum())
    one, two, three = st.columns(3)
    one.metric(i18n.t("gaps_total", ctx.lang, unit=_unit_word(ctx)), i18n.fmt_count(summary.total_gap, ctx.lang,
                                                                                      wan=True))
    two.metric(i18n.t("gaps_head_metric", ctx.lang, share=i18n.fmt_percent(opts.share, 0)),
               f"{count(summary.units_needed)} / {count(summary.units_with_gap)}")
    three.metric(i18n.t("gaps_late_metric", ctx.lang, date=i18n.fmt_date(opts.deadline, ctx.lang)), count(late))
    if summary.total_gap > 0:
        st.caption(i18n.t("gaps_pareto_sentence", ctx.lang, needed=count(summary.units_needed), level=level,
                          with_gap=count(summary.units_with_gap), share=i18n.fmt_percent(opts.share, 0),
                          part=i18n.fmt_percent(summary.units_needed / max(summary.units_with_gap, 1)),
                          gap=count(summary.total_gap), unit=_unit_word(ctx)))
    else:
        st.caption(i18n.t("gaps_none", ctx.lang, level=level))


def table(ranked: pd.DataFrame, ind: indicators.Indicator, lang: str, opts: Options) -> pd.DataFrame:
    """The rows shown (after the threshold filters) with the headers shown: the frame the downloads are made of."""
    rows = ranked
    if opts.min_gap:
        rows = rows[rows["gap"].fillna(0) >= opts.min_gap]
    if opts.rate_below is not None:  # on the rate as shown (one decimal), so 61.5 is not "below 61.5"
        rows = rows[pd.Series(_points(rows["ratio"]), index=rows.index) < round(opts.rate_below * 100, 1)]
    if opts.late_only:
        rows = rows[~rows["reaches_by_deadline"] & rows["gap"].fillna(0).gt(0)]
    unit = ind.unit_word(lang)
    yes, no = i18n.t("gaps_yes", lang), i18n.t("gaps_no", lang)
    h = lambda key, **v: i18n.t(key, lang, **v)  # noqa: E731
    out = pd.DataFrame({
        h("col_name"): rows["name"].astype(str).to_numpy(),
        h("gaps_col_parent"): rows["parent"].astype(str).to_numpy(),
        h("gaps_col_gap", unit=unit): rows["gap"].astype("Int64").array,
        h("gaps_col_rate"): _points(rows["ratio"]),
        fields.BY_NAME[ind.numerator].label(lang): rows["numerator"].astype("Int64").array,
        fields.BY_NAME[ind.denominator].label(lang): rows["denominator"].astype("Int64").array,
        h("gaps_col_change"): _points(rows["ratio_change"]),
        h("gaps_col_increase", unit=unit): rows["numerator_change"].astype("Int64").array,
        h("gaps_col_pace", unit=unit): rows["pace"].astype("float64").round(1).to_numpy(),
        h("gaps_col_days_left"): rows["days_left"].astype("Int64").array,
        h("gaps_col_finish"): [_iso(d) for d in rows["finish_date"]],
        h("gaps_col_by_deadline", date=i18n.fmt_date(opts.deadline, lang)):
            [yes if ok else no for ok in rows["reaches_by_deadline"]],
        h("gaps_col_cum_share"): (rows["cum_share"].astype("float64") * 100).round(1).to_numpy(),
        h("gaps_col_as_of"): [_iso(d) for d in rows["last_reported"]],
        h("gaps_col_code"): rows["code"].astype(str).to_numpy(),
    })
    no_earlier = [h("gaps_col_change"), h("gaps_col_increase", unit=unit)]  # all empty on the first snapshot
    out = out.drop(columns=[c for c in no_earlier if out[c].isna().all()])
    return out.reset_index(drop=True)


def _points(ratio: pd.Series):
    return (ratio.astype("Float64") * 100).round(1).astype("float64").to_numpy()


def _iso(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def column_config(shown: pd.DataFrame) -> dict:
    """Number formats per column; the name column stays visible when scrolling sideways on a phone."""
    config = {shown.columns[0]: st.column_config.TextColumn(pinned=True)}
    for column in shown.columns[2:]:
        if pd.api.types.is_float_dtype(shown[column]):
            config[column] = st.column_config.NumberColumn(format="%.1f")
        elif pd.api.types.is_integer_dtype(shown[column]):
            config[column] = st.column_config.NumberColumn(format="localized")
    return config


def downloads(ctx: Context, shown: pd.DataFrame, opts: Options, day: dt.date) -> None:
    """CSV (UTF-8 with BOM) and XLSX of exactly the table shown, formula-safe (dashboard/output/exports.py)."""
    if not auth.can("export"):
        return
    stem = f"{i18n.t('gaps_file', ctx.lang)}_{ctx.unit['name']}_{ctx.ind.key}_{opts.level}_{day.isoformat()}"
    with st.container(horizontal=True, gap="small"):
        # the files are made when a button is clicked, not on every rerun (an XLSX of the villages: ~110 ms)
        st.download_button(i18n.t("gaps_csv", ctx.lang), lambda: exports.csv_bytes(shown), f"{stem}.csv", "text/csv",
                           key="gaps-csv", icon=":material/download:", on_click="ignore")
        st.download_button(i18n.t("gaps_xlsx", ctx.lang),
                           lambda: exports.xlsx_bytes(shown, i18n.t("gaps_file", ctx.lang)),
                           f"{stem}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key="gaps-xlsx", icon=":material/download:", on_click="ignore")


def _unit_word(ctx: Context) -> str:
    return ctx.ind.unit_word(ctx.lang)
