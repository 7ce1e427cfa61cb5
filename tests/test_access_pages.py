"""Access on the pages (AppTest, demo store): sign-in required once accounts exist, every page confined to the scope.

A township leader of 东城街道 who edits the URL to another township, the
county or a grid of another township gets nothing of it on any page: no name
of a unit outside the scope and none of their figures appears anywhere in
what the page sent (every element's serialized message, charts and tables
included), the breadcrumb starts at the township, and there are no download
buttons. The names and figures looked for are read from the store here.
"""
from __future__ import annotations

import datetime as dt
import json
import pathlib

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard.analysis import rollup
from dashboard.domain import fields
from dashboard.output.import_model import Upload
from dashboard.storage import access
from dashboard.storage.store import Store
from tests.helpers import open_tab

APP = pathlib.Path(__file__).resolve().parent.parent / "app.py"
COUNTY, EAST, WEST = "990101000000", "990101001000", "990101002000"
EAST_VILLAGE, WEST_GRID = "990101001001", "990101002001001"
LATEST = dt.date(2022, 5, 7)
READ_PAGES = ["pages/overview.py", "pages/map.py", "pages/gaps.py", "pages/trends.py", "pages/quality.py",
              "pages/briefing.py"]
PASSWORDS = {"admin": "admin-pw", "dong": "dong-pw", "ana": "ana-pw", "clerk": "clerk-pw"}


@pytest.fixture(scope="module")
def accounts_file(tmp_path_factory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("accounts") / "accounts.json"
    access.add_account(path, "admin", "admin", "all", PASSWORDS["admin"])
    access.add_account(path, "dong", "leader", EAST, PASSWORDS["dong"])
    access.add_account(path, "ana", "analyst", EAST, PASSWORDS["ana"])
    access.add_account(path, "clerk", "clerk", EAST, PASSWORDS["clerk"])
    return path


def run(monkeypatch, db, accounts_file, page: str = "pages/overview.py", account: str | None = None,
        **params) -> AppTest:
    """One page through app.py with accounts configured; `account` signs in by putting it in the session."""
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_ACCOUNTS", str(accounts_file))
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if account is not None:
        at.session_state["_account"] = access.load_accounts(accounts_file)[account]
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    return at


def sent(at: AppTest) -> str:
    """Everything the page sent, as text: each element's message serialized (table cells are UTF-8 inside the
    Arrow bytes, chart specs are JSON that may escape CJK as \\uXXXX, so both spellings are kept)."""
    chunks = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            chunks.append(proto.SerializeToString().decode("utf-8", errors="replace"))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)  # noqa: SLF001 - the whole element tree, sidebar included
    return "\n".join(chunks)


def contains(text: str, needle: str) -> bool:
    return needle in text or json.dumps(needle)[1:-1] in text


@pytest.fixture(scope="module")
def foreign(demo_store_path) -> dict:
    """Names of units outside 东城街道 (not also used inside it: grid names repeat), and figures of 西城街道 and of the
    county that 东城街道 does not share, formatted as the pages format counts."""
    con = duckdb.connect(str(demo_store_path), read_only=True)
    lo, hi = access.scope_range(EAST)
    inside = {r[0] for r in con.execute("select name from units where num >= ? and num < ?", [lo, hi]).fetchall()}
    outside = {r[0] for r in con.execute("select name from units where (num < ? or num >= ?) and level <> 'county'",
                                         [lo, hi]).fetchall()}
    con.close()
    store = Store(demo_store_path)

    def figures(code):
        out = set()
        for domain in fields.DOMAINS:
            unit = rollup.rollup(store, code, domain, LATEST).unit
            for value in ([] if unit is None else unit.to_numpy()):
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and value >= 10_000:
                    out |= {f"{value:,.0f}", f"{value / 10000:.2f}万"}
        return out

    own = figures(EAST)
    return {"names": sorted(outside - inside), "figures": sorted((figures(WEST) | figures(COUNTY)) - own)}


def crumbs(at: AppTest) -> list[str]:
    return [b.key for b in at.button if (b.key or "").startswith("crumb-")]


def downloads(at: AppTest) -> int:
    return len(at.get("download_button"))


# ---- sign-in ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", READ_PAGES + ["pages/import.py", "pages/settings.py"])
def test_with_accounts_every_page_shows_only_the_sign_in_form(monkeypatch, demo_store_path, accounts_file, page):
    at = run(monkeypatch, demo_store_path, accounts_file, page, unit=EAST)
    assert not at.exception
    assert [t.label for t in at.text_input] == ["账号", "密码"]
    assert not at.metric and not at.dataframe and downloads(at) == 0
    text = sent(at)
    assert not contains(text, "东城街道") and not contains(text, "示范县")


