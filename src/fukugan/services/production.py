"""World production of one commodity: who produces it, how concentrated, where home stands,
and the published supply-risk methods for the home country.

Supply risk (:func:`commodity_risk`), shown by ``fukugan production`` and ``fukugan
dependencies``:

* **EU CRM supply risk** (Blengini et al. 2017, JRC EUR 28654;
  :func:`fukugan.indicators.crm.supply_risk`): ``SR = [HHI_WGI,t(GS)·IR/2 + HHI_WGI,t(home
  sourcing)·(1 − IR/2)]·(1 − EoL_RIR)·SI_SR``. Global supply GS = USGS production of the
  commodity's default table by country; the USGS "Other countries" row enters as **one**
  supplier with the median WGI (an upper bound on concentration, the conservative side, like
  the method's other defaults). Home sourcing = the home's imports by partner from the trade
  data (HS codes of :mod:`fukugan.data.concordance`) plus its domestic production when both are
  in tonnes. Defaults, listed in the output: EoL_RIR = 0, SI_SR = 1, t = 1, median WGI for
  producers without a score (mean of the members for multi-country rows).
* **Import reliance** ``IR = (I − E)/(P + I − E)`` (same source): with trade quantities
  (``quantity_t``, gross weight of the traded forms) and USGS production converted to tonnes
  when every flow has a quantity; with trade values when the home produces nothing (P = 0, so
  units cancel); otherwise IR is **not computable** and the method's default of
  :func:`~fukugan.indicators.crm.supply_risk` applies (IR = 1, stated).
* **GeoPolRisk** (Gemechu et al. 2016; Santillán-Saldivar et al. 2021; geopolrisk-py;
  :func:`fukugan.indicators.geopolrisk.geopolrisk`): ``HHI_A · Σ_i g_i·f_i / (p + F)`` with HHI of
  the same global supply, f_i the home's imports by partner (tonnes, else USD), p its domestic
  production (same unit; 0 when it cannot be expressed in the unit of the imports, flagged) and
  g_i = WGI(0-10)/10 = (2.5 − WGI)/5, the linear instability scale of geopolrisk-py applied to
  the bundled WGI (mean of the six dimensions, not political stability alone); partners without
  a score get 0.5, as in geopolrisk-py.

Without trade data SR falls back to global supply for the home sourcing (flagged: SR then
equals HHI_WGI,t(GS)) and GeoPolRisk, which needs the home's imports, is not available.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fukugan.data import usgs
from fukugan.data.concordance import CommodityTrade, tonnes_factor
from fukugan.data.groups import like_minded
from fukugan.errors import UnknownItemError
from fukugan.i18n import commodity_name
from fukugan.indicators.crm import SupplyRiskResult, build_home_sourcing, import_reliance
from fukugan.indicators.crm import supply_risk as crm_supply_risk
from fukugan.indicators.geopolrisk import GeoPolRiskResult, geopolrisk
from fukugan.services.context import commodity_tags, home_trade, load_context
from fukugan.services.datasets import USGS, require
from fukugan.services.report import Report
from fukugan.store.analytic import AnalyticStore

OTHER = "Other countries"
#: Governance for GeoPolRisk partners without a WGI score (geopolrisk-py's default).
MISSING_GOVERNANCE = 0.5


@dataclass
class CommodityRisk:
    """EU CRM supply risk, import reliance and GeoPolRisk of one commodity for a home country,
    with every input (see the module docstring)."""

    commodity_id: str
    home: str
    sr: SupplyRiskResult
    gpr: GeoPolRiskResult | None
    ir: float | None  # computed from data; None: not computable (SR used the method's default)
    basis: str  # "quantity" (t), "value" (USD) or "" (no trade flows)
    unit: str  # unit of the supply amounts: "t" or the USGS unit
    global_supply: pd.Series
    imports: pd.Series | None
    exports: float | None
    home_production: float | None  # in ``unit``; None: withheld / not available
    trade: CommodityTrade | None
    notes: list[str] = field(default_factory=list)


def global_supply(shares: pd.DataFrame) -> tuple[pd.Series, str]:
    """World production by supplier from :func:`fukugan.data.usgs.production_shares`, in tonnes
    when the USGS unit is a mass (else in that unit), with "Other countries" as one supplier.

    Multi-country rows get a ``A+B`` code; W / NA rows are left out (no figure).
    """
    basis = shares.attrs["basis"]
    shares = _plain(shares)
    listed = shares[~shares["excluded"] & (shares["value"] > 0)]
    key = listed["iso3"].where(
        listed["iso3"].notna(), listed["members"].fillna("").str.replace(";", "+")
    )
    key = key.where(key != "", listed["country"])
    gs = listed.groupby(key.to_numpy(), sort=False)["value"].sum().astype(float)
    ov = basis["other_value"]
    if not math.isnan(ov) and ov > 0:
        gs.loc[OTHER] = float(ov)
    factor = tonnes_factor(basis["unit"])
    if factor is not None:
        return gs * factor, "t"
    return gs, basis["unit"]


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy without ``attrs`` (pandas deep-copies ``attrs`` on every operation)."""
    out = df.copy(deep=False)
    out.attrs = {}
    return out


