"""``/api/v1/sources``: every dataset with its provenance."""

from __future__ import annotations

from fastapi import APIRouter

from fukugan.api.models import ReportOut
from fukugan.api.params import LangQ, PlatformDep
from fukugan.api.present import page

router = APIRouter(tags=["data"])


@router.get("/sources", response_model=ReportOut, summary="Datasets and provenance")
def get_sources(platform: PlatformDep, lang: LangQ = "en") -> dict:
    """Source, year, unit, licence, row count, URL and loading notes of every dataset."""
    return page(platform.sources(lang), None, 0)
