"""The one way a page reads the store: cached by the store's path and version, checked against the account's scope.

Why the version in every key: `Store.version()` changes with each write, so a new load shows on the next rerun
while unchanged data is never queried twice. Why the scope check outside the cache: a cached result is shared by
every session, so the check must run for each call, before the cache is asked.

    @reads.scoped(max_entries=512)
    def unit_rollup(s: Store, code: str, domain: str, day): ...   # called as unit_rollup(store, code, ...)

`st.cache_data` hands back copies; `resource=True` (`st.cache_resource`, for geometry and figures) hands back the
same object, which callers must not mutate.
"""
from __future__ import annotations

import functools
import inspect

import streamlit as st

from ..storage.store import Store
from . import auth


@st.cache_resource(show_spinner=False)
def store_at(path: str) -> Store:
    return Store(path)


def _cached(function, max_entries: int, resource: bool):
    """`function(store, *args)` cached as `(path, version, *args)`, under the function's own name: Streamlit keys a
    cache by module, qualified name and source, and every wrapper made here shares the same source."""
    def cached(path: str, version: str, *args):
        return function(store_at(path), *args)

    cached.__module__, cached.__qualname__ = function.__module__, function.__qualname__
    cache = st.cache_resource if resource else st.cache_data
    return cache(show_spinner=False, max_entries=max_entries)(cached)


def _read(max_entries: int, resource: bool, check):
    def wrap(function):
        cached, signature = _cached(function, max_entries, resource), inspect.signature(function)

        @functools.wraps(function)
        def read(s: Store, *args, **kwargs):
            bound = signature.bind(s, *args, **kwargs)
            bound.apply_defaults()
            values = bound.args[1:]
            check(values)
            return cached(str(s.path), s.version(), *values)

        read.unchecked = lambda s, *args: cached(str(s.path), s.version(), *args)  # naming the account's own scope
        return read
    return wrap


def scoped(max_entries: int = 64, resource: bool = False):
    """A read whose first argument after the store is a unit code: refused (auth.NotPermitted) outside the scope."""
    return _read(max_entries, resource, lambda values: auth.require_in_scope(values[0]))


def unscoped(max_entries: int = 16, resource: bool = False):
    """A read of what every account may see (the unit list's shape, load times): no unit code to check; a read
    that narrows itself to the scope takes `auth.within()` as an argument, so each scope has its own entry."""
    return _read(max_entries, resource, lambda values: None)
