"""``/api/v1/reports``: the briefings' content as JSON (the HTML / PDF are under ``/reports``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from fukugan.api.models import Lang, Source
from fukugan.api.params import (
    DEFAULT_HOME,
    DEFAULT_YEAR,
    CommodityP,
    HomeQ,
    LangQ,
    PlatformDep,
    YearQ,
)
from fukugan.api.routers.scenarios import ensure_run_visible
from fukugan.reports.cached import commodity_report, run_report

router = APIRouter(tags=["reports"])


class Briefing(BaseModel):
    """A briefing: key findings written from the numbers, the figures behind them, charts as
    SVG, method notes and sources. Kind-specific fields follow (``concentration``, ``risk``,
    ``producers`` for a commodity; ``headline``, ``sectors``, ``paths``, ``repro`` for a run;
    ``uncertainty``, ``headline`` (mean and 5 / 50 / 95 % of the total and peak loss),
    ``sectors`` (the same by sector), ``repro`` (with the command line) for a Monte Carlo
    sweep)."""

    model_config = ConfigDict(extra="allow")

    kind: str = Field(description="commodity, run or sweep (a Monte Carlo run)")
    lang: Lang
    title: str
    kicker: str
    subtitle: str
    date: str = Field(description="Date the briefing was prepared (ISO 8601).")
    findings: list[str] = Field(description="Key findings, one sentence each.")
    notes: list[str] = []
    sources: list[Source] = []


def _json(doc: dict[str, Any]) -> Response:
    return Response(Briefing.model_validate(doc).model_dump_json(), media_type="application/json")


@router.get("/reports/commodity/{commodity}", response_model=Briefing, summary="Commodity briefing")
async def get_commodity_briefing(
    request: Request,
    platform: PlatformDep,
    commodity: CommodityP,
    year: YearQ = DEFAULT_YEAR,
    home: HomeQ = DEFAULT_HOME,
    lang: LangQ = "en",
) -> Response:
    """The commodity briefing's content (PDF: ``/reports/commodity/{id}.pdf``)."""
    doc, _ = await run_in_threadpool(
        commodity_report, platform, commodity, year=year, home=home, lang=lang, fmt="html"
    )
    return _json(doc)


@router.get("/reports/run/{run_id}", response_model=Briefing, summary="Scenario briefing")
async def get_run_briefing(
    request: Request,
    platform: PlatformDep,
    run_id: Annotated[str, Path(max_length=200, description="Run id (a directory in runs/).")],
    lang: LangQ = "en",
) -> Response:
    """The scenario briefing's content for a finished run, or a Monte Carlo sweep's
    distributions (``kind: sweep``) (PDF: ``/reports/run/{id}.pdf``)."""
    await run_in_threadpool(ensure_run_visible, request, run_id)
    doc, _ = await run_in_threadpool(run_report, platform, run_id, lang=lang, fmt="html")
    return _json(doc)