def _wgi_with_groups(wgi: pd.Series, codes: pd.Index) -> pd.Series:
    """WGI plus the mean of the members for multi-country codes (``USA+CAN``)."""
    extra = {}
    for c in codes:
        if "+" in str(c):
            vals = [wgi.get(m) for m in str(c).split("+")]
            if all(v is not None and not math.isnan(v) for v in vals):
                extra[str(c)] = float(np.mean(vals))
    return pd.concat([wgi, pd.Series(extra, dtype=float)]) if extra else wgi


def _fmt_amount(x: float, unit: str) -> str:
    if unit == "USD":
        return f"{x:,.0f} USD"
    return f"{x:,.6g} {unit}"


def commodity_risk(
    shares: pd.DataFrame,
    *,
    home: str,
    wgi_0_10: pd.Series,
    trade: CommodityTrade | None,
) -> CommodityRisk | None:
    """EU CRM SR, IR and GeoPolRisk of one commodity for ``home`` (module docstring).

    ``shares``: :func:`fukugan.data.usgs.production_shares` of the commodity; ``trade``: the
    home's flows in the commodity's HS codes (``None`` without trade data). ``None`` when USGS
    gives no production figure at all.
    """
    gs, unit = global_supply(shares)
    if gs.empty or float(gs.sum()) <= 0:
        return None
    basis_info = shares.attrs["basis"]
    cid = basis_info["commodity_id"]
    shares = _plain(shares)
    wgi = _wgi_with_groups(wgi_0_10, gs.index)
    median = float(np.nanmedian(wgi_0_10.to_numpy())) if len(wgi_0_10) else 5.0
    notes: list[str] = []
    if OTHER in gs.index:
        notes.append(
            f"Global supply: USGS 'Other countries' ({gs[OTHER] / gs.sum():.1%}) counted as one "
            "supplier with the median WGI (upper bound on concentration)."
        )
    if any("+" in str(c) for c in gs.index):
        notes.append("Multi-country USGS rows (e.g. USA+CAN) take the mean WGI of their members.")

    # the home's domestic production in the unit of gs
    home_rows = shares[shares["iso3"] == home]
    if home_rows.empty:
        p_home: float | None = 0.0
        p_note = f"{home} is not listed by USGS as a producer: domestic production taken as 0"
    elif home_rows["excluded"].all():
        p_home = None
        p_note = f"{home}'s production is withheld or not available in USGS"
    else:
        p_home = float(gs.get(home, 0.0))
        p_note = f"{home}'s production: {_fmt_amount(p_home, unit)} (USGS {basis_info['type']})"

    has_flows = trade is not None and trade.has_imports
    if not has_flows:
        sr = crm_supply_risk(gs, wgi, home_sourcing=None, missing_wgi=median)
        why = (
            "no trade data loaded"
            if trade is None
            else f"no imports by {home} in HS {', '.join(trade.codes)} in the trade data"
        )
        return CommodityRisk(
            commodity_id=cid,
            home=home,
            sr=sr,
            gpr=None,
            ir=None,
            basis="",
            unit=unit,
            global_supply=gs,
            imports=None,
            exports=None,
            home_production=p_home,
            trade=trade,
            notes=[
                *notes,
                f"EU SR: {why}, so home sourcing = global supply (the method's fallback) and "
                "SR = HHI_WGI,t(global supply); GeoPolRisk needs the home's imports: not available.",
            ],
        )
    assert trade is not None
    notes.extend(trade.notes)
    use_qty = trade.quantity_complete and trade.imports_t is not None
    if use_qty and (p_home == 0.0 or (unit == "t" and p_home is not None)):
        basis, imports, exports, p = (
            "quantity",
            trade.imports_t,
            float(trade.exports_t or 0.0),
            p_home,
        )
        notes.append(
            "IR and GeoPolRisk on quantities: trade quantity_t (gross weight of the traded forms) "
            f"and USGS production in tonnes ({basis_info['type']}); indicative where USGS "
            f"reports metal content. {p_note}."
        )
    elif p_home == 0.0:
        basis, imports, exports, p = "value", trade.imports_usd, trade.exports_usd, 0.0
        notes.append(
            "IR and GeoPolRisk on trade values (USD): quantities are incomplete or production "
            f"is not a mass; {p_note}, so the units cancel in IR."
        )
    else:
        basis, imports, exports, p = "value", trade.imports_usd, trade.exports_usd, None
        notes.append(
            f"IR is not computable: {p_note} and cannot be added to trade values; the EU SR "
            "uses the method's default IR = 1 and home sourcing = imports only; GeoPolRisk is "
            "computed with p = 0 (overstates the risk)."
        )
    assert imports is not None
    imports = imports[imports > 0].drop(home, errors="ignore")
    if p is not None:
        ir = import_reliance(float(imports.sum()), exports, p)
        sourcing = build_home_sourcing(imports, home, p)
        if p == 0:
            sourcing = sourcing.drop(home)
        sr = crm_supply_risk(
            gs, wgi, home_sourcing=sourcing, import_reliance=ir, missing_wgi=median
        )
    else:
        ir = None
        sr = crm_supply_risk(gs, wgi, home_sourcing=imports, missing_wgi=median)
    gov = (wgi / 10.0).clip(0.0, 1.0)
    gpr = geopolrisk(
        gs,
        imports,
        p if p is not None else 0.0,
        gov,
        missing_governance=MISSING_GOVERNANCE,
    )
    if trade.year is not None and trade.year != basis_info["year"]:
        notes.append(f"Trade year {trade.year} used with USGS production {basis_info['year']}.")
    return CommodityRisk(
        commodity_id=cid,
        home=home,
        sr=sr,
        gpr=gpr,
        ir=ir,
        basis=basis,
        unit="t" if basis == "quantity" else "USD",
        global_supply=gs,
        imports=imports,
        exports=exports,
        home_production=p,
        trade=trade,
        notes=notes,
    )


