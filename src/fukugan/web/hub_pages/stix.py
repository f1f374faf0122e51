"""STIX 2.1 export and import pages."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from fukugan.errors import FukuganError, InputError
from fukugan.hub.models import (
    ITEM_TYPES,
)
from fukugan.hub.policy import HubError, PermissionDenied
from fukugan.i18n import t
from fukugan.services.uploads import display_name
from fukugan.web.hub_pages.frame import (
    MAX_UPLOAD,
    Author,
    AuthorForm,
    _error,
    _form,
    _hub,
    _page,
    _user,
)
from fukugan.web.pages import Prefs

router = APIRouter(include_in_schema=False)


# -- STIX ------------------------------------------------------------------------------------
@router.get("/hub/stix/export")
def stix_export(request: Request) -> Response:
    prefs = Prefs.of(request)
    user = _user(request)
    typ = request.query_params.get("type")
    try:
        text = _hub(request).export_stix(user, type=typ if typ in ITEM_TYPES else None)
    except (HubError, InputError) as e:
        return _error(request, prefs, 400, str(e))
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return Response(
        text,
        media_type="application/stix+json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="fukugan-hub-stix-{stamp}.json"'},
    )


def _stix_page(
    request: Request, prefs: Prefs, *, error: str | None = None, status: int = 200
) -> Response:
    return _page(request, "hub_stix.html", prefs, tab="stix", status=status, error=error)


@router.get("/hub/stix", response_class=HTMLResponse)
def stix_page(request: Request, user: Author) -> Response:
    prefs = Prefs.of(request)
    return _stix_page(request, prefs)


@router.post("/hub/stix", response_class=HTMLResponse)
async def stix_import(request: Request, who: AuthorForm) -> Response:
    prefs = Prefs.of(request)
    upload = (await _form(request)).get("file")
    if not isinstance(upload, UploadFile):
        return _stix_page(request, prefs, error=t("web-hub-err-file", prefs.lang), status=422)
    data = await upload.read(MAX_UPLOAD + 1)
    name = display_name(upload.filename, "bundle.json")
    if len(data) > MAX_UPLOAD:
        msg = t("web-hub-err-too-big", prefs.lang, name=name)
        return _stix_page(request, prefs, error=msg, status=413)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        msg = t("web-hub-err-utf8", prefs.lang, name=name)
        return _stix_page(request, prefs, error=msg, status=422)
    try:
        hub = _hub(request)
        ids = await run_in_threadpool(lambda: hub.import_stix(who, text, filename=name))
    except PermissionDenied as e:
        return _stix_page(request, prefs, error=str(e), status=403)
    except FukuganError as e:
        return _stix_page(request, prefs, error=str(e), status=422)
    return RedirectResponse(f"/hub?imported={len(ids)}", status_code=303)
