"""Who may change what: the one policy of every state-changing request (POST, PUT, PATCH, DELETE)
of the API and the pages, as FastAPI dependencies. Deny by default.

- **Origin, always.** :func:`guard` runs on every request of the app (an app-wide dependency):
  an unsafe request whose ``Origin`` (or, without one, ``Referer``) is another site, whose
  ``Origin`` is ``null``, or that the browser marks ``Sec-Fetch-Site: cross-site`` /
  ``same-site`` is refused (403) before its handler runs, logged in or not. Clients that send
  none of these headers (scripts, curl) are not browsers and cannot be driven by another site.
- **A declared policy, always.** :func:`guard` also refuses (403) an unsafe request whose route
  declares none of the policies below among its dependencies: a new write route is closed
  until someone says who may use it.
- **Who.** When the workspace has hub users, a write needs a live session and its CSRF token
  (``X-CSRF-Token`` header or ``csrf_token`` form field; :mod:`fukugan.api.hub_auth`), and a
  role: :data:`StoreAdmin` (replacing a dataset of the analytical store) is for ``admin``
  users; :data:`RunWriter` (starting or cancelling runs, uploading scenarios) for any
  logged-in user. Without a session: 401; wrong or missing token, or a role not allowed: 403;
  nothing changes.
- **Single-user loopback mode.** With no hub users at all, there is no one to log in as: writes
  are anonymous, but only from this machine (the peer address is loopback) to a loopback
  address (the ``Host`` is ``localhost``, ``127.0.0.1`` or ``[::1]``, or a name listed in
  ``FUKUGAN_LOCAL_HOSTS``: this defeats DNS rebinding, where another site's page reaches
  ``127.0.0.1`` under its own name), and still Origin-checked. Anything else is 403.
- The hub's own write routes declare :func:`fukugan.api.hub_auth.require_writer_session` (or
  the pages' equivalent) and decide roles in the hub service; logging in and out declare
  :func:`origin_only` (there is no session to bind a token to yet; the hub's rate limit and the
  Origin check guard them).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.exceptions import HTTPException
from starlette.concurrency import run_in_threadpool

from fukugan.api import hub_auth
from fukugan.errors import FukuganError
from fukugan.hub.policy import Principal
from fukugan.i18n import t

UNSAFE = hub_auth.UNSAFE
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
STORE_ROLES = ("admin",)

_POLICIES: set[Callable[..., Any]] = set()


class WriteRefused(FukuganError):
    """A state-changing request refused by the write policy (401 or 403, nothing changed).
    ``key`` is the label of the reason (:mod:`fukugan.i18n`); the message is in the request's
    language for pages, English for the API."""

    def __init__(self, request: Request, status: int, key: str) -> None:
        self.http_status, self.key = status, key
        super().__init__(t(key, _lang(request)))


def _lang(request: Request) -> str:
    if request.url.path.startswith("/api/"):
        return "en"
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "en"
    return lang if lang in ("en", "ja") else "en"


def policy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Declare ``fn`` a write policy: a route that depends on it (directly or through another
    dependency) passes :func:`guard`'s deny-by-default check; ``fn`` itself decides who."""
    _POLICIES.add(fn)
    return fn


# -- Origin ------------------------------------------------------------------------------------
def _host(request: Request) -> str:
    return (request.headers.get("host") or request.url.netloc).lower()


def same_origin(request: Request) -> bool:
    """Whether a request may come from our own pages: ``Origin`` (or ``Referer``) names this
    host, and the browser does not say the request is cross-site. Without any of these headers
    the sender is not a browser page (curl, scripts), which another site cannot drive."""
    site = request.headers.get("sec-fetch-site")
    if site in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("origin")
    if origin is not None:
        if origin == "null":
            return False
        return urlsplit(origin).netloc.lower() == _host(request)
    referer = request.headers.get("referer")
    if referer:
        return urlsplit(referer).netloc.lower() == _host(request)
    return True


def _declares_policy(dependant: Any) -> bool:
    for dep in getattr(dependant, "dependencies", ()):
        if dep.call in _POLICIES or _declares_policy(dep):
            return True
    return False


async def guard(request: Request) -> None:
    """App-wide dependency: on an unsafe request, the Origin check, then deny unless the route
    declares a write policy."""
    if request.method not in UNSAFE:
        return
    if not same_origin(request):
        raise WriteRefused(request, 403, "write-cross-origin")
    route = request.scope.get("route")
    if route is None or not _declares_policy(getattr(route, "dependant", None)):
        raise WriteRefused(request, 403, "write-no-policy")


# -- who -------------------------------------------------------------------------------------
def _local_hosts() -> set[str]:
    extra = os.environ.get("FUKUGAN_LOCAL_HOSTS", "")
    return set(LOOPBACK_HOSTS) | {h.strip().lower() for h in extra.split(",") if h.strip()}


def _is_loopback_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_local(request: Request) -> bool:
    """Whether the request comes from this machine to a loopback address of this server: the
    peer address is loopback (no peer at all: a Unix socket) and the ``Host`` names a
    loopback address (or ``FUKUGAN_LOCAL_HOSTS``)."""
    peer = request.client.host if request.client else None
    local_names = _local_hosts()
    if peer is not None and not _is_loopback_address(peer) and peer not in local_names:
        return False
    host = urlsplit("//" + _host(request)).hostname or ""
    return host in local_names or _is_loopback_address(host)


def _has_users(request: Request) -> bool:
    return hub_auth.get_hub(request).has_users()


async def _writer(request: Request, roles: tuple[str, ...] | None) -> Principal | None:
    if not await run_in_threadpool(_has_users, request):
        if is_local(request):
            return None  # single-user loopback mode: anonymous, already Origin-checked
        raise WriteRefused(request, 403, "write-not-local")
    try:
        user = await hub_auth.require_writer_session(request)
    except HTTPException as e:
        key = "write-login-required" if e.status_code == 401 else "write-csrf-failed"
        raise WriteRefused(request, e.status_code, key) from None
    if roles is not None and user.role not in roles:
        raise WriteRefused(request, 403, "write-admin-only")
    return user


def may_write(request: Request, kind: str) -> bool:
    """Whether the request's user may do a write of ``kind`` (``"store"``: replace a dataset;
    ``"runs"``: start runs, upload scenarios), for pages to say so before a form is sent. The
    policy itself is enforced by the dependencies below, whatever a page shows."""
    try:
        if not _has_users(request):
            return is_local(request)
        user = hub_auth.optional_user(request) if hub_auth.session_token(request) else None
    except FukuganError:
        return False
    if user is None:
        return False
    return kind != "store" or user.role in STORE_ROLES


@policy
async def store_admin(request: Request) -> Principal | None:
    """Replacing data of the analytical store: an ``admin`` with a valid CSRF token (``None`` in
    single-user loopback mode)."""
    return await _writer(request, STORE_ROLES)


@policy
async def run_writer(request: Request) -> Principal | None:
    """Starting or cancelling a run, uploading a scenario: a logged-in user with a valid CSRF
    token (``None`` in single-user loopback mode)."""
    return await _writer(request, None)


@policy
def origin_only(request: Request) -> None:
    """Logging in and out (no session to bind a token to before the login; the hub's login
    rate limit applies), and POSTs that change nothing (a plan posted as data to be solved):
    the Origin check of :func:`guard` only."""


policy(hub_auth.require_writer_session)  # the hub's writes: a session and its CSRF token

StoreAdmin = Annotated[Principal | None, Depends(store_admin)]
RunWriter = Annotated[Principal | None, Depends(run_writer)]
OriginOnly = Annotated[None, Depends(origin_only)]
