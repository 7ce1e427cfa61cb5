"""What the data pages (数据导入, 设置) share: their frame, the unit list, and actions that confirm on screen.

These pages are not views of a unit on a date, so they do not use
`shell.page()` (which needs reports to show): they work on a store that holds
units but no report yet, which is exactly when a clerk first imports.
Every change runs in a button callback through `act()`: the store is written
before the page is drawn again, so everything below shows the new state, and
the result (or the error, never a traceback) is shown where the user clicked.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from .. import i18n
from ..domain.messages import InputError
from ..storage.store import Store, StoreBusy
from . import auth, context, controls, data, reads, shell

log = logging.getLogger(__name__)
_FLASH = "_admin_flash"


@dataclass(frozen=True)
class Admin:
    store: Store
    lang: str
    units: pd.DataFrame      # units_all: code, num, name, level, prefix_len, parent_code, active
    unit_code: str           # the URL's unit when it exists, else the root: the default of unit selectors
    root_code: str = ""      # the unit shown without `unit` in the URL


def page(title_key: str) -> Admin | None:
    """Sidebar (with 查找单位), title and the store's units; None (with guidance shown) when no unit list is loaded
    yet."""
    shell._leave_pages_directory_mode()  # noqa: SLF001 - the same deep-link fix as every page
    lang = context.lang()
    shell._sidebar(lang)  # noqa: SLF001 - the same sidebar and style as every page
    if not auth.may_open(title_key):
        auth.not_permitted(lang)
        return None
    with shell.guard(lang):
        store = data.store()
        if data.meta(store)["demo"]:
            st.badge(i18n.t("demo_label", lang), icon=":material/science:", color="violet")
        st.title(i18n.t(title_key, lang), anchor=False)
        table = auth.filter_units(units(store))
        if table.empty:
            st.info(i18n.t("imp_no_units", lang))
            st.code("python -m dashboard units 县乡村网格名录.csv", language="bash")
            return None
        wanted = st.query_params.get("unit")
        roots = table[table["parent_code"].isna() | ~table["parent_code"].isin(set(table["code"]))]
        root = str((roots if len(roots) else table)["code"].iloc[0])
        with st.sidebar:  # any unit by name or code: the unit pickers offer one level at a time
            controls.unit_search(store, lang)
        return Admin(store=store, lang=lang, units=table, unit_code=wanted if wanted in set(table["code"]) else root,
                     root_code=root)
    return None


def units(store: Store) -> pd.DataFrame:
    """Every unit (retired ones too), cached until the store changes."""
    return data.all_units(store)


@reads.unscoped()
def _history(store: Store) -> pd.DataFrame:
    return store.query("loads_all")


@reads.unscoped()
def _spans(store: Store) -> pd.DataFrame:
    return store.query("load_spans")


def history(store: Store) -> pd.DataFrame:
    """Every load, newest first, cached until the store changes; for an account with a scope, only the loads
    whose rows all lie inside it (the ones its clerk may roll back)."""
    frame = _history(store)
    allowed = allowed_loads(store)
    return frame if allowed is None else frame[frame["load_id"].isin(allowed)]


def allowed_loads(store: Store) -> set[int] | None:
    """The loads the account may see and change: those whose rows all lie inside its scope; None means all."""
    bounds = auth.within()
    if bounds is None:
        return None
    spans = _spans(store)
    inside = spans[(spans["lo"] >= bounds[0]) & (spans["hi"] < bounds[1])]
    return {int(i) for i in inside["load_id"]}


def act(section: str, lang: str, action, *args) -> None:
    """Runs a change (in a callback) and keeps its result for `flash(section)`: the text `action` returns,
    or the error in the user's language."""
    try:
        done = action(*args)
        _put(section, "success", done)
    except InputError as exc:
        _put(section, "error", "\n\n".join(m.text(lang) for m in exc.messages))
    except StoreBusy:
        _put(section, "error", i18n.t("err_store_busy", lang))
    except Exception as exc:  # noqa: BLE001 - the UI never shows a traceback
        log.exception("data page action failed")
        _put(section, "error", i18n.t("error_title", lang, detail=type(exc).__name__))


def _put(section: str, kind: str, text: str | None) -> None:
    if text:
        st.session_state.setdefault(_FLASH, {})[section] = (kind, text)


def flash(section: str) -> None:
    """Shows (once) what the last action of this section did: confirmed on screen, next to its button."""
    kind, text = st.session_state.get(_FLASH, {}).pop(section, (None, None))
    if text:
        (st.success if kind == "success" else st.error)(controls.md_escape(text),
                                                        icon=":material/check_circle:" if kind == "success" else None)
