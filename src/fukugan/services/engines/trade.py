"""Resolving a commodity shock on a national input-output table
--------------------------------------------------------------

An export ban or quota by country C on commodity K (a USGS commodity, or an HS code) becomes a
cut in home's imports of one OECD industry's products:

1. **K → HS codes** through the commodity ↔ HS concordance (:mod:`fukugan.data.concordance`);
   an ``hs:`` code is mapped back to its commodity when the concordance has it, else to an
   industry by its HS chapter (:data:`HS_CHAPTER_SECTOR`).
2. **HS code → the OECD industry that produces it**, by the concordance stage (the traded form):

   ============ ======== ======================================================================
   stage        industry why
   ============ ======== ======================================================================
   ore          B07_08   mining and quarrying, non-energy (ores, concentrates, natural graphite)
   refined      C24      basic metals (mattes, intermediates, refined metals)
   metal        C24      basic metals (unwrought metals, ferroalloys, elements)
   compound     C20      chemicals (oxides, carbonates, salts)
   ============ ======== ======================================================================

   Exceptions (:data:`COMMODITY_SECTOR`): potash, iodine and helium → C20 (chemical industry
   products in ISIC Rev.4 division 20); industrial diamond → B07_08. With trade data loaded, a
   commodity whose codes span several stages is split by the value the home imports in each;
   without it, the stage of the commodity's first code in the concordance is used and the
   others are listed in the run's notes. ``sector:`` in the shock overrides all of this.
3. **C's share of home's supply** (``supplier_share``): C's share of home's imports of K's
   codes when trade data is loaded and home imports K; otherwise C's share of world
   production in USGS MCS 2025 (``data.usgs_year``, default 2024: the share of world supply C
   holds). A country whose figure USGS withholds needs ``supplier_share`` in the scenario.
4. **K's share of the industry's imports** (``sector_share``): home's imports of K (trade data,
   USD) / the table's imports of the industry (IMPO, million USD); without trade data it must be
   given in the scenario (an explicit, documented assumption).

The imported supply of the industry falls by φ(t) = cut × supplier_share × sector_share ×
intensity(t) × (response factors). Sanctions on C cut φ = cut × import_share for every
industry (import_share: C's share of home's imports, from trade data or the scenario).

Used by the static engine (:mod:`fukugan.services.engines.static`), the only one that takes
trade shocks (export bans, quotas, sanctions).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from fukugan.errors import UnknownItemError
from fukugan.i18n import commodity_name, country_name
from fukugan.provenance import Provenance
from fukugan.scenarios.schema import Scenario
from fukugan.store.analytic import AnalyticStore

__all__ = [
    "COMMODITY_SECTOR",
    "HS4_SECTOR",
    "HS_CHAPTER_SECTOR",
    "STAGE_SECTOR",
    "resolve_sanctions",
    "resolve_trade_shock",
    "scenario_commodity",
    "usgs_frame",
]

#: OECD industry producing each traded form (concordance stage).
STAGE_SECTOR = {"ore": "B07_08", "refined": "C24", "metal": "C24", "compound": "C20"}

#: Commodities whose industry differs from their stage's.
COMMODITY_SECTOR = {
    "potash": "C20",
    "iodine": "C20",
    "helium": "C20",
    "diamond-industrial": "B07_08",
}

#: HS chapter → OECD industry (indicative, ISIC Rev.4 division of the main producers), for HS
#: codes outside the commodity concordance.
HS_CHAPTER_SECTOR: dict[int, str] = {
    **dict.fromkeys(range(1, 3), "A01_02"),
    3: "A03",
    **dict.fromkeys(range(4, 15), "A01_02"),
    **dict.fromkeys(range(15, 25), "C10T12"),
    25: "B07_08",
    26: "B07_08",
    27: "B05_06",
    **dict.fromkeys(range(28, 39), "C20"),
    30: "C21",
    39: "C22",
    40: "C22",
    **dict.fromkeys(range(41, 44), "C13T15"),
    **dict.fromkeys(range(44, 47), "C16"),
    **dict.fromkeys(range(47, 50), "C17_18"),
    **dict.fromkeys(range(50, 68), "C13T15"),
    **dict.fromkeys(range(68, 71), "C23"),
    **dict.fromkeys(range(71, 82), "C24"),
    82: "C25",
    83: "C25",
    84: "C28",
    85: "C27",
    86: "C30",
    87: "C29",
    88: "C30",
    89: "C30",
    **dict.fromkeys(range(90, 93), "C26"),
    93: "C25",
    **dict.fromkeys(range(94, 97), "C31T33"),
    97: "R",
}
#: HS4 headings whose industry differs from their chapter's.
HS4_SECTOR = {"8471": "C26", "8541": "C26", "8542": "C26", "8517": "C26", "7102": "B07_08"}


def usgs_frame(store: AnalyticStore) -> tuple[pd.DataFrame, Provenance]:
    from fukugan.services.datasets import USGS, require

    return require(store, USGS)


def _concordance(store: AnalyticStore) -> tuple[pd.DataFrame, Provenance]:
    from fukugan.services.context import stored_concordance as conc

    return conc(store)


def _trade(store: AnalyticStore, sc: Scenario):
    """Home's trade by commodity (or None without trade data) and its provenance."""
    from fukugan.services.context import home_trade, load_context
    from fukugan.services.datasets import TRADE

    if not store.has(TRADE):
        return None
    ctx = load_context(store, int(sc.doc["data"].get("trade_year", 2022)))
    return home_trade(store, ctx, sc.home, int(sc.doc["data"].get("trade_year", 2022)))


