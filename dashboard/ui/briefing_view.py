"""The 简报 page: one 16:9 slide (title, three headline figures, map, largest gaps, footnote) and its downloads.

With `present=1` in the URL the slide is all there is: sidebar, Streamlit's
header and toolbar and the shared page header are hidden, the type is large
and the slide, laid out for 1920×1080, is zoomed to the window (any 16:9 or
16:10 screen shows it whole; a phone gets it stacked), for a projector or a
one-click screenshot. Without it, the same slide sits under the usual header
with the pickers above it and the downloads (PPTX deck, PNG/SVG images, the
gap table as CSV/XLSX) below. Every figure comes from one `briefing.Brief`,
the same object the deck and the images are made from.
"""
from __future__ import annotations

import functools
import html
import urllib.parse

import streamlit as st

from .. import i18n
from ..domain import fields
from ..output import briefing, charts, render
from ..output import model
from ..storage.store import Store
from . import auth, cards, controls, data, downloads, mapview, reads
from .context import Context

PRESENT_PICTURE_HEIGHT = 415  # the map's height on a 1920×1080 slide (cards with their tallies above)
PAGE_MAP_HEIGHT = data.MAP_HEIGHT - 40

_BASE_STYLE = """<style>
.st-key-briefing-slide .briefing-sub { color: #555; font-size: 1.05rem; margin-top: -0.6rem; }
.st-key-briefing-slide .briefing-h { font-weight: 700; font-size: 1.05rem; margin: 0 0 0.4rem; }
.st-key-briefing-slide .briefing-gaps-wrap { overflow-x: auto; }
.st-key-briefing-slide table.briefing-gaps { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
.st-key-briefing-slide table.briefing-gaps th { text-align: left; color: #555; font-weight: 600; vertical-align: bottom;
  border-bottom: 2px solid #ccc; padding: 0.25rem 0.4rem; }
.st-key-briefing-slide table.briefing-gaps td { padding: 0.3rem 0.4rem; border-bottom: 1px solid #eee;
  white-space: nowrap; }
.st-key-briefing-slide table.briefing-gaps td.num { text-align: right; font-variant-numeric: tabular-nums; }
.st-key-briefing-slide .chip { padding: 1px 10px; border-radius: 10px; font-weight: 600; white-space: nowrap; }
.st-key-briefing-slide .briefing-foot { color: #666; font-size: 0.82rem; line-height: 1.35; }
%CHIPS%
</style>"""

# Present mode: hide the chrome and the shared header (everything in the main column but the slide), large type.
_PRESENT_STYLE = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stMainMenu"], [data-testid="stBottom"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.4rem 2.6rem 0.4rem !important; max-width: none !important; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > :not(:has(.st-key-briefing-slide))
  { display: none !important; }
.st-key-briefing-slide { gap: 0.7rem; }
.st-key-briefing-slide h1 { font-size: 2.7rem !important; padding: 0 !important; line-height: 1.2; }
.st-key-briefing-slide .briefing-sub { font-size: 1.35rem; margin-top: -0.3rem; }
.st-key-briefing-slide [data-testid="stMetricLabel"] p { font-size: 1.35rem !important; font-weight: 600; }
.st-key-briefing-slide [data-testid="stMetricValue"] > div { font-size: 4.2rem !important; line-height: 1.1; }
.st-key-briefing-slide [data-testid="stMetricDelta"] div, .st-key-briefing-slide [data-testid="stMetricDelta"] p
  { font-size: 1.2rem !important; }
