"""The dashboard's server: `streamlit run dashboard/ui/server.py` serves app.py, plus the sign-in cookie's route.

Why a route of our own: only an HTTP response can give the browser an HTTP-only cookie, one that no script in the
page can read (a unit name is data shown in the page; if markup ever slipped through, it could not take the day's
sign-in with it). Streamlit's own `st.App` (Starlette) serves app.py exactly as `streamlit run app.py` does and
adds routes. After a password sign-in the page posts the token it was just issued to `SESSION_ROUTE`, which checks
it (dashboard/storage/sessions.py) and answers with the cookie; signing out posts nothing and the cookie is dropped.
Served by `streamlit run app.py` instead, everything works but the sign-in lasts the tab only.
"""
from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `streamlit run` puts this file's folder on the path, not the repository's
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
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


app = st.App(str(ROOT / "app.py"), routes=[Route(sessions.ROUTE, session_cookie, methods=["POST"])])