def scenario_commodity(sc: Scenario, where: tuple, name: str, frame: pd.DataFrame) -> str:
    from fukugan.data.usgs import resolve_commodity

    try:
        return resolve_commodity(frame, name)
    except UnknownItemError as e:
        raise sc.error(str(e), where) from None


def resolve_trade_shock(
    sc: Scenario,
    i: int,
    shock: dict[str, Any],
    industries: tuple[str, ...],
    imports_musd: np.ndarray,
    store: AnalyticStore,
    cache: dict[str, Any],
) -> dict[str, Any]:
    """Sector(s), supplier share and sector share of an export_ban / quota (see module doc)."""
    where = ("shocks", i)
    if "usgs" not in cache:
        cache["usgs"] = usgs_frame(store)
        cache["conc"] = _concordance(store)
        cache["trade"] = _trade(store, sc)
    frame, usgs_prov = cache["usgs"]
    conc, conc_prov = cache["conc"]
    trade = cache["trade"]
    country = shock["country"]
    out: dict[str, Any] = {"index": i, "type": shock["type"], "country": country, "notes": []}
    cid: str | None = None
    if "commodity" in shock:
        cid = scenario_commodity(sc, (*where, "commodity"), shock["commodity"], frame)
    else:
        hs = shock["hs"]
        rows = conc[conc["hs_code"].map(lambda c: hs.startswith(c) or c.startswith(hs))]
        owners = sorted(set(rows["commodity_id"]))
        if len(owners) == 1:
            cid = owners[0]
        elif len(owners) > 1:
            raise sc.error(
                f"HS {hs} covers several commodities ({', '.join(owners)}): name the "
                "commodity instead",
                (*where, "hs"),
            )
    out["commodity"] = cid
    # 1-2: sector(s)
    sectors: dict[str, float]
    if "sector" in shock:
        if shock["sector"] not in industries:
            raise sc.error(f"unknown industry {shock['sector']!r}", (*where, "sector"))
        sectors = {shock["sector"]: 1.0}
        out["sector_rule"], out["sector_rule_ja"] = GIVEN, GIVEN_JA
    elif cid is None:
        hs = shock["hs"]
        sec = HS4_SECTOR.get(hs[:4]) or HS_CHAPTER_SECTOR.get(int(hs[:2]))
        if sec is None:
            raise sc.error(f"HS chapter {hs[:2]} is not a goods chapter", (*where, "hs"))
        sectors = {sec: 1.0}
        out["sector_rule"] = f"HS chapter {hs[:2]} → {sec} (indicative chapter table)"
        out["sector_rule_ja"] = f"HS第{hs[:2]}類 → {sec}（目安の類・産業対応表）"
    else:
        codes = conc[conc["commodity_id"] == cid]
        if codes.empty:
            raise sc.error(
                f"commodity {cid!r} has no HS codes in the concordance; give 'sector'",
                (*where, "commodity"),
            )

        def sector_of(stage: str) -> str:
            return COMMODITY_SECTOR.get(cid, STAGE_SECTOR[stage])

        ct = trade.by_commodity.get(cid) if trade is not None else None
        if ct is not None and ct.has_imports and len(set(codes["stage"])) > 1:
            sectors = {}
            # split by the value imported in each stage's codes (HS6 prefix match)
            stage_of = dict(zip(codes["hs_code"], codes["stage"], strict=True))
            tr = cache.setdefault("trade_rows", _home_import_rows(store, sc))
            for code, stage in stage_of.items():
                v = float(tr.loc[tr["hs6"].str.startswith(code), "value_usd"].sum())
                sectors[sector_of(stage)] = sectors.get(sector_of(stage), 0.0) + v
            tot = sum(sectors.values())
            sectors = {k: v / tot for k, v in sectors.items() if v > 0} if tot > 0 else {}
            out["sector_rule"] = "split by home's imports per stage (trade data)"
            out["sector_rule_ja"] = "自国の段階別の輸入額で按分（貿易データ）"
        else:
            sectors = {}
        if not sectors:
            first = codes.iloc[0]
            sectors = {sector_of(first["stage"]): 1.0}
            others = sorted({sector_of(s) for s in codes["stage"]} - set(sectors))
            out["sector_rule"] = (
                f"stage {first['stage']} of HS {first['hs_code']} → {next(iter(sectors))}"
            )
            out["sector_rule_ja"] = (
                f"HS {first['hs_code']} の段階 {first['stage']} → {next(iter(sectors))}"
            )
            if others:
                _note(
                    out,
                    f"{cid}: other traded forms belong to {', '.join(others)}; "
                    "set 'sector' to choose",
                    f"{_cname(cid)}：他の取引形態は {'、'.join(others)} に属します"
                    "（選ぶには 'sector' を指定）",
                )
    for s in sectors:
        if s not in industries:
            raise sc.error(f"industry {s} is not in the table", (*where, "sector"))
    out["sectors"] = sectors
    # 3: supplier share
    if "supplier_share" in shock:
        out["supplier_share"] = float(shock["supplier_share"])
        out["supplier_share_source"], out["supplier_share_source_ja"] = GIVEN, GIVEN_JA
    else:
        ct = trade.by_commodity.get(cid) if (trade is not None and cid) else None
        if ct is not None and ct.has_imports:
            imp = ct.imports_usd
            out["supplier_share"] = float(imp.get(country, 0.0) / imp.sum())
            out["supplier_share_source"] = (
                f"{country}'s share of {sc.home}'s imports of {cid} ({trade.year}, trade data)"
            )
            out["supplier_share_source_ja"] = (
                f"{_country(sc.home)}の{_cname(cid)}輸入に占める{_country(country)}のシェア"
                f"（{trade.year}年、貿易データ）"
            )
        elif cid is not None:
            from fukugan.data.usgs import production_shares

            year = int(sc.doc["data"].get("usgs_year", 2024))
            shares = production_shares(frame, cid, year)
            row = shares[shares["iso3"] == country]
            basis = shares.attrs["basis"]
            if row.empty:
                out["supplier_share"] = 0.0
                _note(
                    out,
                    f"{country} is not listed as a producer of {cid} in USGS MCS 2025 ({year}): "
                    "share 0",
                    f"{_country(country)}はUSGS MCS 2025（{year}年）に{_cname(cid)}の生産国として"
                    "載っていません：シェア0",
                )
            elif math.isnan(float(row["share"].iloc[0])):
                raise sc.error(
                    f"USGS MCS 2025 withholds {country}'s {cid} figure for {year} "
                    f"({row['marker'].iloc[0] or 'no value'}): give 'supplier_share' with its "
                    "source, or load trade data",
                    where,
                )
            else:
                out["supplier_share"] = float(row["share"].iloc[0])
            out["supplier_share_source"] = (
                f"{country}'s share of world {basis['type'].lower()} of {cid}, {year} "
                f"(USGS MCS 2025)"
            )
            out["supplier_share_source_ja"] = (
                f"{_cname(cid)}の世界生産（USGSの区分：{basis['type']}）に占める"
                f"{_country(country)}のシェア、{year}年（USGS MCS 2025）"
            )
            cache.setdefault("sources", {})["usgs"] = usgs_prov
        else:
            raise sc.error(
                "no supplier share for an HS code outside the concordance without trade data: "
                "give 'supplier_share'",
                where,
            )
    # 4: sector share
    if "sector_share" in shock:
        out["sector_share"] = float(shock["sector_share"])
        out["sector_share_source"], out["sector_share_source_ja"] = GIVEN, GIVEN_JA
    else:
        ct = trade.by_commodity.get(cid) if (trade is not None and cid) else None
        if ct is None or not ct.has_imports:
            raise sc.error(
                "needs 'sector_share' (the product's share of home's imports of "
                f"{', '.join(sectors)}) when no trade data for it is loaded "
                "(fukugan data import baci|comtrade ...)",
                where,
            )
        denom = sum(imports_musd[industries.index(s)] * w for s, w in sectors.items()) * 1e6
        out["sector_share"] = float(min(1.0, ct.imports_usd.sum() / denom)) if denom > 0 else 0.0
        out["sector_share_source"] = f"{sc.home}'s imports of {cid} / table imports (trade data)"
        out["sector_share_source_ja"] = (
            f"{_country(sc.home)}の{_cname(cid)}輸入額／産業連関表の輸入額（貿易データ）"
        )
    if cid is not None:
        cache.setdefault("sources", {})["conc"] = conc_prov
    out["label"] = f"{country} {shock['type']} {cid or shock.get('hs')}"
    return out


