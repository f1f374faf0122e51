"""The home country at a glance: top dependencies and top indispensable positions."""

from __future__ import annotations

from fukugan.services.dependencies import chokepoints, dependencies
from fukugan.services.report import Report
from fukugan.store.analytic import AnalyticStore

#: The overview's columns of each ranking (pages add links by ``commodity-id``; the terminal
#: table leaves it out).
OVERVIEW_DEPENDENCIES = [
    "rank",
    "commodity",
    "commodity-id",
    "autonomy-risk",
    "top1",
    "top1-share",
    "share-outside-like-minded",
    "home-share",
    "official-lists",
]
OVERVIEW_CHOKEPOINTS = [
    "rank",
    "commodity",
    "commodity-id",
    "chokepoint-score",
    "home-share",
    "home-rank",
    "next-largest-share",
    "official-lists",
]


def _without_id(columns: list[str]) -> list[str]:
    return [c for c in columns if c != "commodity-id"]


def overview(
    store: AnalyticStore, *, home: str = "JPN", year: int = 2024, top: int = 10, lang: str = "en"
) -> list[Report]:
    """Top ``top`` autonomy risks and indispensable commodities for ``home``, with sources
    (and, with trade data, the top HS products of both rankings after them)."""
    deps = dependencies(store, home=home, year=year, top=top, lang=lang)
    deps[0].table = deps[0].table[_without_id(OVERVIEW_DEPENDENCIES)]
    chk = chokepoints(store, home=home, year=year, top=top, lang=lang)
    chk[0].table = chk[0].table[_without_id(OVERVIEW_CHOKEPOINTS)]
    return [deps[0], chk[0], *deps[1:], *chk[1:]]  # commodities first, then HS products
