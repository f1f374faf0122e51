"""Query parameters shared by the routers (typed, validated, documented in OpenAPI)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from fukugan.api.models import Lang
from fukugan.app.platform import DEFAULT_HOME, DEFAULT_YEAR, Platform

LangQ = Annotated[Lang, Query(description="Label language: en or ja.")]
HomeQ = Annotated[
    str,
    Query(
        min_length=3,
        max_length=3,
        pattern="^[A-Za-z]{3}$",
        description="Home country, ISO3 (default JPN).",
    ),
]
YearQ = Annotated[int, Query(ge=1900, le=2100, description="Data year.")]
LimitQ = Annotated[
    int | None, Query(ge=1, le=1000, description="Rows per page (default: all rows).")
]
OffsetQ = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip.")]
CommodityP = Annotated[str, Path(max_length=100, description="Commodity id or name.")]

__all__ = [
    "CommodityP",
    "DEFAULT_HOME",
    "DEFAULT_YEAR",
    "HomeQ",
    "LangQ",
    "LimitQ",
    "OffsetQ",
    "PlatformDep",
    "YearQ",
]


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


PlatformDep = Annotated[Platform, Depends(get_platform)]