#: the source of a share or rule the scenario gives itself
GIVEN, GIVEN_JA = "given in the scenario", "シナリオで指定"


def _note(out: dict[str, Any], en: str, ja: str) -> None:
    """A note on a resolved shock, in both languages (``notes`` / ``notes_ja``)."""
    out["notes"].append(en)
    out.setdefault("notes_ja", []).append(ja)


def _country(iso3: str) -> str:
    return country_name(iso3, "ja")


def _cname(cid: str | None) -> str:
    """A commodity's Japanese name (its id when it has none)."""
    return commodity_name(cid, cid, "ja") if cid else ""


def _home_import_rows(store: AnalyticStore, sc: Scenario) -> pd.DataFrame:
    from fukugan.services.tradedata import year_trade

    tr, _, _, _ = year_trade(store, int(sc.doc["data"].get("trade_year", 2022)))
    tr = tr[tr["importer"].astype(str) == sc.home]
    return pd.DataFrame({"hs6": tr["hs6"].astype(str), "value_usd": tr["value_usd"].astype(float)})


def _kind(source: str) -> tuple[str, str]:
    if source == GIVEN:
        return "assumed in the scenario", "シナリオでの仮定"
    return "from data", "データから"


def input_sources(r: dict[str, Any]) -> tuple[str, str]:
    """Which of a resolved trade shock's shares came from data and which were assumed, in
    English and Japanese, e.g. ``"supplier share 92.7 % from data (CHN's share of ...); sector
    share 0.240 % ..."``; ``("", "")`` for shocks without shares. The Japanese line quotes the
    Japanese source descriptions (``…_source_ja``; runs written before them: the English)."""
    en, ja = [], []
    for key, name, name_ja, spec in (
        ("supplier_share", "supplier share", "供給国シェア", ".1%"),
        ("sector_share", "sector share", "部門シェア", ".3%"),
        ("import_share", "import share", "輸入シェア", ".1%"),
    ):
        if key in r:
            src = str(r.get(f"{key}_source", ""))
            src_ja = str(r.get(f"{key}_source_ja") or src)
            k_en, k_ja = _kind(src)
            en.append(f"{name} {format(r[key], spec)} {k_en} ({src})")
            ja.append(f"{name_ja} {format(r[key], spec)}：{k_ja}（{src_ja}）")
    return "; ".join(en), "；".join(ja)


