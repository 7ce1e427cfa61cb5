"""Headline cards (one per domain) and the short trend of the main indicators.

A card answers, for the current unit and date: how far along (ratio), how
many people that is, is it on target (colour and words), did it move since the
previous snapshot, and can the figure be trusted (how many units reported,
how many were carried over from earlier days).
"""
from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import streamlit as st

from .. import i18n
from ..analysis import rollup
from ..domain import fields, indicators
from ..output import charts
from ..output import model
from . import data
from .context import Context

TREND_SNAPSHOTS = 14


def headlines(ctx: Context) -> None:
    """One card per domain with data, side by side on a laptop, stacked on a phone; above them, on a phone only,
    one line per domain (figure and status), so that the first screen shows every domain's status."""
    strip, shown = _texts(str(ctx.store.path), ctx.store.version(), ctx.code, ctx.date, ctx.lang, ctx)
    st.html(strip)
    for column, (domain, text) in zip(st.columns(len(shown)), shown):
        with column:
            card(domain, text)


@st.cache_data(show_spinner=False, max_entries=256)
def _texts(path: str, version: str, code: str, day: dt.date, lang: str, _ctx: Context) -> tuple[str, list]:
    """The strip and every card as text, once per unit, date, language and store version (`_ctx` is that view's
    context, not part of the key): coming back to 总览, or to a date seen before, builds no figure again and does
    not even unpickle the rollups behind them."""
    domains = [d for d in fields.DOMAINS if d in _ctx.by_domain]
    heads = {d: _headline(_ctx, d) for d in domains}  # once: the strip and the cards show the same figures
    return status_strip(list(heads.items()), lang), [(d, card_text(_ctx, d, heads[d])) for d in domains]


def _headline(ctx: Context, domain: str) -> tuple:
    """(day, current, previous, indicator, headline) of a domain on the page's date; day None without data."""
    day = ctx.domain_date(domain)
    current = data.unit_rollup(ctx.store, ctx.code, domain, day) if day is not None else None
    ind = indicators.headline_indicator(domain, current.unit if current is not None else None)
    if day is None:
        return None, None, None, ind, None
    previous = data.unit_rollup(ctx.store, ctx.code, domain, ctx.previous_date(domain, day))
    return day, current, previous, ind, model.headline(current, previous, ind, ctx.target(ind))


def status_strip(rows: list[tuple[str, tuple]], lang: str) -> str:
    """Domain, figure and status word a line, in the status colour; shown only below 640 px (CSS)."""
    lines = []
    for domain, (_, _, _, _, head) in rows:
        status = head.status if head is not None else "none"
        figure = i18n.fmt_percent(head.ratio) if head is not None and head.ratio is not None else "—"
        lines.append(f'<div class="strip-row" data-domain="{html.escape(domain)}">'
                     f'<span>{html.escape(fields.DOMAIN_LABELS[domain][lang])}</span><b>{html.escape(figure)}</b>'
                     f'<span class="strip-status" style="background:{charts.COLOURS[status]};'
                     f'color:{charts.TEXT_COLOURS[status]}">{html.escape(charts.status_word(status, lang))}</span></div>')
    return (f'<div class="status-strip" aria-label="{html.escape(i18n.t("strip_label", lang))}">{"".join(lines)}</div>'
            '<style>.status-strip{display:none}@media (max-width:640px){.status-strip{display:block}}'
            '.strip-row{display:flex;align-items:center;gap:10px;padding:4px 0;border-bottom:1px solid #eee}'
            '.strip-row span:first-child{flex:1}.strip-row b{font-size:1.1rem}.strip-status{padding:1px 10px;'
            'border-radius:10px;font-weight:600;white-space:nowrap;min-width:4.5em;text-align:center}</style>')


