"""``/api/v1/dependencies`` and ``/api/v1/chokepoints``: the C2 rankings for a home country."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from fukugan.api.models import ReportList
from fukugan.api.params import (
    DEFAULT_HOME,
    DEFAULT_YEAR,
    HomeQ,
    LangQ,
    LimitQ,
    OffsetQ,
    PlatformDep,
    YearQ,
)
from fukugan.api.respond import cached_json
from fukugan.app.present import page, query_rows

router = APIRouter(tags=["indicators"])

SortQ = Annotated[str | None, Query(max_length=60, description="Column key to sort by.")]
OrderQ = Annotated[Literal["asc", "desc"], Query(description="Sort order.")]
TextQ = Annotated[str | None, Query(max_length=100, description="Text filter on text columns.")]
TagQ = Annotated[str | None, Query(max_length=20, description="Official-list tag, e.g. JP-SCM.")]


def _pages(docs, limit, offset, q, sort, order, tag) -> dict:
    return {
        "reports": [
            page(query_rows(d, q=q, sort=sort, order=order, tag=tag), limit, offset) for d in docs
        ]
    }


@router.get("/dependencies", response_model=ReportList, summary="Autonomy risks (自律性)")
async def get_dependencies(
    request: Request,
    platform: PlatformDep,
    home: HomeQ = DEFAULT_HOME,
    year: YearQ = DEFAULT_YEAR,
    lang: LangQ = "en",
    q: TextQ = None,
    tag: TagQ = None,
    sort: SortQ = None,
    order: OrderQ = "asc",
    limit: LimitQ = None,
    offset: OffsetQ = 0,
) -> Response:
    """Commodities (and HS products, with trade data) ranked by autonomy risk for ``home``,
    with EU CRM SR, GeoPolRisk, IR, HHI, WGI-weighted HHI and the share outside the
    like-minded group."""
    return await cached_json(
        request,
        platform,
        ReportList,
        lambda: _pages(platform.dependencies(home, year, lang), limit, offset, q, sort, order, tag),
    )


@router.get("/chokepoints", response_model=ReportList, summary="Indispensability (不可欠性)")
async def get_chokepoints(
    request: Request,
    platform: PlatformDep,
    home: HomeQ = DEFAULT_HOME,
    year: YearQ = DEFAULT_YEAR,
    lang: LangQ = "en",
    q: TextQ = None,
    tag: TagQ = None,
    sort: SortQ = None,
    order: OrderQ = "asc",
    limit: LimitQ = None,
    offset: OffsetQ = 0,
) -> Response:
    """Where the world relies on ``home``: world share, rank, strength of the alternatives."""
    return await cached_json(
        request,
        platform,
        ReportList,
        lambda: _pages(platform.chokepoints(home, year, lang), limit, offset, q, sort, order, tag),
    )
