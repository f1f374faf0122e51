"""``/api/v1/scenarios`` and ``/api/v1/runs``: scenario definitions and runs as jobs.

``POST /runs`` queues a run (202) and returns at once; a worker thread executes it
(:class:`~fukugan.services.runs.RunService`) while ``GET /runs/{id}`` reports its status and
progress. A bad scenario is a 422 problem naming the file, line and field (``errors``).
With ``samples`` the run is a Monte Carlo sweep over the scenario's ``uncertainty:`` block on a
local Dask cluster; its details carry the distributions. ``POST /runs/{id}/cancel`` cancels a
queued or running run (cooperatively: ``cancelling`` until the worker stops, then
``cancelled``, with no results left behind).

Private runs: a scenario or run owned by a hub user (e.g. the one-click run of an exposure
alert, ``POST /hub/alerts/{id}/run``) is listed and served only to that user's session (the
``fukugan_session`` cookie); to anyone else it is a 404, exactly like a missing one. The same
holds for the run briefings (``/api/v1/reports/run/{id}``, ``/reports/run/{id}.html|pdf``),
checked by :func:`ensure_run_visible`. Rows without an owner are shared, as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, FastAPI, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from fukugan.api import hub_auth
from fukugan.api.models import Source
from fukugan.api.params import LangQ, OffsetQ
from fukugan.api.problems import PROBLEM_JSON, TYPE_BASE
from fukugan.api.write_policy import RunWriter
from fukugan.errors import UnknownItemError
from fukugan.scenarios.schema import ScenarioError
from fukugan.services.runs import MAX_SAMPLES, RunFinished, RunService

router = APIRouter(tags=["scenarios"])

Status = Literal["queued", "running", "cancelling", "done", "failed", "cancelled"]
RunId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_.-]+$", description="Run id.")]
ScenarioId = Annotated[
    str, Path(max_length=80, pattern=r"^[A-Za-z0-9_.-]+$", description="Scenario id.")
]
RunLimitQ = Annotated[int, Query(ge=1, le=200, description="Rows per page.")]


class Description(BaseModel):
    en: str
    ja: str


class ScenarioOut(BaseModel):
    id: str = Field(description="An example's name, or u-<sha256 prefix> for an upload.")
    name: str
    origin: Literal["example", "upload"]
    filename: str
    description: Description
    engine: str = Field(description="The scenario's own engine.")
    engines: list[str] = Field(description="Engines that can run it, its own first.")
    home: str
    horizon_days: int
    seed: int
    shocks: list[str] = Field(description="Shock types, in order.")
    data: list[str] = Field(description="Data blocks it runs on (oecd_iot, bom, ...).")
    uncertainty: list[str] = Field(
        default_factory=list,
        description="Parameters of its 'uncertainty:' block (a Monte Carlo sweep samples them).",
    )
    created_at: str | None = None
    private: bool = Field(False, description="Visible only to the hub user who owns it.")


class ScenarioDetail(ScenarioOut):
    yaml: str = Field(description="The scenario file as written.")
    scenario: dict[str, Any] = Field(description="The validated scenario, defaults applied.")


class ScenarioList(BaseModel):
    items: list[ScenarioOut]
    total: int


class ScenarioUpload(BaseModel):
    yaml: str = Field(max_length=1_000_000, description="The scenario file's text (YAML).")
    filename: str = Field("scenario.yaml", max_length=200)


class RunRequest(BaseModel):
    """Run a stored scenario (``scenario``: id or example name) or a YAML text (``yaml``)."""

    scenario: str | None = Field(None, max_length=80, description="Scenario id.")
    yaml: str | None = Field(None, max_length=1_000_000, description="Or a scenario YAML text.")
    filename: str | None = Field(None, max_length=200, description="Name of the YAML file.")
    engine: Literal["static", "ario", "firms", "exposure"] | None = Field(
        None, description="Engine (default: the scenario's)."
    )
    seed: int | None = Field(
        None, ge=0, le=2**31 - 1, description="Random seed (default: the scenario's)."
    )
    samples: int | None = Field(
        None,
        ge=1,
        le=MAX_SAMPLES,
        description="A Monte Carlo sweep of this many samples of the scenario's "
        "'uncertainty:' block (422 on field 'samples' when it has none).",
    )
    workers: int | None = Field(
        None,
        ge=1,
        description="Dask worker processes of the sweep's local cluster (1 to the number "
        "of cores; default 2).",
    )


class Headline(BaseModel):
    total_loss: float | None = None
    peak_loss: float | None = None
    peak_day: int | None = None
    recovery_day: int | None = Field(None, description="First day after the peak below 1 %.")
    direct_loss: float | None = None
    indirect_loss: float | None = None
    indirect_share: float | None = None
    metric: str = "loss"
    unit: str = ""
    n_days: int | None = None


class RunOut(BaseModel):
    id: str
    scenario_id: str
    scenario_name: str
    engine: str
    status: Status = Field(
        description="queued → running → done | failed; cancelling (a cancel was asked while "
        "running) → cancelled."
    )
    progress: float = Field(ge=0, le=1)
    message: str = Field(description="Current step, or why the run failed.")
    seed: int
    parameters: dict[str, Any]
    summary: Headline | None = Field(None, description="Headline figures once done.")
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    private: bool = Field(False, description="Visible only to the hub user who owns it.")
    kind: Literal["single", "montecarlo"] = "single"
    samples: int | None = Field(None, description="Samples of a Monte Carlo sweep.")
    workers: int | None = Field(None, description="Dask workers of a Monte Carlo sweep.")


class Stats(BaseModel):
    mean: float
    sd: float
    q05: float = Field(description="5 % quantile (numpy's linear interpolation).")
    q50: float
    q95: float


class SectorStats(Stats):
    unit: str
    label: str


class Distribution(BaseModel):
    """A Monte Carlo sweep across its samples (the loss summed over the horizon)."""

    samples: int
    workers: int
    seed: int
    unit: str
    seeding: str = Field(description="How each sample's values and engine seed are drawn.")
    total_loss: Stats
    peak_loss: Stats
    by_sector: list[SectorStats] = Field(description="Largest mean losses by unit.")
    n_sectors: int
    uncertainty: list[dict[str, Any]] = Field(description="The sampled parameters.")


class SectorLoss(BaseModel):
    unit: str
    label: str
    total: float
    direct: float | None = Field(description="None: the engine does not split direct/indirect.")
    indirect: float | None
    share: float | None


class DaySpan(BaseModel):
    """The days the run's totals sum over (``count`` days, ``first`` to ``last``)."""

    first: int
    last: int
    count: int


