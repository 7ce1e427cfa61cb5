"""Widgets that read and write the shared context: breadcrumb, date, domain, indicator, language, grids switch.

Each widget mirrors the URL: its session value is set from the context
before it is drawn, and its callback writes the change back into the URL
(`context.update`). The URL stays the one source of truth, so a widget can
never disagree with a shared link, and page switches cannot reset a view.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from .. import i18n
from ..domain import codes, fields, indicators
from ..output import model
from . import auth, data
from .context import Context, default_root, update

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text) -> str:
    """A unit name as literal text in Markdown (names are data, not markup)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


MIRRORED = "ctl-mirrored"  # the keys of the widgets `mirror` fills from the URL, for `_forget_mirrored`


def mirror(key: str, value) -> None:
    """Puts the URL's value into the widget before it is drawn (no default argument, so no Streamlit warning)."""
    st.session_state.setdefault(MIRRORED, set()).add(key)
    if st.session_state.get(key) != value:
        st.session_state[key] = value


def _forget_mirrored(keep: str) -> None:
    """Drops the mirrored widgets' values (the URL still holds them), so the next run sets each anew. Why: a
    picker's browser side keeps the label it showed ("5月7日（最新）") while the value under it stays the same in
    another language, so without a fresh value it shows the old language's words until the page is left."""
    for key in st.session_state.get(MIRRORED, set()) - {keep}:
        st.session_state.pop(key, None)


def tabs(key: str, sections: list[tuple[str, Callable[[], None]]]) -> None:
    """Tabs that draw only the open one: each `(label, draw)`. Why: Streamlit sends every tab's content on every
    run and the browser builds all of it (设置's five forms, 数据导入's 926-load history), while a person looks at
    one; a click on another tab reruns the page with that tab drawn. The open tab is the session's (`key`), by
    its label; the first one at the start. Its place is kept too, so a switch of language (new labels) leaves the
    same tab open."""
    labels, place_key = [label for label, _ in sections], f"{key}-place"
    if st.session_state.get(key) not in labels and st.session_state.get(place_key, len(labels)) < len(labels):
        st.session_state[key] = labels[st.session_state[place_key]]
    shown = st.tabs(labels, key=key, on_change="rerun")
    for place, (tab, (_, draw)) in enumerate(zip(shown, sections)):
        if tab.open:
            st.session_state[place_key] = place
            with tab:
                draw()


def folded(label: str, key: str, draw: Callable[[], None]) -> None:
    """An expander drawn only while open, for the same reason as `tabs`: a folded table (数据质量's per-date
    completeness, 趋势's figures) is not sent, nor built by the browser, until someone opens it."""
    box = st.expander(label, key=key, on_change="rerun")
    if box.open:
        with box:
            draw()


def language_switch(lang: str) -> None:
    """中文 | English: part of the URL (lang=en), Chinese by default."""
    key = "ctl-lang"
    mirror(key, lang)

    def switched():
        _forget_mirrored(keep=key)
        chosen = st.session_state[key]
        update(lang=None if chosen in (None, i18n.DEFAULT_LANG) else chosen)

    st.segmented_control(i18n.t("lang_label", lang), options=list(i18n.LANGS), key=key,
                         format_func=lambda code: i18n.t(f"lang_{code}", lang), on_change=switched)


def breadcrumb(ctx: Context) -> None:
    """Root › … › current unit; every ancestor is a button that jumps up."""
    with st.container(horizontal=True, gap="small", vertical_alignment="center", key="breadcrumb"):
        for depth, unit in enumerate(ctx.chain[:-1]):
            target = None if depth == 0 else str(unit["code"])
            st.button(md_escape(unit["name"]), key=f"crumb-{unit['code']}", type="tertiary",
                      on_click=update, kwargs={"unit": target, "grids": None})
            st.markdown("›", width="content")
        level = codes.LEVEL_LABELS.get(ctx.unit["level"], {}).get(ctx.lang, "")
        st.markdown(f"**{md_escape(ctx.unit['name'])}** :gray[{md_escape(level)}]", width="content")


def unit_search(store, lang: str) -> None:
    """Go to a unit by name or code (石桥镇, 长安南, 990101101): what the user may see, each result with its path."""
    key = "ctl-find"
    text = st.text_input(i18n.t("find_label", lang), key=key, placeholder=i18n.t("find_placeholder", lang))
    if not text or not text.strip():
        return
    found = model.unit_search(auth.filter_units(data.all_units(store)), text)
    if found.empty:
        st.caption(i18n.t("find_none", lang, text=md_escape(text.strip())))
        return
    for row in found.itertuples():
        st.button(md_escape(row.path), key=f"find-{row.code}", type="tertiary", icon=":material/location_on:",
                  on_click=_go_to, args=(row.code, key))


def _go_to(code: str, key: str) -> None:
    """Runs before the rerun: the found unit becomes the current unit and the search box empties."""
    st.session_state[key] = ""
    update(unit=code, grids=None)