.st-key-briefing-slide [data-testid="stCaptionContainer"], .st-key-briefing-slide [data-testid="stCaptionContainer"] p
  { font-size: 1.3rem !important; color: #333 !important; }
.st-key-briefing-slide .stMarkdown span { font-size: 1.25rem !important; }
.st-key-briefing-slide .briefing-h { font-size: 1.4rem; }
.st-key-briefing-slide table.briefing-gaps { font-size: 1.35rem; }
.st-key-briefing-slide table.briefing-gaps td { padding: 0.32rem 0.6rem; }
.st-key-briefing-slide table.briefing-gaps th { white-space: nowrap; padding: 0.25rem 0.6rem; }
.st-key-briefing-legend div, .st-key-briefing-legend span { font-size: 1.08rem !important; }
.st-key-briefing-slide .briefing-foot { font-size: 1.05rem; }
[data-testid="stMainBlockContainer"] { zoom: var(--slide-zoom, 1); }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding: 1rem 0.8rem 0.4rem !important; }
  .st-key-briefing-slide h1 { font-size: 1.8rem !important; }
  .st-key-briefing-slide [data-testid="stMetricValue"] > div { font-size: 2.8rem !important; }
  .st-key-briefing-slide table.briefing-gaps { font-size: 0.9rem; }
  .st-key-briefing-slide table.briefing-gaps td, .st-key-briefing-slide table.briefing-gaps th
    { padding: 0.2rem 0.2rem; white-space: normal; }
  .st-key-briefing-slide .chip { padding: 1px 6px; }
}
</style>"""
# The slide is laid out for 1920×1080 and zoomed to the window (the smaller of its width and height ratios), so that
# it fits any 16:9 or 16:10 screen whole; narrower than a tablet it is not zoomed but stacks and scrolls (a phone).
_FIT_SCRIPT = """<script>
(() => { const fit = () => { const wide = window.innerWidth >= 900;
    const zoom = wide ? Math.min(window.innerWidth / 1920, window.innerHeight / 1080) : 1;
    document.documentElement.style.setProperty('--slide-zoom', String(zoom)); };
  fit(); if (!window.__slideFit) { window.__slideFit = true; window.addEventListener('resize', fit); } })();
</script>"""


def present() -> bool:
    """The slide alone, large type, no chrome: `present=1` in the URL."""
    return st.query_params.get("present") == "1"


@reads.scoped(max_entries=16, resource=True)
def _brief(s: Store, code: str, day, lang: str, chosen: tuple) -> briefing.Brief:
    """One briefing per unit, date, language and indicator, while the store is unchanged (shared: do not mutate);
    the brief reads the unit and its children straight from the store, so the scope is checked first."""
    return briefing.build(s, code, day, lang, dict(chosen))


def render_page(ctx: Context) -> None:
    """The whole page: pickers and the link to the present view, the slide, the downloads."""
    showing = present()
    brief = _brief(ctx.store, ctx.code, ctx.date, ctx.lang, ((ctx.domain, ctx.ind.key),))
    st.html(_BASE_STYLE.replace("%CHIPS%", _chip_styles()) + (_PRESENT_STYLE if showing else ""))
    if showing:
        st.html(_FIT_SCRIPT, unsafe_allow_javascript=True)
    if not showing:
        _toolbar(ctx)
    with st.container(key="briefing-slide", border=not showing):  # on the page, a framed preview of the slide
        slide(ctx, brief, showing)
    if not showing and auth.can("export"):
        _downloads(ctx, brief)


def _chip_styles() -> str:
    return "\n".join(f".st-key-briefing-slide .chip-{key} {{ background: {charts.COLOURS[key]}; "
                     f"color: {charts.TEXT_COLOURS[key]}; }}" for key in charts.STATUSES)


def _toolbar(ctx: Context) -> None:
    """The domain and indicator of the map and gap table, and the link to the full-screen slide."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        controls.view_pickers(ctx, key="briefing")
    with right:
        query = urllib.parse.urlencode({**st.query_params.to_dict(), "present": "1"})
        st.link_button(i18n.t("briefing_present", ctx.lang), f"briefing?{query}", icon=":material/slideshow:",
                       help=i18n.t("briefing_present_help", ctx.lang), width="stretch")


