"""Signing in, in a real browser: the form in Chromium, and a trusted proxy header, each opening one township only.

Skips when /usr/bin/chromium is missing, except under CI=true, where it fails (see test_browser.py).
"""
from __future__ import annotations

import shutil

import pytest

from dashboard.storage import access
from tests.test_browser import (_REASON, PATIENCE_MS, READY, SHOTS, open_page, streamlit_server,  # noqa: F401
                                wait_for)

pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")
EAST, WEST = "990101001000", "990101002000"
HEADER = "X-Forwarded-User"


@pytest.fixture(scope="module")
def server(demo_store_path, tmp_path_factory):
    """`streamlit run app.py` on a copy of the demo store, with an accounts file and a trusted proxy header."""
    folder = tmp_path_factory.mktemp("access-browser")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_store_path, db)
    access.add_account(folder / "accounts.json", "dong", "leader", EAST, "dong-pw")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DASHBOARD_ACCOUNTS", str(folder / "accounts.json"))
        patch.setenv("DASHBOARD_AUTH_HEADER", HEADER)
        with streamlit_server(db) as base:
            yield base


def _township_only(page) -> None:
    """The overview of 东城街道: its title, no breadcrumb above it, no other township, no data pages in the menu."""
    main = page.locator("[data-testid='stMain']")
    wait_for(page, "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length === 3", "the three cards")
    assert main.locator("h1").inner_text().startswith("东城街道")
    text = main.inner_text()
    assert "西城街道" not in text and "示范县" not in page.locator(".st-key-breadcrumb").inner_text()
    menu = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "总览" in menu and "数据导入" not in menu and "设置" not in menu


def test_signing_in_through_the_form_shows_the_township_only(browser, server):
    page = open_page(browser, server, f"/?unit={WEST}")
    assert page.locator("[data-testid='stSidebarNav']").count() == 0  # nothing but the form before sign-in
    assert "西城街道" not in page.locator("[data-testid='stMain']").inner_text()
    page.get_by_label("账号").fill("dong")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("账号或密码不正确").wait_for()
    page.get_by_label("账号").fill("dong")
    page.get_by_label("密码").fill("dong-pw")
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("[data-testid='stMetric']")
    page.wait_for_selector(READY)
    _township_only(page)
    assert "不在您的权限范围内" in page.locator("[data-testid='stMain']").inner_text()  # the URL's township refused
    page.screenshot(path=str(SHOTS / "access-signed-in-leader.png"))
    assert page.external == []
    page.close()


def test_a_trusted_proxy_header_signs_in_without_the_form(browser, server):
    context = browser.new_context(extra_http_headers={HEADER: "dong"}, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(PATIENCE_MS)
    page = context.new_page()
    page.goto(server + "/")
    page.wait_for_selector("[data-testid='stMetric']")
    page.wait_for_selector(READY)
    _township_only(page)
    context.close()


def _sign_in(page) -> None:
    page.get_by_label("账号").fill("dong")
    page.get_by_label("密码").fill("dong-pw")
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("[data-testid='stMetric']")
    page.wait_for_selector(READY)


def _shows_the_form(page) -> bool:
    page.wait_for_selector(READY)
    page.get_by_label("账号").wait_for()
    return page.locator("[data-testid='stMetric']").count() == 0


def _cookie_once_set(context, page) -> dict:
    """The sign-in cookie, once the server's answer to the page's post has set it (polled: no script can see it)."""
    for _ in range(PATIENCE_MS // 100):
        found = [c for c in context.cookies() if c["name"] == "dashboard_session"]
        if found:
            return found[0]
        page.wait_for_timeout(100)
    raise AssertionError("the server never set the sign-in cookie")


def test_a_device_stays_signed_in_across_tabs_and_reloads_until_it_signs_out(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(PATIENCE_MS)
    first = context.new_page()
    first.goto(server + "/")
    assert _shows_the_form(first)
    _sign_in(first)
    cookie = _cookie_once_set(context, first)
    assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0  # kept for the day, not for the tab
    assert cookie["httpOnly"] and "dashboard_session" not in first.evaluate("() => document.cookie")  # no script reads it
    second = context.new_page()  # the morning link opened in a new tab: no form
    second.goto(server + "/map")
    second.wait_for_selector("[data-testid='stSidebarNav']")
    second.wait_for_selector(READY)
    assert second.locator("[data-testid='stMain'] h1").inner_text().startswith("东城街道")
    first.reload()
    first.wait_for_selector("[data-testid='stMetric']")
    stranger = browser.new_context()  # the token copied into another browser, one character changed: refused
    stranger.set_default_timeout(PATIENCE_MS)
    stranger.add_cookies([{**cookie, "value": cookie["value"][:-1] + ("0" if cookie["value"][-1] != "0" else "1")}])
    forged = stranger.new_page()
    forged.goto(server + "/")
    assert _shows_the_form(forged)
    stranger.close()
    second.get_by_role("button", name="退出登录").click()
    assert _shows_the_form(second)
    for _ in range(PATIENCE_MS // 100):  # the server's answer drops the cookie from the device too
        if not any(c["name"] == "dashboard_session" for c in context.cookies()):
            break
        second.wait_for_timeout(100)
    else:
        raise AssertionError("signing out left the cookie on the device")
    third = context.new_page()  # signing out in one tab ends the day on the device (and on every other one)
    third.goto(server + "/")
    assert _shows_the_form(third)
    context.close()


@pytest.mark.parametrize("headers, body", [({}, "x"), ({"X-Dashboard": "1"}, "bm8.1.99999999999.forged")],
                         ids=["another site's post", "a token this server did not issue"])
def test_the_cookie_route_sets_no_cookie_it_was_not_asked_for_by_the_page(server, headers, body):
    """The route answers only the page's own post (its header) of a token it issued: no cookie otherwise."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(server + "/_session", data=body.encode(), headers=headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403 and refused.value.headers.get("set-cookie") is None
