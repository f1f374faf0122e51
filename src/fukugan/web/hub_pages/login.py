"""Hub login and logout pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fukugan.api import hub_auth
from fukugan.hub.models import (
    USERNAME_MAX,
)
from fukugan.hub.policy import LoginLocked, PermissionDenied
from fukugan.i18n import t
from fukugan.web.hub_pages.frame import (
    _error,
    _form,
    _hub,
    _page,
    _s,
    _safe_next,
    _same_origin,
    _user,
    writer,
)
from fukugan.web.pages import Prefs

router = APIRouter(include_in_schema=False)


# -- login / logout --------------------------------------------------------------------------
@router.get("/hub/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    return _page(
        request,
        "hub_login.html",
        prefs,
        tab="login",
        error=None,
        username="",
        next=_safe_next(request.query_params.get("next")),
    )


@router.post("/hub/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    prefs = Prefs.of(request)
    form = await _form(request)
    username, password = _s(form, "username", USERNAME_MAX), form.get("password")
    nxt = _safe_next(_s(form, "next", 2000))
    if not _same_origin(request):
        return _error(request, prefs, 403, t("web-hub-csrf-failed", prefs.lang))
    error, status = None, 200
    if not username or not isinstance(password, str) or not password:
        error, status = "web-hub-login-missing", 400
    else:
        try:
            session = await run_in_threadpool(
                _hub(request).login, username, password, client=hub_auth.client_address(request)
            )
        except LoginLocked:
            error, status = "web-hub-login-locked", 429
        except PermissionDenied:
            error, status = "web-hub-login-wrong", 401
        else:
            resp = RedirectResponse(nxt, status_code=303)
            hub_auth.set_session_cookie(request, resp, session)
            return resp
    return _page(
        request,
        "hub_login.html",
        prefs,
        tab="login",
        status=status,
        error=error,
        username=username,
        next=nxt,
    )


@router.post("/hub/logout")
async def logout(request: Request) -> Response:
    if _user(request) is not None:
        await writer(request)  # a session: logging out is a CSRF-checked form like any other
        await run_in_threadpool(_hub(request).logout, hub_auth.session_token(request))
    resp = RedirectResponse("/hub", status_code=303)
    hub_auth.clear_session_cookie(resp)
    return resp
