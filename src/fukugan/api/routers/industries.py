"""``/api/v1/industries/import-content``: hidden import dependence per industry (OECD IOTs)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from fukugan.api.models import ReportOut
from fukugan.api.params import DEFAULT_HOME, HomeQ, LangQ, LimitQ, OffsetQ, PlatformDep, YearQ
from fukugan.api.respond import cached_json
from fukugan.app.present import page

router = APIRouter(tags=["industries"])


@router.get(
    "/industries/import-content", response_model=ReportOut, summary="Import content by industry"
)
async def get_import_content(
    request: Request,
    platform: PlatformDep,
    country: HomeQ = DEFAULT_HOME,
    year: YearQ = 2020,
    lang: LangQ = "en",
    limit: LimitQ = None,
    offset: OffsetQ = 0,
) -> Response:
    """Direct and total (multi-tier) imported-input content of every industry:
    m′(I − A_dom)⁻¹ (OECD TiVA; Hummels, Ishii & Yi 2001)."""
    return await cached_json(
        request,
        platform,
        ReportOut,
        lambda: page(platform.import_content(country, year, lang), limit, offset),
    )