def _shares_text(x: pd.Series, n: int = 5) -> str:
    x = x[x > 0].sort_values(ascending=False, kind="stable")
    tot = float(x.sum())
    if tot <= 0:
        return "–"
    parts = [f"{k} {v / tot:.1%}" for k, v in x.iloc[:n].items()]
    if len(x) > n:
        parts.append(f"+{len(x) - n} more")
    return ", ".join(parts)


def risk_summary(risk: CommodityRisk | None) -> dict[str, object]:
    """Summary lines (i18n keys) of a :class:`CommodityRisk`, inputs included."""
    if risk is None:
        return {"eu-sr": None, "geopolrisk": None}
    sr = risk.sr
    out: dict[str, object] = {
        "eu-sr": sr.supply_risk,
        "eu-sr-hhi-wgi-gs": sr.hhi_wgi_t_global,
        "eu-sr-hhi-wgi-home": sr.hhi_wgi_t_home,
        "eu-sr-home-sourcing": (
            "= global supply (no trade flows)"
            if sr.home_sourcing_fallback
            else _shares_text(sr.home_shares)
        ),
        "import-reliance": risk.ir,
        "eu-sr-ir-used": sr.import_reliance,
        "eu-sr-eol-rir": sr.eol_rir,
        "eu-sr-si-sr": sr.si_sr,
    }
    if risk.trade is not None:
        t = risk.trade
        out["trade-hs-codes"] = ", ".join(t.codes) + (f" ({t.year})" if t.year else "")
    if risk.imports is not None:
        out["trade-basis"] = "quantity (t)" if risk.basis == "quantity" else "value (USD)"
        out["home-imports"] = _fmt_amount(float(risk.imports.sum()), risk.unit)
        out["home-exports"] = _fmt_amount(float(risk.exports or 0.0), risk.unit)
        out["home-production"] = (
            _fmt_amount(risk.home_production, risk.unit)
            if risk.home_production is not None
            else "–"
        )
    g = risk.gpr
    out["geopolrisk"] = None if g is None else g.score
    if g is not None:
        out["geopolrisk-hhi"] = g.hhi
        out["geopolrisk-import-risk"] = g.import_risk
        top = g.contributions.sort_values(ascending=False, kind="stable").index[:5]
        out["geopolrisk-partners"] = ", ".join(
            f"{c} {_fmt_amount(float(risk.imports[c]), risk.unit)} (g {g.governance_used[c]:.2f})"
            for c in top
            if risk.imports is not None
        )
    return out


