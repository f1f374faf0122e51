"""``/api/v1/overview``: the home country at a glance."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from fukugan.api.models import Overview
from fukugan.api.params import DEFAULT_HOME, DEFAULT_YEAR, HomeQ, LangQ, PlatformDep, YearQ
from fukugan.api.respond import cached_json

router = APIRouter(tags=["overview"])


@router.get("/overview", response_model=Overview, summary="Top autonomy risks and chokepoints")
async def get_overview(
    request: Request,
    platform: PlatformDep,
    home: HomeQ = DEFAULT_HOME,
    year: YearQ = DEFAULT_YEAR,
    lang: LangQ = "en",
) -> Response:
    """Top autonomy risks (自律性), top indispensable positions (不可欠性) and Japan's specified
    critical materials (特定重要物資) with their status, for ``home``."""
    return await cached_json(
        request, platform, Overview, lambda: platform.overview(home, year, lang)
    )
