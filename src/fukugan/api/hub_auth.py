"""Who is asking: the hub session behind a request, for the API and the pages alike.

- The session token travels only in the ``fukugan_session`` cookie: ``HttpOnly`` (no script
  reads it), ``SameSite=Strict`` (no other site's page sends it), ``Secure`` when the request
  came over HTTPS, ``Path=/``.
- Every state-changing request (POST, PUT, PATCH, DELETE) of a logged-in session must carry the
  session's CSRF token, in the ``X-CSRF-Token`` header (API, htmx) or the ``csrf_token`` form
  field (pages); :func:`require_writer_session` checks it server-side (synchronizer token pattern,
  OWASP CSRF Prevention Cheat Sheet). A missing or wrong token is a 403.
- Authorisation is never decided here: these functions only say *who* asks; the hub service
  (:class:`fukugan.services.hub.Hub`, :func:`fukugan.hub.policy.can_read`) decides what they
  may read or write, on every request.

Usage in a router::

    @router.get("/hub/items")
    def items(user: OptionalUser, hub: HubDep): ...

    @router.post("/hub/items")
    def publish(user: WriterUser, hub: HubDep): ...
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import HTTPException

from fukugan.hub.policy import Principal
from fukugan.hub.sessions import LoginSession
from fukugan.services.hub import Hub

COOKIE = "fukugan_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def install(app: FastAPI, hub: Hub | None = None, *, home: str | None = None) -> None:
    """Attach the hub (over the workspace database of ``home``) to ``app``; opened lazily."""
    app.state.hub = hub
    app.state.hub_home = home


_open_lock = threading.Lock()


def get_hub(request: Request) -> Hub:
    """The app's hub, opened on first use (once: concurrent first requests share one)."""
    state = request.app.state
    if getattr(state, "hub", None) is None:
        with _open_lock:
            if getattr(state, "hub", None) is None:
                state.hub = Hub(getattr(state, "hub_home", None))
    return state.hub


def session_token(request: Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def optional_user(request: Request) -> Principal | None:
    """The logged-in user, or ``None`` (anonymous: reads TLP:CLEAR items only)."""
    if not hasattr(request.state, "hub_user"):
        request.state.hub_user = get_hub(request).session_user(session_token(request))
    return request.state.hub_user


def require_user(request: Request) -> Principal:
    """The logged-in user, else 401."""
    user = optional_user(request)
    if user is None:
        raise HTTPException(401, "log in to the hub first")
    return user


async def require_writer_session(request: Request) -> Principal:
    """The logged-in user of a state-changing request whose CSRF token matches, else 401/403.
    The database reads run in the thread pool: a hub write holding the SQLite lock must not
    stall the event loop (and every other request) for up to the busy timeout."""
    from starlette.concurrency import run_in_threadpool

    user = await run_in_threadpool(require_user, request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.method in UNSAFE:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    hub = await run_in_threadpool(get_hub, request)
    if not await run_in_threadpool(hub.check_csrf, session_token(request), sent):
        raise HTTPException(403, "missing or wrong CSRF token")
    return user


def set_session_cookie(request: Request, response: Response, session: LoginSession) -> None:
    response.set_cookie(
        COOKIE,
        session.token,
        max_age=int((session.expires_at - _now(request)).total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")


def client_address(request: Request) -> str | None:
    """The peer address, for login rate limiting (proxies' headers are not trusted)."""
    return request.client.host if request.client else None


def _now(request: Request):  # noqa: ANN202 - datetime
    return get_hub(request).clock()


HubDep = Annotated[Hub, Depends(get_hub)]
OptionalUser = Annotated[Principal | None, Depends(optional_user)]
CurrentUser = Annotated[Principal, Depends(require_user)]
WriterUser = Annotated[Principal, Depends(require_writer_session)]
