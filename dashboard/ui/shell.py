"""What every page shares: the sidebar, the header with breadcrumb and date, demo label, empty-store guidance, errors.

A page calls `page()` first; it returns the context, or None when the store
is empty (the guidance is then already on screen). Page bodies run inside
`guard()`, so bad input shows its message and never a traceback.
"""
from __future__ import annotations

import contextlib
import logging

import streamlit as st

from .. import i18n
from ..domain import fields
from ..domain.messages import InputError
from ..output import charts
from ..storage.store import StoreBusy
from . import auth, context, controls, data, signin
from .context import Context

log = logging.getLogger(__name__)


def start() -> str:
    """Called by app.py before navigation: carry the view over page switches; returns the language."""
    context.carry_over()
    return context.lang()


@st.cache_resource(show_spinner=False)
def favicon():
    """A small image drawn here: a material-icon favicon would be fetched from Google, and we work offline."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((1, 1, 30, 30), radius=6, fill=(26, 152, 80, 255))
    for offset in (11, 20):
        draw.line((offset, 6, offset, 26), fill="white", width=2)
        draw.line((6, offset, 26, offset), fill="white", width=2)
    return image


def page(title_key: str) -> Context | None:
    """Sidebar, header, breadcrumb and date for a page; None (with guidance shown) when there is no data."""
    _leave_pages_directory_mode()
    lang = context.lang()
    _sidebar(lang)
    if not auth.may_open(title_key):
        auth.not_permitted(lang)
        return None
    with guard(lang):
        try:
            ctx = context.load()
        except context.EmptyStore as empty:
            guidance(lang, empty.has_units)
            return None
        if ctx.demo:
            st.badge(i18n.t("demo_label", lang), icon=":material/science:", color="violet")
        for note in ctx.notes:
            st.warning(controls.md_escape(note))
        with st.sidebar:
            controls.root_picker(ctx)
            controls.unit_search(ctx.store, ctx.lang)
        _header(ctx, title_key)
        return ctx
    return None


def _leave_pages_directory_mode() -> None:
    """Route a deep link through app.py even on a fresh server.

    With a folder named pages/, Streamlit 1.67 runs a requested page script
    directly (multipage "v1": no app.py, default titles, no carry-over) until
    some session has run app.py's st.navigation. A page that finds itself run
    that way switches the server to st.navigation mode and reruns; the page
    keeps its URL, so the rerun lands on the same page through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


# Less empty space above the title, so the figures show without scrolling (on a phone a smaller title, and the
# date picker beside it); a table of units in its phone columns at phone width, in full elsewhere (table.py); and a
# finger on the (not pannable) choropleth scrolls the page instead of being swallowed by the map.
_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 4rem; }
[class*="st-key-phone-table-"] { display: none; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.25rem; }
  .st-key-page-title h1 { font-size: 1.5rem; padding: 0.25rem 0; }
  .st-key-page-title [data-testid="stHorizontalBlock"] { flex-wrap: nowrap; gap: 0.5rem; }
  .st-key-page-title [data-testid="stColumn"] { min-width: 0; flex: 1 1 auto; }
  .st-key-page-title [data-testid="stColumn"]:last-child { flex: 0 0 9.5rem; }
  [class*="st-key-phone-table-"] { display: flex; }
  [class*="st-key-full-table-"] { display: none; }
}
[data-testid="stPlotlyChart"] .main-svg, [data-testid="stPlotlyChart"] .nsewdrag {
  touch-action: pan-x pan-y !important; }
""" + charts.MAP_STYLE + "</style>"


def _sidebar(lang: str) -> None:
    """Page style, the app's name and the language switch (the page list above it comes from st.navigation)."""
    st.html(_STYLE)
    with st.sidebar:
        st.markdown(f"**{i18n.t('app_title', lang)}**")
        controls.language_switch(lang)
        signin.sidebar(lang)


def _header(ctx: Context, title_key: str) -> None:
    """Breadcrumb, then the unit and date as the page's title, the date picker and the load time."""
    controls.breadcrumb(ctx)
    with st.container(key="page-title"):
        title, picker = st.columns([3, 1], vertical_alignment="bottom")
        with title:
            st.title(f"{controls.md_escape(ctx.unit['name'])} · {i18n.fmt_date(ctx.date, ctx.lang)}", anchor=False)
        with picker:
            controls.date_picker(ctx)
    note = controls.load_note(ctx, [d for d in fields.DOMAINS if d in ctx.by_domain]
                              if title_key == "page_overview" else [ctx.domain])
    if note:
        st.caption(f"{i18n.t(title_key, ctx.lang)} · {note}")


def guidance(lang: str, has_units: bool) -> None:
    """An empty store is a normal first start: say what is still missing, in order, and send the user to
    数据导入, where a county is set up from the browser (the CLI commands follow for whoever runs the server)."""
    from ..output import import_model  # the setup steps: units, boundaries, register, reports

    st.title(i18n.t("app_title", lang), anchor=False)
    st.subheader(i18n.t("empty_title", lang), anchor=False)
    missing = import_model.missing_steps(data.store())
    if has_units:
        st.write(i18n.t("empty_no_reports", lang))
    st.info(i18n.t(f"imp_missing_{missing[0] if missing else 'report'}", lang), icon=":material/upload_file:")
    if auth.may_open("page_import"):
        st.page_link("pages/import.py", label=i18n.t("empty_go_import", lang), icon=":material/upload:")
    st.write(i18n.t("empty_body", lang, path=controls.md_escape(data.store().path)))
    st.markdown(f"**{i18n.t('empty_demo', lang)}**")
    st.code("python -m dashboard demo", language="bash")
    st.markdown(f"**{i18n.t('empty_real', lang)}**")
    st.code("python -m dashboard units units.csv\npython -m dashboard boundaries boundaries.zip\n"
            "python -m dashboard population population.csv\npython -m dashboard ingest report.csv", language="bash")
    st.caption(i18n.t("empty_after", lang))


@contextlib.contextmanager
def guard(lang: str):
    """Bad input and a busy store show their message; anything else a short error, the traceback goes to the log."""
    try:
        yield
    except (InputError, StoreBusy) as exc:
        _error(exc, lang)
    except Exception as exc:  # noqa: BLE001 - the UI must never show a traceback
        log.exception("page failed")
        st.error(i18n.t("error_title", lang, detail=type(exc).__name__))


def _error(exc: Exception, lang: str) -> None:
    if isinstance(exc, StoreBusy):
        st.error(i18n.t("err_store_busy", lang))
    else:
        st.error("\n\n".join(controls.md_escape(m.text(lang)) for m in exc.messages))
