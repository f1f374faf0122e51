"""Trade-based dependency of the home country on one HS product (BACI / Comtrade data)."""

from __future__ import annotations

import pandas as pd

from fukugan.data.groups import like_minded
from fukugan.errors import InputError, UnknownItemError
from fukugan.i18n import country_name
from fukugan.indicators.trade import dependency_indicators, supplier_table
from fukugan.services.context import hs_tags, load_context
from fukugan.services.datasets import TRADE
from fukugan.services.report import Report
from fukugan.store.analytic import AnalyticStore


def _products(trade: pd.DataFrame, product: str) -> list[str]:
    code = product.strip().replace(".", "")
    if not code.isdigit() or len(code) not in (2, 4, 6):
        raise InputError(f"HS code {product!r}: expected 2, 4 or 6 digits", field="--product")
    hs = pd.Series(trade["hs6"].astype(str).unique())
    found = sorted(hs[hs.str.startswith(code)])
    if not found:
        raise UnknownItemError(f"no trade rows for HS {code} in the imported data")
    return found


def require_trade(store: AnalyticStore) -> None:
    """A clear NotLoadedError when no trade data is stored."""
    store.info(TRADE)


def trade_dependency(
    store: AnalyticStore,
    *,
    product: str,
    home: str = "JPN",
    year: int | None = None,
    lang: str = "en",
) -> list[Report]:
    """Import HHI, top suppliers, share outside the like-minded group and the EU 2021
    strategic-dependency test for ``home`` and every HS6 code under ``product``."""
    from fukugan.services.tradedata import product_name, year_trade

    require_trade(store)
    trade, y, source_notes, prov = year_trade(store, year, strict=True)
    codes = _products(trade, product)
    ctx = load_context(store, y)
    group = like_minded()
    sub = trade[trade["hs6"].isin(codes)]
    ind = dependency_indicators(sub, group, ctx.wgi if len(ctx.wgi) else None, year=y)
    ind = ind[ind["importer"] == home]
    if ind.empty:
        raise UnknownItemError(f"{home} has no imports of HS {product} in {y}")
    table = pd.DataFrame(
        {
            "hs6": ind["hs6"].astype(str).to_numpy(),
            "product": [product_name(str(h), lang) for h in ind["hs6"]],
            "imports-usd": ind["imports_usd"].to_numpy(),
            "n-suppliers": ind["n_suppliers"].to_numpy(),
            "top1": ind["top_supplier"].to_numpy(),
            "top1-share": ind["top1_share"].to_numpy(),
            "top3-share": ind["top3_share"].to_numpy(),
            "hhi": ind["hhi"].to_numpy(),
            "hhi-wgi": ind["hhi_wgi"].to_numpy(),
            "share-outside-like-minded": ind["outside_share"].to_numpy(),
            "hhi-outside": ind["hhi_outside"].to_numpy(),
            "outside-to-exports": ind["outside_to_exports"].to_numpy(),
            "c1": ind["c1_concentrated"].to_numpy(),
            "c2": ind["c2_outside_reliant"].to_numpy(),
            "c3": ind["c3_not_substitutable"].to_numpy(),
            "eu2021-dependent": ind["dependent"].to_numpy(),
            "official-lists": [", ".join(hs_tags(ctx, h)) for h in ind["hs6"]],
        }
    )
    reports = [
        Report(
            title="title-trade-dependency",
            title_args={"home": home, "product": product, "year": y},
            table=table,
            summary={"n-products": len(table), "n-dependent": int(table["eu2021-dependent"].sum())},
            sources=[prov, *ctx.sources],
            notes=["note-eu2021", *source_notes],
        )
    ]
    if len(codes) == 1:
        sup = supplier_table(trade, home, codes[0], group, year=y)
        sup = sup.rename(
            columns={
                "exporter": "supplier",
                "value_usd": "imports-usd",
                "cumulative_share": "cumulative-share",
                "in_group": "like_minded",
            }
        )
        sup.insert(2, "country", [country_name(c, lang) for c in sup["supplier"]])
        reports.append(
            Report(
                title="title-top-suppliers",
                title_args={"home": home, "product": codes[0], "year": y},
                table=sup.head(15),
                sources=[prov],
            )
        )
    return reports
