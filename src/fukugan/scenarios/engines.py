"""Engine adapters: scenario → engine inputs → :class:`~fukugan.scenarios.result.RunResult`.

Each engine has two steps, so that a Monte Carlo sweep resolves the data once and re-runs only
the numerics:

* ``prepare(scenario, store) -> Prepared``: read the data table, resolve every commodity,
  country, sector and region the scenario names (errors name the scenario's file, line and
  field), collect provenance. Picklable.
* ``simulate(prepared, scenario, seed) -> RunResult``: the numerics for one set of values.

Resolving a commodity shock on a national input-output table
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

Responses (static engine): ``substitution`` multiplies φ by (1 − fraction) (for one commodity,
for one using sector, or for all trade shocks); ``alternate_sourcing`` replaces up to
``max_share`` of the lost supply from ``start + lead_time_days``, ramping linearly over
``ramp_days``; ``stockpile_release`` then covers the remaining shortfall until the stock of
``days_of_cover`` days of the commodity's normal imports is used up; ``rationing`` distributes
each industry's shortfall among the using industries: ``proportional`` (default), ``small_first``
(the smallest users are served in full first, the shortfall falls on the largest) or
``priority`` (listed industries are served in full first).

Static engine (Miller & Blair 2009), quasi-static: each day's shock is propagated through the
static models of the national table (domestic flows, annual values / 365, so losses are in
million USD per day) by the functions of :mod:`fukugan.iomodels.shocks`:

* supply shocks (import cuts, outages, blackouts) give a direct output loss d at the shocked
  industries — for an import cut, with ``parameters.input_loss: value`` (default) the value of
  the missing imported input, with ``bottleneck`` (Leontief fixed proportions) the output share
  of the scarcest input; for outages d_j = δ_j x_j. ``supply_shock`` (Ghosh, supply-driven,
  M&B §12.1) propagates it forward: Δx′ = Δv′G with Δv = −d (imports are primary inputs of the
  domestic table), direct = d, indirect = d′BG, what the customers of the cut industries lose in
  turn. ``parameters.supply_propagation: both`` takes per industry the larger of that and the
  backward (Leontief) loss of the cut industries' suppliers, L A d — the rule of fukugan's first
  static engine, kept to reproduce its numbers (default ``forward``: Ghosh only). Direct +
  indirect is capped at the industry's output;
* demand shocks: ``demand_shock`` (Leontief, demand-driven, M&B §2.3): Δx = L Δy with Δy =
  change × the industry's domestic final demand; direct = −Δy, indirect = −(Δx − Δy);
* ``extraction`` shocks: ``extraction_shock`` (hypothetical extraction, M&B §12.2.5) of the
  named industries — ``total`` (rows, columns and final demand), ``backward`` (they buy no
  domestic inputs) or ``forward`` (they sell no inputs; Ghosh) — solved once; the day's loss
  is the extraction's loss × intensity(t) / 365 (direct: at the extracted industries);
* ``price_change`` on a trade shock: ``import_price_shock`` (Leontief price model, M&B §2.6):
  the import price of the product's IO industry rises by Δp_m = price_change × supplier_share ×
  sector_share (sanctions: × import_share, on every product) × intensity(t), and domestic
  prices by Δp′ = Δp_m′ A_imp L; the run's metric ``price_change`` (relative, by industry and
  day; direct = Δp_m′A_imp, the unit-cost increase, indirect = passed on through domestic
  inputs). Responses do not change it.

Regions on a national table: a region's output share by industry is given in the scenario
(``regions:``, with its source); an outage or blackout of the region takes δ_j = δ × share_j.

Paths (static): for each shock, step 1 = the industries it hits directly (weight: their direct
loss over the horizon); steps 2 and 3 = the tier-1 and tier-2 transmissions of
:meth:`~fukugan.iomodels.shocks.ShockResult.paths` over the horizon (the models are linear in
the impulse) — Ghosh forward links for supply shocks, Leontief backward links for demand shocks,
the extraction's own channel — with ``via`` the industries in between.

ARIO engine (:mod:`fukugan.dynamics.ario`): the national table as one region; outages and
blackouts destroy productive capital (BoARIO ``EventKapitalRecover``) and recover along
BoARIO's recovery functions. The ARIO core follows BoARIO 0.7.2, which has no final-demand
shock and no import-cut event: demand shocks, trade shocks and extractions are refused with
their line (run them with the static engine).

Firms engine (:mod:`fukugan.dynamics.firms`): a SYNTHETIC network (``synthetic_network``, its
provenance says so) or a user's edge list (:func:`fukugan.data.firm_edges.read_firm_edges`, with
an optional firm table for sectors and regions); outages and blackouts of firms (``firm`` /
``facility`` = a firm id), sectors or regions of the network, with δ_i(t) = δ × intensity(t)
(the scenario's full time profile: start, ramp, duration, recovery); rationing proportional or
small_first.

Exposure engine (:mod:`fukugan.exposure`, Simchi-Levi et al. 2014, 2015): a multi-tier BOM
network (``data.bom``: the bundled ``example: automotive``, a directory, or the CSV files); each
``outage`` of a node (``facility:`` or ``firm:``, ``delta: 1``) is one time-to-recover LP and one
time-to-survive LP (HiGHS) with the node down for TTR = ``duration`` + ``recovery.days`` days
(else the node's ``ttr`` in nodes.csv), converted to network periods by
``parameters.period_days``; its lost profit (by end product: direct at the node's own product,
indirect elsewhere) is recorded on the day the node is back. ``parameters.risk_exposure: true``
adds the REI table of every node (summary ``risk_exposure``). Parameters: ``period_days``
(default 1), ``objective`` (profit | units | revenue), ``inventory_lost``, ``risk_exposure``,
``net_of_baseline``.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fukugan.data.provenance import Provenance
from fukugan.errors import FukuganError, UnknownItemError
from fukugan.exposure.lp import quiet_highs
from fukugan.scenarios.result import PATHS_COLUMNS, TIMESERIES_COLUMNS, RunResult
from fukugan.scenarios.schema import Scenario, intensity
from fukugan.store.analytic import AnalyticStore

__all__ = [
    "COMMODITY_SECTOR",
    "HS_CHAPTER_SECTOR",
    "STAGE_SECTOR",
    "EngineNotAvailable",
    "Prepared",
    "prepare",
    "simulate",
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

#: Static-engine parameters and their values (the first is the default).
STATIC_PARAMETERS = {
    "input_loss": ("value", "bottleneck"),
    "supply_propagation": ("forward", "both"),
}

DAYS_PER_YEAR = 365.0


class EngineNotAvailable(FukuganError):
    """The engine's module has not landed in this build."""


@dataclass
class Prepared:
    """Engine inputs resolved from the data (picklable, shared by Monte Carlo samples)."""

    engine: str
    arrays: dict[str, Any]
    resolved: list[dict[str, Any]]
    sources: list[Provenance]
    notes: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)


# -- dispatch ---------------------------------------------------------------------------------


def prepare(scenario: Scenario, store: AnalyticStore, engine: str | None = None) -> Prepared:
    """Resolve the scenario against the data for ``engine`` (default: the scenario's)."""
    eng = engine or scenario.engine
    if eng == "static":
        return _prepare_static(scenario, store)
    return _other_engine(eng, "prepare")(scenario, store)


def simulate(prepared: Prepared, scenario: Scenario, seed: int | None = None) -> RunResult:
    """Run the prepared engine with the scenario's values (Monte Carlo varies them)."""
    seed = scenario.seed if seed is None else int(seed)
    if prepared.engine == "static":
        return _simulate_static(prepared, scenario, seed)
    return _other_engine(prepared.engine, "simulate")(prepared, scenario, seed)


