"""``/api/v1/trade/...``: the home country's dependency on HS products, now and over the years."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from fukugan.api.models import ReportList
from fukugan.api.params import DEFAULT_HOME, HomeQ, LangQ, PlatformDep
from fukugan.api.respond import cached_json
from fukugan.app.present import page

router = APIRouter(tags=["trade"])


@router.get("/trade/dependency", response_model=ReportList, summary="Dependency on an HS product")
async def get_trade_dependency(
    request: Request,
    platform: PlatformDep,
    product: Annotated[
        str, Query(min_length=1, max_length=12, description="HS6 code or HS2/HS4 prefix.")
    ],
    home: HomeQ = DEFAULT_HOME,
    year: Annotated[int | None, Query(ge=1900, le=2100, description="Default: latest.")] = None,
    lang: LangQ = "en",
) -> Response:
    """Import HHI, top suppliers, share outside the like-minded group and the EU 2021
    strategic-dependency test (needs imported BACI / UN Comtrade data; 409 without it)."""
    return await cached_json(
        request,
        platform,
        ReportList,
        lambda: {
            "reports": [
                page(d, None, 0) for d in platform.trade_dependency(product, home, year, lang)
            ]
        },
    )


@router.get(
    "/trade/history",
    response_model=ReportList,
    summary="Imports by origin over the years (HS product or commodity)",
)
async def get_trade_history(
    request: Request,
    platform: PlatformDep,
    product: Annotated[
        str | None, Query(min_length=1, max_length=12, description="HS6 code or HS2/HS4 prefix.")
    ] = None,
    commodity: Annotated[
        str | None, Query(min_length=1, max_length=80, description="USGS commodity id or name.")
    ] = None,
    home: HomeQ = DEFAULT_HOME,
    lang: LangQ = "en",
) -> Response:
    """The home's imports of an HS product (or of a USGS commodity's HS codes) every year of the
    trade data: imports, suppliers, top supplier and share, HHI, share outside the like-minded
    group, dependence and the EU 2021 test by year; and imports by origin and year. Give one of
    ``product`` and ``commodity`` (400 otherwise)."""
    return await cached_json(
        request,
        platform,
        ReportList,
        lambda: {
            "reports": [
                page(d, None, 0)
                for d in platform.trade_history(home, lang, product=product, commodity=commodity)
            ]
        },
    )


@router.get(
    "/trade/trend",
    response_model=ReportList,
    summary="Products whose import dependence rose most over 5 and 10 years",
)
async def get_trade_trend(
    request: Request,
    platform: PlatformDep,
    home: HomeQ = DEFAULT_HOME,
    year: Annotated[int | None, Query(ge=1900, le=2100, description="Default: latest.")] = None,
    lang: LangQ = "en",
) -> Response:
    """HS products ranked by the change of the home's import dependence (import HHI x share
    outside the like-minded group) from 5 and from 10 years before ``year``."""
    return await cached_json(
        request,
        platform,
        ReportList,
        lambda: {"reports": [page(d, None, 0) for d in platform.trade_trends(home, year, lang)]},
    )
