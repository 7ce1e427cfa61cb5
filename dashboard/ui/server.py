"""The dashboard's server: `streamlit run dashboard/ui/server.py` serves app.py, plus the sign-in cookie's route,
and tells each page where the server is.

Why a route of our own: only an HTTP response can give the browser an HTTP-only cookie, one that no script in the
page can read (a unit name is data shown in the page; if markup ever slipped through, it could not take the day's
sign-in with it). Streamlit's own `st.App` (Starlette) serves app.py exactly as `streamlit run app.py` does and
adds routes. After a password sign-in the page posts the token it was just issued to `SESSION_ROUTE`, which checks
it (dashboard/storage/sessions.py) and answers with the cookie; signing out posts nothing and the cookie is dropped.
Served by `streamlit run app.py` instead, everything works but the sign-in lasts the tab only, and the console
shows the 404s below.

Why the page is told where the server is (`ServerBaseInPage`): Streamlit's page finds its server by trying the
page's own path first, so /map asked for /map/_stcore/health and /map/_stcore/host-config, two 404s in the console
at every load of every page but the first (streamlit#7074). The page reads `window.__streamlit.BACKEND_BASE_URL`,
Streamlit's setting for a page hosted elsewhere, before it tries; this sets it to the server's root, as the page's
address has it (behind a proxy that adds a prefix too).
"""
from __future__ import annotations

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `streamlit run` puts this file's folder on the path, not the repository's
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from dashboard.domain.messages import InputError  # noqa: E402
from dashboard.storage import access, sessions  # noqa: E402

MAX_TOKEN_CHARS = 1_000  # a token is about 120 characters; anything longer is not one


async def session_cookie(request: Request) -> Response:
    """POST a token this server issued: it becomes the HTTP-only cookie; POST nothing: the cookie is dropped.

    The `X-Dashboard` header keeps other sites out: a cross-site form cannot send it, and a script of another
    site may not without a CORS permission this server never gives. A token that is not valid now is refused,
    so the route cannot be used to plant a cookie."""
    if request.headers.get(sessions.ROUTE_HEADER) != "1":
        return Response(status_code=403)
    token = (await request.body())[:MAX_TOKEN_CHARS].decode("ascii", errors="replace").strip()
    response = Response(status_code=204)
    secure = request.url.scheme == "https"
    if not token:
        response.delete_cookie(sessions.COOKIE, path="/", secure=secure, httponly=True, samesite="strict")
        return response
    path = access.accounts_path()
    try:
        account = sessions.account_of(path, access.load_accounts(path), token, access.now())
    except InputError:  # a broken accounts file signs nobody in (the page says why)
        account = None
    if account is None:
        return Response(status_code=403)
    response.set_cookie(sessions.COOKIE, token, max_age=int(sessions.LIFETIME.total_seconds()), path="/",
                        secure=secure, httponly=True, samesite="strict")
    return response


class ServerBaseInPage:
    """ASGI middleware: into each HTML page it serves, a first script that sets the server's root for the page (see
    the module docstring). The page is requested uncompressed (it is 2 KB) so that its text can be changed."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or not _is_page(scope["path"]):
            return await self.app(scope, receive, send)
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]}
        start, body = {}, []

        async def buffered(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body"):
                    await _send_page(send, start, b"".join(body), scope["path"])

        await self.app(scope, receive, buffered)


def _is_page(path: str) -> bool:
    """A page's address (/, /map, /gaps …): not the server's own paths, not a file."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return not path.startswith(("/_stcore", "/static", "/media", "/component", "/app/", sessions.ROUTE)) and "." not in last


async def _send_page(send, start: dict, body: bytes, path: str) -> None:
    headers = dict(start.get("headers") or [])
    if b"text/html" in headers.get(b"content-type", b"") and b"<head>" in body:
        body = body.replace(b"<head>", b"<head>" + _base_script(path), 1)
    headers[b"content-length"] = str(len(body)).encode()
    await send({**start, "headers": list(headers.items())})
    await send({"type": "http.response.body", "body": body})


def _base_script(path: str) -> bytes:
    """The script: the server's root is the page's address less the page's path as the server saw it (without the
    configured base path, which the address keeps)."""
    base = "/" + st.get_option("server.baseUrlPath").strip("/")
    seen = path[len(base):] if base != "/" and path.startswith(base) else path
    return ("<script>(() => { const seen = %s, p = location.pathname.replace(/\\/+$/, '');"
            " const root = p.endsWith(seen) ? p.slice(0, p.length - seen.length) : p;"
            " window.__streamlit = {...(window.__streamlit || {}), BACKEND_BASE_URL: location.origin + root + '/'};"
            " })();</script>" % json.dumps(seen.rstrip("/"))).encode()


app = st.App(str(ROOT / "app.py"), routes=[Route(sessions.ROUTE, session_cookie, methods=["POST"])],
             middleware=[Middleware(ServerBaseInPage)])