#: The module each dynamic engine needs, and the function it must define.
_ENGINE_MODULES = {
    "ario": ("fukugan.dynamics.ario", "simulate_ario"),
    "firms": ("fukugan.dynamics.firms", "simulate_firms"),
    "exposure": ("fukugan.exposure.lp", "risk_exposure"),
}


def _other_engine(eng: str, step: str):
    mod_name, fn = _ENGINE_MODULES[eng]
    try:
        mod = importlib.import_module(mod_name)
    except ImportError:
        mod = None
    if mod is None or not hasattr(mod, fn):
        raise EngineNotAvailable(
            f"engine {eng!r} is not available yet in this build ({mod_name}.{fn} has not "
            "landed); use --engine static"
        )
    adapter = globals().get(f"_{step}_{eng}")
    if adapter is None:
        raise EngineNotAvailable(
            f"engine {eng!r}: {mod_name} is present but its scenario adapter is not wired yet; "
            "use --engine static"
        )
    return adapter


# -- data resolution (shared) ------------------------------------------------------------------


def _usgs(store: AnalyticStore) -> tuple[pd.DataFrame, Provenance]:
    from fukugan.services.datasets import USGS, require

    return require(store, USGS)


def _concordance(store: AnalyticStore) -> tuple[pd.DataFrame, Provenance]:
    from fukugan.services.context import _concordance as conc

    return conc(store)


def _trade(store: AnalyticStore, sc: Scenario):
    """Home's trade by commodity (or None without trade data) and its provenance."""
    from fukugan.services.context import home_trade, load_context
    from fukugan.services.datasets import TRADE

    if not store.has(TRADE):
        return None
    ctx = load_context(store, int(sc.doc["data"].get("trade_year", 2022)))
    return home_trade(store, ctx, sc.home, int(sc.doc["data"].get("trade_year", 2022)))


def _resolve_commodity(sc: Scenario, where: tuple, name: str, frame: pd.DataFrame) -> str:
    from fukugan.data.usgs import resolve_commodity

    try:
        return resolve_commodity(frame, name)
    except UnknownItemError as e:
        raise sc.error(str(e), where) from None


