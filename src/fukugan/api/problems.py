"""RFC 9457 problem details (``application/problem+json``) for every error.

A user mistake never becomes a 500: :class:`~fukugan.errors.FukuganError` maps to a 4xx with
its message (unknown item 404, dataset not loaded 409, bad input 400), request validation to 422.
Hub errors (:mod:`fukugan.hub.policy`): an item, alert or network one may not see 404 (the same
answer as a missing one), a forbidden action 403, a locked login 429 (with ``Retry-After``),
any other hub rule 400. A bad input names ``file``, ``row`` and ``field`` in ``errors``.
Only a real fault gives 500, without internals in the body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from fukugan.errors import FukuganError, InputError, NotLoadedError, UnknownItemError
from fukugan.hub.policy import LoginLocked, NotFoundError, PermissionDenied
from fukugan.hub.sessions import FAILURE_WINDOW

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://fukugan.invalid/problems/"  # stable identifiers, not fetched
log = logging.getLogger("fukugan.api")


LOGIN_RETRY_AFTER = int(FAILURE_WINDOW.total_seconds())  # a locked login: retry after this


def status_of(exc: FukuganError) -> int:
    own = getattr(exc, "http_status", None)  # e.g. a refused write (fukugan.api.write_policy)
    if isinstance(own, int):
        return own
    if isinstance(exc, (UnknownItemError, NotFoundError)):
        return 404
    if isinstance(exc, NotLoadedError):
        return 409
    if isinstance(exc, LoginLocked):
        return 429
    if isinstance(exc, PermissionDenied):
        return 403
    return 400


def _slug(exc: FukuganError) -> str:
    own = getattr(exc, "http_status", None)
    if own in (401, 403):
        return "unauthorized" if own == 401 else "forbidden"
    if isinstance(exc, UnknownItemError):
        return "unknown-item"
    if isinstance(exc, NotFoundError):
        return "not-found"
    if isinstance(exc, NotLoadedError):
        return "not-loaded"
    if isinstance(exc, LoginLocked):
        return "login-locked"
    if isinstance(exc, PermissionDenied):
        return "forbidden"
    if isinstance(exc, InputError):
        return "bad-input"
    return "bad-request"


def _where(exc: FukuganError) -> list[dict] | None:
    """``[{file, row, field, message}]`` for a bad input (file name only, never a server path)."""
    if not isinstance(exc, InputError):
        return None
    from pathlib import PurePath

    name = PurePath(exc.path).name if exc.path else None
    return [{"file": name, "row": exc.row, "field": exc.field, "message": exc.message}]


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": str(request.url.path),
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(
    app: FastAPI, *, html_error: Callable[[Request, int, str], Response] | None = None
) -> None:
    """Register the handlers. Outside ``/api/`` (the pages), ``html_error`` renders the error as
    a page when given."""

    def respond(request: Request, status: int, detail: str, **kw) -> Response:
        if html_error is not None and not request.url.path.startswith("/api/"):
            resp = html_error(request, status, detail)
            resp.headers.update(kw.get("headers") or {})
            return resp
        return problem(request, status, detail, **kw)

    @app.exception_handler(FukuganError)
    async def _fukugan(request: Request, exc: FukuganError):
        st = status_of(exc)
        headers = {"Retry-After": str(LOGIN_RETRY_AFTER)} if st == 429 else None
        return respond(
            request,
            st,
            str(exc),
            type_=TYPE_BASE + _slug(exc),
            errors=_where(exc),
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        detail = "; ".join(
            f"{'.'.join(str(x) for x in e['loc'][1:]) or e['loc']}: {e['msg']}" for e in errors
        )
        return respond(request, 422, detail, type_=TYPE_BASE + "validation", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return respond(request, exc.status_code, str(exc.detail), headers=exc.headers)

    document(app)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):  # pragma: no cover - a real fault
        log.exception("unhandled error on %s", request.url.path)
        return respond(request, 500, "internal error; see the server log")


def document(app: FastAPI) -> None:
    """Make the OpenAPI document say what errors really are: every 4xx / 5xx response (and a
    ``default`` one for statuses an operation does not list) is ``application/problem+json``
    with the :class:`~fukugan.api.models.Problem` schema, instead of FastAPI's
    ``application/json`` ``HTTPValidationError`` (found by schemathesis)."""
    from fukugan.api.models import Problem

    original = app.openapi
    ref = {"$ref": "#/components/schemas/Problem"}

    def openapi() -> dict:
        spec = original()
        if spec.get("x-problems-documented"):
            return spec
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for item in spec.get("paths", {}).values():
            for op in item.values():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                responses = op["responses"]
                for code, resp in responses.items():
                    if code[:1] in ("4", "5"):
                        resp["content"] = {PROBLEM_JSON: {"schema": ref}}
                responses.setdefault(
                    "default",
                    {
                        "description": "Error: RFC 9457 problem details",
                        "content": {PROBLEM_JSON: {"schema": ref}},
                    },
                )
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        spec["x-problems-documented"] = True
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
