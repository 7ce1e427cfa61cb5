"""数据质量 Data quality: who did not report, what looks wrong (with the rule and its threshold), when data landed.

Every listed unit carries a link that opens the overview at that unit and date
(URL parameters), and every flag names the load it came from (id and file), so
an analyst can go from "this is odd" to the file to call the township about.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from .. import i18n
from ..analysis import quality
from ..domain import fields
from ..output.model import level_words
from ..storage import settings
from . import analysis_data, downloads
from .context import Context
from .controls import domain_picker, folded, md_escape

WINDOWS = (1, 7, 0)  # anomaly window in days up to the chosen date; 0 = every snapshot
CHART_DATES = 28
METRIC_PX = 150


def render(ctx: Context) -> None:
    domain_picker(ctx, key="quality")
    day = ctx.domain_date(ctx.domain)
    if day is None:
        st.info(i18n.t("card_no_data", ctx.lang, domain=fields.DOMAIN_LABELS[ctx.domain][ctx.lang]))
        return
    completeness_section(ctx, day)
    anomalies_section(ctx, day)
    timeliness_section(ctx)


# ---- completeness ------------------------------------------------------------------------------------------------

def completeness_section(ctx: Context, day: dt.date) -> None:
    """Counts per date (chart), today's figures, and the list of units that did not report today."""
    frame, level = analysis_data.completeness(ctx.store, ctx.code, ctx.domain, day)
    st.subheader(i18n.t("quality_completeness", ctx.lang), anchor=False)
    if level is None:
        st.info(i18n.t("quality_no_expected", ctx.lang))
        return
    words = level_words(level, ctx.lang)
    setting = settings.expected_level(ctx.settings, ctx.domain)
    st.caption(i18n.t("quality_expected_set" if setting else "quality_expected_auto", ctx.lang, level=words,
                      domain=fields.DOMAIN_LABELS[ctx.domain][ctx.lang]))
    today = frame[frame["snapshot_date"] == day].iloc[-1]
    count = lambda n: i18n.fmt_count(n, ctx.lang)  # noqa: E731
    with st.container(horizontal=True, gap="medium"):  # two by two on a phone instead of four stacked
        st.metric(i18n.t("quality_expected", ctx.lang, level=words), count(today["expected"]), width=METRIC_PX)
        st.metric(i18n.t("quality_reported", ctx.lang), count(today["reported"]), width=METRIC_PX,
                  delta=i18n.fmt_percent(None if pd.isna(today["rate"]) else float(today["rate"])),
                  delta_color="off", delta_arrow="off")
        st.metric(i18n.t("quality_carried", ctx.lang), count(today["carried"]), width=METRIC_PX)
        st.metric(i18n.t("quality_missing", ctx.lang), count(today["missing"]), width=METRIC_PX)
    capital = level_words(level, ctx.lang, capital=True)
    shown = frame.tail(CHART_DATES)
    if shown[["carried", "missing"]].to_numpy().sum() == 0:
        st.caption(i18n.t("quality_none_missing", ctx.lang, level=words, count=len(shown)))
    else:
        completeness_chart(ctx, shown, capital)
    missing_list(ctx, day, capital)
    folded(i18n.t("quality_per_date", ctx.lang), "quality-per-date-open", lambda: per_date_table(ctx, frame))


def per_date_table(ctx: Context, frame: pd.DataFrame) -> None:
    per_date = completeness_table(frame, ctx.lang)
    st.dataframe(per_date, hide_index=True, width="stretch", key="quality-per-date")
    downloads.table(per_date, _stem(ctx, "quality_per_date"), ctx.lang, key="quality-per-date")


def completeness_chart(ctx: Context, frame: pd.DataFrame, title_level: str) -> None:
    st.markdown(f"**{md_escape(i18n.t('quality_chart_title', ctx.lang, level=title_level))}**")
    spec = analysis_data.chart_spec("completeness", frame, ctx.lang, i18n.t("quality_carried", ctx.lang),
                                    i18n.t("quality_missing", ctx.lang))
    st.vega_lite_chart(spec=spec, width="stretch", key=f"completeness-{ctx.lang}")


