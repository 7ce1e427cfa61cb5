"""Load history: roll a load back or restore it. Nothing is ever deleted.

A rolled-back load keeps its rows (set aside among the noncurrent rows, still
in facts_history); the current rows of its date are recomputed without it
(the previous values come back from the noncurrent rows). Restoring
recomputes them with it. Every action is recorded with the user.
"""
from __future__ import annotations

import pandas as pd

from ..domain.messages import InputError, Message
from ..storage import queries
from ..storage.store import Store
from . import ingest


def history(store: Store) -> pd.DataFrame:
    return store.query("loads_all")


def rollback(store: Store, load_id: int, user: str) -> None:
    _set_status(store, load_id, "rolled_back", user)


def restore(store: Store, load_id: int, user: str) -> None:
    _set_status(store, load_id, "active", user)


def _set_status(store: Store, load_id: int, status: str, user: str) -> None:
    if store.query("load_by_id", load_id=load_id).empty:
        raise InputError([Message("err_unknown_load", {"load_id": load_id})])
    with store.write() as con:
        queries.execute(con, "load_set_status", load_id=load_id, status=status)
        touched = queries.run(con, "load_nums", load_id=load_id)
        if len(touched):
            ingest.refresh_current(con, touched[["num"]], touched["domain"].iloc[0], touched["snapshot_date"].iloc[0])
        queries.execute(con, "load_event_insert", load_id=load_id, by_user=user,
                        action="restored" if status == "active" else "rolled_back")
