"""Shared look-ups for services: WGI for a year, official-list tags, the like-minded group."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from fukugan.data.provenance import Provenance
from fukugan.services.datasets import LISTS, WGI
from fukugan.store.analytic import AnalyticStore


@dataclass
class Context:
    """What most indicator services need besides their main dataset."""

    wgi: pd.Series  # WGI rescaled 0-10 (10 = worst), indexed by ISO3
    wgi_year: int | None
    lists: pd.DataFrame | None
    sources: list[Provenance]


def load_context(store: AnalyticStore, year: int) -> Context:
    from fukugan.data.wgi import wgi_for_year

    sources: list[Provenance] = []
    wgi = pd.Series(dtype=float)
    wgi_year = None
    if store.has(WGI):
        info = store.info(WGI)
        wgi = wgi_for_year(store.read(WGI), year)
        wgi_year = wgi.attrs.get("year_used")
        sources.append(info.provenance)
    lists = None
    if store.has(LISTS):
        lists = store.read(LISTS)
        sources.append(store.info(LISTS).provenance)
    return Context(wgi=wgi, wgi_year=wgi_year, lists=lists, sources=sources)


def commodity_tags(ctx: Context, commodity_id: str) -> list[str]:
    if ctx.lists is None:
        return []
    from fukugan.data.lists import tags_for_commodity

    return tags_for_commodity(ctx.lists, commodity_id)


def hs_tags(ctx: Context, hs6: str) -> list[str]:
    if ctx.lists is None:
        return []
    from fukugan.data.lists import tags_for_hs

    return tags_for_hs(ctx.lists, hs6)
