"""Autonomy (自律性) and indispensability (不可欠性) rankings for a home country.

Commodities come from USGS world production (each commodity's primary production TYPE, see
:func:`fukugan.data.usgs.primary_type`); HS products from imported trade data (BACI / Comtrade),
when present. "Other countries" rows enter each commodity's world total as a residual of unknown
split: they count in every share's denominator and, being unknown, as outside the like-minded
group, but never as one supplier (see :mod:`fukugan.indicators.autonomy`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from fukugan.data import usgs
from fukugan.data.groups import like_minded
from fukugan.errors import FukuganError, UnknownItemError
from fukugan.i18n import commodity_name, t
from fukugan.indicators.autonomy import autonomy_table
from fukugan.indicators.leverage import chokepoint_table
from fukugan.provenance import Provenance
from fukugan.services.context import (
    Context,
    commodity_tags,
    home_trade,
    hs_tags,
    load_context,
)
from fukugan.services.datasets import TRADE, USGS
from fukugan.services.production import commodity_risk
from fukugan.services.report import Report
from fukugan.store.analytic import AnalyticStore


def production_long(
    frame: pd.DataFrame, year: int, keep: dict[str, pd.DataFrame] | None = None
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """World production of every commodity in ``year`` as a long (item, iso3, value) frame.

    Returns the long frame (multi-country group rows get a ``A+B`` code), the "Other
    countries" residual per item, and one row per item with its name, TYPE and unit.
    ``keep``: a dict that receives each commodity's :func:`~fukugan.data.usgs.production_shares`.
    """
    rows, residual, meta = [], {}, []
    names = usgs.commodities(frame).set_index("commodity_id")
    for cid in names.index:
        try:
            sh = usgs.production_shares(frame, cid, year)
        except FukuganError:  # a commodity without data for that year (or mixing units) is skipped
            continue
        if keep is not None:
            keep[cid] = sh
        basis = sh.attrs["basis"]
        sh = sh.copy(deep=False)
        sh.attrs = {}  # pandas deep-copies attrs on every operation
        sh = sh[~sh["excluded"] & (sh["value"] > 0)]
        if sh.empty:
            continue
        code = sh["iso3"].where(sh["iso3"].notna(), sh["members"].fillna("").str.replace(";", "+"))
        code = code.where(code != "", sh["country"])
        part = pd.DataFrame({"item": cid, "iso3": code.to_numpy(), "value": sh["value"].to_numpy()})
        rows.append(part.groupby(["item", "iso3"], as_index=False, sort=False)["value"].sum())
        ov = basis["other_value"]
        residual[cid] = 0.0 if np.isnan(ov) else float(ov)
        meta.append(
            {
                "item": cid,
                "commodity": names.loc[cid, "commodity"],
                "type": basis["type"],
                "unit": basis["unit"],
                "excluded": ", ".join(basis["excluded"]),
            }
        )
    return pd.concat(rows, ignore_index=True), pd.Series(residual), pd.DataFrame(meta)


def _production(
    store: AnalyticStore, year: int
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, dict[str, pd.DataFrame], Provenance]:
    """:func:`production_long` of the stored USGS data (plus each commodity's shares and the
    provenance), computed once per stored file and year: ``dependencies`` and ``chokepoints``
    (both called by the overview) share it. Store files are never rewritten in place (every
    write makes a new file name), so the file path is a safe cache key."""
    info = store.info(USGS)
    return (*_production_of_file(str(info.file), int(year)), info.provenance)


@lru_cache(maxsize=4)
def _production_of_file(
    file: str, year: int
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, dict[str, pd.DataFrame]]:
    shares: dict[str, pd.DataFrame] = {}
    long, residual, meta = production_long(pd.read_parquet(file), year, keep=shares)
    return long, residual, meta, shares


@lru_cache(maxsize=8)
def _group_codes(codes: tuple[str, ...], group: frozenset[str]) -> frozenset[str]:
    """The like-minded group plus multi-country codes (``USA+CAN``) whose members all are in it."""
    extra = {c for c in codes if "+" in c and all(m in group for m in c.split("+"))}
    return group | extra


def _names(ranked: pd.DataFrame, lang: str) -> list[str]:
    return [
        commodity_name(c, n, lang) for c, n in zip(ranked["item"], ranked["commodity"], strict=True)
    ]


def ranking_years(store: AnalyticStore, year: int) -> tuple[int, int, list[str]]:
    """(USGS year, trade year, notes) for a ranking asked for ``year``.

    The commodity tables need USGS production, which the bundled data has for 2023 and 2024
    only; the HS product tables have trade for every year 1995-2024. A year with trade but no
    USGS data gets the commodity table of the nearest USGS year (said in a note); a year with
    neither is refused, naming both ranges.
    """
    from fukugan.services.catalog import usgs_years
    from fukugan.services.tradedata import trade_years

    uy, ty = usgs_years(store), trade_years(store)
    year = int(year)
    if year in uy:
        return year, year, []
    if year in ty and uy:
        near = min(uy, key=lambda u: (abs(u - year), -u))
        return (
            near,
            year,
            [
                f"USGS production has no year {year} (years {', '.join(map(str, uy))}): the "
                f"commodity table is for {near}; the HS product table is for {year}."
            ],
        )
    span = f"{ty[0]}-{ty[-1]}" if ty else "none loaded"
    raise UnknownItemError(
        f"no data for {year}: USGS production years {', '.join(map(str, uy)) or 'none'}; "
        f"trade years {span}"
    )


def dependencies(
    store: AnalyticStore, *, home: str = "JPN", year: int = 2024, top: int = 25, lang: str = "en"
) -> list[Report]:
    """Commodities (and HS products, with trade data) ranked by autonomy risk for ``home``.

    ``year``: any year of the USGS or the trade data (see :func:`ranking_years`)."""
    year, trade_yr, year_notes = ranking_years(store, year)
    long, residual, meta, all_shares, prov = _production(store, year)
    ctx = load_context(store, year)
    if long.empty:
        raise UnknownItemError(f"no production data for {year}")
    group = _group_codes(tuple(sorted(long["iso3"].unique())), like_minded())
    ranked = autonomy_table(
        long, ctx.wgi, home, group=group, missing_wgi=_median(ctx), residual=residual
    )
    ranked = ranked.merge(meta, on="item", how="left")
    trade = home_trade(store, ctx, home, year)
    risks = _risks(all_shares, list(ranked["item"]), home, ctx, trade)
    table = pd.DataFrame(
        {
            "rank": np.arange(1, len(ranked) + 1),
            "commodity": _names(ranked, lang),
            "autonomy-risk": ranked["score"],
            "eu-sr": [risks[c][0] for c in ranked["item"]],
            "geopolrisk": [risks[c][1] for c in ranked["item"]],
            "import-reliance": [risks[c][2] for c in ranked["item"]],
            "hhi": ranked["hhi"],
            "hhi-wgi": ranked["hhi_wgi"],
            "share-outside-like-minded": ranked["share_outside"],
            "top1": ranked["top1_iso3"],
            "top1-share": ranked["top1_share"],
            "top3-share": ranked["top3_share"],
            "home-share": ranked["home_share"],
            "official-lists": [", ".join(commodity_tags(ctx, c)) for c in ranked["item"]],
            "type": ranked["type"],
        }
    )
    if top:
        table = table.head(top)
    extra_sources = []
    if trade is not None and ctx.concordance_prov is not None:
        extra_sources = [ctx.concordance_prov]
    reports = [
        Report(
            title="title-dependencies",
            title_args={"home": home, "year": year},
            table=table.reset_index(drop=True),
            summary={"n-commodities": len(ranked), "wgi-year": ctx.wgi_year},
            sources=[prov, *ctx.sources, *extra_sources],
            notes=[
                "note-autonomy-score",
                "note-usgs-denominator",
                *ranked.attrs.get("defaults_used", []),
                "note-dependencies-risk",
                _risk_defaults_note(trade, lang),
                *year_notes,
            ],
        )
    ]
    if store.has(TRADE):
        reports.append(
            _trade_dependencies(
                store,
                _ctx_for(store, ctx, year, trade_yr),
                home=home,
                year=trade_yr,
                top=top,
                lang=lang,
            )
        )
    return reports


def _risks(
    shares: dict[str, pd.DataFrame],
    items: list[str],
    home: str,
    ctx: Context,
    trade,
) -> dict[str, tuple[float, float | None, float | None]]:
    """(EU SR, GeoPolRisk, IR) per commodity, as :func:`fukugan.services.production.commodity_risk`
    computes them for ``fukugan production``."""
    out: dict[str, tuple[float, float | None, float | None]] = {}
    for cid in items:
        ct = trade.by_commodity.get(cid) if trade is not None else None
        try:
            r = commodity_risk(shares[cid], home=home, wgi_0_10=ctx.wgi, trade=ct)
        except (FukuganError, KeyError):
            r = None
        if r is None:
            out[cid] = (np.nan, None, None)
        else:
            out[cid] = (r.sr.supply_risk, None if r.gpr is None else r.gpr.score, r.ir)
    return out


def _risk_defaults_note(trade, lang: str) -> str:
    """The defaults behind every commodity's EU SR, GeoPolRisk and IR, in ``lang``."""
    if trade is None:
        return t("note-risk-defaults-no-trade", lang)
    return t("note-risk-defaults-trade", lang, year=trade.year)