class PricePassThrough(BaseModel):
    unit: str
    label: str
    change: float = Field(description="Peak price change (a fraction: 0.01 = 1 %).")


class ExposureNode(BaseModel):
    node: str
    name: str
    rank: int | None = Field(None, description="Risk exposure index rank (1 = most exposed).")
    rei: float | None = Field(None, description="Risk exposure index (largest impact = 1).")
    start: int | None = None
    ttr_days: float | None = Field(None, description="Time to recover, days.")
    tts_days: float | None = Field(None, description="Time to survive, days (None: indefinitely).")
    tts_lt_ttr: bool | None = Field(
        None, description="Survives less long than it takes to recover."
    )
    pi: float | None = Field(None, description="Performance impact (lost profit or units).")
    lost_units: float | None = None


class Exposure(BaseModel):
    """The risk-exposure LP's own results (Simchi-Levi et al.): per disrupted node its time to
    recover / survive and the performance impact; every node ranked by its risk exposure
    index."""

    objective: str | None
    period_days: float | None
    horizon_days: int | None
    disruptions: list[ExposureNode]
    risk_exposure: list[ExposureNode]


class Reproducibility(BaseModel):
    engine: str | None
    seed: int | None
    parameters: dict[str, Any]
    horizon_days: int | None
    versions: dict[str, str]
    created_at: str | None
    scenario: dict[str, Any]


