"""Scenario and run pages: Scenarios (pick or upload, run), a run (progress, then results),
Compare (two runs side by side).

Handlers only read the request, call :class:`~fukugan.services.runs.RunService` and render a
template (the layout, language and cookies of :mod:`fukugan.web.pages`). While a run is queued
or running, its page polls ``/runs/{id}/progress`` with htmx every second; the fragment asks
htmx to reload the page (``HX-Refresh``) once the run has ended.

Every page shows shared scenarios and runs plus the hub session user's private ones; another
user's private run is a 404 page, like a missing one.

A scenario card's "samples" field turns its run into a Monte Carlo sweep (a run page with the
distributions by sector and per day); a queued or running run's progress card has a Cancel
button (``POST /runs/{id}/cancel``, with htmx: the card is swapped in place; a logged-in
session sends its CSRF token).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fukugan.api.routers.scenarios import viewer_of
from fukugan.errors import FukuganError
from fukugan.i18n import t
from fukugan.scenarios.schema import ScenarioError
from fukugan.services.runs import RunService
from fukugan.web.pages import Prefs, render, templates

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 1_000_000


def _svc(request: Request) -> RunService:
    return request.app.state.runs


def _labels(lang: str) -> dict[str, str]:
    keys = ("web-total", "web-direct", "web-indirect", "web-day", "web-run-a", "web-run-b")
    out = {k.removeprefix("web-"): t(k, lang) for k in keys}
    for k in ("mean", "q05", "q50", "q95"):
        out[k] = t(f"loss-{k}", lang)
    out["band"] = t("web-mc-band", lang)
    return out


def _single(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Finished single runs (the ones Compare can draw; sweeps have distributions instead)."""
    return [r for r in items if r.get("kind") != "montecarlo"]


def _scenarios_page(
    request: Request,
    prefs: Prefs,
    *,
    error: ScenarioError | None = None,
    uploaded: str | None = None,
    status: int = 200,
) -> Response:
    svc = _svc(request)
    who = viewer_of(request)
    scenarios = svc.scenarios(who)
    runs = svc.runs(limit=15, viewer=who)
    done = _single(svc.runs(limit=100, status="done", viewer=who)["items"])
    up = next((s for s in scenarios if s["id"] == uploaded), None)
    return render(
        request,
        "scenarios.html",
        prefs,
        status=status,
        examples=[s for s in scenarios if s["origin"] == "example"],
        uploads=[s for s in scenarios if s["origin"] == "upload"],
        runs=runs,
        done=done,
        error=error,
        uploaded=up,
        active="scenarios",
    )


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request) -> Response:
    return _scenarios_page(
        request, Prefs.of(request), uploaded=request.query_params.get("uploaded")
    )


