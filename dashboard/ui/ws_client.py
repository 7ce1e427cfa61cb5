"""Helper process of the rush benchmark (`bench --rush --clients ws`): people who open pages without a browser.

Why: twenty Chromium contexts on the server's own two cores did nine tenths of the work in the browser rush, so its
page times measured the browsers. A client here speaks Streamlit's own protocol, as the frontend does, and renders
nothing: a WebSocket to `/_stcore/stream` (subprotocol `streamlit`; no XSRF token, no session to resume: a new tab),
one `BackMsg.rerun_script` whose `ClientState` carries what the frontend takes from the URL (the pathname as
`page_name`, which `st.navigation` matches against each page's `url_path`, "" for the default page; the query
string as `query_string`), then every `ForwardMsg` until `script_finished`. A page's time is from opening the
socket to that message: the server's whole part of a page load (a browser's drawing is not in it).

What a page showed is rebuilt from the deltas as the frontend would (the last element at each delta path wins):
each domain's card (every element inside the block keyed `card-<domain>`, as protobuf text, the equivalent of the
browser rush's innerText), and on the map the first choropleth's layers' values (each unit's code, class and
tooltip, and the names: more than the browser rush can read from the drawn map, each unit's name, code and fill). A run that ends FINISHED_EARLY_FOR_RERUN (`st.rerun`: a fresh server's
first deep link reruns through app.py, see `shell._leave_pages_directory_mode`) is followed, as the frontend
follows it: the page is the last run's elements, its time runs to that run's end. An error is an exception
element, an error alert, a page not found, a run that ended otherwise, or a socket that closed first.

Lives in the UI, as it imports `streamlit.proto`; the benchmark runs it as a process (`python -m
dashboard.ui.ws_client`): one JSON plan on stdin, one JSON line per event on stdout (`first` when a session has its
first page, `visit` per page, `done` with this process's CPU seconds, which the benchmark counts as the clients').
All sessions of a plan run in this one process on asyncio: a client costs a few milliseconds of CPU a page.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import resource
import sys
import time
import urllib.parse

import websockets
from google.protobuf import text_format
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

PATIENCE_S = 180.0  # as the browser benchmark's: a bound against hangs, not a speed check
FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")  # the server runs the script again itself
ALERT_ERROR = 1  # Alert.Format.ERROR
DOMAINS = ("testing", "vaccination", "screening")


def client_state(path: str) -> bytes:
    """The rerun a new tab on `path` asks for ("/map?unit=…" → page `map`, query `unit=…`)."""
    parts = urllib.parse.urlsplit(path)
    msg = BackMsg()
    msg.rerun_script.page_name = parts.path.strip("/")
    msg.rerun_script.query_string = parts.query
    return msg.SerializeToString()


class Page:
    """The page as the deltas build it: elements and blocks by delta path, the page run, errors, the end."""

    def __init__(self):
        self.elements: dict[tuple, object] = {}
        self.blocks: dict[tuple, str] = {}
        self.pages: dict[str, str] = {}
        self.page, self.error, self.finished = None, None, False

    def take(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":  # a run begins: what the page shows at its end is that run's alone
            self.elements, self.blocks = {}, {}
        elif kind == "delta":
            self._delta(tuple(msg.metadata.delta_path), msg.delta)
        elif kind == "navigation":
            self.pages.update({p.page_script_hash: p.url_pathname for p in msg.navigation.app_pages})
            self.page = self.pages.get(msg.navigation.page_script_hash, self.page)
        elif kind == "page_not_found":
            self.error = self.error or f"page not found: {msg.page_not_found.page_name}"
        elif kind == "script_finished" and msg.script_finished != RERUN:
            self.finished = True
            if msg.script_finished != FINISHED:
                self.error = self.error or f"script finished: {ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)}"

    def _delta(self, path: tuple, delta) -> None:
        kind = delta.WhichOneof("type")
        if kind == "new_element":
            self.elements[path] = delta.new_element
            self._check(delta.new_element)
        elif kind == "add_block":
            self.blocks[path] = delta.add_block.id

    def _check(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.error = self.error or f"exception: {element.exception.type}: {element.exception.message}"[:300]
        elif kind == "alert" and element.alert.format == ALERT_ERROR:
            self.error = self.error or f"error alert: {element.alert.body}"[:300]

    def shown(self) -> dict[str, str]:
        """The figures one read gives: each card's elements as text; on the map, the first chart's traces."""
        seen = {}
        for path, block_id in self.blocks.items():
            domain = block_id.rpartition("-card-")[2] if "-card-" in block_id else None
            if domain in DOMAINS:
                inside = sorted(p for p in self.elements if p[:len(path)] == path and len(p) > len(path))
                seen[domain] = "\n".join(text_format.MessageToString(self.elements[p], as_utf8=True) for p in inside)
        charts = sorted(p for p, e in self.elements.items() if e.WhichOneof("type") == "vega_lite_chart"
                        and '"geoshape"' in e.vega_lite_chart.spec)
        if self.page == "map" and charts:
            layers = json.loads(self.elements[charts[0]].vega_lite_chart.spec)["layer"]
            seen["map"] = json.dumps([layer["data"]["values"] for layer in layers], ensure_ascii=False, sort_keys=True)
        return seen

    def title(self) -> str | None:
        """The page's first heading (the unit and the date): which unit the page is about."""
        for path in sorted(self.elements):
            if self.elements[path].WhichOneof("type") == "heading":
                return self.elements[path].heading.body
        return None


