"""``/api/v1/trade/dependency``: the home country's dependency on one HS product."""

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