def test_signing_in_through_the_form_opens_the_scope_and_is_recorded(monkeypatch, demo_store_path, accounts_file,
                                                                      tmp_path):
    own = tmp_path / "accounts.json"  # a copy, so that this test's access log is its own
    own.write_bytes(accounts_file.read_bytes())
    at = run(monkeypatch, demo_store_path, own)
    at.text_input(key="login-name").input("dong")
    at.text_input(key="login-password").input("wrong")
    at.button(key="login-submit").click().run()
    assert [e.value for e in at.error] == ["账号或密码不正确"] and not at.metric
    at.text_input(key="login-name").input("dong")
    at.text_input(key="login-password").input(PASSWORDS["dong"])
    at.button(key="login-submit").click().run()
    assert not at.exception and not at.error
    assert at.title[0].value.startswith("东城街道")
    assert at.metric
    log = access.log_path(own)
    assert list(access.events(log)[["user", "action"]].itertuples(index=False, name=None)) == \
        [("dong", "login"), ("dong", "login_failed")]
    at.button(key="sign-out").click().run()
    assert [t.label for t in at.text_input] == ["账号", "密码"] and not at.metric
    assert access.events(log)["action"].iloc[0] == "logout"


def test_after_five_wrong_passwords_even_the_right_one_waits(monkeypatch, demo_store_path, accounts_file, tmp_path):
    own = tmp_path / "accounts.json"
    own.write_bytes(accounts_file.read_bytes())
    clock = {"now": dt.datetime(2022, 5, 4, 9, 0)}
    monkeypatch.setattr(access, "now", lambda: clock["now"])
    at = run(monkeypatch, demo_store_path, own)

    def sign_in(password: str) -> None:
        at.text_input(key="login-name").input("dong")
        at.text_input(key="login-password").input(password)
        at.button(key="login-submit").click().run()
    for _ in range(access.MAX_WRONG_PASSWORDS):
        sign_in("wrong")
    assert [e.value for e in at.error] == ["账号或密码不正确"]
    sign_in(PASSWORDS["dong"])
    assert [e.value for e in at.error] == [i18n.t("acc_locked", "zh", time="09:15")] and not at.metric
    assert access.events(access.log_path(own))["action"].iloc[0] == "login_locked"
    clock["now"] += access.LOCKOUT
    sign_in(PASSWORDS["dong"])
    assert not at.exception and not at.error and at.metric


def test_a_broken_accounts_file_keeps_the_app_closed(monkeypatch, demo_store_path, tmp_path):
    broken = tmp_path / "accounts.json"
    broken.write_text('{"accounts": [{"name": "dong", ', encoding="utf-8")
    at = run(monkeypatch, demo_store_path, broken, unit=EAST)
    assert not at.exception
    assert [str(broken) in e.value for e in at.error] == [True]
    assert not at.metric and not at.text_input and not contains(sent(at), "东城街道")


# ---- the scope on every page --------------------------------------------------------------------------

@pytest.mark.parametrize("code", [WEST, COUNTY, WEST_GRID])
@pytest.mark.parametrize("page", READ_PAGES)
def test_a_township_leader_gets_nothing_outside_the_township(monkeypatch, demo_store_path, accounts_file, foreign,
                                                            page, code):
    at = run(monkeypatch, demo_store_path, accounts_file, page, account="dong", unit=code)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any(code in w.value and "权限" in w.value for w in at.warning)
    assert at.title[0].value.startswith("东城街道")
    assert crumbs(at) == []  # the township is the top of the breadcrumb: nothing above it to click
    assert downloads(at) == 0  # a leader reads, does not export
    text = sent(at)
    shown_names = [name for name in foreign["names"] if contains(text, name)]
    assert shown_names == []
    shown_figures = [figure for figure in foreign["figures"] if contains(text, figure)]
    assert shown_figures == []


def test_all_grids_on_the_map_are_the_townships_only(monkeypatch, demo_store_path, accounts_file, foreign):
    at = run(monkeypatch, demo_store_path, accounts_file, "pages/map.py", account="dong", unit=COUNTY, grids="1")
    assert not at.exception and not at.error
    text = sent(at)
    assert contains(text, "东城街道") and [n for n in foreign["names"] if contains(text, n)] == []


