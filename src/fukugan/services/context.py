"""Shared look-ups for services: WGI for a year, official-list tags, the like-minded group,
the commodity ↔ HS concordance and the home country's trade by commodity."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from fukugan.data.concordance import CommodityTrade
from fukugan.provenance import Provenance
from fukugan.services.datasets import LISTS, TRADE, WGI
from fukugan.store.analytic import AnalyticStore

#: Store name of the commodity ↔ HS concordance (loaded with the bundled data).
COMMODITY_HS = "commodity_hs"


@dataclass
class Context:
    """What most indicator services need besides their main dataset."""

    wgi: pd.Series  # WGI rescaled 0-10 (10 = worst), indexed by ISO3
    wgi_year: int | None
    lists: pd.DataFrame | None
    sources: list[Provenance]
    concordance: pd.DataFrame | None = None
    concordance_prov: Provenance | None = None


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
    conc, conc_prov = stored_concordance(store)
    return Context(
        wgi=wgi,
        wgi_year=wgi_year,
        lists=lists,
        sources=sources,
        concordance=conc,
        concordance_prov=conc_prov,
    )


def stored_concordance(store: AnalyticStore) -> tuple[pd.DataFrame, Provenance]:
    """The stored concordance, or the bundled file for a store loaded before it existed."""
    if store.has(COMMODITY_HS):
        df = store.read(COMMODITY_HS)
        df["shared"] = df["shared"].astype(bool)
        df["hs_code"] = df["hs_code"].astype(str)
        return df, store.info(COMMODITY_HS).provenance
    from fukugan.data.concordance import read_concordance

    return read_concordance()


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


@dataclass
class HomeTrade:
    """The home country's trade aggregated by commodity (:mod:`fukugan.data.concordance`)."""

    by_commodity: dict[str, CommodityTrade]
    year: int | None
    provenance: Provenance


def trade_year(trade: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int, list[str]]:
    """The trade rows of one year and one source, so flows are never counted twice.

    ``year`` if the data has it, else the latest year. When several sources cover that year
    (e.g. BACI and UN Comtrade), BACI is used — it reconciles the importer's and exporter's
    declarations (Gaulier & Zignago 2010) — else the source with the most rows; the choice is
    returned as a note.

    >>> t = pd.DataFrame({"year": [2022, 2022, 2021], "source": ["UN Comtrade", "BACI HS17", "X"],
    ...                   "value_usd": [1.0, 2.0, 3.0]})
    >>> sub, y, notes = trade_year(t, 2022)
    >>> y, sub["source"].tolist(), len(notes)
    (2022, ['BACI HS17'], 1)
    """
    from fukugan.services.tradedata import pick_source

    years = sorted(int(y) for y in pd.unique(trade["year"]))
    y = int(year) if year is not None and int(year) in years else years[-1]
    sub, notes = pick_source(trade[trade["year"] == y], y)
    return sub, y, notes


def home_trade(
    store: AnalyticStore,
    ctx: Context,
    home: str,
    year: int,
    trade: pd.DataFrame | None = None,
) -> HomeTrade | None:
    """Home's imports by partner and exports for every commodity of the concordance, from the
    imported trade data (``year`` if present, else the latest year); ``None`` without trade
    data."""
    if ctx.concordance is None or (trade is None and not store.has(TRADE)):
        return None
    from fukugan.data.concordance import commodity_trade_all

    if trade is None:
        from fukugan.services.tradedata import year_trade

        trade, year, _, _ = year_trade(store, year)
    else:
        if trade.empty:
            return None
        trade, year, _ = trade_year(trade, year)
    if trade.empty:
        return None
    flows = commodity_trade_all(trade, ctx.concordance, home, year=year)
    y = next(iter(flows.values())).year if flows else None
    return HomeTrade(by_commodity=flows, year=y, provenance=store.info(TRADE).provenance)
