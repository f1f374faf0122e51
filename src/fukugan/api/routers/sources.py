"""``/api/v1/sources``: every dataset with its provenance."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from fukugan.api.models import ReportOut
from fukugan.api.params import LangQ, PlatformDep
from fukugan.api.respond import cached_json
from fukugan.app.present import page

router = APIRouter(tags=["data"])


@router.get("/sources", response_model=ReportOut, summary="Datasets and provenance")
async def get_sources(request: Request, platform: PlatformDep, lang: LangQ = "en") -> Response:
    """Source, year, unit, licence, row count, URL and loading notes of every dataset."""
    return await cached_json(
        request, platform, ReportOut, lambda: page(platform.sources(lang), None, 0)
    )