@router.post("/scenarios/upload", response_class=HTMLResponse)
async def upload_scenario(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    prefs = Prefs.of(request)
    data = await file.read(MAX_UPLOAD + 1)
    try:
        doc = await run_in_threadpool(_svc(request).upload_scenario, data, file.filename or "")
    except ScenarioError as e:
        err = e
        return await run_in_threadpool(
            lambda: _scenarios_page(request, prefs, error=err, status=422)
        )
    return RedirectResponse(f"/scenarios?uploaded={doc['id']}#sc-{doc['id']}", status_code=303)


@router.post("/runs")
def submit_run(
    request: Request,
    scenario: Annotated[str, Form(max_length=80)],
    engine: Annotated[str | None, Form(max_length=20)] = None,
    samples: Annotated[str | None, Form(max_length=8)] = None,
) -> Response:
    prefs = Prefs.of(request)
    try:
        n = None
        if samples and samples.strip():
            try:
                n = int(samples.strip())
            except ValueError:
                raise ScenarioError(
                    f"samples must be a whole number, not {samples.strip()!r}", field="samples"
                ) from None
        run = _svc(request).submit(
            scenario, engine=engine or None, samples=n, viewer=viewer_of(request)
        )
    except ScenarioError as e:
        return _scenarios_page(request, prefs, error=e, status=422)
    return RedirectResponse(f"/runs/{run['id']}", status_code=303)


def _run_doc(request: Request, run_id: str, lang: str, who: int | None) -> dict[str, Any]:
    svc = _svc(request)
    doc = svc.details(run_id, lang, viewer=who)
    doc["scenario_doc"] = svc.scenario_doc(svc._scenario_row(doc["scenario_id"], who))
    return doc


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> Response:
    prefs = Prefs.of(request)
    svc = _svc(request)
    who = viewer_of(request)
    doc = _run_doc(request, run_id, prefs.lang, who)
    chart: dict[str, Any] = {}
    paths: dict[str, Any] = {"items": [], "total": 0}
    if doc["status"] == "done" and doc["kind"] == "montecarlo":
        daily = svc.sweep_daily(run_id, viewer=who)
        chart = {
            "kind": "montecarlo",
            "t": daily["t"],
            "series": daily["series"],
            "unit": daily["unit"],
            "sectors": doc["distribution"]["by_sector"],
            "labels": _labels(prefs.lang),
        }
    elif doc["status"] == "done":
        ts = svc.timeseries(run_id, viewer=who)
        paths = svc.paths(run_id, limit=10, viewer=who)
        labels = {s["unit"]: s["label"] for s in doc["by_sector"]}
        from fukugan.services.runs.common import industry_names as unit_labels

        names = unit_labels(prefs.lang)
        for p in paths["items"]:
            p["target_label"] = labels.get(p["target"]) or names.get(p["target"], p["target"])
        chart = {
            "t": ts["t"],
            "series": ts["series"],
            "unit": ts["unit"],
            "sectors": doc["by_sector"],
            "paths": paths["items"],
            "labels": _labels(prefs.lang),
        }
    return render(
        request,
        "run.html",
        prefs,
        run=doc,
        paths=paths,
        chart_json=json.dumps(chart, ensure_ascii=False),
        active="scenarios",
    )


def _progress_card(request: Request, run: dict[str, Any], lang: str) -> Response:
    resp = templates.TemplateResponse(
        request,
        "_run_progress.html",
        {
            "request": request,
            "run": run,
            "lang": lang,
            "_": lambda k, **kw: t(k, lang, **kw),
            "csrf": _csrf(request),
        },
    )
    if run["status"] in ("done", "failed", "cancelled"):
        resp.headers["HX-Refresh"] = "true"
    return resp


def _csrf(request: Request) -> str | None:
    """The session's CSRF token for the Cancel form (``None`` when anonymous)."""
    from fukugan.web.hub_pages import header_session

    now = header_session(request)
    return now["csrf"] if now else None


@router.get("/runs/{run_id}/progress", response_class=HTMLResponse)
def run_progress(request: Request, run_id: str) -> Response:
    """The progress card (htmx fragment); reloads the page once the run has ended."""
    prefs = Prefs.of(request)
    run = _svc(request).run(run_id, viewer_of(request))
    return _progress_card(request, run, prefs.lang)


@router.post("/runs/{run_id}/cancel")
def cancel_run(
    request: Request,
    run_id: str,
    csrf_token: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Cancel a queued or running run (another user's private run: a 404 page). With htmx the
    progress card is swapped in place; without, back to the run page."""
    from fukugan.api.routers.scenarios import check_csrf
    from fukugan.services.runs import RunFinished

    prefs = Prefs.of(request)
    svc = _svc(request)
    who = viewer_of(request)
    svc._row(run_id, who)  # 404 first: no CSRF answer for runs one may not see
    if who is not None:
        check_csrf(request, csrf_token)
    try:
        run = svc.cancel(run_id, who)
    except RunFinished:
        run = svc.run(run_id, who)
    if request.headers.get("HX-Request"):
        return _progress_card(request, run, prefs.lang)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    svc = _svc(request)
    who = viewer_of(request)
    done = _single(svc.runs(limit=100, status="done", viewer=who)["items"])
    q = request.query_params
    a = q.get("a") or (done[1]["id"] if len(done) > 1 else None)
    b = q.get("b") or (done[0]["id"] if done else None)
    cmp = None
    if a and b:
        try:
            cmp = svc.compare(a, b, viewer=who)
        except FukuganError:
            cmp = None
    chart = (
        {
            "t": cmp["t"],
            "a": cmp["series"]["a"],
            "b": cmp["series"]["b"],
            "unit": (cmp["a"]["summary"] or {}).get("unit", ""),
            "labels": {
                "a": f"A: {cmp['a']['scenario_name']} ({cmp['a']['engine']})",
                "b": f"B: {cmp['b']['scenario_name']} ({cmp['b']['engine']})",
                "day": t("web-day", prefs.lang),
            },
        }
        if cmp
        else {}
    )
    return render(
        request,
        "compare.html",
        prefs,
        done=done,
        a=a,
        b=b,
        cmp=cmp,
        chart_json=json.dumps(chart, ensure_ascii=False),
        active="scenarios",
    )