class RunDetail(RunOut):
    by_sector: list[SectorLoss] | None = Field(None, description="Largest losses by unit.")
    n_sectors: int | None = None
    n_paths: int | None = None
    reproducibility: Reproducibility | None = None
    notes: list[str] | None = None
    sources: list[Source] | None = None
    unit: str | None = None
    total_unit: str | None = Field(None, description="Unit of total_loss (over the horizon).")
    metric: str | None = Field(None, description="The headline metric (loss, profit_loss, ...).")
    days: DaySpan | None = Field(None, description="The days total_loss sums over.")
    not_computed: list[str] = Field(
        default_factory=list,
        description="Figures this engine does not compute (None in summary and by_sector).",
    )
    price_pass_through: list[PricePassThrough] | None = Field(
        None, description="Static runs with a price shock: the Leontief price pass-through."
    )
    assumptions: list[dict[str, Any]] | None = Field(
        None, description="Shares the run used for each shock, and where each comes from."
    )
    exposure: Exposure | None = Field(None, description="Risk-exposure runs: TTR/TTS and REI.")
    distribution: Distribution | None = Field(None, description="A finished sweep's results.")


class RunPage(BaseModel):
    items: list[RunOut]
    total: int
    limit: int | None
    offset: int


class SectorSeries(BaseModel):
    unit: str
    values: list[float]


class Timeseries(BaseModel):
    run_id: str
    metric: str
    by: Literal["total", "sector"]
    unit: str
    t: list[int] = Field(description="Days (0 = baseline).")
    metrics: list[str] = Field(description="Metrics the run recorded.")
    series: dict[str, list[float]] | list[SectorSeries] = Field(
        description="by=total: total / direct / indirect; by=sector: one series per unit."
    )


class PathOut(BaseModel):
    source: str
    target: str
    step: int
    weight: float
    via: list[str]


class PathPage(BaseModel):
    run_id: str
    items: list[PathOut]
    total: int | None = Field(description="None: the engine traces no paths (ARIO).")
    computed: bool = Field(True, description="Whether the engine traces propagation paths.")
    limit: int | None
    offset: int


class Deltas(BaseModel):
    total_loss: float | None
    peak_loss: float | None
    peak_day: float | None
    recovery_day: float | None
    indirect_share: float | None


class Comparison(BaseModel):
    a: RunOut
    b: RunOut
    t: list[int]
    series: dict[str, list[float | None]] = Field(description="Total loss of a and b per day.")
    deltas: Deltas = Field(description="b − a of the headline figures.")
    same_unit: bool


def runs_of(request: Request) -> RunService:
    return request.app.state.runs


def viewer_of(request: Request) -> int | None:
    """The hub user id of the request's session (``None``: anonymous, or no live session).
    Without a session cookie the hub database is not touched."""
    if hub_auth.session_token(request) is None:
        return None
    user = hub_auth.optional_user(request)
    return None if user is None else user.user_id


async def viewer(request: Request) -> int | None:
    return await run_in_threadpool(viewer_of, request)


def _json(
    model: type[BaseModel], doc: Any, status: int = 200, *, who: int | None = None, **headers: str
) -> Response:
    """``doc`` as ``model``; an answer for a logged-in viewer (it may hold their private rows)
    is marked ``private, no-store`` so no shared cache serves it to anyone else."""
    if who is not None:
        headers["Cache-Control"] = "private, no-store"
    body = model.model_validate(doc).model_dump_json()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def scenario_problem(request: Request, exc: ScenarioError) -> JSONResponse:
    """RFC 9457 problem for a bad scenario, with ``errors: [{file, line, field, message}]``."""
    err = {"file": exc.path, "line": exc.line, "field": exc.field, "message": exc.message}
    every = [{**p, "file": exc.path} for p in getattr(exc, "problems", [])] or [err]
    body = {
        "type": TYPE_BASE + "bad-scenario",
        "title": "Invalid scenario",
        "status": 422,
        "detail": str(exc),
        "instance": str(request.url.path),
        **{k: v for k, v in err.items() if k != "message"},
        "errors": every,  # every problem found, the first one first
    }
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


@router.get("/scenarios", response_model=ScenarioList, summary="Example and uploaded scenarios")
async def list_scenarios(request: Request) -> Response:
    """The bundled examples and the uploaded scenarios, with their descriptions (en, ja) and
    the engines each can run on."""
    who = await viewer(request)
    items = await run_in_threadpool(runs_of(request).scenarios, who)
    return _json(ScenarioList, {"items": items, "total": len(items)}, who=who)


