"""Scenario and run pages: Scenarios (pick or upload, run), a run (progress, then results),
Compare (two runs side by side).

Handlers only read the request, call :class:`~fukugan.services.runs.RunService` and render a
template (the layout, language and cookies of :mod:`fukugan.web.pages`). While a run is queued
or running, its page polls ``/runs/{id}/progress`` with htmx every second; the fragment asks
htmx to reload the page (``HX-Refresh``) once the run has ended.

Every page shows shared scenarios and runs plus the hub session user's private ones; another
user's private run is a 404 page, like a missing one.
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
    return {k.removeprefix("web-"): t(k, lang) for k in keys}


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
    done = svc.runs(limit=100, status="done", viewer=who)["items"]
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
) -> Response:
    prefs = Prefs.of(request)
    try:
        run = _svc(request).submit(scenario, engine=engine or None, viewer=viewer_of(request))
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
    if doc["status"] == "done":
        ts = svc.timeseries(run_id, viewer=who)
        paths = svc.paths(run_id, limit=10, viewer=who)
        labels = {s["unit"]: s["label"] for s in doc["by_sector"]}
        from fukugan.services.runs import _labels as unit_labels

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


@router.get("/runs/{run_id}/progress", response_class=HTMLResponse)
def run_progress(request: Request, run_id: str) -> Response:
    """The progress card (htmx fragment); reloads the page once the run has ended."""
    prefs = Prefs.of(request)
    run = _svc(request).run(run_id, viewer_of(request))
    resp = templates.TemplateResponse(
        request,
        "_run_progress.html",
        {
            "request": request,
            "run": run,
            "lang": prefs.lang,
            "_": lambda k, **kw: t(k, prefs.lang, **kw),
        },
    )
    if run["status"] in ("done", "failed"):
        resp.headers["HX-Refresh"] = "true"
    return resp


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request) -> Response:
    prefs = Prefs.of(request)
    svc = _svc(request)
    who = viewer_of(request)
    done = svc.runs(limit=100, status="done", viewer=who)["items"]
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
