"""The application: the REST API under ``/api/v1`` and the web pages, over one store.

``uvicorn --factory fukugan.server:create_app`` (or ``fukugan serve``) runs it. The store is
only read by GET requests; results are cached per store fingerprint (:mod:`fukugan.app.cache`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI

from fukugan import __version__
from fukugan.api import hub_auth, problems, write_policy
from fukugan.api.routers import commodities, indicators, industries, overview, sources, trade
from fukugan.api.routers import datasets as datasets_router
from fukugan.api.routers import hub as hub_router
from fukugan.api.routers import planning as planning_router
from fukugan.api.routers import reports as reports_router
from fukugan.api.routers import scenarios as scenario_runs
from fukugan.app.platform import Platform

API = "/api/v1"

DESCRIPTION = """\
複眼 fukugan: economic-security analysis of supply chains for a home country (default JPN).
Every response carries the provenance of its numbers (`sources`); errors are RFC 9457 problem
details (`application/problem+json`); lists take `limit` / `offset` and report `total`.
Labels follow `lang` (`en` or `ja`); row field names are stable keys.
"""


def create_app(home: str | Path | None = None, *, warm: bool = False, web: bool = True) -> FastAPI:
    """The FastAPI app over the store at ``home`` (default: ``$FUKUGAN_HOME``).

    ``warm``: compute the default pages in a background thread at start-up. ``web``: serve the
    pages and static files as well as the API.
    """
    app = FastAPI(
        title="fukugan API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API}/openapi.json",
        docs_url=None,  # the default docs load scripts from a CDN: our own page instead
        redoc_url=None,
        # every state-changing request: Origin check, and deny unless its route declares who
        dependencies=[Depends(write_policy.guard)],
    )
    app.state.platform = Platform(home)
    hub_auth.install(app, home=None if home is None else str(home))
    for r in (overview, commodities, indicators, industries, trade, sources):
        app.include_router(r.router, prefix=API)
    app.include_router(datasets_router.router, prefix=API)
    app.include_router(reports_router.router, prefix=API)
    app.include_router(hub_router.router, prefix=API)
    app.include_router(planning_router.router, prefix=API)

    html_error = None
    if web:
        from fukugan.web import pages

        pages.install(app)
        from fukugan.web import reports as report_pages

        report_pages.install(app)
        from fukugan.web import hub_pages

        hub_pages.install(app)
        html_error = pages.error_page
    problems.install(app, html_error=html_error)
    scenario_runs.install(app, html_error=html_error)  # scenarios, runs as jobs
    if web:
        from fukugan.web import runs_pages

        app.include_router(runs_pages.router)
        from fukugan.web import plans_pages

        app.include_router(plans_pages.router)
        from fukugan.web import exercise_pages

        app.include_router(exercise_pages.router)
        from fukugan.web import playbook_pages

        app.include_router(playbook_pages.router)

    @app.get(f"{API}/health", tags=["meta"], summary="Liveness and whether data is loaded")
    def health() -> dict[str, object]:
        return {"status": "ok", "data_loaded": app.state.platform.is_loaded()}

    if warm:
        app.state.platform.warm()
    return app