@router.post(
    "/scenarios",
    response_model=ScenarioDetail,
    status_code=201,
    summary="Upload a scenario (YAML)",
    responses={422: {"description": "Invalid scenario (file, line, field)"}},
)
async def upload_scenario(request: Request, body: ScenarioUpload, _writer: RunWriter) -> Response:
    """Validate a scenario YAML like ``fukugan simulate`` does and store it. When the workspace
    has hub users: a logged-in session with its CSRF token (``X-CSRF-Token``), else 401 / 403
    (:mod:`fukugan.api.write_policy`)."""
    svc = runs_of(request)
    doc = await run_in_threadpool(svc.upload_scenario, body.yaml, body.filename)
    return _json(ScenarioDetail, doc, 201, Location=f"/api/v1/scenarios/{doc['id']}")


@router.get("/scenarios/{scenario_id}", response_model=ScenarioDetail, summary="One scenario")
async def get_scenario(request: Request, scenario_id: ScenarioId) -> Response:
    """The scenario's YAML text, its validated form and the engines it can run on (another
    user's private scenario: 404)."""
    who = await viewer(request)
    doc = await run_in_threadpool(runs_of(request).scenario, scenario_id, who)
    return _json(ScenarioDetail, doc, who=who)


@router.post(
    "/runs",
    response_model=RunOut,
    status_code=202,
    summary="Run a scenario (a job)",
    responses={422: {"description": "Invalid scenario (file, line, field)"}},
)
async def submit_run(
    request: Request, body: Annotated[RunRequest, Body()], writer: RunWriter
) -> Response:
    """Queue a run and return at once (202, ``Location`` of the run). Poll ``GET
    /runs/{id}`` for ``status`` and ``progress``. A run of one's own private scenario is
    private too; others' private scenarios are 404. When the workspace has hub users: a
    logged-in session with its CSRF token (``X-CSRF-Token``), else 401 / 403
    (:mod:`fukugan.api.write_policy`)."""
    svc = runs_of(request)
    who = writer.user_id if writer is not None else None
    doc = await run_in_threadpool(
        lambda: svc.submit(
            body.scenario,
            yaml=body.yaml,
            filename=body.filename,
            engine=body.engine,
            seed=body.seed,
            samples=body.samples,
            workers=body.workers,
            viewer=who,
        )
    )
    return _json(RunOut, doc, 202, who=who, Location=f"/api/v1/runs/{doc['id']}")


def run_finished_problem(request: Request, exc: RunFinished) -> JSONResponse:
    body = {
        "type": TYPE_BASE + "run-finished",
        "title": "Run already ended",
        "status": 409,
        "detail": str(exc),
        "instance": str(request.url.path),
    }
    return JSONResponse(body, status_code=409, media_type=PROBLEM_JSON)


@router.post(
    "/runs/{run_id}/cancel",
    response_model=RunOut,
    status_code=202,
    summary="Cancel a queued or running run",
    responses={
        404: {"description": "No such run (or another user's private run)"},
        409: {"description": "The run has already ended (done or failed)"},
    },
)
async def cancel_run(request: Request, run_id: RunId, writer: RunWriter) -> Response:
    """A queued run is cancelled at once (never started); a running one is ``cancelling``
    until its worker stops at its next progress report (a sweep between samples, its Dask
    futures cancelled), then ``cancelled``: no results are kept. Only the owner of a private
    run may cancel it (anyone else: 404). A logged-in session sends its CSRF token
    (``X-CSRF-Token``)."""
    svc = runs_of(request)
    who = writer.user_id if writer is not None else None
    try:
        doc = await run_in_threadpool(svc.cancel, run_id, who)
    except RunFinished as e:
        return run_finished_problem(request, e)
    return _json(RunOut, doc, 202, who=who, Location=f"/api/v1/runs/{run_id}")