def _median(ctx: Context) -> float:
    return float(np.nanmedian(ctx.wgi.to_numpy())) if len(ctx.wgi) else 5.0


def _ctx_for(store: AnalyticStore, ctx: Context, year: int, trade_yr: int) -> Context:
    """The context (WGI of the year, lists) for the trade table's year."""
    return ctx if trade_yr == year else load_context(store, trade_yr)


def _world_exports(trade: pd.DataFrame) -> pd.DataFrame:
    """World exports by (hs6, exporter) of one year's trade rows (positive, no self-trade)."""
    sub = trade[(trade["value_usd"] > 0) & (trade["exporter"] != trade["importer"])]
    ex = (
        sub.groupby(["hs6", "exporter"], observed=True, sort=False)["value_usd"].sum().reset_index()
    )
    ex["hs6"] = ex["hs6"].astype(str)
    ex["exporter"] = ex["exporter"].astype(str)
    return ex[ex["value_usd"] > 0]


def _export_leverage(exports: pd.DataFrame, home: str) -> pd.DataFrame:
    """Per HS6: home's world export share and rank (1 = largest exporter), world exports."""
    ex = exports.sort_values(["hs6", "value_usd"], ascending=[True, False], kind="stable")
    ex = ex.assign(rank=ex.groupby("hs6", sort=False).cumcount() + 1)
    world = ex.groupby("hs6", sort=False)["value_usd"].sum()
    mine = ex[ex["exporter"] == home].set_index("hs6")
    out = pd.DataFrame({"world_exports": world})
    out["home_exports"] = mine["value_usd"].reindex(out.index).fillna(0.0)
    out["home_export_share"] = out["home_exports"] / out["world_exports"]
    out["home_export_rank"] = mine["rank"].reindex(out.index)
    return out