async def visit(url: str, path: str) -> dict:
    """One new tab on `path`: its time to script_finished, and what it showed."""
    page, began, at, received = Page(), time.perf_counter(), time.monotonic(), 0
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=PATIENCE_S,
                                      ping_interval=None) as ws:
            await ws.send(client_state(path))
            while not page.finished:
                data = await asyncio.wait_for(ws.recv(), PATIENCE_S)
                received += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                page.take(msg)
    except Exception as exc:  # a refused, dropped or silent socket is a finding: an error of the run
        page.error = page.error or f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    ms = (time.perf_counter() - began) * 1000
    texts = page.shown()
    return {"path": path, "kind": "map" if path.startswith("/map") else "overview", "ms": ms if page.finished else None,
            "error": page.error, "finished": page.finished, "page": page.page, "title": page.title(), "bytes": received,
            "at": at,  # the system's monotonic clock: the benchmark places each visit against the writers' times
            "seen": {k: hashlib.sha1(v.encode()).hexdigest()[:16] for k, v in texts.items()}, "texts": texts}


def emit(event: dict) -> None:
    print(json.dumps(event, ensure_ascii=False), flush=True)


async def session(plan: dict, s: int, paths: list[str]) -> None:
    """A person's morning: `paths` in order (then round again while the stop file is absent, at most
    `extra_rounds` times as many); reading between pages for a seeded random time when `think` is given, and
    arriving at a random moment of the first reading time (people open the link within the same minutes)."""
    think, stop = plan.get("think"), plan.get("stop_file")
    rng = random.Random(f"{plan.get('seed', 0)}-{s}")
    if think:
        await asyncio.sleep(rng.uniform(0, think[1]))
    for n in range(len(paths) * (1 + plan.get("extra_rounds", 0))):
        if n >= len(paths) and (stop is None or os.path.exists(stop)):
            break
        emit({"visit": {**await visit(plan["url"], paths[n % len(paths)]), "session": s}})
        if n == 0:
            emit({"first": s})
        if think:
            await asyncio.sleep(rng.uniform(*think))


async def main(plan: dict) -> None:
    await asyncio.gather(*(session(plan, s, paths) for s, paths in enumerate(plan["sessions"])))
    used = resource.getrusage(resource.RUSAGE_SELF)
    emit({"done": True, "cpu_s": used.ru_utime + used.ru_stime})


if __name__ == "__main__":
    asyncio.run(main(json.load(sys.stdin)))
