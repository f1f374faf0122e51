"""The member's own private supply network: upload and view."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from fukugan.errors import FukuganError, InputError
from fukugan.hub.policy import PermissionDenied, Principal
from fukugan.i18n import t
from fukugan.services.uploads import display_name, safe_name
from fukugan.web.hub_pages.frame import (
    MAX_UPLOAD,
    FormUser,
    SessionUser,
    _error,
    _form,
    _hub,
    _page,
    _s,
)
from fukugan.web.pages import Prefs

router = APIRouter(include_in_schema=False)


# -- the user's own network ------------------------------------------------------------------
def _network_page(
    request: Request,
    prefs: Prefs,
    user: Principal,
    *,
    error: str | None = None,
    uploaded: int | None = None,
    status: int = 200,
) -> Response:
    rows = _hub(request).my_network(user)
    return _page(
        request,
        "hub_network.html",
        prefs,
        tab="network",
        status=status,
        rows=rows,
        error=error,
        uploaded=uploaded,
    )


@router.get("/hub/network", response_class=HTMLResponse)
def network_page(request: Request, user: SessionUser) -> Response:
    prefs = Prefs.of(request)
    up = request.query_params.get("uploaded")
    return _network_page(request, prefs, user, uploaded=int(up) if up and up.isdigit() else None)


@router.post("/hub/network", response_class=HTMLResponse)
async def upload_network(request: Request, who: FormUser) -> Response:
    prefs = Prefs.of(request)
    form = await _form(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        msg = t("web-hub-err-file", prefs.lang)
        return _network_page(request, prefs, who, error=msg, status=422)
    data = await upload.read(MAX_UPLOAD + 1)
    name = display_name(upload.filename, "network.csv")  # as the user knows it, in messages
    if len(data) > MAX_UPLOAD:
        msg = t("web-hub-err-too-big", prefs.lang, name=name)
        return _network_page(request, prefs, who, error=msg, status=413)
    own = _s(form, "own_firm", 200) or None

    def store() -> int:
        """Upload through a temporary file named like the user's; errors name that file, never
        the server's temporary directory."""
        with tempfile.TemporaryDirectory(prefix="fukugan-net-") as tmp:
            path = Path(tmp) / safe_name(name, "network.csv")
            path.write_bytes(data)
            try:
                return _hub(request).upload_network(who, path, own_firm=own)
            except InputError as e:
                where = name if e.path else None
                raise InputError(e.message, path=where, row=e.row, field=e.field) from None
            except PermissionDenied:
                raise
            except FukuganError as e:
                raise InputError(str(e).replace(str(path), name).replace(tmp, "")) from None

    try:
        n = await run_in_threadpool(store)
    except PermissionDenied:
        return _error(request, prefs, 403, t("web-hub-not-writer", prefs.lang))
    except FukuganError as e:
        return _network_page(request, prefs, who, error=str(e), status=422)
    return RedirectResponse(f"/hub/network?uploaded={n}", status_code=303)