def _top_suppliers(trade: pd.DataFrame, home: str, n: int = 3) -> dict[str, str]:
    """``"CHN 89.5%, MDG 2.9%, USA 2.2%"`` per HS6: home's largest suppliers by value."""
    sub = trade[(trade["importer"] == home) & (trade["exporter"] != home)]
    sub = sub[sub["value_usd"] > 0]
    if sub.empty:
        return {}
    g = sub.groupby(["hs6", "exporter"], observed=True, sort=False)["value_usd"].sum().reset_index()
    g["hs6"] = g["hs6"].astype(str)
    g["share"] = g["value_usd"] / g.groupby("hs6")["value_usd"].transform("sum")
    g = g.sort_values(["hs6", "share", "exporter"], ascending=[True, False, True], kind="stable")
    g = g.groupby("hs6", sort=False).head(n)
    return {
        str(h): ", ".join(
            f"{c} {sh * 100:.1f}%" for c, sh in zip(grp["exporter"], grp["share"], strict=True)
        )
        for h, grp in g.groupby("hs6", sort=False)
    }


def _hs_names(codes, lang: str) -> list[str]:
    from fukugan.services.tradedata import product_name

    return [product_name(str(h), lang) for h in codes]


def _trade_dependencies(
    store: AnalyticStore,
    ctx: Context,
    *,
    home: str,
    year: int,
    top: int,
    lang: str = "en",
) -> Report:
    """The HS6 products of the trade data ranked for ``home`` (one year): import HHI, top
    suppliers, share outside the like-minded group, the EU 2021 test and home's export-side
    leverage (world export share and rank)."""
    from fukugan.indicators.trade import dependency_indicators
    from fukugan.services.tradedata import year_trade

    trade, y, source_notes, prov = year_trade(store, year)
    sub = trade[(trade["importer"] == home) | (trade["exporter"] == home)]
    ind = dependency_indicators(sub, like_minded(), ctx.wgi if len(ctx.wgi) else None, year=y)
    ind = ind[ind["importer"] == home]
    ind = ind.assign(score=ind["hhi_wgi"].fillna(0) / 10 * ind["outside_share"])
    ind = ind.sort_values(["dependent", "score", "imports_usd"], ascending=False, kind="stable")
    codes = ind["hs6"].astype(str).to_numpy()
    lev = _export_leverage(_world_exports(trade), home).reindex(codes)
    tops = _top_suppliers(sub, home)
    table = pd.DataFrame(
        {
            "rank": np.arange(1, len(ind) + 1),
            "hs6": codes,
            "product": _hs_names(codes, lang),
            "imports-usd": ind["imports_usd"].to_numpy(),
            "eu2021-dependent": ind["dependent"].to_numpy(),
            "autonomy-risk": ind["score"].to_numpy(),
            "hhi": ind["hhi"].to_numpy(),
            "hhi-outside": ind["hhi_outside"].to_numpy(),
            "share-outside-like-minded": ind["outside_share"].to_numpy(),
            "outside-to-exports": ind["outside_to_exports"].to_numpy(),
            "top1": ind["top_supplier"].astype(str).to_numpy(),
            "top1-share": ind["top1_share"].to_numpy(),
            "top-suppliers": [tops.get(h, "") for h in codes],
            "home-export-share": lev["home_export_share"].to_numpy(),
            "home-export-rank": [None if pd.isna(r) else int(r) for r in lev["home_export_rank"]],
            "official-lists": [", ".join(hs_tags(ctx, h)) for h in codes],
        }
    )
    if top:
        table = table.head(top)
    return Report(
        title="title-dependencies-trade",
        title_args={"home": home, "year": y},
        table=table,
        summary={"n-products": len(ind), "n-dependent": int(ind["dependent"].sum())},
        sources=[prov, *ctx.sources],
        notes=["note-eu2021", "note-autonomy-score-trade", "note-export-leverage", *source_notes],
    )


