"""The morning rush (`python -m dashboard bench --rush`, issue 18) at a tiny scale: three browser sessions on the
county's overview and map while a CLI ingest changes what they show, on a copy of the demo store.

Skips when /usr/bin/chromium is missing, except under CI=true, where it fails.
"""
from __future__ import annotations

import os

import pytest

from dashboard.benchmark import browser as bench_browser
from dashboard.benchmark import rush

_REASON = bench_browser.missing()
if _REASON and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot be skipped in CI: {_REASON}")
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


def test_a_small_rush_shows_no_error_and_no_torn_read_and_its_writer_finishes(demo_store_path, monkeypatch):
    monkeypatch.setattr(rush, "EXTRA_ROUNDS", 0)  # no more pages while the writer finishes: the test's time bound
    result = rush.run(demo_store_path, sessions=3, iterations=1, repeat=0, units=1, writers=1)
    visits = result["rush"]["visits"]
    assert len(visits) >= 3 * 2
    assert [(v["path"], v["error"]) for v in visits + result["single"] + result["after"] if v["error"]] == []
    assert result["torn"]["torn"] == [], list(result["torn"]["examples"].items())[:2]  # the texts, to tell why
    assert result["torn"]["changed"] > 0  # the ingest did change figures the sessions were showing
    assert [(w["rc"], w["stderr"]) for w in result["alone"] + result["rush"]["writers"]] == [(0, "")] * 2
    assert "Torn reads: 0 of" in rush.markdown(result)