def test_the_breadcrumb_starts_at_the_scope_unit(monkeypatch, demo_store_path, accounts_file):
    at = run(monkeypatch, demo_store_path, accounts_file, account="dong", unit=EAST_VILLAGE)
    assert not at.warning
    assert crumbs(at) == [f"crumb-{EAST}"]
    admin = run(monkeypatch, demo_store_path, accounts_file, account="admin", unit=EAST_VILLAGE)
    assert crumbs(admin) == [f"crumb-{COUNTY}", f"crumb-{EAST}"]


def test_the_default_unit_is_the_scope_unit(monkeypatch, demo_store_path, accounts_file):
    at = run(monkeypatch, demo_store_path, accounts_file, account="dong")
    assert not at.warning and at.title[0].value.startswith("东城街道")


BYPASS = """
import datetime as dt

import streamlit as st

from dashboard.storage import access
from dashboard.ui import analysis_data, auth, data

st.session_state["_account"] = access.load_accounts(auth.accounts_file())["dong"]
store = data.store()
day, first = dt.date(2022, 5, 7), dt.date(2022, 5, 1)
reads = {
    "unit_rollup": lambda: data.unit_rollup(store, "990101002000", "screening", day),
    "trend": lambda: data.trend(store, "990101000000", "screening", first, day),
    "level_rollup": lambda: data.level_rollup(store, "990101000000", "grid", "screening", day),
    "map_base": lambda: data.map_base(store, "990101002000"),
    "series": lambda: analysis_data.series(store, "990101002000", "household_screening_rate", first, day),
    "count_series": lambda: analysis_data.count_series(store, "990101002000", "screening", "returnees", first, day),
    "missing": lambda: analysis_data.missing(store, "990101002001001", "screening", day),
    "own": lambda: data.unit_rollup(store, "990101001000", "screening", day),
}
for name, read in reads.items():
    try:
        read()
        st.write(f"{name}: read")
    except auth.NotPermitted:
        st.write(f"{name}: refused")
"""