def card_text(ctx: Context, domain: str, parts: tuple) -> dict:
    """What a domain's card shows (`parts`: `_headline`'s answer): its main indicator's figure, change, status in
    colour and words, then the facts behind it; or that it has no data by the date."""
    day, current, previous, ind, head = parts
    title = i18n.t("card_title", ctx.lang, domain=fields.DOMAIN_LABELS[domain][ctx.lang], indicator=ind.label(ctx.lang))
    if day is None:
        return {"title": title,
                "empty": i18n.t("card_no_data", ctx.lang, domain=fields.DOMAIN_LABELS[domain][ctx.lang])}
    since = i18n.t("card_delta_since", ctx.lang, date=i18n.fmt_date(head.previous_date, ctx.lang)) \
        if head.previous_date else None
    tallies = model.tallies(current, previous, domain)
    return {"title": title, "value": i18n.fmt_percent(head.ratio),
            "delta": model.change_text(head.change_points, ctx.lang),
            "since": since if head.change_points is not None else None, "still": head.change_points == 0,
            "badge": status_badge(head.status, head.target, ctx.lang),
            "facts": "  \n".join(_facts(ctx, head, ind, current, day)),
            "tallies": tally_list(tallies, fields.DOMAIN_LABELS[domain][ctx.lang], ctx.lang) if tallies else None}


def card(domain: str, text: dict) -> None:
    """A domain's card from `card_text`."""
    with st.container(border=True, key=f"card-{domain}"):
        if "empty" in text:
            st.metric(text["title"], "—")
            st.caption(text["empty"])
            return
        st.metric(text["title"], text["value"], delta=text["delta"], delta_description=text["since"],
                  delta_color="off" if text["still"] else "normal", delta_arrow="off" if text["still"] else "auto")
        st.markdown(text["badge"], unsafe_allow_html=True)
        st.caption(text["facts"])
        if text["tallies"]:
            st.html(text["tallies"])


def status_badge(status: str, target: float, lang: str) -> str:
    """Status in colour and words, with the target: fixed strings only, escaped all the same."""
    word = html.escape(charts.status_word(status, lang))
    text = html.escape(i18n.t("card_target", lang, target=i18n.fmt_percent(target)))
    return (f'<span style="background:{charts.COLOURS[status]};color:{charts.TEXT_COLOURS[status]};'
            f'padding:2px 10px;border-radius:10px;font-weight:600;white-space:nowrap">{word}</span>'
            f'<span style="margin-left:8px;color:#555">{text}</span>')


def tally_list(tallies: list[model.Tally], domain_label: str, lang: str) -> str:
    """The domain's counts under its ratio, one a line (label, figure and change); labels and figures escaped."""
    cells = "".join(f'<div class="tally"><span>{html.escape(label)}</span><b>{html.escape(figure)}</b></div>'
                    for label, figure in (model.tally_text(t, lang) for t in tallies))
    title = html.escape(i18n.t("card_tallies", lang, domain=domain_label))
    return (f'<div class="tallies" aria-label="{title}" style="font-size:0.85rem;color:#333">{cells}</div>'
            '<style>.tallies .tally{display:flex;justify-content:space-between;gap:8px;padding:1px 0;'
            'border-bottom:1px solid #eee}.tallies .tally span{white-space:nowrap;overflow:hidden;'
            'text-overflow:ellipsis}.tallies .tally b{font-weight:600;white-space:nowrap}</style>')