def chokepoints(
    store: AnalyticStore, *, home: str = "JPN", year: int = 2024, top: int = 25, lang: str = "en"
) -> list[Report]:
    """Home's indispensability ranking on world production (and, with trade data, on world
    exports of every HS6 product): share, rank, strength of the alternatives. ``year`` as in
    :func:`dependencies`."""
    year, trade_yr, year_notes = ranking_years(store, year)
    long, residual, meta, _, prov = _production(store, year)
    ctx = load_context(store, year)
    ranked = chokepoint_table(long, home, residual=residual)
    ranked = ranked.merge(meta, on="item", how="left")
    table = pd.DataFrame(
        {
            "rank": np.arange(1, len(ranked) + 1),
            "commodity": _names(ranked, lang),
            "chokepoint-score": ranked["chokepoint_score"],
            "home-share": ranked["home_share"],
            "home-rank": ranked["rank"],
            "n-producers": ranked["n_producers"],
            "next-largest-share": ranked["next_largest_share"],
            "hhi-rest": ranked["hhi_rest"],
            "official-lists": [", ".join(commodity_tags(ctx, c)) for c in ranked["item"]],
            "type": ranked["type"],
        }
    )
    if top:
        table = table.head(top)
    reports = [
        Report(
            title="title-chokepoints",
            title_args={"home": home, "year": year},
            table=table.reset_index(drop=True),
            summary={"n-commodities-home-produces": len(ranked)},
            sources=[prov, *ctx.sources],
            notes=["note-chokepoint-score", "note-usgs-denominator", *year_notes],
        )
    ]
    if store.has(TRADE):
        reports.append(
            _trade_chokepoints(
                store,
                _ctx_for(store, ctx, year, trade_yr),
                home=home,
                year=trade_yr,
                top=top,
                lang=lang,
            )
        )
    return reports


def _trade_chokepoints(
    store: AnalyticStore, ctx: Context, *, home: str, year: int, top: int, lang: str = "en"
) -> Report:
    """World export shares by HS6 product (BACI / Comtrade): where the world relies on home."""
    from fukugan.services.tradedata import year_trade

    trade, y, source_notes, prov = year_trade(store, year)
    exports = _world_exports(trade)
    ranked = chokepoint_table(exports, home, item="hs6", country="exporter", value="value_usd")
    codes = ranked["item"].astype(str).to_numpy()
    table = pd.DataFrame(
        {
            "rank": np.arange(1, len(ranked) + 1),
            "hs6": codes,
            "product": _hs_names(codes, lang),
            "chokepoint-score": ranked["chokepoint_score"].to_numpy(),
            "home-share": ranked["home_share"].to_numpy(),
            "home-rank": ranked["rank"].to_numpy(),
            "exports-usd": ranked["home_value"].to_numpy(),
            "n-producers": ranked["n_producers"].to_numpy(),
            "next-largest-share": ranked["next_largest_share"].to_numpy(),
            "hhi-rest": ranked["hhi_rest"].to_numpy(),
            "official-lists": [", ".join(hs_tags(ctx, h)) for h in codes],
        }
    )
    if top:
        table = table.head(top)
    return Report(
        title="title-chokepoints-trade",
        title_args={"home": home, "year": y},
        table=table,
        summary={"n-products-home-exports": len(ranked)},
        sources=[prov, *ctx.sources],
        notes=["note-chokepoint-score", "note-export-shares", *source_notes],
    )