@router.get("/runs", response_model=RunPage, summary="Runs, newest first")
async def list_runs(
    request: Request,
    status: Annotated[Status | None, Query(description="Only these.")] = None,
    limit: RunLimitQ = 20,
    offset: OffsetQ = 0,
) -> Response:
    """Shared runs and the session user's private ones, newest first."""
    who = await viewer(request)
    doc = await run_in_threadpool(
        lambda: runs_of(request).runs(limit=limit, offset=offset, status=status, viewer=who)
    )
    return _json(RunPage, doc, who=who)


@router.get("/runs/compare", response_model=Comparison, summary="Compare two runs")
async def compare_runs(
    request: Request,
    a: Annotated[str, Query(max_length=40, description="First run id.")],
    b: Annotated[str, Query(max_length=40, description="Second run id.")],
) -> Response:
    """Total losses of two finished runs on one time axis, and the headline deltas (b − a)."""
    who = await viewer(request)
    doc = await run_in_threadpool(lambda: runs_of(request).compare(a, b, viewer=who))
    return _json(Comparison, doc, who=who)


@router.get("/runs/{run_id}", response_model=RunDetail, summary="A run: status and results")
async def get_run(request: Request, run_id: RunId, lang: LangQ = "en") -> Response:
    """Status and progress; once done, the headline figures, losses by sector, the
    reproducibility data (engine, seed, parameters, scenario, versions) and the sources.
    Another user's private run: 404."""
    who = await viewer(request)
    doc = await run_in_threadpool(lambda: runs_of(request).details(run_id, lang, viewer=who))
    return _json(RunDetail, doc, who=who)


@router.get("/runs/{run_id}/timeseries", response_model=Timeseries, summary="Losses over time")
async def get_timeseries(
    request: Request,
    run_id: RunId,
    metric: Annotated[
        str | None,
        Query(max_length=40, pattern=r"^[a-z_]+$", description="Default: the headline metric."),
    ] = None,
    by: Annotated[Literal["total", "sector"], Query(description="Sum or per unit.")] = "total",
) -> Response:
    who = await viewer(request)
    doc = await run_in_threadpool(
        lambda: runs_of(request).timeseries(run_id, metric, by, viewer=who)
    )
    return _json(Timeseries, doc, who=who)


@router.get("/runs/{run_id}/paths", response_model=PathPage, summary="Propagation paths")
async def get_paths(
    request: Request, run_id: RunId, limit: RunLimitQ = 20, offset: OffsetQ = 0
) -> Response:
    """Paths from where the shock enters to the units it reaches, largest loss first."""
    who = await viewer(request)
    doc = await run_in_threadpool(
        lambda: runs_of(request).paths(run_id, limit=limit, offset=offset, viewer=who)
    )
    return _json(PathPage, doc, who=who)


def ensure_run_visible(request: Request, run_id: str) -> None:
    """For handlers that read a run's directory rather than its row (the run briefings):
    :class:`~fukugan.errors.UnknownItemError` (404, the same answer as a missing run) when the
    run is private to another hub user. (A Monte Carlo sweep has its own briefing.)"""
    svc = runs_of(request)
    row = svc.ws.get_run(run_id)
    if row is not None and row.owner_user_id is not None:
        if not svc.visible(run_id, viewer_of(request)):
            raise UnknownItemError(f"no run {run_id!r}")


def install(
    app: FastAPI, *, html_error: Callable[[Request, int, str], Response] | None = None
) -> None:
    """The run service (workspace opened and migrated, interrupted runs marked failed), the
    API routes and the bad-scenario handler: a problem document under ``/api/``, and
    ``html_error(request, 422, message)`` elsewhere when the web pages are served."""
    svc = RunService(app.state.platform.store)
    app.state.runs = svc
    app.include_router(router, prefix="/api/v1")

    async def _bad_scenario(request: Request, exc: ScenarioError) -> Response:
        if html_error is not None and not request.url.path.startswith("/api/"):
            return html_error(request, 422, str(exc))
        return scenario_problem(request, exc)

    app.add_exception_handler(ScenarioError, _bad_scenario)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            yield state
        svc.shutdown()  # queued runs stay queued: the next start resumes them

    app.router.lifespan_context = lifespan
