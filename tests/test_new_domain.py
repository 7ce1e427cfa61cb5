"""A new campaign by declaration alone: a fixture declaration no Python file names (tests/fixtures/domains/flood.toml,
汛期排查) is read through DASHBOARD_DOMAINS; a report of it loads, and the domain shows in the JSON, the deck and
on the pages. Each step runs in its own process, as a county would run it (the declarations are read at start).

Expected figures are the file's own (taichen_flood_20220429.csv, 12 villages of 台陈镇, 临颍县, Henan): 114 sites to
check, 99 checked (gap 15 at a 100 % target), 8 dangers found, 193 people moved; 焦庄村 4 of 10.
"""
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DOMAINS = FIXTURES / "domains"
TOWNSHIP = "411122104000"


def _run(*args, db=None, code=None, timeout=300) -> subprocess.CompletedProcess:
    env = {**os.environ, "DASHBOARD_DOMAINS": str(DOMAINS), "DASHBOARD_LANG": "zh", "DASHBOARD_DB": str(db or "")}
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "dashboard", "--db", str(db), *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def flood_db(tmp_path_factory):
    """A county's store written before it declared the campaign (units loaded without DASHBOARD_DOMAINS), then the
    campaign's first file: the store gains the domain's tables and columns on that write."""
    db = tmp_path_factory.mktemp("flood") / "flood.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_DOMAINS"}
    subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), "units", str(FIXTURES / "taichen_units.csv")],
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    loaded = _run("ingest", str(DOMAINS / "taichen_flood_20220429.csv"), db=db)
    assert "汛期排查" in loaded.stdout
    return db


def test_no_python_file_names_the_fixture_domain():
    sources = [p for p in (ROOT / "dashboard").rglob("*.py")] + list((ROOT / "pages").rglob("*.py"))
    assert not [p for p in sources if "flood" in p.read_text(encoding="utf-8")]


def test_the_json_counts_the_new_domain_by_the_same_rollup(flood_db):
    out = json.loads(_run("coverage", "--unit", TOWNSHIP, "--format", "json", db=flood_db).stdout)
    rate = out["unit"]["flood_site_check_rate"]
    assert (rate["numerator"], rate["denominator"], rate["gap"], rate["target"]) == (99, 114, 15, 1.0)
    assert out["unit"]["totals"]["dangers_found"] == 8 and out["unit"]["totals"]["people_moved"] == 193
    assert out["unit"]["reported"]["flood"] == 12 and out["dates"]["flood"] == "2022-04-29"
    jiaozhuang = next(c for c in out["children"] if c["name"] == "焦庄村")
    assert jiaozhuang["flood_site_check_rate"]["numerator"] == 4 and jiaozhuang["flood_site_check_rate"]["gap"] == 6


def test_the_deck_shows_the_new_domain_and_its_tallies(flood_db, tmp_path):
    deck = tmp_path / "flood.pptx"
    _run("briefing", "--unit", TOWNSHIP, "--out", str(deck), db=flood_db)
    from pptx import Presentation

    text = "\n".join(shape.text_frame.text for slide in Presentation(deck).slides for shape in slide.shapes
                     if shape.has_text_frame)
    assert "点位排查率" in text and "86.8%" in text  # 99 / 114
    assert "发现险情数 8" in text and "转移群众 193" in text


PAGES = textwrap.dedent("""
    import json
    from streamlit.testing.v1 import AppTest
    out = {}
    at = AppTest.from_file("app.py", default_timeout=120)
    at.query_params["unit"] = "%s"
    at.run()
    out["errors"] = [e.value for e in at.exception] + [e.value for e in at.error]
    out["metrics"] = [m.label for m in at.metric]
    out["html"] = "".join(h.proto.body for h in at.get("html"))
    out["table"] = list(at.dataframe[0].value.columns) if at.dataframe else []
    at.switch_page("pages/map.py").run()
    out["errors"] += [e.value for e in at.exception] + [e.value for e in at.error]
    out["map_rows"] = len(at.dataframe[0].value) if at.dataframe else 0
    out["pages"] = {}
    for page in ("gaps", "trends", "quality", "briefing"):
        at.switch_page(f"pages/{page}.py").run()
        out["errors"] += [e.value for e in at.exception] + [e.value for e in at.error]
        out["pages"][page] = " ".join([m.value for m in at.markdown] + [m.label for m in at.metric]
                                      + [s.value for s in at.subheader] + [c.value for c in at.caption])
    print(json.dumps(out, ensure_ascii=False))
""")


def test_the_pages_show_the_new_domain(flood_db):
    out = json.loads(_run(db=flood_db, code=PAGES % TOWNSHIP).stdout.strip().splitlines()[-1])
    assert out["errors"] == []
    assert out["metrics"] == ["汛期排查 · 点位排查率"]
    assert "发现险情数" in out["html"] and "转移群众" in out["html"]
    assert out["map_rows"] == 12  # no boundaries: every village listed under the map
    assert "总缺口（处）" in out["pages"]["gaps"]  # the gap in the declared unit word of sites
    assert "点位排查率" in out["pages"]["trends"] and "点位排查率" in out["pages"]["briefing"]
    assert "数据质量 · 汛期排查" in out["pages"]["quality"]


SAFETY = ("村名称,排查场所数,发现隐患数,已整改隐患数\n"
          "台陈村,42,6,6\n宋王村,35,4,3\n前杜村,51,9,5\n")


def test_the_shipped_safety_campaign_is_refused_until_switched_on(tmp_path, monkeypatch):
    """安全隐患排查 ships declared but off: its file is refused with what to do, nothing stored; after `set
    domain.safety on` the same file loads and 隐患整改率 = 已整改 / 发现 (14 / 19) is counted. The commands run in
    this process, whose declarations are the shipped ones (the suite sets no DASHBOARD_DOMAINS)."""
    from tests.helpers import cli_in_process

    assert "DASHBOARD_DOMAINS" not in os.environ
    db, report = tmp_path / "safety.duckdb", tmp_path / "台陈镇安全隐患排查_20220429.csv"
    report.write_text(SAFETY, encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_LANG", "zh")

    def cli(*args):
        return cli_in_process("--db", str(db), *args)

    assert cli("units", str(FIXTURES / "taichen_units.csv")).returncode == 0
    refused = cli("ingest", str(report))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "安全隐患排查" in refused.stderr and "set domain.safety on" in refused.stderr
    assert "taichen" not in cli("loads").stdout and "安全隐患排查_20220429" not in cli("loads").stdout
    wrong = cli("set", "domain.safety", "yes")
    assert wrong.returncode == 1 and "on" in wrong.stderr and "Traceback" not in wrong.stderr
    assert cli("set", "domain.safety", "on").returncode == 0
    assert cli("ingest", str(report)).returncode == 0
    rate = json.loads(cli("coverage", "--unit", TOWNSHIP, "--format", "json").stdout)["unit"]["hazard_rectification_rate"]
    assert (rate["numerator"], rate["denominator"], rate["gap"]) == (14, 19, 5)