def slide(ctx: Context, brief: briefing.Brief, showing: bool) -> None:
    """Title, the three headline figures, the map beside the largest gaps, the footnote."""
    st.title(i18n.t("briefing_title", brief.lang, unit=controls.md_escape(brief.unit["name"])), anchor=False)
    st.html(f'<div class="briefing-sub">{html.escape(briefing.subtitle(brief))}</div>')
    for note in ctx.notes if showing else []:  # the shared header that shows them is hidden
        st.warning(controls.md_escape(note))
    domains = [d for d in fields.DOMAINS if d in ctx.by_domain]
    for column, domain in zip(st.columns(len(domains)), domains):
        with column:
            _tile(ctx, brief.domain(domain), domain)
    chosen = brief.domain(ctx.domain)
    if chosen is None:
        st.info(i18n.t("card_no_data", ctx.lang, domain=fields.DOMAIN_LABELS[ctx.domain][ctx.lang]))
    else:
        left, right = st.columns([11, 9] if showing else [1, 1], gap="large")
        with left, st.container(key="briefing-map"):
            _map(ctx, brief, chosen, showing)
        with right, st.container(key="briefing-gaps"):
            _gaps(ctx, brief, chosen, showing)
    st.html('<div class="briefing-foot">' + "<br>".join(html.escape(line) for line in briefing.footnote(brief))
            + "</div>")


def _tile(ctx: Context, d: briefing.DomainBrief | None, domain: str) -> None:
    """A headline card as on the overview: figure, change, status in colour and words, people and gap."""
    with st.container(border=True, key=f"briefing-card-{domain}"):
        if d is None:
            st.metric(fields.DOMAIN_LABELS[domain][ctx.lang], "—")
            st.caption(i18n.t("card_no_data", ctx.lang, domain=fields.DOMAIN_LABELS[domain][ctx.lang]))
            return
        head = d.head
        since = i18n.t("card_delta_since", ctx.lang, date=i18n.fmt_date(head.previous_date, ctx.lang)) \
            if head.previous_date else None
        st.metric(d.label(ctx.lang), i18n.fmt_percent(head.ratio),
                  delta=model.change_text(head.change_points, ctx.lang),
                  delta_description=since if head.change_points is not None else None,
                  delta_color="off" if head.change_points == 0 else "normal",
                  delta_arrow="off" if head.change_points == 0 else "auto")
        st.markdown(cards.status_badge(head.status, head.target, ctx.lang), unsafe_allow_html=True)
        lines = briefing.headline_lines(d, ctx.lang)[:2] + briefing.tally_lines(d, ctx.lang, per_line=99)
        st.caption("  \n".join(controls.md_escape(line) for line in lines))


@reads.scoped(max_entries=16)
def _slide_picture(s: Store, code: str, day, lang: str, chosen: tuple) -> bytes | None:
    """The chosen domain's picture as the deck has it (its map, else its children ranked), as PNG."""
    brief = _brief(s, code, day, lang, chosen)
    found = briefing.picture(brief, brief.domain(chosen[0][0]), "png")
    return None if found is None else found[1]


def _map(ctx: Context, brief: briefing.Brief, d: briefing.DomainBrief, showing: bool) -> None:
    """The map page's legend and choropleth, fitted to the box; no click (a slide is not a drill-down). On the
    full-screen slide, the deck's own picture instead: the slide is zoomed to the window, and an image scales like
    text, the same picture as the deck's."""
    if showing:
        picture = _slide_picture(ctx.store, ctx.code, ctx.date, ctx.lang, ((ctx.domain, ctx.ind.key),))
        if picture is not None:
            st.image(picture, width=int(PRESENT_PICTURE_HEIGHT * 4 / 3))  # the 4:3 picture in the map's height
        return
    base = data.map_base(ctx.store, ctx.code)  # the map page's geometry and labels (names by the preview's width)
    rows = model.with_tooltips(d.rows, d.ind, ctx.lang)
    with st.container(key="briefing-legend"):
        mapview.legend(ctx, rows["status"])
    mapped = rows[rows["code"].isin(base["codes"])]
    if mapped.empty:  # no child has a boundary: the children ranked against the target, as in the PNG and the deck
        st.image(briefing.ranking_image(brief, d), width=int(PAGE_MAP_HEIGHT * 4 / 3))  # 4:3 in the map's height
        return
    with st.container(key=f"map-frame-briefing-{ctx.code}"):  # names by the map's width, as on the map page
        st.vega_lite_chart(spec=charts.choropleth(base, mapped, ctx.lang, PAGE_MAP_HEIGHT),
                           key=f"briefing-map-{ctx.code}", width="stretch")


