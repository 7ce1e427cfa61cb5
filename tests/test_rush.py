"""The morning rush (`python -m dashboard bench --rush`, issue 18) at a tiny scale: three sessions on the county's
overview and map while a CLI ingest changes what they show, on a copy of the demo store; as WebSocket clients
speaking Streamlit's protocol (dashboard/ui/ws_client.py) and as browser sessions.

The browser test skips when /usr/bin/chromium is missing, except under CI=true, where it fails.
"""
from __future__ import annotations

import json
import os

import pytest

from dashboard.benchmark import browser as bench_browser
from dashboard.benchmark import rush
from dashboard.ui import ws_client

_REASON = bench_browser.missing()
if _REASON and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot be skipped in CI: {_REASON}")
needs_browser = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


def _small_rush(store_path, monkeypatch, clients: str, arrivals: str = "closed", sessions: int = 3) -> dict:
    monkeypatch.setattr(rush, "EXTRA_ROUNDS", 0)  # no more pages while the writer finishes: the test's time bound
    return rush.run(store_path, sessions=sessions, iterations=1, repeat=0, units=1, writers=1, clients=clients,
                    arrivals=arrivals)


def _assert_sound(result: dict) -> None:
    visits = result["rush"]["visits"]
    assert len(visits) >= result["sessions"] * 2
    assert [(v["path"], v["error"]) for v in visits + result["single"] + result["after"] if v["error"]] == []
    assert result["torn"]["torn"] == [], list(result["torn"]["examples"].items())[:2]  # the texts, to tell why
    assert result["torn"]["changed"] > 0  # the ingest did change figures the sessions were showing
    assert [(w["rc"], w["stderr"]) for w in result["alone"] + result["rush"]["writers"]] == [(0, "")] * 2
    assert "Torn reads: 0 of" in rush.markdown(result)


def test_a_small_rush_of_websocket_clients_shows_no_error_and_no_torn_read(demo_store_path, monkeypatch):
    result = _small_rush(demo_store_path, monkeypatch, "ws")
    _assert_sound(result)
    visits = result["rush"]["visits"] + result["single"] + result["after"]
    assert all(v["finished"] and v["ms"] > 0 for v in visits)  # script_finished seen for every visit
    for v in visits:  # every page showed its figures: the three cards, or the map's areas
        assert set(v["seen"]) == ({"map"} if v["kind"] == "map" else set(rush.DOMAINS)), v["path"]
    assert result["cpu"]["rush"]["clients"] > 0 and "WS clients CPU-s per page" in rush.markdown(result)


def test_a_websocket_client_opens_the_page_and_unit_its_url_names(demo_store, server, tmp_path):
    """The map of a township shows that township (its name, its villages' areas); the overview of the county its
    cards: the client's page_name and query_string select what a browser's URL would."""
    county = demo_store.query("root_units").iloc[0]
    town = demo_store.query("unit_children", code=county["code"]).iloc[0]
    villages = set(demo_store.query("unit_children", code=town["code"])["code"])
    shown = rush.one_user(rush.WsClients(server, tmp_path), [f"/map?unit={town['code']}&domain=testing",
                                                            f"/?unit={county['code']}"], 1)
    on_map, overview = shown
    assert (on_map["page"], on_map["error"], overview["error"]) == ("map", None, None)
    assert on_map["title"].startswith(town["name"]) and overview["title"].startswith(county["name"])
    areas = {row["code"] for row in json.loads(on_map["texts"]["map"])[0]}  # the shapes layer's units
    assert areas and areas <= villages
    assert set(overview["seen"]) == set(rush.DOMAINS)


def test_the_rerun_a_client_asks_for_carries_the_urls_page_and_query():
    msg = ws_client.BackMsg()
    msg.ParseFromString(ws_client.client_state("/map?unit=990101101000&domain=testing"))
    assert (msg.rerun_script.page_name, msg.rerun_script.query_string) == ("map", "unit=990101101000&domain=testing")
    msg.ParseFromString(ws_client.client_state("/?unit=990101000000"))
    assert (msg.rerun_script.page_name, msg.rerun_script.query_string) == ("", "unit=990101000000")


@needs_browser
def test_a_small_rush_of_browsers_shows_no_error_and_no_torn_read_and_its_writer_finishes(demo_store_path,
                                                                                          monkeypatch):
    _assert_sound(_small_rush(demo_store_path, monkeypatch, "browser", sessions=2))  # two at once: a rush in small


def test_the_proxy_sends_each_connection_whole_to_the_server_with_fewest_open():
    """Two echo servers that sign their answers: connections held open spread over both, and every byte of a
    connection goes to and comes back from the one server it was given (a session stays with its process)."""
    import socket
    import socketserver
    import threading

    from dashboard.benchmark import proxy

    class Echo(socketserver.StreamRequestHandler):
        def handle(self):
            for line in self.rfile:
                self.wfile.write(f"{self.server.server_address[1]}:".encode() + line)

    servers = [socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo) for _ in range(2)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    front = proxy.Proxy([s.server_address[1] for s in servers])
    front.start()
    try:
        held = [socket.create_connection(("127.0.0.1", front.port)) for _ in range(4)]
        answers = []
        for n, conn in enumerate(held * 2):
            conn.sendall(f"{n}\n".encode())
            answers.append(conn.makefile().readline().split(":")[0])
        assert answers[:4] == answers[4:]  # each connection answered by the same server both times
        assert sorted(answers[:4]) == sorted([str(s.server_address[1]) for s in servers] * 2)  # 2 each
    finally:
        for conn in held:
            conn.close()
        front.stop()
        for server in servers:
            server.shutdown()
