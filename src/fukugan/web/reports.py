"""Report and upload routes of the web app.

- ``/reports/commodity/{id}.html|.pdf?home=&year=&lang=``: the commodity briefing;
- ``/reports/national.html|.pdf?home=&year=&lang=``: the national briefing of the home country;
- ``/reports/run/{run_id}.html|.pdf?lang=``: the scenario briefing of ``$FUKUGAN_HOME/runs/<id>``
  (a Monte Carlo sweep's directory gives the sweep briefing: distributions across samples);
- ``/reports/plan/{plan_id}.html|.pdf?lang=``: the briefing of a shipped response plan;
- ``POST /data/upload``: the Data page's upload form (the API's ``POST /api/v1/datasets/{kind}``
  for programs).

Handlers read the request, call the builders (:mod:`fukugan.reports`, which call the services)
and answer; results are cached per store fingerprint like every page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from fukugan.api.routers.scenarios import ensure_run_visible
from fukugan.api.write_policy import StoreAdmin
from fukugan.app.platform import Platform
from fukugan.errors import FukuganError, InputError, UnknownItemError
from fukugan.reports.cached import commodity_report, national_report, plan_report, run_report
from fukugan.services.datasets import IOT, TRADE, USGS, WGI, ImportKind

router = APIRouter(include_in_schema=False)
DATASET_OF = {
    ImportKind.usgs_world: USGS,
    ImportKind.oecd_iot: IOT,
    ImportKind.wgi: WGI,
    ImportKind.baci: TRADE,
    ImportKind.comtrade: TRADE,
}


def _platform(request: Request) -> Platform:
    return request.app.state.platform


def _fmt(fmt: str) -> str:
    if fmt not in ("html", "pdf"):
        raise UnknownItemError(f"unknown report format {fmt!r}: use .html or .pdf")
    return fmt


def _answer(request: Request, body: Any, fmt: str, filename: str) -> Response:
    if fmt == "pdf":
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
        )
    return HTMLResponse(body)


def _links(request: Request, lang: str, back: str) -> dict[str, str]:
    base = request.url.path.rsplit(".", 1)[0]
    params = dict(request.query_params)
    other = {**params, "lang": "ja" if lang == "en" else "en"}
    return {
        "pdf": f"{base}.pdf?{urlencode({**params, 'lang': lang})}",
        "other_lang": f"{request.url.path}?{urlencode(other)}",
        "back": back,
    }


@router.get("/reports/commodity/{commodity}.{fmt}")
def commodity_report_page(request: Request, commodity: str, fmt: str) -> Response:
    from fukugan.reports.render import render_html
    from fukugan.web.pages import Prefs

    prefs = Prefs.of(request)
    fmt = _fmt(fmt)
    out, name = commodity_report(
        _platform(request),
        commodity,
        year=prefs.year,
        home=prefs.home,
        lang=prefs.lang,
        fmt=fmt,
    )
    if fmt == "html":
        back = f"/commodities/{out['commodity_id']}"
        out = render_html(out, links=_links(request, prefs.lang, back))
    return _answer(request, out, fmt, name)


@router.get("/reports/national.{fmt}")
def national_report_page(request: Request, fmt: str) -> Response:
    from fukugan.reports.render import render_html
    from fukugan.web.pages import Prefs

    prefs = Prefs.of(request)
    fmt = _fmt(fmt)
    out, name = national_report(
        _platform(request), year=prefs.year, home=prefs.home, lang=prefs.lang, fmt=fmt
    )
    if fmt == "html":
        out = render_html(out, links=_links(request, prefs.lang, "/"))
    return _answer(request, out, fmt, name)


@router.get("/reports/run/{run_id}.{fmt}")
def run_report_page(request: Request, run_id: str, fmt: str) -> Response:
    from fukugan.reports.render import render_html
    from fukugan.web.pages import Prefs

    prefs = Prefs.of(request)
    fmt = _fmt(fmt)
    ensure_run_visible(request, run_id)
    out, name = run_report(_platform(request), run_id, lang=prefs.lang, fmt=fmt)
    if fmt == "html":
        out = render_html(out, links=_links(request, prefs.lang, f"/runs/{run_id}"))
    return _answer(request, out, fmt, name)


@router.get("/reports/plan/{plan_id}.{fmt}")
def plan_report_page(request: Request, plan_id: str, fmt: str) -> Response:
    from fukugan.reports.render import render_html
    from fukugan.web.pages import Prefs

    prefs = Prefs.of(request)
    fmt = _fmt(fmt)
    out, name = plan_report(_platform(request), plan_id, lang=prefs.lang, fmt=fmt)
    if fmt == "html":
        out = render_html(out, links=_links(request, prefs.lang, f"/plans/{plan_id}"))
    return _answer(request, out, fmt, name)


@router.post("/data/upload", response_class=HTMLResponse)
async def data_upload(request: Request, _admin: StoreAdmin) -> Response:
    """The Data page's upload form: import, then show the Data page with the outcome."""
    from starlette.concurrency import run_in_threadpool

    from fukugan.services.uploads import import_upload
    from fukugan.web.pages import Prefs, render

    prefs = Prefs.of(request)
    form = await request.form()
    kind = str(form.get("kind") or "")
    upload = form.get("file")
    codes = form.get("country_codes")
    outcome: dict[str, Any] = {"kind": kind}
    status = 200
    try:
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise InputError("choose a file to upload", field="file")
        outcome["filename"] = upload.filename
        code_arg = None
        if codes is not None and not isinstance(codes, str) and codes.filename:
            code_arg = (codes.filename, codes.file)
        await run_in_threadpool(
            import_upload,
            _platform(request).store,
            kind,
            upload.filename,
            upload.file,
            country_codes=code_arg,
        )
        outcome["ok"] = True
        outcome["dataset"] = DATASET_OF.get(ImportKind(kind), "")
    except FukuganError as exc:
        from fukugan.services.uploads import UploadTooLargeError

        status = 413 if isinstance(exc, UploadTooLargeError) else 400
        outcome["ok"] = False
        outcome["error"] = str(exc)
        if isinstance(exc, InputError):
            outcome.update({"error_file": exc.path, "error_row": exc.row, "error_field": exc.field})
    finally:
        await form.close()
    doc = _platform(request).sources(prefs.lang)
    return render(
        request, "data.html", prefs, status=status, doc=doc, active="data", upload=outcome
    )


def install(app: FastAPI) -> None:
    """Mount the report and upload routes on ``app``."""
    app.include_router(router)