def _gaps(ctx: Context, brief: briefing.Brief, d: briefing.DomainBrief, showing: bool) -> None:
    """The largest gaps in people (dashboard/gaps.ranking) as a plain table: names are escaped text."""
    st.html(f'<div class="briefing-h">{html.escape(briefing.gaps_heading(d, ctx.lang))}</div>')
    rows = briefing.gap_rows(d)
    if rows.empty:
        st.caption(i18n.t("briefing_gaps_none", ctx.lang))
        return
    labels = briefing.gap_labels(d, ctx.lang)
    numeric = ("rank", "ratio", "gap", "change")
    head = "".join(f"<th>{html.escape(labels[c])}</th>" for c in briefing.GAP_COLUMNS)
    body = "".join(
        "<tr>" + "".join(_gap_cell(column, text, row["status"], column in numeric)
                         for column, text in zip(briefing.GAP_COLUMNS, briefing.gap_cells(row, ctx.lang))) + "</tr>"
        for _, row in rows.iterrows())
    st.html(f'<div class="briefing-gaps-wrap"><table class="briefing-gaps"><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')
    if not showing:
        downloads.table(briefing.gap_table(d, ctx.lang), f"{briefing.file_stem(brief)}_{d.ind.label(ctx.lang)}",
                        ctx.lang, key=f"briefing-gaps-{ctx.code}-{d.ind.key}")


def _gap_cell(column: str, text: str, status: str, numeric: bool) -> str:
    if column == "status":
        return f'<td><span class="chip chip-{status}">{html.escape(text)}</span></td>'
    return f'<td class="num">{html.escape(text)}</td>' if numeric else f"<td>{html.escape(text)}</td>"


def _downloads(ctx: Context, brief: briefing.Brief) -> None:
    """The deck and every image, made on the server when clicked (no cost on a rerun)."""
    st.subheader(i18n.t("briefing_downloads", ctx.lang), anchor=False)
    try:
        render.cjk_family()
    except render.FontMissing as missing:
        st.warning(missing.messages[0].text(ctx.lang))
        return
    stem = briefing.file_stem(brief)
    level = model.level_words(brief.domains[0].rows["level"].mode().iloc[0], ctx.lang) \
        if brief.domains and len(brief.domains[0].rows) else ""
    per_child = bool(level) and st.checkbox(i18n.t("briefing_townships", ctx.lang, level=level),
                                            key="briefing-per-child")
    st.download_button(i18n.t("briefing_download_pptx", ctx.lang), key="briefing-pptx", on_click="ignore",
                       data=functools.partial(briefing.deck, brief, ctx.store, per_child), file_name=f"{stem}.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       icon=":material/slideshow:", type="primary")
    st.caption(i18n.t("briefing_images", ctx.lang))
    with st.container(horizontal=True, gap="small", key="briefing-images"):
        for d in (d for d in brief.domains if not d.rows.empty):
            mapped = briefing.has_map(brief, d)  # else the children ranked as bars: the picture drawn instead
            what = i18n.t("briefing_image_map" if mapped else "briefing_image_ranking", ctx.lang,
                          domain=fields.DOMAIN_LABELS[d.domain][ctx.lang])
            for fmt in render.FORMATS:
                _image_button(ctx, what, fmt, f"{stem}_{d.domain}_{'map' if mapped else 'ranking'}",
                              functools.partial(briefing.map_image if mapped else briefing.ranking_image,
                                                brief, d, fmt))
        if brief.trend:
            for fmt in render.FORMATS:
                _image_button(ctx, i18n.t("briefing_image_trend", ctx.lang), fmt, f"{stem}_trend",
                              functools.partial(briefing.trend_image, brief, fmt))


def _image_button(ctx: Context, what: str, fmt: str, stem: str, make) -> None:
    st.download_button(i18n.t("briefing_image_button", ctx.lang, what=what, fmt=fmt.upper()), data=make,
                       file_name=downloads.file_name(stem, fmt), mime="image/png" if fmt == "png" else "image/svg+xml",
                       key=f"briefing-img-{stem}-{fmt}", on_click="ignore", icon=":material/image:")
