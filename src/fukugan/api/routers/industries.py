"""``/api/v1/industries/...``: hidden import dependence per industry (OECD IOTs), and by origin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from fukugan.api.models import ReportList, ReportOut
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


@router.get(
    "/industries/origin",
    response_model=ReportList,
    summary="Hidden raw-material imports by industry and origin country",
)
async def get_import_origin(
    request: Request,
    platform: PlatformDep,
    country: HomeQ = DEFAULT_HOME,
    year: YearQ = 2020,
    industry: Annotated[
        str | None, Query(min_length=1, max_length=12, description="One industry code, e.g. C26.")
    ] = None,
    lang: LangQ = "en",
) -> Response:
    """Multi-tier imports of each raw-material group embodied in each industry's final demand,
    split by origin country: the OECD table's imports of the supplying industry split by the
    CEPII BACI shares of the same year and carried through the domestic Leontief inverse (the
    proportionality assumption of OECD TiVA, stated in the notes)."""
    return await cached_json(
        request,
        platform,
        ReportList,
        lambda: {
            "reports": [
                page(d, None, 0) for d in platform.import_origin(country, year, industry, lang)
            ]
        },
    )