def resolve_sanctions(sc: Scenario, i: int, shock: dict, store: AnalyticStore, cache) -> dict:
    where = ("shocks", i)
    out = {"index": i, "type": "sanctions", "country": shock["country"], "notes": []}
    if "import_share" in shock:
        out["import_share"] = float(shock["import_share"])
        out["import_share_source"], out["import_share_source_ja"] = GIVEN, GIVEN_JA
    else:
        from fukugan.services.datasets import TRADE

        if not store.has(TRADE):
            raise sc.error(
                "sanctions need 'import_share' (the country's share of home's imports) when no "
                "trade data is loaded",
                where,
            )
        from fukugan.services.tradedata import year_trade

        year = int(sc.doc["data"].get("trade_year", 2022))
        full, y, _, _ = year_trade(store, year)
        full = full[(full["importer"] == sc.home) & (full["exporter"] != sc.home)]
        tot = float(full["value_usd"].sum())
        mine = float(full.loc[full["exporter"] == shock["country"], "value_usd"].sum())
        out["import_share"] = mine / tot if tot > 0 else 0.0
        out["import_share_source"] = (
            f"{shock['country']}'s share of {sc.home}'s imports of the products in the trade "
            f"data ({y})"
        )
        out["import_share_source_ja"] = (
            f"貿易データの品目の{_country(sc.home)}の輸入に占める{_country(shock['country'])}の"
            f"シェア（{y}年）"
        )
    out["label"] = f"sanctions on {shock['country']}"
    out["label_ja"] = f"{_country(shock['country'])}への制裁"
    return out
