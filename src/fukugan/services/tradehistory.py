"""The home country's imports of a product or commodity by origin, every year of the trade data,
and the products whose import dependence rose most ("how did our dependence on China for
graphite change?").

Per year, the indicators are those of :func:`fukugan.indicators.trade.dependency_indicators`
on the home's rows of that year (one source per year, :func:`~fukugan.services.tradedata.
pick_source`). A commodity's HS codes follow the concordance rule of
:mod:`fukugan.data.concordance` (shared codes only when no unshared code of it has trade).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fukugan.data.groups import like_minded
from fukugan.errors import InputError, UnknownItemError
from fukugan.i18n import commodity_name, country_name, t
from fukugan.services.context import stored_concordance
from fukugan.services.report import Report
from fukugan.services.tradedata import (
    country_trade,
    pick_source,
    product_name,
    trade_years,
)
from fukugan.store.analytic import AnalyticStore

#: Origins shown one by one in the by-origin table and chart; the rest are summed as "other".
TOP_ORIGINS = 6
OTHER = "other"
#: The spans (years) of the trend view.
SPANS = (5, 10)
#: Products below this value of imports in the last year are left out of the trend view.
MIN_IMPORTS_USD = 1e6


def _home_rows(store: AnalyticStore, home: str) -> pd.DataFrame:
    """Home's rows of every year, one source per year, positive values, no self-trade."""
    rows = country_trade(store, home)
    rows = rows[(rows["value_usd"] > 0) & (rows["exporter"] != rows["importer"])]
    parts = []
    for y, sub in rows.groupby("year", sort=True, observed=True):
        parts.append(pick_source(sub, int(y))[0])
    if not parts:
        return rows.iloc[0:0]
    out = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(
        {
            "year": out["year"].astype(int).to_numpy(),
            "exporter": out["exporter"].astype(str).to_numpy(),
            "importer": out["importer"].astype(str).to_numpy(),
            "hs6": out["hs6"].astype(str).to_numpy(),
            "value_usd": out["value_usd"].to_numpy(dtype=float),
        }
    )


def _codes(
    store: AnalyticStore, rows: pd.DataFrame, product: str | None, commodity: str | None
) -> tuple[list[str], str, str, list[str]]:
    """(HS6 codes, item key, label EN, notes) for a product code/prefix or a USGS commodity."""
    have = pd.Index(sorted(set(rows["hs6"])))
    if (product is None) == (commodity is None):
        raise InputError("give one of product (HS code) or commodity", field="product")
    if product is not None:
        code = product.strip().replace(".", "")
        if not code.isdigit() or len(code) not in (2, 4, 6):
            raise InputError(f"HS code {product!r}: expected 2, 4 or 6 digits", field="product")
        found = [h for h in have if h.startswith(code)]
        return found, code, code, []
    conc, _ = stored_concordance(store)
    g = conc[conc["commodity_id"] == commodity]
    if g.empty:
        raise UnknownItemError(f"no HS codes for commodity {commodity!r} in the concordance")
    match = {c: [h for h in have if h.startswith(c)] for c in g["hs_code"]}
    shared = dict(zip(g["hs_code"], g["shared"], strict=True))
    unshared = [h for c, hs in match.items() if not shared[c] for h in hs]
    notes = []
    if unshared:
        found = sorted(set(unshared))
    else:
        found = sorted({h for hs in match.values() for h in hs})
        if found:
            notes.append(
                f"{commodity}: only shared HS codes carry trade ({', '.join(found)}); they also "
                "cover other materials, so the flows are an upper bound"
            )
    return found, commodity, commodity, notes