def missing_list(ctx: Context, day: dt.date, words: str) -> None:
    rows = analysis_data.missing(ctx.store, ctx.code, ctx.domain, day)
    usual = int(rows["usually_reports"].sum())
    st.markdown("**" + md_escape(i18n.t("quality_missing_title", ctx.lang, date=i18n.fmt_date(day, ctx.lang),
                                        level=words, count=len(rows), usual=usual,
                                        days=quality.USUAL_MIN_DAYS, window=quality.USUAL_WINDOW_DAYS)) + "**")
    if rows.empty:
        st.caption(i18n.t("quality_all_reported", ctx.lang))
        return
    shown = missing_table(ctx, rows, day)
    link = i18n.t("quality_col_link", ctx.lang)
    st.dataframe(shown, hide_index=True, width="stretch", key="quality-missing", column_config={
        shown.columns[0]: st.column_config.TextColumn(pinned=True),
        link: st.column_config.LinkColumn(link, display_text=i18n.t("quality_open", ctx.lang))})
    downloads.table(shown, _stem(ctx, "quality_missing_file"), ctx.lang, key="quality-missing")


def missing_table(ctx: Context, rows: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The units that did not report on `day`, usual reporters first, each with a link to its overview."""
    lang = ctx.lang
    h = lambda key, **v: i18n.t(key, lang, **v)  # noqa: E731
    return pd.DataFrame({
        h("col_name"): rows["name"].astype(str),
        h("quality_col_parent"): analysis_data.parent_path(ctx.store, rows["code"], ctx.code),
        h("quality_col_status"): [h(f"quality_status_{s}") for s in rows["status"]],
        h("quality_col_usual"): [h("quality_usual_yes") if u else "" for u in rows["usually_reports"]],
        h("quality_col_days", window=quality.USUAL_WINDOW_DAYS): rows["days_reported"].astype("int64"),
        h("quality_col_last"): [None if d is None else d.isoformat() for d in rows["last_reported"]],
        h("quality_col_code"): rows["code"].astype(str),
        h("quality_col_link"): [analysis_data.overview_link(c, day, ctx.domain, lang) for c in rows["code"]],
    }).reset_index(drop=True)


def completeness_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    h = lambda key: i18n.t(key, lang)  # noqa: E731
    out = frame.iloc[::-1]
    return pd.DataFrame({
        h("trends_col_date"): [d.isoformat() for d in out["snapshot_date"]],
        h("quality_col_expected"): out["expected"].to_numpy(),
        h("quality_reported"): out["reported"].to_numpy(),
        h("quality_col_rate"): (out["rate"].astype("float64") * 100).round(1).to_numpy(),
        h("quality_carried"): out["carried"].to_numpy(),
        h("quality_missing"): out["missing"].to_numpy(),
    })


# ---- anomalies ---------------------------------------------------------------------------------------------------

def anomalies_section(ctx: Context, day: dt.date) -> None:
    """The rules with their thresholds and counts, then every flag with its unit, load and file."""
    st.subheader(i18n.t("quality_anomalies", ctx.lang), anchor=False)
    one, two = st.columns(2, vertical_alignment="bottom")
    with one:
        window = st.selectbox(i18n.t("quality_window", ctx.lang), list(WINDOWS), index=1, key="quality-window",
                              format_func=lambda w: i18n.t("quality_window_all", ctx.lang) if w == 0
                              else i18n.t("quality_window_days", ctx.lang, days=w))
    with two:
        factor = float(st.number_input(i18n.t("quality_factor", ctx.lang), 1.5, 100.0,
                                       quality.spike_factor(ctx.settings), 0.5, key="quality-factor",
                                       help=i18n.t("quality_factor_help", ctx.lang)))
    days = ctx.by_domain[ctx.domain]
    first = days[0] if window == 0 else max(days[0], day - dt.timedelta(days=window - 1))
    flags = analysis_data.anomalies(ctx.store, ctx.code, ctx.domain, first, day, factor)
    st.caption(i18n.t("quality_window_note", ctx.lang, first=i18n.fmt_date(first, ctx.lang),
                      last=i18n.fmt_date(day, ctx.lang)))
    rules = rules_table(flags, factor, ctx.lang)
    st.table(rules.map(md_escape), hide_index=True)  # a static table wraps the rule texts (st.table reads Markdown)
    counts = flags["rule"].value_counts()
    present = [r for r in quality.RULES if counts.get(r, 0)]
    if not present:
        st.caption(i18n.t("quality_no_flags", ctx.lang))
        return
    # pills, not a multiselect: with every rule chosen, a multiselect's list says "No options to select" (Streamlit's
    # English, not ours); a pill per rule shows them all, each switched off with one tap
    chosen = st.pills(i18n.t("quality_rule_filter", ctx.lang), present, selection_mode="multi", default=present,
                      format_func=lambda r: i18n.t(f"rule_{r}", ctx.lang),
                      key=f"quality-rules-{ctx.domain}-{'-'.join(present)}")  # new rules shown: all again
    shown = flags_table(ctx, flags[flags["rule"].isin(chosen or [])])
    if shown.empty:
        st.caption(i18n.t("quality_no_flags", ctx.lang))
        return
    link = i18n.t("quality_col_link", ctx.lang)
    st.dataframe(shown, hide_index=True, width="stretch", key="quality-flags", column_config={
        link: st.column_config.LinkColumn(link, display_text=i18n.t("quality_open", ctx.lang))})
    downloads.table(shown, _stem(ctx, "quality_flags_file"), ctx.lang, key="quality-flags")


def rules_table(flags: pd.DataFrame, factor: float, lang: str) -> pd.DataFrame:
    """Each rule: its name, what it checks, its threshold, how many flags it raised (or why it was not checked)."""
    counts = quality.rule_counts(flags)
    limits = quality.thresholds(factor)
    h = lambda key, **v: i18n.t(key, lang, **v)  # noqa: E731
    return pd.DataFrame({
        h("quality_col_rule"): [h(f"rule_{r}") for r in quality.RULES],
        h("quality_col_checks"): [h(f"rule_{r}_doc") for r in quality.RULES],
        h("quality_col_threshold"): [_threshold(r, limits[r], lang) for r in quality.RULES],
        h("quality_col_flags"): ["—" if counts[r] is None else str(counts[r]) for r in quality.RULES],
    })


def _threshold(rule: str, values: dict, lang: str) -> str:
    if rule == "coverage_over_100":
        return i18n.t("rule_coverage_over_100_limit", lang, limit=i18n.fmt_percent(values["limit"], 0))
    if rule == "daily_spike":
        return i18n.t("rule_daily_spike_limit", lang, factor=f"{values['factor']:g}", days=values["days"],
                      min_increases=values["min_increases"], min_increase=values["min_increase"])
    return i18n.t(f"rule_{rule}_limit", lang)


def flags_table(ctx: Context, flags: pd.DataFrame) -> pd.DataFrame:
    """One row per flag: date, rule, unit, what was seen, the load and file it came from, a link to the unit."""
    lang = ctx.lang
    h = lambda key, **v: i18n.t(key, lang, **v)  # noqa: E731
    return pd.DataFrame({
        h("trends_col_date"): [d.isoformat() for d in flags["snapshot_date"]],
        h("quality_col_rule"): [h(f"rule_{r}") for r in flags["rule"]],
        h("col_name"): flags["name"].astype(str).to_numpy(),
        h("quality_col_parent"): analysis_data.parent_path(ctx.store, flags["code"], ctx.code),
        h("quality_col_detail"): [detail(row, lang) for _, row in flags.iterrows()],
        h("quality_col_load"): flags["load_id"].astype("Int64").to_numpy(),
        h("quality_col_file"): flags["file_name"].astype(str).to_numpy(),
        h("quality_col_code"): flags["code"].astype(str).to_numpy(),
        h("quality_col_link"): [analysis_data.overview_link(c, d, ctx.domain, lang)
                                for c, d in zip(flags["code"], flags["snapshot_date"])],
    })


def detail(flag: pd.Series, lang: str) -> str:
    """What the rule saw, in words and numbers: '已采样人数 181 > 常住人口 140（129.3%）'."""
    label = lambda name: fields.BY_NAME[name].label(lang) if name in fields.BY_NAME else str(name)  # noqa: E731
    number = lambda v: "—" if v is None or pd.isna(v) else f"{float(v):,.1f}".rstrip("0").rstrip(".")  # noqa: E731
    values = {"field": label(flag["field"]), "value": number(flag["value"]),
              "ref_field": label(flag["reference_field"]), "reference": number(flag["reference"])}
    rule = flag["rule"]
    if rule == "coverage_over_100":
        values["ratio"] = i18n.fmt_percent(float(flag["value"]) / float(flag["reference"]))
    elif rule == "cumulative_drop":
        values["date"] = i18n.fmt_date(flag["reference_date"], lang) if flag["reference_date"] else "—"
    elif rule == "daily_spike":
        values["times"] = f"{float(flag['value']) / float(flag['reference']):.1f}"
    elif rule == "double_reported":
        values["rows"] = int(flag["rows_below"])
        agree = not pd.isna(flag["value"]) and float(flag["value"]) == float(flag["reference"])
        values["agree"] = i18n.t("rule_double_agree" if agree else "rule_double_disagree", lang)
    return i18n.t(f"rule_{rule}_detail", lang, **values)


# ---- timeliness --------------------------------------------------------------------------------------------------

def timeliness_section(ctx: Context) -> None:
    """Per snapshot date: loads, when the first and last landed, hours after the snapshot's as-of time."""
    st.subheader(i18n.t("quality_timeliness", ctx.lang), anchor=False)
    frame = analysis_data.timeliness(ctx.store, ctx.domain)
    frame = frame[frame["snapshot_date"] <= ctx.date].iloc[::-1]
    st.caption(i18n.t("quality_timeliness_note", ctx.lang))
    if ctx.demo:
        st.caption(i18n.t("quality_timeliness_demo", ctx.lang))
    h = lambda key: i18n.t(key, ctx.lang)  # noqa: E731
    stamp = lambda v: None if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    shown = pd.DataFrame({
        h("trends_col_date"): [d.isoformat() for d in frame["snapshot_date"]],
        h("quality_col_loads"): frame["loads"].to_numpy(),
        h("quality_col_rolled_back"): frame["rolled_back"].to_numpy(),
        h("quality_col_hour"): frame["as_of_hour"].astype("Int64").to_numpy(),
        h("quality_col_first"): [stamp(v) for v in frame["first_loaded_at"]],
        h("quality_col_last_load"): [stamp(v) for v in frame["last_loaded_at"]],
        h("quality_col_delay"): frame["delay_hours"].to_numpy(),
        h("quality_col_file"): frame["first_file"].astype(str).to_numpy(),
    })
    st.dataframe(shown, hide_index=True, width="stretch", key="quality-timeliness")
    downloads.table(shown, _stem(ctx, "quality_timeliness"), ctx.lang, key="quality-timeliness")


def _stem(ctx: Context, title_key: str) -> str:
    """A download's file name: unit, what the table is, date."""
    return f"{ctx.unit['name']}_{i18n.t(title_key, ctx.lang)}_{ctx.date.isoformat()}"