def root_picker(ctx: Context) -> None:
    """Where the store holds separate trees (two counties, or one beside the demo): which one to view.

    The default root is left out of the URL like every default; the caption
    names the common parent code where one exists, since loading that unit
    joins the trees into one.
    """
    if len(ctx.roots) < 2:
        return
    key, default = "ctl-root", default_root(ctx.roots)
    mirror(key, str(ctx.chain[0]["code"]))
    names = dict(zip(ctx.roots["code"], ctx.roots["name"]))
    st.selectbox(i18n.t("root_label", ctx.lang), list(names), key=key, format_func=lambda c: f"{names[c]} · {c}",
                 help=i18n.t("root_choose", ctx.lang, count=len(names)),
                 on_change=lambda: update(unit=None if st.session_state[key] == default else st.session_state[key],
                                          grids=None))
    parent = data.common_parent(list(names))
    if parent:
        st.caption(i18n.t("root_common_parent", ctx.lang, code=parent))


def date_picker(ctx: Context) -> None:
    """Any snapshot date, newest first; the latest is the default and is left out of the URL."""
    key = "ctl-date"
    mirror(key, ctx.date)
    options = list(reversed(ctx.dates))

    def label(day):
        text = i18n.fmt_date(day, ctx.lang)
        return i18n.t("date_latest", ctx.lang, date=text) if day == ctx.latest else text

    st.selectbox(i18n.t("date_label", ctx.lang), options, key=key, format_func=label,
                 on_change=lambda: update(date=None if st.session_state[key] == ctx.latest
                                          else st.session_state[key].isoformat()))


def load_note(ctx: Context, domains: list[str]) -> str:
    """When the snapshots shown were loaded: '核酸采样 5月7日 数据，导入于 …', or the last load of several domains."""
    shown = [(d, ctx.domain_date(d)) for d in domains]
    loads = [(ctx.loaded_at(d, day), d, day) for d, day in shown if day is not None]
    loads = [item for item in loads if item[0] is not None]
    if not loads:
        return ""
    when, domain, day = max(loads, key=lambda item: item[0])
    stamp = i18n.fmt_date(when.date(), ctx.lang)
    if when.year != day.year:
        stamp = f"{when.year}年{stamp}" if ctx.lang == "zh" else f"{stamp}, {when.year}"
    stamp += f" {when:%H:%M}"
    if len(domains) > 1:
        return i18n.t("loaded_at_all", ctx.lang, time=stamp)
    return i18n.t("loaded_at", ctx.lang, domain=fields.DOMAIN_LABELS[domain][ctx.lang],
                  date=i18n.fmt_date(day, ctx.lang), time=stamp)


def domain_picker(ctx: Context, key: str) -> None:
    """The domain (排查 / 核酸采样 / 疫苗接种); changing it resets the indicator to the domain's main one."""
    key = f"{key}-domain"
    mirror(key, ctx.domain)
    options = [d for d in fields.DOMAINS if d in ctx.by_domain]

    def changed():
        chosen = st.session_state[key]
        if chosen:
            update(domain=None if chosen == ctx.default_domain else chosen, ind=None, count=None)

    st.segmented_control(i18n.t("domain_label", ctx.lang), options, key=key, on_change=changed,
                         format_func=lambda d: fields.DOMAIN_LABELS[d][ctx.lang])


def indicator_picker(ctx: Context, key: str) -> None:
    """An indicator of the current domain; its main indicator is the default and stays out of the URL."""
    key = f"{key}-ind"
    mirror(key, ctx.ind.key)
    options = [i.key for i in indicators.for_domain(ctx.domain)]
    main = indicators.MAIN_INDICATOR[ctx.domain]
    st.selectbox(i18n.t("indicator_label", ctx.lang), options, key=key,
                 format_func=lambda k: indicators.BY_KEY[k].label(ctx.lang),
                 on_change=lambda: update(ind=None if st.session_state[key] == main else st.session_state[key]))


RATIO = "ratio"  # the measure picker's choice of the indicator's ratio (against its target)


def measure_picker(ctx: Context, key: str, label_key: str = "map_measure_label") -> None:
    """What the map colours and the trend draws: the indicator's ratio against its target (the default, out of the
    URL), or one of the domain's counts (排查人数, 返乡人员 …: on the map classed by quantiles)."""
    key = f"{key}-measure"
    mirror(key, ctx.count or RATIO)
    options = [RATIO, *(f.name for f in fields.domain_fields(ctx.domain))]
    st.selectbox(i18n.t(label_key, ctx.lang), options, key=key,
                 format_func=lambda k: i18n.t("map_measure_ratio", ctx.lang, indicator=ctx.ind.label(ctx.lang))
                 if k == RATIO else i18n.t("map_measure_count", ctx.lang, field=fields.BY_NAME[k].label(ctx.lang)),
                 on_change=lambda: update(count=None if st.session_state[key] == RATIO else st.session_state[key],
                                          per=None if st.session_state[key] == RATIO else st.query_params.get("per")))


def view_pickers(ctx: Context, key: str) -> None:
    """Domain and indicator side by side (stacked on a phone)."""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        domain_picker(ctx, key)
    with right:
        indicator_picker(ctx, key)


def per_1000_switch(ctx: Context) -> None:
    """The map's count per 1,000 residents (`per=1000`), so a large town and a small village compare."""
    key = "ctl-per-1000"
    mirror(key, ctx.per_1000)
    st.toggle(i18n.t("map_per_1000", ctx.lang), key=key,
              on_change=lambda: update(per="1000" if st.session_state[key] else None))


def grids_switch(ctx: Context) -> bool:
    """The all-grids switch, offered from the county and township levels."""
    key = "ctl-grids"
    mirror(key, ctx.grids)
    return st.toggle(i18n.t("map_grids_toggle", ctx.lang), key=key,
                     on_change=lambda: update(grids="1" if st.session_state[key] else None))
