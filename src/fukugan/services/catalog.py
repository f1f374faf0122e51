"""Catalogue look-ups for the platform (API and web): the commodity list with official-list
tags, Japan's specified critical materials (特定重要物資) with what the data says about them,
the countries and years the stores cover, and commodity ids for ranked tables.

Like every service, these return :class:`~fukugan.services.report.Report` objects (or plain
lists of choices) and never print.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from fukugan.data import usgs
from fukugan.errors import UnknownItemError
from fukugan.i18n import commodity_name
from fukugan.services.context import commodity_tags, load_context
from fukugan.services.datasets import IOT, LISTS, TRADE, USGS, require
from fukugan.services.report import Report
from fukugan.store.analytic import AnalyticStore

JP_SCM = "jp_specified_critical_materials"


def usgs_years(store: AnalyticStore) -> list[int]:
    """The years of the USGS world-production data in the store (ascending)."""
    frame, _ = require(store, USGS)
    return sorted(int(y) for y in pd.unique(frame["year"]))


def check_year(store: AnalyticStore, year: int) -> int:
    """``year`` if USGS has data for it, else a clear :class:`UnknownItemError`."""
    years = usgs_years(store)
    if int(year) not in years:
        raise UnknownItemError(
            f"no USGS production data for {year}; years available: {', '.join(map(str, years))}"
        )
    return int(year)


def check_ranking_year(store: AnalyticStore, year: int) -> int:
    """``year`` if USGS or the trade data has it (the rankings take either, see
    :func:`fukugan.services.dependencies.ranking_years`), else a clear error."""
    from fukugan.services.dependencies import ranking_years

    ranking_years(store, year)
    return int(year)


def commodity_list(store: AnalyticStore, *, year: int = 2024, lang: str = "en") -> Report:
    """Every USGS commodity with its display name, primary production type, unit, years and
    the official lists that name it (JP-SCM, EU-SRM, EU-CRM, US-CM)."""
    frame, prov = require(store, USGS)
    ctx = load_context(store, year)
    rows = []
    for rec in usgs.commodities(frame).itertuples(index=False):
        cid = rec.commodity_id
        sub = frame[(frame["commodity_id"] == cid) & (frame["type"] == rec.primary_type)]
        units = list(dict.fromkeys(sub["unit"].dropna().astype(str)))
        rows.append(
            {
                "id": cid,
                "commodity": commodity_name(cid, rec.commodity, lang),
                "name-en": rec.commodity,
                "type": rec.primary_type,
                "unit": units[0] if units else "",
                "years": sorted(int(y) for y in pd.unique(sub["year"])),
                "official-lists": commodity_tags(ctx, cid),
            }
        )
    table = pd.DataFrame(
        rows, columns=["id", "commodity", "name-en", "type", "unit", "years", "official-lists"]
    )
    table = table.sort_values("commodity", kind="stable").reset_index(drop=True)
    return Report(
        title="title-commodities",
        table=table,
        summary={"n-commodities": len(table)},
        sources=[prov, *ctx.sources],
    )


def commodity_ids(store: AnalyticStore, lang: str = "en") -> dict[str, str]:
    """Display name (in ``lang``) → commodity id, to link ranked tables to commodity pages."""
    frame, _ = require(store, USGS)
    names = usgs.commodities(frame)
    return {
        commodity_name(cid, name, lang): cid
        for cid, name in zip(names["commodity_id"], names["commodity"], strict=True)
    }


def link_commodities(report: Report, ids: dict[str, str]) -> Report:
    """A copy of ``report`` with a ``commodity-id`` column after ``commodity`` (when the table
    has a ``commodity`` column), so interfaces can link rows to commodity pages."""
    if "commodity" not in report.table.columns or "commodity-id" in report.table.columns:
        return report
    table = report.table.copy()
    pos = list(table.columns).index("commodity") + 1
    table.insert(pos, "commodity-id", table["commodity"].map(ids))
    return replace(report, table=table)


_SCM_COLUMNS = [
    "rank",
    "item-key",
    "material",
    "designated",
    "indicative-hs",
    "linked-commodities",
    "linked-ids",
    "riskiest-commodity",
    "riskiest-id",
    "autonomy-risk",
    "top1",
    "eu2021-dependent-products",
    "status",
]


def specified_materials(
    store: AnalyticStore,
    *,
    home: str = "JPN",
    year: int = 2024,
    lang: str = "en",
    ranking: Report | None = None,
    trade_ranking: Report | None = None,
) -> Report:
    """Japan's specified critical materials (特定重要物資) with their status in the data.

    They are Japan's own list: for another home the table is empty (with a note), rather than
    showing Japan's designations as if they were that country's. ``trade_ranking``: the HS
    product table of :func:`fukugan.services.dependencies.dependencies` (computed when not
    given).

    Per material: designation date, the list's indicative HS codes, the USGS commodities that
    the codes cover (derived tags, :mod:`fukugan.data.lists`) and, among them, the one with the
    highest autonomy risk for ``home`` (``ranking``: the commodity table of
    :func:`fukugan.services.dependencies.dependencies` in English, computed when not given).
    With trade data loaded, the HS6 products under the material's codes that fail the EU 2021
    strategic-dependency test for ``home`` are counted.
    """
    lists, lists_prov = require(store, LISTS)
    usgs_frame, usgs_prov = require(store, USGS)
    jp = lists[lists["list_id"] == JP_SCM]
    if jp.empty:
        raise UnknownItemError("the official lists in the store have no Japanese list")
    if ranking is None:
        from fukugan.services.dependencies import dependencies

        ranking = dependencies(store, home=home, year=year, top=0, lang="en")[0]
    if home != "JPN":
        return Report(
            title="title-specified-materials",
            title_args={"home": home, "year": year},
            table=pd.DataFrame(columns=_SCM_COLUMNS),
            summary={"n-materials": 0},
            sources=[lists_prov],
            notes=["note-scm-other-home"],
        )
    ids = commodity_ids(store, "en")
    risk = {
        ids.get(n): (float(s), str(t1))
        for n, s, t1 in zip(
            ranking.table["commodity"],
            ranking.table["autonomy-risk"],
            ranking.table["top1"],
            strict=True,
        )
    }
    names = usgs.commodities(usgs_frame).set_index("commodity_id")["commodity"]
    trade_dep = (
        trade_ranking.table
        if trade_ranking is not None
        else _trade_dependent(store, home=home, year=year)
    )
    rows = []
    for key, grp in jp.groupby("item_key", sort=False):
        head = grp[grp["commodity_id"].isna()]
        first = head.iloc[0] if len(head) else grp.iloc[0]
        linked = [str(c) for c in grp["commodity_id"].dropna()]
        linked.sort(key=lambda c: -risk[c][0] if c in risk else float("inf"))
        scored = [c for c in linked if c in risk]
        top = scored[0] if scored else None
        codes = [c for c in str(first["hs_codes"] or "").split(";") if c]
        if trade_dep is not None and codes:
            hits = trade_dep[trade_dep["hs6"].astype(str).str.startswith(tuple(codes))]
            n_dep = int(hits["eu2021-dependent"].sum())
        else:
            n_dep = None
        if linked:
            status = "scm-status-linked"
        elif not codes:
            status = "scm-status-no-codes"
        elif trade_dep is None:
            status = "scm-status-needs-trade"
        else:
            status = "scm-status-trade"
        rows.append(
            {
                "item-key": str(key),
                "material": str(first["item_ja"] if lang == "ja" else first["item"]),
                "designated": str(first["designated"] or ""),
                "indicative-hs": ", ".join(codes),
                "linked-commodities": [
                    commodity_name(c, str(names.get(c, c)), lang) for c in linked
                ],
                "linked-ids": linked,
                "riskiest-commodity": (
                    commodity_name(top, str(names.get(top, top)), lang) if top else None
                ),
                "riskiest-id": top,
                "autonomy-risk": risk[top][0] if top else np.nan,
                "top1": risk[top][1] if top else None,
                "eu2021-dependent-products": n_dep,
                "status": status,
            }
        )
    table = pd.DataFrame(rows)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return Report(
        title="title-specified-materials",
        title_args={"home": home, "year": year},
        table=table,
        summary={"n-materials": len(table)},
        sources=list({p.dataset: p for p in [lists_prov, usgs_prov, *ranking.sources]}.values()),
        notes=["note-scm-derived"],
    )


def _trade_dependent(store: AnalyticStore, *, home: str, year: int) -> pd.DataFrame | None:
    """HS6 products with the EU 2021 test result for ``home`` (``None`` without trade data)."""
    if not store.has(TRADE):
        return None
    from fukugan.services.dependencies import dependencies

    reps = dependencies(store, home=home, year=year, top=0, lang="en")
    return reps[1].table if len(reps) > 1 else None


def home_countries(store: AnalyticStore) -> list[tuple[str, str]]:
    """(ISO3, English name) of every country with USGS production or an OECD table, by name."""
    from fukugan.data.countries import iso3_name

    codes: set[str] = set()
    if store.has(USGS):
        frame, _ = require(store, USGS)
        codes |= {str(c) for c in frame["iso3"].dropna().unique()}
    if store.has(IOT):
        codes |= set(iot_countries(store))
    return sorted(((c, iso3_name(c)) for c in codes if len(c) == 3), key=lambda x: x[1])


def iot_countries(store: AnalyticStore) -> list[str]:
    """ISO3 codes of the countries with an OECD input-output table in the store."""
    if not store.has(IOT):
        return []
    df = store.query(f'SELECT DISTINCT country FROM "{IOT}" ORDER BY 1')
    return [str(c) for c in df["country"]]


def iot_years(store: AnalyticStore, country: str) -> list[int]:
    """Years of the OECD input-output tables of ``country`` in the store."""
    if not store.has(IOT):
        return []
    df = store.query(f'SELECT DISTINCT year FROM "{IOT}" WHERE country = ? ORDER BY 1', [country])
    return [int(y) for y in df["year"]]