def risk_notes(risk: CommodityRisk | None) -> list[str]:
    """Method notes (i18n keys) and the plain-sentence notes and defaults of a risk."""
    if risk is None:
        return []
    notes = ["note-eu-sr", *risk.notes]
    notes.append("EU SR defaults used: " + "; ".join(risk.sr.defaults_used) + ".")
    if risk.gpr is not None:
        notes.append("note-geopolrisk")
        if risk.gpr.defaults_used:
            notes.append("GeoPolRisk defaults used: " + "; ".join(risk.gpr.defaults_used) + ".")
    else:
        notes.append("note-geopolrisk-unavailable")
    return notes


def _years(frame: pd.DataFrame, cid: str) -> list[int]:
    return sorted(int(y) for y in frame.loc[frame["commodity_id"] == cid, "year"].unique())


def production_profile(
    store: AnalyticStore,
    commodity: str,
    *,
    year: int = 2024,
    home: str = "JPN",
    type_: str | None = None,
    lang: str = "en",
) -> Report:
    """Per-country production and world shares, HHI (bounds), top-1/top-3, WGI-weighted HHI,
    share outside the like-minded group, home's share and rank, and the home's EU CRM supply
    risk, import reliance and GeoPolRisk with their inputs (:func:`commodity_risk`), with sources.

    Shares follow :func:`fukugan.data.usgs.production_shares`: the denominator is the listed
    countries plus "Other countries"; "Other countries" is not counted as one supplier in the
    reported HHI (the lower bound; the upper bound counts it as one).
    """
    frame, prov = require(store, USGS)
    cid = usgs.resolve_commodity(frame, commodity)
    years = _years(frame, cid)
    if year not in years:
        raise UnknownItemError(
            f"no {cid} data for {year}; years available: {', '.join(map(str, years))}"
        )
    shares = usgs.production_shares(frame, cid, year, type=type_)
    basis = shares.attrs["basis"]
    ctx = load_context(store, year)
    group = like_minded()

    table = shares.copy()
    wgi = table["iso3"].map(ctx.wgi) if len(ctx.wgi) else np.nan
    table = pd.DataFrame(
        {
            "rank": np.arange(1, len(table) + 1),
            "country": table["country"].to_numpy(),
            "iso3": table["iso3"].fillna("").to_numpy(),
            "value": table["value"].to_numpy(),
            "share": table["share"].to_numpy(),
            "like_minded": table["iso3"].isin(group).to_numpy(),
            "wgi_0_10": np.asarray(wgi, dtype=float),
            "marker": table["marker"].to_numpy(),
        }
    )
    listed = table[table["share"].notna()]
    s = listed["share"].to_numpy()
    w = listed["wgi_0_10"].to_numpy()
    w_missing = np.isnan(w)
    w_fill = np.nanmedian(w) if (~w_missing).any() else np.nan
    hhi_wgi = float(np.sum(s * s * np.where(w_missing, w_fill, w)))
    other_share = basis["other_share"] if not math.isnan(basis["other_share"]) else 0.0
    outside = float(listed.loc[~listed["like_minded"] & (listed["iso3"] != home), "share"].sum())
    home_rows = listed[listed["iso3"] == home]
    home_share = float(home_rows["share"].sum()) if len(home_rows) else 0.0
    home_rank = int(home_rows["rank"].iloc[0]) if len(home_rows) else None
    top = listed.iloc[0] if len(listed) else None
    summary = {
        "commodity": commodity_name(
            cid, usgs.commodities(frame).set_index("commodity_id").loc[cid, "commodity"], lang
        ),
        "type": basis["type"],
        "year": year,
        "unit": basis["unit"],
        "world-total-usgs": basis["world_total"],
        "denominator": basis["denominator"],
        "other-countries-share": basis["other_share"],
        "n-suppliers": basis["n_suppliers"],
        "hhi": basis["hhi_lower"],
        "hhi-upper": basis["hhi_upper"],
        "top1": f"{top['country']} ({top['share']:.1%})" if top is not None else "–",
        "top3-share": float(listed["share"].iloc[:3].sum()),
        "hhi-wgi": hhi_wgi,
        "share-outside-like-minded": outside,
        "share-outside-unknown-others": other_share,
        "home-share": home_share,
        "home-rank": home_rank if home_rank is not None else "–",
        "official-lists": ", ".join(commodity_tags(ctx, cid)) or "–",
    }
    if listed.empty:
        for k in (
            "top3-share",
            "hhi-wgi",
            "share-outside-like-minded",
            "share-outside-unknown-others",
            "home-share",
        ):
            summary[k] = None
    trade = home_trade(store, ctx, home, year)
    ct = trade.by_commodity.get(cid) if trade is not None else None
    if trade is not None and ct is None:
        notes_trade = [f"No HS codes for {cid} in the commodity-HS concordance: trade not used."]
    else:
        notes_trade = []
    risk = None if listed.empty else commodity_risk(shares, home=home, wgi_0_10=ctx.wgi, trade=ct)
    summary.update(risk_summary(risk))
    notes = ["note-usgs-denominator", "note-hhi-bounds"]
    if listed.empty:
        notes.insert(0, "note-no-figures")
    notes += risk_notes(risk) + notes_trade
    if basis["excluded"]:
        notes.append(
            "Withheld / not available (excluded from shares): " + ", ".join(basis["excluded"])
        )
    if w_missing.any():
        notes.append("note-wgi-missing-median")
    if ctx.wgi_year is not None and ctx.wgi_year != year:
        notes.append(f"WGI {ctx.wgi_year} used for {year} (latest available).")
    return Report(
        title="title-production",
        title_args={"commodity": summary["commodity"], "year": year, "home": home},
        table=table,
        summary=summary,
        sources=[prov, *ctx.sources, *_trade_sources(ctx, trade, ct)],
        notes=notes,
    )