def _facts(ctx: Context, head: model.Headline, ind, current, day: dt.date) -> list[str]:
    """The lines under the figure: people, gap, completeness, children below target, staleness."""
    unit_word = ind.unit_word(ctx.lang)
    lines = [i18n.t("card_numden", ctx.lang, num=i18n.fmt_count(head.numerator, ctx.lang, wan=True),
                    den=i18n.fmt_count(head.denominator, ctx.lang, wan=True), unit=unit_word)]
    if head.gap:
        lines.append(i18n.t("card_gap", ctx.lang, gap=i18n.fmt_count(head.gap, ctx.lang), unit=unit_word))
    elif head.ratio is not None:
        lines.append(i18n.t("card_gap_none", ctx.lang))
    if head.expected and head.expected_level:
        count = lambda n: i18n.fmt_count(n, ctx.lang)  # noqa: E731
        lines.append(i18n.t("card_complete", ctx.lang, reported=count(head.reported), expected=count(head.expected),
                            carried=count(head.carried), level=model.level_words(head.expected_level, ctx.lang)))
    if head.children_with_data and not current.children.empty:
        lines.append(i18n.t("card_below", ctx.lang, below=head.children_below, total=head.children_with_data,
                            level=model.level_words(current.children["level"].mode().iloc[0], ctx.lang)))
    if head.source in ("register", "mixed"):
        lines.append(i18n.t("card_source", ctx.lang, source=i18n.t(f"source_{head.source}", ctx.lang)))
    if day != ctx.date:
        lines.append(i18n.t("card_stale", ctx.lang, date=i18n.fmt_date(day, ctx.lang)))
    return lines


def trend(ctx: Context) -> None:
    """The main indicator of each domain over its last snapshots up to the chosen date; new testing rounds marked."""
    spec = _trend_spec(str(ctx.store.path), ctx.store.version(), ctx.code, ctx.date, ctx.lang, ctx)
    if spec is None:
        return
    st.markdown(f"**{i18n.t('trend_title', ctx.lang)}**")
    st.vega_lite_chart(spec=spec, width="stretch", key=f"trend-{ctx.lang}")


@st.cache_data(show_spinner=False, max_entries=64)
def _trend_spec(path: str, version: str, code: str, day: dt.date, lang: str, _ctx: Context) -> dict | None:
    """The chart's Vega-Lite spec (None: no domain has data by then), once per unit, date, language and store
    version (`_ctx` is that view's context, not part of the key), as the cards' texts: a date picked before, or
    a switch back to 总览, neither slices the series again nor hashes them as a key (20-30 ms a rerun). Not
    checked against Vega-Lite's schema here (30-40 ms a new date): the tests check the specs this builds."""
    series, shown = [], []
    for domain in (d for d in fields.DOMAINS if d in _ctx.by_domain):
        days = [d for d in _ctx.by_domain[domain] if d <= day][-TREND_SNAPSHOTS:]
        if not days:
            continue
        ind = indicators.BY_KEY[indicators.MAIN_INDICATOR[domain]]
        frame = _ratios(path, version, code, _ctx)[domain]
        frame = frame[frame["snapshot_date"].between(days[0], days[-1])].reset_index(drop=True)
        series.append({"domain": domain, "label": ind.label(lang), "target": _ctx.target(ind), "frame": frame})
        shown += days
    if not series:
        return None
    marks = [(_first_on_or_after(sorted(set(shown)), start), i18n.t("trend_round", lang, round=number))
             for number, start in data.round_starts(_ctx.store, _ctx.unit, min(shown), max(shown))]
    return charts.trend_spec(series, lang, [m for m in marks if m[0]])  # Altair's layout, this window's data


@st.cache_data(show_spinner=False, max_entries=64)
def _ratios(path: str, version: str, code: str, _ctx: Context) -> dict[str, pd.DataFrame]:
    """Each domain's main ratio on its every date (snapshot_date, ratio), read once per unit and store version: a
    date picked later is a slice of it, neither another read nor another pass over every indicator's columns."""
    out = {}
    for domain in (d for d in fields.DOMAINS if d in _ctx.by_domain):
        ratio = f"{indicators.MAIN_INDICATOR[domain]}_ratio"
        history = data.history(_ctx.store, code, domain)  # read for the cards already: no query of its own
        frame = rollup.own_rows(history, _ctx.unit) if history is not None else \
            data.trend(_ctx.store, code, domain, _ctx.by_domain[domain][0], _ctx.by_domain[domain][-1])
        out[domain] = pd.DataFrame({"snapshot_date": frame["snapshot_date"], "ratio": frame[ratio].astype(float)})
    return out


def _first_on_or_after(days: list, start):
    return next((d for d in days if d >= start), None)