def _per_year(rows: pd.DataFrame, home: str, codes: list[str], group: frozenset[str]):
    """One row per year: home's imports of ``codes`` (summed as one item) and the indicators."""
    from fukugan.indicators.trade import dependency_indicators

    sub = rows[rows["hs6"].isin(codes)].assign(hs6="item")
    out = []
    for y, part in sub.groupby("year", sort=True):
        ind = dependency_indicators(part, group, year=int(y))
        ind = ind[ind["importer"] == home]
        if ind.empty:
            continue
        r = ind.iloc[0]
        out.append(
            {
                "year": int(y),
                "imports-usd": float(r["imports_usd"]),
                "n-suppliers": int(r["n_suppliers"]),
                "top1": str(r["top_supplier"]),
                "top1-share": float(r["top1_share"]),
                "hhi": float(r["hhi"]),
                "share-outside-like-minded": float(r["outside_share"]),
                "dependence": float(r["hhi"] * r["outside_share"]),
                "eu2021-dependent": bool(r["dependent"]),
            }
        )
    return pd.DataFrame(out)


def trade_history(
    store: AnalyticStore,
    *,
    home: str = "JPN",
    product: str | None = None,
    commodity: str | None = None,
    lang: str = "en",
) -> list[Report]:
    """Home's imports of an HS product (or a USGS commodity's HS codes) by origin, every year.

    Two reports: the indicators by year (imports, suppliers, top supplier and share, HHI, share
    outside the like-minded group, dependence = HHI x outside share, the EU 2021 test), and
    imports by origin and year (the :data:`TOP_ORIGINS` largest origins over the whole period,
    the rest as ``other``).
    """
    years = trade_years(store)
    if not years:
        store.info("trade")  # NotLoadedError
    rows = _home_rows(store, home)
    codes, key, _, notes = _codes(store, rows, product, commodity)
    imp = rows[(rows["importer"] == home) & rows["hs6"].isin(codes)]
    if not codes or imp.empty:
        what = f"HS {product}" if product is not None else commodity
        raise UnknownItemError(f"{home} has no imports of {what} in the trade data")
    group = like_minded()
    by_year = _per_year(rows, home, codes, group)
    totals = imp.groupby("exporter")["value_usd"].sum().sort_values(ascending=False)
    top = list(totals.index[:TOP_ORIGINS])
    origin = imp["exporter"].where(imp["exporter"].isin(top), OTHER)
    g = imp.assign(origin=origin).groupby(["year", "origin"], sort=True)["value_usd"].sum()
    g = g.reset_index()
    g["share"] = g["value_usd"] / g.groupby("year")["value_usd"].transform("sum")
    order = {c: i for i, c in enumerate([*top, OTHER])}
    label_other = t("web-other", lang)
    g = g.sort_values(["year", "origin"], key=lambda s: s.map(order) if s.name == "origin" else s)
    by_origin = pd.DataFrame(
        {
            "year": g["year"].astype(int).to_numpy(),
            "supplier": g["origin"].to_numpy(),
            "country": [label_other if o == OTHER else country_name(o, lang) for o in g["origin"]],
            "like_minded": g["origin"].isin(group).to_numpy(),
            "imports-usd": g["value_usd"].to_numpy(),
            "share": g["share"].to_numpy(),
        }
    )
    info = store.info("trade")
    if product is not None:
        name = product_name(codes[0], lang) if len(codes) == 1 else ""
        label = f"HS {key}" + (f" {name}" if name else "")
    else:
        from fukugan.data import usgs
        from fukugan.services.datasets import USGS, require

        frame, _ = require(store, USGS)
        names = usgs.commodities(frame).set_index("commodity_id")["commodity"]
        label = commodity_name(key, str(names.get(key, key)), lang)
    span = f"{int(by_year['year'].min())}-{int(by_year['year'].max())}"
    hs_note = f"HS codes: {', '.join(codes)}"
    return [
        Report(
            title="title-trade-history",
            title_args={"home": home, "item": label, "years": span},
            table=by_year,
            summary={
                "n-years": len(by_year),
                "hs-codes": ", ".join(codes),
                "first-year": int(by_year["year"].min()),
                "last-year": int(by_year["year"].max()),
            },
            sources=[info.provenance],
            notes=["note-trade-history", "note-dependence", hs_note, *notes],
        ),
        Report(
            title="title-trade-history-origin",
            title_args={"home": home, "item": label, "years": span},
            table=by_origin,
            summary={"origins": ", ".join(top)},
            sources=[info.provenance],
            notes=["note-trade-history-origin", hs_note],
        ),
    ]


