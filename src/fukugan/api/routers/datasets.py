"""``POST /api/v1/datasets/{kind}``: import an uploaded file (multipart), all-or-nothing.

The same validated importer as ``fukugan data import``; a bad file answers 400 with an RFC 9457
problem naming the file, row and field, and changes nothing; too large a file answers 413.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from fukugan.api import problems
from fukugan.api.models import Problem, ReportOut
from fukugan.api.params import LangQ, PlatformDep
from fukugan.api.write_policy import StoreAdmin
from fukugan.app.present import present
from fukugan.services.datasets import ImportKind
from fukugan.services.uploads import UploadTooLargeError, import_upload, max_upload_bytes

router = APIRouter(tags=["data"])

ERRORS = {
    400: {"model": Problem, "description": "Invalid file: names the file, row and field."},
    413: {"model": Problem, "description": "File larger than the upload limit."},
    422: {"model": Problem, "description": "Request validation failed."},
}


def too_large(request: Request, detail: str) -> JSONResponse:
    return problems.problem(
        request, 413, detail, type_=problems.TYPE_BASE + "too-large", title="Content Too Large"
    )


def declared_too_large(request: Request) -> bool:
    """True when the request says (Content-Length) it is larger than the limit allows."""
    try:
        size = int(request.headers.get("content-length") or 0)
    except ValueError:
        return False
    return size > max_upload_bytes() * 2 + 1_000_000  # file + country codes + form overhead


@router.post(
    "/datasets/{kind}",
    response_model=ReportOut,
    responses=ERRORS,
    summary="Import a file (validated, all-or-nothing)",
)
async def upload_dataset(
    request: Request,
    platform: PlatformDep,
    _admin: StoreAdmin,
    kind: Annotated[ImportKind, Path(description="usgs-world, oecd-iot, wgi, baci, comtrade.")],
    file: Annotated[UploadFile, File(description="The file to import (CSV).")],
    country_codes: Annotated[
        UploadFile | None, File(description="BACI only: its country_codes_V*.csv file.")
    ] = None,
    lang: LangQ = "en",
) -> Response:
    """Validate the whole file, then replace the affected dataset in one store transaction
    (``oecd-iot``: that country-year table; ``baci`` / ``comtrade``: rows of the same source and
    year). Answers the sources with provenance, the imported dataset among them. A bad file
    changes nothing: 400 with ``detail`` naming the file, the row (header = row 1) and the field.
    When the workspace has hub users, only an ``admin`` session with its CSRF token
    (``X-CSRF-Token``) may import (401 / 403 otherwise); without users, only this machine
    (:mod:`fukugan.api.write_policy`)."""
    if declared_too_large(request):
        return too_large(
            request, f"request larger than the upload limit ({max_upload_bytes()} bytes)"
        )
    codes = (country_codes.filename, country_codes.file) if country_codes is not None else None
    try:
        rep = await run_in_threadpool(
            import_upload,
            platform.store,
            kind,
            file.filename,
            file.file,
            country_codes=codes,
        )
    except UploadTooLargeError as exc:
        return too_large(request, str(exc))
    finally:
        await file.close()
        if country_codes is not None:
            await country_codes.close()
    doc = present(rep, lang)
    return JSONResponse(ReportOut.model_validate(doc).model_dump(mode="json"))