def _trade_sources(ctx, trade, ct) -> list:
    if trade is None or ct is None or ctx.concordance_prov is None:
        return []
    return [trade.provenance, ctx.concordance_prov]


@dataclass
class ProductionHistory:
    """World production of one commodity over the years the data has: one row per year
    (``by_year``) and the top producers' values and shares by year (``producers``, long)."""

    commodity_id: str
    years: list[int]
    by_year: Report
    producers: Report


def production_history(
    store: AnalyticStore,
    commodity: str,
    *,
    home: str = "JPN",
    type_: str | None = None,
    top: int = 5,
    lang: str = "en",
) -> ProductionHistory:
    """World total, top-1 country and share, HHI (bounds), home share and rank for every year
    of the USGS data (2023 and 2024, estimated, in MCS 2025), and the values and shares of the
    top producers in each year, with sources.

    Every year uses :func:`fukugan.data.usgs.production_shares` with the same TYPE (the
    commodity's primary TYPE unless ``type_``), so the denominator rule is the one of
    :func:`production_profile`: listed countries plus "Other countries". ``producers`` holds the
    union of each year's ``top`` producers and the home country when it is listed, ordered by
    their share in the latest year; a year where a producer has no figure (withheld, not
    listed) has ``value`` and ``share`` None.
    """
    frame, prov = require(store, USGS)
    cid = usgs.resolve_commodity(frame, commodity)
    typ = type_ if type_ is not None else usgs.primary_type(frame, cid)
    if typ not in set(frame.loc[frame["commodity_id"] == cid, "type"]):
        usgs.production_shares(frame, cid, _years(frame, cid)[0], type=typ)  # raises, listing TYPEs
    of_type = frame[(frame["commodity_id"] == cid) & (frame["type"] == typ)]
    years = sorted(int(y) for y in of_type["year"].unique())
    per_year = {y: usgs.production_shares(frame, cid, y, type=typ) for y in years}

    rows = []
    keep: dict[str, str] = {}  # key -> country name, in order of first appearance
    for y in years:
        shares = per_year[y]
        basis = shares.attrs["basis"]
        listed = _plain(shares)[shares["share"].notna()].reset_index(drop=True)
        home_idx = listed.index[listed["iso3"] == home]
        top1 = listed.iloc[0] if len(listed) else None
        rows.append(
            {
                "year": y,
                "unit": basis["unit"],
                "denominator": basis["denominator"],
                "world-total-usgs": basis["world_total"],
                "n-suppliers": basis["n_suppliers"],
                "hhi": basis["hhi_lower"],
                "hhi-upper": basis["hhi_upper"],
                "top1": top1["country"] if top1 is not None else None,
                "top1-share": float(top1["share"]) if top1 is not None else math.nan,
                "home-share": float(listed.loc[home_idx, "share"].sum())
                if len(listed)
                else math.nan,
                "home-rank": int(home_idx[0]) + 1 if len(home_idx) else None,
            }
        )
        for _, r in listed.iloc[:top].iterrows():
            keep.setdefault(_key(r), r["country"])
        for _, r in listed.loc[home_idx].iterrows():
            keep.setdefault(_key(r), r["country"])
    by_year = pd.DataFrame(rows)
    if not by_year.empty:
        by_year["home-rank"] = by_year["home-rank"].astype("Int64")

    prod_rows = []
    for y in years:
        shares = _plain(per_year[y])
        shares = shares.assign(
            _k=[_key(r) for _, r in shares.iterrows()],
            _rank=shares["share"].rank(ascending=False, method="min"),
        )
        by_key = shares.set_index("_k")
        for k, name in keep.items():
            r = by_key.loc[k] if k in by_key.index else None
            prod_rows.append(
                {
                    "year": y,
                    "country": name,
                    "iso3": k if len(k) == 3 and k.isupper() else "",
                    "value": float(r["value"]) if r is not None else math.nan,
                    "share": float(r["share"]) if r is not None else math.nan,
                    "rank": int(r["_rank"])
                    if r is not None and not math.isnan(r["_rank"])
                    else None,
                    "marker": (r["marker"] or "") if r is not None else "",
                }
            )
    producers = pd.DataFrame(
        prod_rows, columns=["year", "country", "iso3", "value", "share", "rank", "marker"]
    )
    producers["rank"] = producers["rank"].astype("Int64")
    if years:
        latest = producers[producers["year"] == years[-1]].set_index("country")["share"]
        order = {
            c: i
            for i, c in enumerate(
                latest.fillna(-1).sort_values(ascending=False, kind="stable").index
            )
        }
        producers = producers.sort_values(
            ["year", "country"],
            key=lambda s: s.map(order) if s.name == "country" else s,
            kind="stable",
        ).reset_index(drop=True)

    name = commodity_name(
        cid, usgs.commodities(frame).set_index("commodity_id").loc[cid, "commodity"], lang
    )
    units = sorted(set(by_year["unit"])) if not by_year.empty else []
    summary = {
        "commodity": name,
        "type": typ,
        "unit": ", ".join(units),
        "years": ", ".join(map(str, years)),
    }
    notes = ["note-usgs-denominator", "note-hhi-bounds", "note-history-estimates"]
    if len(units) > 1:
        notes.append("Units differ between years: values are not comparable across years.")
    title_args = {"commodity": name, "home": home}
    common = {"sources": [prov], "notes": notes, "title_args": title_args}
    return ProductionHistory(
        commodity_id=cid,
        years=years,
        by_year=Report(title="title-history", table=by_year, summary=summary, **common),
        producers=Report(
            title="title-history-producers", table=producers, summary=dict(summary), **common
        ),
    )


def _key(row: pd.Series) -> str:
    """A producer's identity across years: ISO3, else the (group) name."""
    iso = row.get("iso3")
    return str(iso) if isinstance(iso, str) and iso else str(row["country"])