def trade_trends(
    store: AnalyticStore,
    *,
    home: str = "JPN",
    year: int | None = None,
    top: int = 25,
    lang: str = "en",
) -> list[Report]:
    """HS products ranked by the rise of home's import dependence over 5 and 10 years.

    Dependence of (home, product, year) = import HHI x share of imports from outside the
    like-minded group (both in [0, 1]; 1 = one supplier outside the group). One report per span
    of :data:`SPANS`, ranked by the change from ``year - span`` to ``year`` (largest rise first).
    """
    from fukugan.indicators.trade import dependency_indicators

    years = trade_years(store)
    if not years:
        store.info("trade")
    y = years[-1] if year is None else int(year)
    if y not in years:
        raise UnknownItemError(f"no trade data for {y}; years available: {years[0]}-{years[-1]}")
    rows = _home_rows(store, home)
    group = like_minded()
    need = sorted({y, *(y - s for s in SPANS)} & set(years))
    per = {}
    for yy in need:
        part = rows[rows["year"] == yy]
        ind = dependency_indicators(part, group, year=yy) if len(part) else None
        if ind is None or ind.empty:
            continue
        ind = ind[ind["importer"] == home].copy()
        ind["hs6"] = ind["hs6"].astype(str)
        ind["dependence"] = ind["hhi"] * ind["outside_share"]
        per[yy] = ind.set_index("hs6")
    if y not in per:
        raise UnknownItemError(f"{home} has no imports in the trade data for {y}")
    now = per[y]
    info = store.info("trade")
    reports = []
    for span in SPANS:
        y0 = y - span
        if y0 not in per:
            continue
        then = per[y0].reindex(now.index)
        delta = now["dependence"] - then["dependence"]
        table = pd.DataFrame(
            {
                "hs6": now.index.to_numpy(),
                "product": [product_name(h, lang) for h in now.index],
                "imports-usd": now["imports_usd"].to_numpy(),
                "dependence": now["dependence"].to_numpy(),
                "dependence-then": then["dependence"].to_numpy(),
                "dependence-change": delta.to_numpy(),
                "hhi": now["hhi"].to_numpy(),
                "hhi-then": then["hhi"].to_numpy(),
                "top1": now["top_supplier"].astype(str).to_numpy(),
                "top1-share": now["top1_share"].to_numpy(),
                "top1-then": [None if pd.isna(c) else str(c) for c in then["top_supplier"]],
                "top1-share-then": then["top1_share"].to_numpy(),
                "share-outside-like-minded": now["outside_share"].to_numpy(),
            }
        )
        keep = np.isfinite(table["dependence-change"].to_numpy(dtype=float))
        keep &= table["imports-usd"].to_numpy() >= MIN_IMPORTS_USD
        table = table[keep]
        table = table.sort_values(
            ["dependence-change", "imports-usd"], ascending=False, kind="stable"
        ).reset_index(drop=True)
        n = len(table)
        n_rose = int((table["dependence-change"] > 0).sum())
        table.insert(0, "rank", np.arange(1, n + 1))
        if top:
            table = table.head(top)
        reports.append(
            Report(
                title="title-trade-trend",
                title_args={"home": home, "span": span, "from": y0, "to": y},
                table=table,
                summary={"n-products": n, "n-rose": n_rose},
                sources=[info.provenance],
                notes=["note-dependence", "note-trade-trend"],
            )
        )
    if not reports:
        raise UnknownItemError(f"no trade data {SPANS[0]} years before {y}")
    return reports


__all__ = ["SPANS", "TOP_ORIGINS", "trade_history", "trade_trends"]
