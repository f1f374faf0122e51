"""``/api/v1/commodities``: the commodity list, one commodity's production profile and its
history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from fukugan.api.models import CommodityHistory, CommodityPage, ReportOut
from fukugan.api.params import (
    DEFAULT_HOME,
    DEFAULT_YEAR,
    CommodityP,
    HomeQ,
    LangQ,
    LimitQ,
    OffsetQ,
    PlatformDep,
    YearQ,
)
from fukugan.api.respond import cached_json
from fukugan.app.present import page

router = APIRouter(tags=["commodities"])


@router.get("/commodities", response_model=CommodityPage, summary="Commodities with tags")
async def list_commodities(
    request: Request,
    platform: PlatformDep,
    lang: LangQ = "en",
    tag: Annotated[
        str | None, Query(max_length=20, description="Only commodities on this list (e.g. JP-SCM).")
    ] = None,
    limit: LimitQ = None,
    offset: OffsetQ = 0,
) -> Response:
    """Every USGS commodity with its official-list tags (JP-SCM, EU-SRM, EU-CRM, US-CM),
    paginated with ``limit`` / ``offset``; ``total`` counts all matching items."""
    return await cached_json(
        request, platform, CommodityPage, lambda: _page(platform, lang, tag, limit, offset)
    )


def _page(platform, lang: str, tag: str | None, limit: int | None, offset: int) -> dict:
    doc = platform.commodities(DEFAULT_YEAR, lang)
    items = [
        {
            "id": r["id"],
            "name": r["commodity"],
            "name_en": r["name-en"],
            "type": r["type"],
            "unit": r["unit"],
            "years": r["years"],
            "tags": r["official-lists"],
        }
        for r in doc["rows"]
        if tag is None or tag in r["official-lists"]
    ]
    end = None if limit is None else offset + limit
    return {
        "items": items[offset:end],
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "sources": doc["sources"],
    }


@router.get(
    "/commodities/{commodity}", response_model=ReportOut, summary="World production profile"
)
async def get_commodity(
    request: Request,
    platform: PlatformDep,
    commodity: CommodityP,
    year: YearQ = DEFAULT_YEAR,
    home: HomeQ = DEFAULT_HOME,
    lang: LangQ = "en",
) -> Response:
    """Per-country production and world shares, HHI, top-1/top-3, WGI-weighted HHI, share
    outside the like-minded group, home's share and rank, official-list tags, EU CRM supply
    risk and GeoPolRisk (when trade data allows), with sources."""
    return await cached_json(
        request,
        platform,
        ReportOut,
        lambda: page(platform.commodity(commodity, year, home, lang), None, 0),
    )


@router.get(
    "/commodities/{commodity}/history",
    response_model=CommodityHistory,
    summary="World production over the years of the data",
)
async def get_commodity_history(
    request: Request,
    platform: PlatformDep,
    commodity: CommodityP,
    home: HomeQ = DEFAULT_HOME,
    lang: LangQ = "en",
) -> Response:
    """For every year of the USGS data (2023 and 2024, estimated): world total (the share
    denominator of the profile), top-1 country and share, HHI, home share and rank; and the top
    producers' value and share by year, with sources."""
    return await cached_json(
        request,
        platform,
        CommodityHistory,
        lambda: platform.commodity_history(commodity, home, lang),
    )