def _resolve_trade_shock(
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
        cache["usgs"] = _usgs(store)
        cache["conc"] = _concordance(store)
        cache["trade"] = _trade(store, sc)
    frame, usgs_prov = cache["usgs"]
    conc, conc_prov = cache["conc"]
    trade = cache["trade"]
    country = shock["country"]
    out: dict[str, Any] = {"index": i, "type": shock["type"], "country": country, "notes": []}
    cid: str | None = None
    if "commodity" in shock:
        cid = _resolve_commodity(sc, (*where, "commodity"), shock["commodity"], frame)
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
        out["sector_rule"] = "given in the scenario"
    elif cid is None:
        hs = shock["hs"]
        sec = HS4_SECTOR.get(hs[:4]) or HS_CHAPTER_SECTOR.get(int(hs[:2]))
        if sec is None:
            raise sc.error(f"HS chapter {hs[:2]} is not a goods chapter", (*where, "hs"))
        sectors = {sec: 1.0}
        out["sector_rule"] = f"HS chapter {hs[:2]} → {sec} (indicative chapter table)"
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
        else:
            sectors = {}
        if not sectors:
            first = codes.iloc[0]
            sectors = {sector_of(first["stage"]): 1.0}
            others = sorted({sector_of(s) for s in codes["stage"]} - set(sectors))
            out["sector_rule"] = (
                f"stage {first['stage']} of HS {first['hs_code']} → {next(iter(sectors))}"
            )
            if others:
                out["notes"].append(
                    f"{cid}: other traded forms belong to {', '.join(others)}; "
                    "set 'sector' to choose"
                )
    for s in sectors:
        if s not in industries:
            raise sc.error(f"industry {s} is not in the table", (*where, "sector"))
    out["sectors"] = sectors
    # 3: supplier share
    if "supplier_share" in shock:
        out["supplier_share"] = float(shock["supplier_share"])
        out["supplier_share_source"] = "given in the scenario"
    else:
        ct = trade.by_commodity.get(cid) if (trade is not None and cid) else None
        if ct is not None and ct.has_imports:
            imp = ct.imports_usd
            out["supplier_share"] = float(imp.get(country, 0.0) / imp.sum())
            out["supplier_share_source"] = (
                f"{country}'s share of {sc.home}'s imports of {cid} ({trade.year}, trade data)"
            )
        elif cid is not None:
            from fukugan.data.usgs import production_shares

            year = int(sc.doc["data"].get("usgs_year", 2024))
            shares = production_shares(frame, cid, year)
            row = shares[shares["iso3"] == country]
            basis = shares.attrs["basis"]
            if row.empty:
                out["supplier_share"] = 0.0
                out["notes"].append(
                    f"{country} is not listed as a producer of {cid} in USGS MCS 2025 ({year}): "
                    "share 0"
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
        out["sector_share_source"] = "given in the scenario"
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
    if cid is not None:
        cache.setdefault("sources", {})["conc"] = conc_prov
    out["label"] = f"{country} {shock['type']} {cid or shock.get('hs')}"
    return out


def _home_import_rows(store: AnalyticStore, sc: Scenario) -> pd.DataFrame:
    from fukugan.services.context import trade_year
    from fukugan.services.datasets import TRADE

    tr, _, _ = trade_year(store.read(TRADE), int(sc.doc["data"].get("trade_year", 2022)))
    tr = tr[tr["importer"].astype(str) == sc.home]
    return pd.DataFrame({"hs6": tr["hs6"].astype(str), "value_usd": tr["value_usd"].astype(float)})


def _resolve_sanctions(sc: Scenario, i: int, shock: dict, store: AnalyticStore, cache) -> dict:
    where = ("shocks", i)
    out = {"index": i, "type": "sanctions", "country": shock["country"], "notes": []}
    if "import_share" in shock:
        out["import_share"] = float(shock["import_share"])
        out["import_share_source"] = "given in the scenario"
    else:
        from fukugan.services.datasets import TRADE

        if not store.has(TRADE):
            raise sc.error(
                "sanctions need 'import_share' (the country's share of home's imports) when no "
                "trade data is loaded",
                where,
            )
        tr = cache.setdefault("trade_rows", _home_import_rows(store, sc))
        full = store.read(TRADE)
        full = full[full["importer"].astype(str) == sc.home]
        tot = float(full["value_usd"].sum())
        mine = float(full.loc[full["exporter"].astype(str) == shock["country"], "value_usd"].sum())
        out["import_share"] = mine / tot if tot > 0 else 0.0
        out["import_share_source"] = "share of home's imports, all products (trade data)"
        del tr
    out["label"] = f"sanctions on {shock['country']}"
    return out


def _region_shares(sc: Scenario, name: str, industries: tuple[str, ...]) -> np.ndarray:
    reg = sc.doc["regions"][name]
    share = reg["share"]
    if isinstance(share, dict):
        for k in share:
            if k not in industries:
                raise sc.error(f"unknown industry {k!r}", ("regions", name, "share", k))
        default = float(reg.get("default_share", 0.0))
        return np.array([float(share.get(s, default)) for s in industries])
    return np.full(len(industries), float(share))


def _check_sector(sc: Scenario, where: tuple, code: str, industries: tuple[str, ...]) -> int:
    if code not in industries:
        import difflib

        close = difflib.get_close_matches(code, industries, n=3, cutoff=0.5)
        hint = f"; close: {', '.join(close)}" if close else ""
        raise sc.error(f"unknown industry {code!r} in this table{hint}", where)
    return industries.index(code)


# -- static engine -------------------------------------------------------------------------------


def _prepare_static(sc: Scenario, store: AnalyticStore) -> Prepared:
    """Resolve a scenario on a national OECD table for the static engine (module doc)."""
    from fukugan.errors import InputError, NotLoadedError
    from fukugan.iomodels import GhoshModel, LeontiefModel
    from fukugan.iomodels.ghosh import allocation_coefficients
    from fukugan.iomodels.leontief import technical_coefficients
    from fukugan.iomodels.shocks import extraction_shock
    from fukugan.services.io import load_table

    data = sc.doc["data"]
    if "oecd_iot" not in data:
        raise sc.error(
            "the static engine runs on an OECD national table: give data.oecd_iot {country, year}",
            ("data",),
        )
    for k, v in sc.doc["parameters"].items():
        if k not in STATIC_PARAMETERS:
            raise sc.error(
                f"unknown static-engine parameter {k!r}; known: {', '.join(STATIC_PARAMETERS)}",
                ("parameters", k),
            )
        if v not in STATIC_PARAMETERS[k]:
            raise sc.error(
                f"{k} must be one of {', '.join(STATIC_PARAMETERS[k])}", ("parameters", k)
            )
    country, year = data["oecd_iot"]["country"], int(data["oecd_iot"]["year"])
    try:
        t = load_table(store, country, year)
    except (UnknownItemError, NotLoadedError) as e:
        raise sc.error(str(e), ("data", "oecd_iot")) from None
    ind = t.industries
    n = len(ind)
    x = np.asarray(t.x, dtype=float)
    Z_dom = np.asarray(t.Z_dom, dtype=float)
    Z_imp = np.asarray(t.Z_imp, dtype=float)
    A = technical_coefficients(Z_dom, x, industries=ind)
    B = allocation_coefficients(Z_dom, x, industries=ind)
    leo = LeontiefModel(A, industries=ind)
    gho = GhoshModel(B, industries=ind)
    y_fd = np.asarray(t.Y_dom, dtype=float).sum(axis=1)  # domestic final demand (all uses)
    y_total = x - Z_dom.sum(axis=1)  # final uses of domestic output: L y_total = x
    v_total = x - Z_dom.sum(axis=0)  # primary inputs (value added + imports): v′G = x
    with np.errstate(divide="ignore", invalid="ignore"):
        A_imp = np.where(x[None, :] > 0, Z_imp / x[None, :], 0.0)
    sources = [t.provenance]
    cache: dict[str, Any] = {}
    resolved: list[dict[str, Any]] = []
    for i, s in enumerate(sc.doc["shocks"]):
        where = ("shocks", i)
        kind = s["type"]
        if kind in ("export_ban", "quota"):
            resolved.append(_resolve_trade_shock(sc, i, s, ind, t.imports, store, cache))
        elif kind == "sanctions":
            resolved.append(_resolve_sanctions(sc, i, s, store, cache))
        elif kind in ("outage", "blackout"):
            if "firm" in s or "facility" in s:
                what = "firm" if "firm" in s else "facility"
                raise sc.error(
                    f"an outage of a {what} needs the firms or exposure engine, not static",
                    (*where, what),
                )
            if "sector" in s:
                j = _check_sector(sc, (*where, "sector"), s["sector"], ind)
                share = np.zeros(n)
                share[j] = 1.0
                label = f"outage {s['sector']}"
            else:
                share = _region_shares(sc, s["region"], ind)
                label = f"{kind} {s['region']}"
            if kind == "blackout" and "sectors" in s:
                keep = np.zeros(n)
                for k, code in enumerate(s["sectors"]):
                    keep[_check_sector(sc, (*where, "sectors", k), code, ind)] = 1.0
                share = share * keep
            resolved.append({"index": i, "type": kind, "share": share, "label": label})
        elif kind == "demand_shock":
            j = _check_sector(sc, (*where, "sector"), s["sector"], ind)
            if not y_fd[j] > 0:
                raise sc.error(
                    f"{s['sector']} has no positive final demand in this table "
                    f"({y_fd[j]:g} million USD): a relative demand shock has nothing to scale",
                    (*where, "sector"),
                )
            resolved.append(
                {"index": i, "type": kind, "sector_index": j, "label": f"demand {s['sector']}"}
            )
        elif kind == "extraction":
            codes = [s["sector"]] if "sector" in s else list(s["sectors"])
            keys = (
                [(*where, "sector")]
                if "sector" in s
                else [(*where, "sectors", k) for k in range(len(codes))]
            )
            idx = [_check_sector(sc, key, c, ind) for key, c in zip(keys, codes, strict=True)]
            try:
                r = extraction_shock(
                    A, y_total, idx, mode=s["mode"], B=B, v=v_total, industries=ind
                )
            except InputError as e:
                raise sc.error(e.message, (*where, "mode")) from None
            resolved.append(
                {
                    "index": i,
                    "type": kind,
                    "result": r,
                    "label": f"extraction {'+'.join(codes)} ({s['mode']})",
                }
            )
    for i, r in enumerate(sc.doc["responses"]):
        where = ("responses", i)
        if r.get("sector"):
            _check_sector(sc, (*where, "sector"), r["sector"], ind)
        for k, code in enumerate(r.get("priority", []) or []):
            _check_sector(sc, (*where, "priority", k), code, ind)
        if r.get("commodity"):
            if "usgs" not in cache:
                cache["usgs"] = _usgs(store)
            cid = _resolve_commodity(sc, (*where, "commodity"), r["commodity"], cache["usgs"][0])
            if not any(x.get("commodity") == cid for x in resolved):
                raise sc.error(
                    f"no export_ban or quota on {cid} in the scenario for this response",
                    (*where, "commodity"),
                )
            r_res = cache.setdefault("response_commodity", {})
            r_res[i] = cid
    sources += list(cache.get("sources", {}).values())
    if cache.get("trade") is not None:
        sources.append(cache["trade"].provenance)
    notes = [n for r in resolved for n in r.get("notes", [])]
    params = {"input_loss": "value", "supply_propagation": "forward", **sc.doc["parameters"]}
    arrays = {
        "industries": ind,
        "x": x,
        "y": y_fd,
        "Z_imp": Z_imp,
        "A_imp": A_imp,
        "A": A,
        "B": B,
        "leontief": leo,
        "ghosh": gho,
        "response_commodity": cache.get("response_commodity", {}),
        "table": f"OECD IOT {country} {year}",
    }
    return Prepared("static", arrays, resolved, sources, notes, params)


def _allocate_shortfall(
    demand: np.ndarray, phi: np.ndarray, rule: str, priority: np.ndarray | None
) -> np.ndarray:
    """Shortfall of each user (T × n) when supply Σd falls by fraction φ(t), under ``rule``.

    >>> d = np.array([1.0, 3.0])
    >>> _allocate_shortfall(d, np.array([0.5]), "proportional", None).tolist()
    [[0.5, 1.5]]
    >>> _allocate_shortfall(d, np.array([0.5]), "small_first", None).tolist()
    [[0.0, 2.0]]
    >>> _allocate_shortfall(d, np.array([0.5]), "priority", np.array([False, True])).tolist()
    [[1.0, 1.0]]
    """
    if rule == "proportional":
        return phi[:, None] * demand[None, :]
    if rule == "small_first":
        order = np.argsort(demand, kind="stable")
    else:  # priority first, then the others in proportion... served by size within each group
        pr = priority if priority is not None else np.zeros(len(demand), dtype=bool)
        order = np.lexsort((demand, ~pr))  # priority users first
    d_sorted = demand[order]
    avail = (1.0 - phi)[:, None] * demand.sum()
    before = np.concatenate([[0.0], np.cumsum(d_sorted)[:-1]])
    served = np.clip(avail - before[None, :], 0.0, d_sorted[None, :])
    short_sorted = d_sorted[None, :] - served
    out = np.empty_like(short_sorted)
    out[:, order] = short_sorted
    return out


def _response_factor(
    sc: Scenario, prep: Prepared, shock_res: dict, T: int, intens: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """(factor on φ(t) from substitution and alternate sourcing, stock in days or None)."""
    cid = shock_res.get("commodity")
    rc = prep.arrays["response_commodity"]
    factor = np.ones(T)
    stock = None
    shock = sc.doc["shocks"][shock_res["index"]]
    start = float(shock.get("start", 0))
    t = np.arange(T, dtype=float)
    for i, r in enumerate(sc.doc["responses"]):
        if r["type"] == "rationing" or r.get("sector"):
            continue
        if r.get("commodity") and rc.get(i) != cid:
            continue
        if r["type"] == "substitution":
            factor = factor * (1.0 - float(r["fraction"]))
        elif r["type"] == "alternate_sourcing":
            begin = start + float(r.get("start", 0)) + float(r["lead_time_days"])
            ramp = float(r.get("ramp_days", 0))
            prog = (
                (t >= begin).astype(float) if ramp <= 0 else np.clip((t - begin + 1) / ramp, 0, 1)
            )
            factor = factor * (1.0 - float(r["max_share"]) * prog)
        elif r["type"] == "stockpile_release":
            stock = (stock or 0.0) + float(r["days_of_cover"])
    return factor, stock


def _draw_stock(short: np.ndarray, stock: float) -> np.ndarray:
    """Shortfall left after a stock of ``stock`` days of normal supply covers it, in order.

    >>> _draw_stock(np.array([0.5, 0.5, 0.5]), 0.75).tolist()
    [0.0, 0.25, 0.5]
    """
    cum = np.cumsum(short)
    covered = np.minimum(cum, stock)
    draw = np.diff(np.concatenate([[0.0], covered]))
    return short - draw


def _simulate_static(prep: Prepared, sc: Scenario, seed: int) -> RunResult:
    """The static engine's numerics (module doc): daily impulses → :mod:`~fukugan.iomodels.shocks`."""
    from fukugan.iomodels.shocks import demand_shock, import_price_shock, supply_shock

    a = prep.arrays
    ind: tuple[str, ...] = a["industries"]
    n = len(ind)
    T = sc.horizon
    x = a["x"] / DAYS_PER_YEAR
    y = a["y"] / DAYS_PER_YEAR
    Z_imp = a["Z_imp"] / DAYS_PER_YEAR
    A = a["A"]
    leo, gho = a["leontief"], a["ghosh"]
    rationing = next((r for r in sc.doc["responses"] if r["type"] == "rationing"), None)
    rule = rationing["rule"] if rationing else "proportional"
    prio = None
    if rationing and rationing["rule"] == "priority":
        prio = np.isin(np.array(ind), rationing["priority"])
    sector_subst = np.ones(n)
    for r in sc.doc["responses"]:
        if r["type"] == "substitution" and r.get("sector"):
            sector_subst[ind.index(r["sector"])] *= 1.0 - float(r["fraction"])
    bottleneck = prep.parameters.get("input_loss") == "bottleneck"
    both = prep.parameters.get("supply_propagation") == "both"

    supply_direct = np.zeros((T, n))  # direct output loss from supply shocks
    demand_dy = np.zeros((T, n))  # change in final demand
    ext_direct = np.zeros((T, n))  # extraction: loss at the extracted industries
    ext_indirect = np.zeros((T, n))  # extraction: loss elsewhere
    price_direct = np.zeros((T, n))  # import-price cost push: direct unit-cost increase
    price_indirect = np.zeros((T, n))  # ... passed on through domestic inputs
    # per shock: (label, kind, impulse summed over the horizon or ShockResult, scale)
    per_shock: list[tuple[str, str, Any, float]] = []
    phi_by_sector = np.zeros((T, n))  # fraction of each industry's imported supply lost
    trade_shortfall = np.zeros((T, n, n)) if bottleneck else None
    for res in prep.resolved:
        shock = sc.doc["shocks"][res["index"]]
        intens = intensity(shock, T)
        kind = res["type"]
        if kind in ("export_ban", "quota", "sanctions"):
            dp_import = np.zeros(n)  # relative import-price change by IO product
            pc = float(shock.get("price_change", 0.0))
            if kind == "sanctions":
                share = float(shock.get("import_share", res["import_share"]))
                depth = float(shock["cut"]) * share
                weights = {s: 1.0 for s in ind}
                factor, stock = np.ones(T), None
                dp_import[:] = pc * share
            else:
                sup = float(shock.get("supplier_share", res["supplier_share"]))
                depth = float(shock["cut"]) * sup
                weights = {
                    s: w * float(shock.get("sector_share", res["sector_share"]))
                    for s, w in res["sectors"].items()
                }
                factor, stock = _response_factor(sc, prep, res, T, intens)
                for s, w in weights.items():
                    dp_import[ind.index(s)] += pc * sup * w
            # g(t): shortfall as a fraction of the commodity's normal imports
            g = depth * intens * factor
            if stock is not None and stock > 0:
                g = _draw_stock(g, stock)
            direct_k = np.zeros((T, n))
            for s, w in weights.items():
                k = ind.index(s)
                phi = np.clip(g * w, 0.0, 1.0)
                phi_by_sector[:, k] += phi
                short = _allocate_shortfall(Z_imp[k], phi, rule, prio) * sector_subst[None, :]
                if bottleneck:
                    trade_shortfall[:, k, :] += short
                direct_k += short
            if not bottleneck:
                supply_direct += direct_k
            per_shock.append((res["label"], "supply", direct_k.sum(axis=0), 1.0))
            if pc != 0.0:
                r = import_price_shock(leo, a["A_imp"], dp_import, industries=ind)
                price_direct += intens[:, None] * r.direct[None, :]
                price_indirect += intens[:, None] * r.indirect[None, :]
        elif kind in ("outage", "blackout"):
            depth = float(shock["delta"] if kind == "outage" else shock["depth"])
            direct_k = (depth * intens)[:, None] * (res["share"] * x)[None, :]
            supply_direct += direct_k
            per_shock.append((res["label"], "supply", direct_k.sum(axis=0), 1.0))
        elif kind == "demand_shock":
            j = res["sector_index"]
            dy = np.zeros((T, n))
            dy[:, j] = float(shock["change"]) * intens * y[j]
            demand_dy += dy
            per_shock.append((res["label"], "demand", dy.sum(axis=0), 1.0))
        elif kind == "extraction":
            r = res["result"]  # yearly values of the full extraction
            scale = intens / DAYS_PER_YEAR
            ext_direct += scale[:, None] * (-r.direct)[None, :]
            ext_indirect += scale[:, None] * (-r.indirect)[None, :]
            per_shock.append((res["label"], "extraction", r, float(scale.sum())))
    if bottleneck:
        supply_direct += _bottleneck(trade_shortfall, Z_imp, x)
    supply_direct = np.minimum(supply_direct, x[None, :])

    # quasi-static: each day's impulse through the static models of iomodels.shocks
    indirect_supply = np.zeros((T, n))
    indirect_demand = np.zeros((T, n))
    for t in range(T):
        d = supply_direct[t]
        if d.any():
            # Ghosh (supply-driven): Δx′ = Δv′G with Δv = −d, the output each industry
            # cannot supply; indirect = what its customers lose in turn (d′BG)
            fwd = -supply_shock(gho, x, -d, industries=ind).indirect
            # "both": or the Leontief backward loss of its suppliers (L A d), if larger
            indirect_supply[t] = np.maximum(fwd, leo.output(A @ d)) if both else fwd
        if demand_dy[t].any():
            indirect_demand[t] = -demand_shock(leo, y, demand_dy[t], industries=ind).indirect
    # supply side (import cuts, outages, extraction) capped at each industry's daily output
    direct_supply = np.minimum(supply_direct + ext_direct, x[None, :])
    total_supply = np.minimum(
        supply_direct + indirect_supply + ext_direct + ext_indirect, x[None, :]
    )
    direct = direct_supply - demand_dy
    indirect = (total_supply - direct_supply) + indirect_demand

    has_price = bool(price_direct.any() or price_indirect.any())
    ts = _timeseries(
        ind, x, direct, indirect, (price_direct, price_indirect) if has_price else None
    )
    paths = _static_paths(per_shock, leo, gho, ind, x, y, T)
    by_sector = (direct + indirect).sum(axis=0)
    order = np.argsort(-by_sector, kind="stable")
    summary: dict[str, Any] = {
        "table": a["table"],
        "n_days": T,
        "resolved_shocks": [_public(r) for r in prep.resolved],
        "notes": list(prep.notes),
        "top_sectors": [
            {"unit": ind[j], "loss": float(by_sector[j])} for j in order[:10] if by_sector[j] != 0
        ],
        "import_cut_peak": {
            ind[k]: float(phi_by_sector[:, k].max())
            for k in range(n)
            if phi_by_sector[:, k].max() > 0
        },
    }
    if has_price:
        peak = (price_direct + price_indirect).max(axis=0)
        top = np.argsort(-peak, kind="stable")[:10]
        summary["price_change_peak"] = {ind[j]: float(peak[j]) for j in top if peak[j] > 0}
    return RunResult(
        engine="static",
        scenario=sc.doc,
        parameters={**prep.parameters, "rationing": rule, "days_per_year": DAYS_PER_YEAR},
        timeseries=ts,
        paths=paths,
        summary=summary,
        sources=list(prep.sources),
        seed=seed,
        unit="million USD per day",
    )


def _bottleneck(shortfall: np.ndarray, Z_imp: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Leontief fixed proportions: output falls by the largest input-shortfall share."""
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(Z_imp[None, :, :] > 0, shortfall / Z_imp[None, :, :], 0.0)
    return frac.max(axis=1) * x[None, :]


def _public(r: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in r.items() if k != "notes"
    }


def _timeseries(
    ind: tuple[str, ...],
    x: np.ndarray,
    direct: np.ndarray,
    indirect: np.ndarray,
    price: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Long timeseries: baseline output at t=0; direct and indirect loss for t=1..T; with
    ``price`` (direct, indirect), metric "price_change" (relative, 0.01 = +1 %) for t=1..T."""
    T, n = direct.shape
    days = np.repeat(np.arange(1, T + 1), n)
    units = np.tile(np.array(ind, dtype=object), T)
    parts = [
        pd.DataFrame(
            {
                "t": np.zeros(n, dtype=np.int64),
                "unit_kind": "sector",
                "unit": list(ind),
                "region": "",
                "metric": "output",
                "component": "total",
                "value": x,
            }
        )
    ]
    blocks = [("loss", "direct", direct), ("loss", "indirect", indirect)]
    if price is not None:
        blocks += [("price_change", "direct", price[0]), ("price_change", "indirect", price[1])]
    for metric, comp, arr in blocks:
        parts.append(
            pd.DataFrame(
                {
                    "t": days.astype(np.int64),
                    "unit_kind": "sector",
                    "unit": units,
                    "region": "",
                    "metric": metric,
                    "component": comp,
                    "value": arr.reshape(-1),
                }
            )
        )
    tot = (direct + indirect).sum(axis=1)
    parts.append(
        pd.DataFrame(
            {
                "t": np.arange(1, T + 1, dtype=np.int64),
                "unit_kind": "total",
                "unit": "all",
                "region": "",
                "metric": "loss",
                "component": "total",
                "value": tot,
            }
        )
    )
    df = pd.concat(parts, ignore_index=True)
    return df.loc[:, list(TIMESERIES_COLUMNS)]


def _static_paths(
    per_shock: list[tuple[str, str, Any, float]],
    leo: Any,
    gho: Any,
    ind: tuple[str, ...],
    x: np.ndarray,
    y: np.ndarray,
    T: int,
    *,
    top: int = 50,
    per: int = 20,
) -> pd.DataFrame:
    """Paths of each shock over the horizon (losses summed over the days, the models being
    linear): step 1 = shock → the industries it hits directly (their direct loss), steps 2 and 3
    = the tier-1 and tier-2 transmissions of :meth:`ShockResult.paths` (Ghosh forward for supply
    shocks, Leontief backward for demand shocks, the extraction's own channel), ``via`` = the
    industries in between."""
    from fukugan.iomodels.shocks import demand_shock, supply_shock

    rows: list[tuple[str, str, int, float, str]] = []
    for label, kind, item, scale in per_shock:
        if kind == "supply":
            imp = np.clip(item, 0.0, x * T)
            if not imp.any():
                continue
            r = supply_shock(gho, x * T, -imp, industries=ind)
        elif kind == "demand":
            if not item.any():
                continue
            r = demand_shock(leo, y * T, item, industries=ind)
        else:
            r = item
        if scale == 0.0:
            continue
        loss = -r.direct * scale
        for j in np.flatnonzero(loss):
            rows.append((label, ind[j], 1, float(loss[j]), ""))
        for p in r.paths(per).itertuples(index=False):
            via = p.source if not p.via else f"{p.source};{p.via}"
            rows.append((label, p.target, int(p.step) + 1, float(p.weight) * scale, via))
    df = pd.DataFrame(rows, columns=list(PATHS_COLUMNS))
    if df.empty:
        return df.astype({"step": "int64", "weight": "float64"})
    df = df.sort_values(["weight", "step", "target"], ascending=[False, True, True], kind="stable")
    return df.head(top).reset_index(drop=True).astype({"step": "int64"})


# -- ARIO engine (fukugan.dynamics.ario) ---------------------------------------------------------

#: scenario recovery path → BoARIO recovery function ("exponential": BoARIO's "convexe noscale"
#: K₀(1 − 1/τ)^e with τ chosen so that 1 % of the loss is left after ``recovery.days``; "step":
#: full loss for ``duration + days``, then a one-day linear recovery)
_ARIO_RECOVERY = {"linear": "linear", "exponential": "convexe noscale"}
ARIO_PARAMETERS = (
    "alpha_max",
    "alpha_tau",
    "main_inv_dur",
    "psi_param",
    "inventory_restoration_tau",
    "productive_capital_to_VA",
    "order_type",
)


#: Why an engine cannot represent a kind of shock (added to the error message).
_WHY_NOT = {
    ("ario", "demand_shock"): "the ARIO core (BoARIO 0.7.2's formulation) has no final-demand "
    "shock event, only destruction of productive capital",
    ("ario", "export_ban"): "the ARIO core has no import-cut event (the national table is one "
    "closed region)",
    ("ario", "extraction"): "hypothetical extraction is a static comparison",
    ("firms", "demand_shock"): "the firm model's final demand is fixed",
    ("firms", "extraction"): "hypothetical extraction is a static comparison",
}
_WHY_NOT[("ario", "quota")] = _WHY_NOT[("ario", "sanctions")] = _WHY_NOT[("ario", "export_ban")]


def _unsupported(sc: Scenario, eng: str, kinds: tuple[str, ...], what: str) -> None:
    """Refuse shocks / responses an engine cannot represent, naming their line."""
    for i, s in enumerate(sc.doc[what]):
        if s["type"] not in kinds:
            why = _WHY_NOT.get((eng, s["type"]))
            raise sc.error(
                f"the {eng} engine does not represent a {s['type']} (it takes "
                f"{', '.join(kinds)}{'; ' + why if why else ''}); run this scenario with "
                f"--engine static",
                (what, i, "type"),
            )


def _prepare_ario(sc: Scenario, store: AnalyticStore) -> Prepared:
    """National OECD table as a one-region ARIO system; outages / blackouts destroy capital
    δ_j · K_j (K = ``productive_capital_to_VA`` × VA, VA = x − 1′Z_dom ≥ 0, as BoARIO)."""
    from fukugan.dynamics.ario import ARIOParams
    from fukugan.errors import NotLoadedError
    from fukugan.services.io import load_table

    data = sc.doc["data"]
    if "oecd_iot" not in data:
        raise sc.error("the ario adapter runs on data.oecd_iot {country, year}", ("data",))
    _unsupported(sc, "ario", ("outage", "blackout"), "shocks")
    for i, s in enumerate(sc.doc["shocks"]):
        if s.get("ramp", 0):
            raise sc.error(
                "the ario engine destroys capital at once (BoARIO events have no ramp): "
                "remove 'ramp'",
                ("shocks", i, "ramp"),
            )
    for i, r in enumerate(sc.doc["responses"]):
        if r["type"] != "rationing" or r["rule"] != "proportional":
            raise sc.error(
                "the ario engine rations proportionally and has no other responses; "
                "run this scenario with --engine static",
                ("responses", i, "type"),
            )
    for k in sc.doc["parameters"]:
        if k not in ARIO_PARAMETERS:
            raise sc.error(
                f"unknown ario parameter {k!r}; known: {', '.join(ARIO_PARAMETERS)}",
                ("parameters", k),
            )
    country, year = data["oecd_iot"]["country"], int(data["oecd_iot"]["year"])
    try:
        t = load_table(store, country, year)
    except (UnknownItemError, NotLoadedError) as e:
        raise sc.error(str(e), ("data", "oecd_iot")) from None
    ind = t.industries
    resolved = []
    for i, s in enumerate(sc.doc["shocks"]):
        where = ("shocks", i)
        if "firm" in s or "facility" in s:
            raise sc.error("the ario engine works on sectors and regions", where)
        if "sector" in s:
            share = np.zeros(len(ind))
            share[_check_sector(sc, (*where, "sector"), s["sector"], ind)] = 1.0
        else:
            share = _region_shares(sc, s["region"], ind)
        resolved.append({"index": i, "type": s["type"], "share": share})
    params = ARIOParams(**sc.doc["parameters"])
    # one final-demand column (net of inventory changes), as BoARIO needs Y ≥ 0
    y = np.asarray(t.Y_dom, dtype=float).sum(axis=1)
    notes = []
    if (y < 0).any():
        neg = [ind[j] for j in np.flatnonzero(y < 0)]
        notes.append(f"negative net final demand set to 0 for ARIO: {', '.join(neg)}")
    y_ario = np.maximum(y, 0.0)[:, None]
    x = np.asarray(t.x, dtype=float)
    va = np.maximum(x - np.asarray(t.Z_dom).sum(axis=0), 0.0)
    arrays = {
        "Z": np.asarray(t.Z_dom, dtype=float),
        "Y": y_ario,
        "x": x,
        "capital": params.productive_capital_to_VA * va
        if not isinstance(params.productive_capital_to_VA, dict)
        else va * 4,
        "industries": ind,
        "region": country,
        "table": f"OECD IOT {country} {year}",
    }
    return Prepared("ario", arrays, resolved, [t.provenance], notes, params.as_dict())


def _simulate_ario(prep: Prepared, sc: Scenario, seed: int) -> RunResult:
    from fukugan.dynamics.ario import ARIOEvent, ARIOParams, simulate_ario, to_run_rows

    a = prep.arrays
    ind, reg = a["industries"], a["region"]
    events = []
    for res in prep.resolved:
        s = sc.doc["shocks"][res["index"]]
        depth = float(s["delta"] if s["type"] == "outage" else s["depth"])
        impact = {
            (reg, ind[j]): depth * res["share"][j] * a["capital"][j]
            for j in range(len(ind))
            if res["share"][j] > 0 and depth > 0
        }
        if not impact:
            continue
        rec = s.get("recovery") or {}
        if s["type"] == "blackout":
            duration, tau, fn = int(s["days"]), 1, "linear"
        elif rec.get("path") == "step":
            duration, tau, fn = int(s.get("duration", 0)) + int(rec.get("days", 0)), 1, "linear"
        else:
            duration = int(s.get("duration", 0))
            tau = max(1, int(rec.get("days", 1)))
            fn = _ARIO_RECOVERY.get(rec.get("path", "linear"), "linear")
            if fn == "convexe noscale":  # (1 − 1/τ)^days = 1 %: the scenario's "exponential"
                tau = max(2, int(round(1.0 / (1.0 - 0.01 ** (1.0 / tau)))))
        events.append(
            ARIOEvent(
                impact=impact,
                occurrence=int(s.get("start", 0)) + 1,
                duration=max(1, duration),
                recovery_tau=tau,
                recovery_function=fn,
                name=f"shocks[{res['index']}]",
            )
        )
    params = ARIOParams(**{k: v for k, v in prep.parameters.items() if k in ARIO_PARAMETERS})
    traj = simulate_ario(
        a["Z"], a["Y"], a["x"], None, [reg], list(ind), events, params, n_days=sc.horizon
    )
    ts = to_run_rows(traj, metrics=("output", "loss"))
    ts["unit"] = ts["unit"].astype(str).str.replace(f"{reg}/", "", regex=False)
    return RunResult(
        engine="ario",
        scenario=sc.doc,
        parameters=prep.parameters,
        timeseries=ts.loc[:, list(TIMESERIES_COLUMNS)],
        summary={"table": a["table"], "n_days": sc.horizon, "notes": list(prep.notes)},
        sources=list(prep.sources),
        seed=seed,
        unit="million USD per day",
    )


# -- firm-level engine (fukugan.dynamics.firms) ------------------------------------------------

FIRM_PARAMETERS = ("n", "tau")


def _prepare_firms(sc: Scenario, store: AnalyticStore) -> Prepared:
    """A firm network (synthetic, labelled so, or a user's edge list) and capacity shocks on
    firms, sectors or regions of the network."""
    from fukugan.dynamics.networks import SYNTHETIC_LABEL, synthetic_network
    from fukugan.errors import InputError

    data = sc.doc["data"]
    fn = data.get("firm_network")
    if fn is None:
        raise sc.error(
            "the firms engine needs data.firm_network {path: edges.csv} or {synthetic: ...}",
            ("data",),
        )
    _unsupported(sc, "firms", ("outage", "blackout"), "shocks")
    for i, r in enumerate(sc.doc["responses"]):
        if r["type"] != "rationing" or r["rule"] == "priority":
            raise sc.error(
                "the firms engine takes only rationing: proportional | small_first",
                ("responses", i, "type"),
            )
    for k in sc.doc["parameters"]:
        if k not in FIRM_PARAMETERS:
            raise sc.error(
                f"unknown firms parameter {k!r}; known: {', '.join(FIRM_PARAMETERS)}",
                ("parameters", k),
            )
    if "synthetic" in fn:
        syn = fn["synthetic"]
        n = int(syn["n_firms"])
        mean_degree = float(syn.get("mean_degree", 5.0))
        n_sectors = int(syn.get("n_sectors", 20))
        n_regions = int(syn.get("n_regions", 47))
        seed = int(syn.get("seed", sc.seed))
        try:
            net = synthetic_network(
                n,
                max(n, int(round(n * mean_degree))),
                n_sectors=n_sectors,
                n_regions=n_regions,
                seed=seed,
            )
        except InputError as e:
            raise sc.error(e.message, ("data", "firm_network", "synthetic")) from None
        prov = Provenance(
            "firm_network",
            SYNTHETIC_LABEL,
            "generated",
            net.unit,
            "none (generated)",
            notes=(
                f"synthetic_network(n_firms={n}, mean degree {mean_degree:g}, {n_sectors} "
                f"sectors, {n_regions} regions, seed {seed}); not real data"
            ),
            synthetic=True,
        )
    else:
        from fukugan.data.firm_edges import read_firm_edges

        base = Path(sc.path).parent if sc.path else Path.cwd()

        def _abs(p: str) -> Path:
            return Path(p) if Path(p).is_absolute() else base / p

        try:
            net, prov = read_firm_edges(
                _abs(fn["path"]), _abs(fn["firms"]) if "firms" in fn else None
            )
        except InputError as e:
            raise sc.error(str(e), ("data", "firm_network")) from None
    shocks = []
    for i, s in enumerate(sc.doc["shocks"]):
        where = ("shocks", i)
        target = next(k for k in ("firm", "facility", "sector", "region") if k in s)
        shocks.append({"index": i, "target": target, "id": str(s[target])})
        try:
            _firm_shock(net, s, target, sc.horizon)
        except InputError as e:
            raise sc.error(e.message, (*where, target)) from None
    return Prepared("firms", {"network": net}, shocks, [prov], [], dict(sc.doc["parameters"]))


def _firm_shock(net: Any, s: dict[str, Any], target: str, horizon: int) -> Any:
    """The scenario shock as a firm-model shock whose δ(t) = δ · intensity(t) (the scenario's
    time profile: start, ramp, duration, recovery path — or a blackout's ``days``)."""
    from fukugan.dynamics.firms import FirmShock
    from fukugan.scenarios.firmshock import ProfiledFirmShock

    delta = float(s["depth"] if s["type"] == "blackout" else s["delta"])
    ident = str(s[target])
    kw: dict[str, Any] = {"recovery": "none", "start": 1}
    if target in ("firm", "facility"):
        base = FirmShock.by_ids(net, {ident: delta}, **kw)
    elif target == "sector":
        base = FirmShock.by_sector(net, ident, delta, **kw)
    else:
        base = FirmShock.by_region(net, ident, delta, **kw)
    return ProfiledFirmShock(
        base.index,
        base.delta,
        start=1,
        recovery="none",
        label=base.label or f"{target} {ident}",
        profile=intensity(s, horizon),
    )


def _simulate_firms(prep: Prepared, sc: Scenario, seed: int) -> RunResult:
    from fukugan.dynamics.firms import FirmParams, simulate_firms, to_run_result

    net = prep.arrays["network"]
    shocks = [
        _firm_shock(net, sc.doc["shocks"][r["index"]], r["target"], sc.horizon)
        for r in prep.resolved
    ]
    rationing = next((r["rule"] for r in sc.doc["responses"] if r["type"] == "rationing"), None)
    params = FirmParams(
        **{k: v for k, v in prep.parameters.items() if k in FIRM_PARAMETERS},
        rationing=rationing or "proportional",
        record="aggregate",
    )
    traj = simulate_firms(net, shocks, params, n_days=sc.horizon)
    res = to_run_result(traj, scenario=sc.doc, seed=seed)
    res.sources = list(prep.sources)
    res.parameters = {**res.parameters, **params.as_dict()}
    res.engine = "firms"
    notes = res.summary.setdefault("notes", [])
    if net.label and not any(net.label in str(n) for n in notes):
        notes.insert(0, f"network: {net.label}")
    return res


# -- risk exposure engine (fukugan.exposure) -----------------------------------------------------

#: Exposure-engine parameters: name → (allowed values or a type, default).
EXPOSURE_PARAMETERS: dict[str, tuple[Any, Any]] = {
    "period_days": (float, 1.0),  # days per period of the network (capacities, demand per period)
    "objective": (("profit", "units", "revenue"), "profit"),
    "inventory_lost": (bool, False),  # the disrupted node's own stock is lost too
    "risk_exposure": (bool, False),  # also the REI table: one TTR and one TTS LP per node
    "net_of_baseline": (bool, False),  # REI on PI minus the undisrupted network's shortfall
}

#: Bundled example networks for ``data.bom.example``.
EXPOSURE_EXAMPLES = ("automotive",)



def _exposure_network(sc: Scenario) -> tuple[Any, Provenance]:
    """The BOM network named by ``data.bom`` and its provenance."""
    from fukugan.data.bom import read_network

    bom = sc.doc["data"]["bom"]
    if "example" in bom:
        from fukugan.exposure.examples import EXAMPLE_DIR, example_network

        net = example_network()
        prov = Provenance(
            "bom_network",
            "fukugan example network 'automotive' (hand-worked, illustrative; not real data)",
            "n/a",
            "units per week; margins in thousand USD per vehicle",
            "same as fukugan",
            notes=f"{EXAMPLE_DIR / 'README.md'}: 9 nodes, 3 tiers, expected PI/TTS worked by hand",
        )
        return net, prov
    base = Path(sc.path).parent if sc.path else Path.cwd()

    def _abs(p: str) -> Path:
        return Path(p) if Path(p).is_absolute() else base / p

    if "path" in bom:
        d = _abs(bom["path"])
        files = [d / "nodes.csv", d / "bom.csv"]
        alt = d / "alternatives.csv"
        files.append(alt if alt.is_file() else None)
    else:
        files = [
            _abs(bom["nodes"]),
            _abs(bom["bom"]),
            _abs(bom["alternatives"]) if "alternatives" in bom else None,
        ]
    net = read_network(*files)  # InputError names the file, row and field
    prov = Provenance(
        "bom_network",
        "user BOM network " + " + ".join(f.name for f in files if f is not None),
        "n/a",
        "units per period (capacity, demand, inventory); margins per unit",
        "user-supplied",
        notes=f"{len(net.nodes)} nodes, {len(net.bom)} BOM rows, "
        f"{len(net.alternatives)} alternatives; files: {', '.join(str(f) for f in files if f)}",
    )
    return net, prov


def _exposure_ttr(sc: Scenario, i: int, net: Any, period_days: float) -> tuple[float, float]:
    """(TTR in days, TTR in network periods) of outage ``shocks[i]``: ``duration`` +
    ``recovery.days`` when the scenario gives them, else the node's ``ttr`` in the network."""
    s = sc.doc["shocks"][i]
    where = ("shocks", i)
    node = str(s.get("facility", s.get("firm")))
    if "duration" in s or "recovery" in s:
        days = float(s.get("duration", 0)) + float((s.get("recovery") or {}).get("days", 0))
        if days <= 0:
            raise sc.error(
                "an outage for the exposure engine needs a time to recover: 'duration' and/or "
                "'recovery: {days: N}' (days until the node is fully back)",
                where,
            )
        return days, days / period_days
    if node in net.ttr:
        return float(net.ttr[node]) * period_days, float(net.ttr[node])
    raise sc.error(
        f"no time to recover for node {node!r}: give 'recovery: {{days: N}}' (and/or "
        "'duration') or a ttr column in nodes.csv",
        where,
    )


def _prepare_exposure(sc: Scenario, store: AnalyticStore) -> Prepared:
    """A BOM network (bundled example or the user's CSV files) and node outages → one TTR LP
    (and one TTS LP) per disrupted node; optionally the REI table of every node."""
    import difflib

    data = sc.doc["data"]
    if "bom" not in data:
        raise sc.error(
            "the exposure engine needs data.bom {example: automotive} | {path: DIR} | "
            "{nodes: ..., bom: ..., alternatives: ...}",
            ("data",),
        )
    _unsupported(sc, "exposure", ("outage",), "shocks")
    for i, _r in enumerate(sc.doc["responses"]):
        raise sc.error(
            "the exposure engine takes no responses: second sources, inventories and capacities "
            "are part of the network (alternatives.csv, nodes.csv)",
            ("responses", i, "type"),
        )
    params: dict[str, Any] = {k: d for k, (_, d) in EXPOSURE_PARAMETERS.items()}
    for k, v in sc.doc["parameters"].items():
        if k not in EXPOSURE_PARAMETERS:
            raise sc.error(
                f"unknown exposure parameter {k!r}; known: {', '.join(EXPOSURE_PARAMETERS)}",
                ("parameters", k),
            )
        allowed = EXPOSURE_PARAMETERS[k][0]
        if allowed is bool and not isinstance(v, bool):
            raise sc.error(f"{k} must be true or false", ("parameters", k))
        if allowed is float and (isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0):
            raise sc.error(f"{k} must be a positive number", ("parameters", k))
        if isinstance(allowed, tuple) and v not in allowed:
            raise sc.error(f"{k} must be one of {', '.join(allowed)}", ("parameters", k))
        params[k] = v
    quiet_highs()
    net, prov = _exposure_network(sc)
    if params["objective"] == "revenue":
        missing = [p for p in net.products if net.rev[net.index[p]] == 0]
        if missing:
            raise sc.error(
                f"objective 'revenue' needs a revenue for end product {missing[0]!r} in nodes.csv",
                ("parameters", "objective"),
            )
    period = float(params["period_days"])
    resolved = []
    for i, s in enumerate(sc.doc["shocks"]):
        where = ("shocks", i)
        target = next(k for k in ("facility", "firm", "sector", "region") if k in s)
        if target in ("sector", "region"):
            raise sc.error(
                f"the exposure engine disrupts one node of the BOM network, not a {target}: "
                "name it with 'facility:' (or 'firm:')",
                (*where, target),
            )
        node = str(s[target])
        if node not in net.index:
            close = difflib.get_close_matches(node, net.nodes, n=3, cutoff=0.5)
            hint = f"; close: {', '.join(close)}" if close else ""
            raise sc.error(f"unknown node {node!r} in the BOM network{hint}", (*where, target))
        if float(s["delta"]) != 1.0:
            raise sc.error(
                "the time-to-recover model takes the node fully down for its TTR (delta: 1); "
                "model a partial capacity loss with the firms engine",
                (*where, "delta"),
            )
        if s.get("ramp", 0):
            raise sc.error("the exposure engine has no ramp: the node is down at once", where)
        ttr_days, _ = _exposure_ttr(sc, i, net, period)
        end = int(s.get("start", 0)) + int(math.ceil(ttr_days))
        if end > sc.horizon:
            raise sc.error(
                f"the outage of {node} ends on day {end}, after the horizon of {sc.horizon} days",
                (*where, "recovery" if "recovery" in s else "start"),
            )
        resolved.append({"index": i, "node": node, "label": f"outage {node}"})
    if params["risk_exposure"]:
        ttr = _exposure_rei_ttr(sc, net, resolved, period)
        missing = [n for n in net.nodes if n not in ttr]
        if missing:
            raise sc.error(
                f"risk_exposure needs a time to recover for every node; {missing[0]!r} has none "
                "(a ttr column in nodes.csv, or an outage of the node in the scenario)",
                ("parameters", "risk_exposure"),
            )
    if not resolved and not params["risk_exposure"]:
        raise sc.error(
            "nothing to compute: add an outage of a node (shocks) or parameters.risk_exposure: "
            "true",
            ("shocks",),
        )
    return Prepared("exposure", {"network": net}, resolved, [prov], net.diagnostics(), params)


def _exposure_rei_ttr(sc: Scenario, net: Any, resolved: list[dict], period: float) -> dict:
    """TTR (periods) per node for the REI table: the network's, overridden by the scenario's
    outages (the last outage of a node wins)."""
    ttr = dict(net.ttr)
    for r in resolved:
        ttr[r["node"]] = _exposure_ttr(sc, r["index"], net, period)[1]
    return ttr


def _simulate_exposure(prep: Prepared, sc: Scenario, seed: int) -> RunResult:
    """One TTR LP and one TTS LP per disrupted node (Simchi-Levi et al. 2015), each node
    disrupted alone, the rest of the network responding optimally; see the module doc."""
    from fukugan.exposure.lp import ExposureModel, risk_exposure, to_run_rows

    quiet_highs()
    net = prep.arrays["network"]
    p = prep.parameters
    period = float(p["period_days"])
    objective, lost_stock = p["objective"], bool(p["inventory_lost"])
    model = ExposureModel(net)
    frames, path_frames, disruptions = [], [], []
    for res in prep.resolved:
        s = sc.doc["shocks"][res["index"]]
        node = res["node"]
        ttr_days, ttr = _exposure_ttr(sc, res["index"], net, period)
        r = model.ttr(node, ttr, objective=objective, inventory_lost=lost_stock)
        tts = model.tts(node, inventory_lost=lost_stock)
        base = model.ttr(None, ttr, objective=objective).pi
        ts, pa = to_run_rows(net, r)
        ts["t"] = int(s.get("start", 0)) + int(math.ceil(ttr_days))
        frames.append(ts)
        path_frames.append(pa)
        disruptions.append(
            {
                "node": node,
                "name": net.name.get(node, ""),
                "start": int(s.get("start", 0)),
                "ttr_days": ttr_days,
                "ttr": ttr,
                "pi": r.pi,
                "tts": tts,
                "tts_days": tts * period,
                "tts_lt_ttr": bool(tts < ttr),
                "direct": r.direct,
                "indirect": r.indirect,
                "lost_units": r.lost_units,
                "lost_profit": r.lost_profit,
                "baseline": base,
                "binding": dict(list(r.binding.items())[:10]),
            }
        )
    keys = ["t", "unit_kind", "unit", "region", "metric", "component"]
    if frames:
        ts = pd.concat(frames, ignore_index=True)
        ts = ts.groupby(keys, sort=True, as_index=False)["value"].sum()
    else:
        ts = pd.DataFrame({c: pd.Series(dtype="int64" if c == "t" else object) for c in keys})
        ts["value"] = pd.Series(dtype="float64")
    ts = ts.loc[:, list(TIMESERIES_COLUMNS)].astype({"t": "int64", "value": "float64"})
    if path_frames and any(len(f) for f in path_frames):
        paths = pd.concat([f for f in path_frames if len(f)], ignore_index=True)
        paths = paths.sort_values(
            ["weight", "step", "target"], ascending=[False, True, True], kind="stable"
        ).reset_index(drop=True)
    else:
        paths = pd.DataFrame(columns=list(PATHS_COLUMNS)).astype(
            {"step": "int64", "weight": "float64"}
        )
    from fukugan.scenarios.result import headline

    summary: dict[str, Any] = {
        **headline(ts, metric="profit_loss"),
        "headline_metric": "profit_loss",
        "objective": objective,
        "n_days": sc.horizon,
        "disruptions": disruptions,
        "notes": [
            *prep.notes,
            "each outage is its own time-to-recover LP (the node down for its whole TTR, the "
            "rest of the network responding optimally); its loss over the outage is recorded "
            "on the day the node is back",
        ],
        "unit_labels": dict(net.name),
    }
    if p["risk_exposure"]:
        table = risk_exposure(
            net,
            _exposure_rei_ttr(sc, net, prep.resolved, period),
            objective=objective,
            inventory_lost=lost_stock,
            net_of_baseline=bool(p["net_of_baseline"]),
        )
        summary["risk_exposure"] = table.to_dict(orient="records")
    return RunResult(
        engine="exposure",
        scenario=sc.doc,
        parameters=dict(p),
        timeseries=ts,
        paths=paths,
        summary=summary,
        sources=list(prep.sources),
        seed=seed,
        unit=prep.sources[0].unit if prep.sources else "",
    )