def test_a_read_that_skips_the_context_is_refused_too(monkeypatch, demo_store_path, accounts_file, tmp_path):
    """The guard sits in the cached reads themselves: a script that never asked the context still gets nothing."""
    script = tmp_path / "bypass.py"
    script.write_text(BYPASS, encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DB", str(demo_store_path))
    monkeypatch.setenv("DASHBOARD_ACCOUNTS", str(accounts_file))
    monkeypatch.syspath_prepend(str(APP.parent))
    at = AppTest.from_file(str(script), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.markdown] == [
        "unit_rollup: refused", "trend: refused", "level_rollup: refused", "map_base: refused", "series: refused",
        "count_series: refused", "missing: refused", "own: read"]


# ---- roles ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["pages/overview.py", "pages/gaps.py", "pages/quality.py", "pages/briefing.py"])
def test_an_analyst_downloads_a_leader_does_not(monkeypatch, demo_store_path, accounts_file, page):
    analyst = run(monkeypatch, demo_store_path, accounts_file, page, account="ana")
    leader = run(monkeypatch, demo_store_path, accounts_file, page, account="dong")
    assert downloads(analyst) > 0
    assert downloads(leader) == 0


@pytest.mark.parametrize("account, page, allowed", [
    ("dong", "pages/import.py", False), ("dong", "pages/settings.py", False),
    ("ana", "pages/import.py", False), ("ana", "pages/settings.py", False),
    ("clerk", "pages/import.py", True), ("clerk", "pages/settings.py", False),
    ("admin", "pages/import.py", True), ("admin", "pages/settings.py", True),
])
def test_pages_a_role_may_not_use_say_so(monkeypatch, demo_store_path, accounts_file, account, page, allowed):
    at = run(monkeypatch, demo_store_path, accounts_file, page, account=account)
    assert not at.exception
    refused = [w.value for w in at.warning if "无权使用此页面" in w.value]
    assert bool(refused) is not allowed
    if not allowed:
        assert not at.dataframe and not at.selectbox and downloads(at) == 0


def test_a_clerk_sees_the_load_history_of_the_scope_only(monkeypatch, demo_store_path, accounts_file):
    at = run(monkeypatch, demo_store_path, accounts_file, "pages/import.py", account="clerk", unit=WEST)
    open_tab(at, "imp-tabs", "imp_tab_history")
    assert not at.exception and not at.error
    files = next(df.value for df in at.dataframe if "文件" in df.value.columns)["文件"]
    assert len(files) and files.str.contains("东城街道").all()
    assert not contains(sent(at), "西城街道")
    assert downloads(at) == 0  # no exports of the history
    open_tab(at, "imp-tabs", "imp_tab_template")
    assert not contains(sent(at), "西城街道")
    assert downloads(at) == 1  # the report template (a clerk imports)


def _grid_file(*rows) -> Upload:
    body = "\n".join(f"{code},{value}" for code, value in rows)
    return Upload("grids_20220508.csv", f"区划代码,排查户数\n{body}\n".encode())


def test_a_clerks_upload_outside_the_scope_is_refused_and_an_own_one_is_loaded_in_the_clerks_name(
        monkeypatch, demo_store_copy, accounts_file):
    mixed = _grid_file(("990101001001001", 10), (WEST_GRID, 11))
    at = run(monkeypatch, demo_store_copy.path, accounts_file, "pages/import.py", account="clerk")
    at.session_state["imp-files"] = [mixed]
    at.run()
    assert not at.exception
    assert at.error  # the file is marked as not loadable
    refused = [m.value.replace("\\", "") for m in at.markdown if "权限范围" in m.value]
    assert len(refused) == 1 and "grids_20220508.csv" in refused[0] and WEST_GRID in refused[0]
    assert at.button(key=f"imp-confirm-{mixed.key}").disabled
    before = len(demo_store_copy.query("loads_all"))

    own = _grid_file(("990101001001001", 10))
    at.session_state["imp-files"] = [own]
    at.run()
    at.button(key=f"imp-confirm-{own.key}").click().run()
    assert not at.exception
    loads = demo_store_copy.query("loads_all")
    assert len(loads) == before + 1 and loads["loaded_by"].iloc[0] == "clerk"
    history = next(df.value for df in open_tab(at, "imp-tabs", "imp_tab_history").dataframe if "文件" in df.value.columns)
    assert history["操作人"].iloc[0] == "clerk"  # the load history says who loaded


def test_the_admin_lists_and_adds_accounts_on_the_settings_page(monkeypatch, demo_store_path, accounts_file, tmp_path):
    own = tmp_path / "accounts.json"
    own.write_bytes(accounts_file.read_bytes())
    at = open_tab(run(monkeypatch, demo_store_path, own, "pages/settings.py", account="admin"), "set-tabs",
                  "acc_section")
    assert not at.exception and not at.error
    table = next(df.value for df in at.dataframe if "账号" in df.value.columns)
    assert sorted(table["账号"]) == ["admin", "ana", "clerk", "dong"]
    assert "argon2" not in sent(at)
    at.text_input(key="acc-add-name").input("xi")
    at.selectbox(key="acc-add-role").set_value("leader")
    at.text_input(key="acc-add-scope").input(WEST)
    at.text_input(key="acc-add-password").input("xi-pw")
    next(b for b in at.button if "添加账号" in b.label).click().run()
    assert not at.exception and not at.error
    xi = access.load_accounts(own)["xi"]
    assert (xi.role, xi.scope) == ("leader", WEST) and access.verify_password(xi.password_hash, "xi-pw")
    assert tuple(access.events(access.log_path(own)).iloc[0][["user", "action"]]) == ("admin", "account_added")


def test_the_sign_in_page_in_english(monkeypatch, demo_store_path, accounts_file):
    at = run(monkeypatch, demo_store_path, accounts_file, lang="en")
    assert [t.label for t in at.text_input] == ["Account", "Password"]
    assert at.button(key="login-submit").label == "Sign in"


def test_the_unit_search_finds_only_what_the_account_may_see(monkeypatch, demo_store_path, accounts_file):
    """长安 names 长安社区 and 长安街社区 (南城街道) and 长安南社区 (石桥镇); a leader of 东城街道 finds none of them,
    the admin finds all three with their path and goes to one."""
    leader = run(monkeypatch, demo_store_path, accounts_file, account="dong")
    leader.text_input(key="ctl-find").input("长安").run()
    assert not [b for b in leader.button if b.key and b.key.startswith("find-")]
    assert any("没有找到" in c.value for c in leader.caption)
    admin = run(monkeypatch, demo_store_path, accounts_file, account="admin")
    admin.text_input(key="ctl-find").input("长安").run()
    found = {b.key.removeprefix("find-"): b.label for b in admin.button if b.key and b.key.startswith("find-")}
    assert set(found) == {"990101003002", "990101003007", "990101103001"}
    assert found["990101103001"] == "示范县 › 石桥镇 › 长安南社区"
    admin.button(key="find-990101103001").click().run()
    assert admin.query_params["unit"] == "990101103001" and admin.text_input(key="ctl-find").value == ""
    assert not admin.exception and not admin.error
