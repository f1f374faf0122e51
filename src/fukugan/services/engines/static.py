"""Static engine: a scenario on an OECD national input-output table, propagated day by day
through the static Leontief and Ghosh models of :mod:`fukugan.iomodels.shocks` (Miller, R.E. &
Blair, P.D. (2009), *Input-Output Analysis: Foundations and Extensions*, 2nd ed., Cambridge
University Press).

How trade shocks (export bans, quotas, sanctions) become cuts in the imports of one OECD industry
is in :mod:`fukugan.services.engines.trade`.

Responses: ``substitution`` multiplies φ by (1 − fraction) (for one commodity,
for one using sector, or for all trade shocks); ``alternate_sourcing`` replaces up to
``max_share`` of the lost supply from ``start + lead_time_days``, ramping linearly over
``ramp_days``; ``stockpile_release`` then covers the remaining shortfall until the stock of
``days_of_cover`` days of the commodity's normal imports is used up; ``rationing`` distributes
each industry's shortfall among the using industries: ``proportional`` (default), ``small_first``
(the smallest users are served in full first, the shortfall falls on the largest) or
``priority`` (listed industries are served in full first). A response's ``start`` delays it:
substitution, alternate sourcing and stockpile release count it from their shock's start (a
stock released late covers none of the shortfall before); rationing applies its rule from scenario
day ``start`` on (proportional before).

Quasi-static: each day's shock is propagated through the
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

Paths: for each shock, step 1 = the industries it hits directly (weight: their direct
loss over the horizon); steps 2 and 3 = the tier-1 and tier-2 transmissions of
:meth:`~fukugan.iomodels.shocks.ShockResult.paths` over the horizon (the models are linear in
the impulse) — Ghosh forward links for supply shocks, Leontief backward links for demand shocks,
the extraction's own channel — with ``via`` the industries in between.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fukugan.results import PATHS_COLUMNS, TIMESERIES_COLUMNS, RunResult
from fukugan.scenarios.schema import Scenario, intensity
from fukugan.services.engines.applied import (
    Line,
    pairs_of,
    responses,
    shock_days,
    summary_lists,
)
from fukugan.services.engines.common import (
    DayProgress,
    Prepared,
    check_sector,
    national_table,
    region_shares,
)
from fukugan.services.engines.fields import (
    check_fields,
    item_label,
)
from fukugan.services.engines.static_responses import (
    allocate_shortfall,
    draw_stock,
    response_factor,
)
from fukugan.services.engines.trade import (
    resolve_sanctions,
    resolve_trade_shock,
    scenario_commodity,
    usgs_frame,
)
from fukugan.store.analytic import AnalyticStore

__all__ = ["DAYS_PER_YEAR", "STATIC_PARAMETERS", "prepare", "simulate"]

#: Static-engine parameters and their values (the first is the default).
STATIC_PARAMETERS = {
    "input_loss": ("value", "bottleneck"),
    "supply_propagation": ("forward", "both"),
}

DAYS_PER_YEAR = 365.0


def prepare(sc: Scenario, store: AnalyticStore) -> Prepared:
    """Resolve a scenario on a national OECD table for the static engine (module doc)."""
    from fukugan.errors import InputError
    from fukugan.iomodels import GhoshModel, LeontiefModel
    from fukugan.iomodels.ghosh import allocation_coefficients
    from fukugan.iomodels.leontief import technical_coefficients
    from fukugan.iomodels.shocks import extraction_shock

    data = sc.doc["data"]
    if "oecd_iot" not in data:
        raise sc.error(
            "the static engine runs on an OECD national table: give data.oecd_iot {country, year}",
            ("data",),
        )
    check_fields(sc, "static")
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
    t, country, year = national_table(sc, store)
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
            resolved.append(resolve_trade_shock(sc, i, s, ind, t.imports, store, cache))
        elif kind == "sanctions":
            resolved.append(resolve_sanctions(sc, i, s, store, cache))
        elif kind in ("outage", "blackout"):  # firm / facility: refused by check_fields
            if "sector" in s:
                j = check_sector(sc, (*where, "sector"), s["sector"], ind)
                share = np.zeros(n)
                share[j] = 1.0
                label = f"outage {s['sector']}"
            else:
                share = region_shares(sc, s["region"], ind)
                label = f"{kind} {s['region']}"
            if kind == "blackout" and "sectors" in s:
                keep = np.zeros(n)
                for k, code in enumerate(s["sectors"]):
                    keep[check_sector(sc, (*where, "sectors", k), code, ind)] = 1.0
                share = share * keep
            resolved.append({"index": i, "type": kind, "share": share, "label": label})
        elif kind == "demand_shock":
            j = check_sector(sc, (*where, "sector"), s["sector"], ind)
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
            idx = [check_sector(sc, key, c, ind) for key, c in zip(keys, codes, strict=True)]
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
    for r in resolved:  # a shock's id names it in the paths and the summary
        if sc.doc["shocks"][r["index"]].get("id"):
            r["label"] = str(sc.doc["shocks"][r["index"]]["id"])
    for i, r in enumerate(sc.doc["responses"]):
        where = ("responses", i)
        if r.get("sector"):
            check_sector(sc, (*where, "sector"), r["sector"], ind)
        for k, code in enumerate(r.get("priority", []) or []):
            check_sector(sc, (*where, "priority", k), code, ind)
        if r.get("commodity"):
            if "usgs" not in cache:
                cache["usgs"] = usgs_frame(store)
            cid = scenario_commodity(sc, (*where, "commodity"), r["commodity"], cache["usgs"][0])
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
    notes = [pair for r in resolved for pair in pairs_of(r, "notes")]
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


def simulate(
    prep: Prepared, sc: Scenario, seed: int, progress: DayProgress | None = None
) -> RunResult:
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
    days = np.arange(T)
    # rationing.start: the scenario day the rule applies from (proportional before)
    ration_on = days >= float(rationing.get("start", 0)) if rationing else np.ones(T, bool)
    sector_subst = np.ones((T, n))  # substitution by a using industry, from its start
    for r in sc.doc["responses"]:
        if r["type"] == "substitution" and r.get("sector"):
            on = days >= float(r.get("start", 0))
            sector_subst[on, ind.index(r["sector"])] *= 1.0 - float(r["fraction"])
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
                factor, stock, begin_stock = np.ones(T), None, 0
                dp_import[:] = pc * share
            else:
                sup = float(shock.get("supplier_share", res["supplier_share"]))
                depth = float(shock.get("cut", 1.0)) * sup  # an export ban cuts everything
                weights = {
                    s: w * float(shock.get("sector_share", res["sector_share"]))
                    for s, w in res["sectors"].items()
                }
                factor, stock, begin_stock = response_factor(sc, prep, res, T, intens)
                for s, w in weights.items():
                    dp_import[ind.index(s)] += pc * sup * w
            # g(t): shortfall as a fraction of the commodity's normal imports
            g = depth * intens * factor
            if stock is not None and stock > 0:
                g = draw_stock(g, stock, begin_stock)
            direct_k = np.zeros((T, n))
            for s, w in weights.items():
                k = ind.index(s)
                phi = np.clip(g * w, 0.0, 1.0)
                phi_by_sector[:, k] += phi
                short = allocate_shortfall(Z_imp[k], phi, rule, prio)
                if rule != "proportional" and not ration_on.all():
                    prop = allocate_shortfall(Z_imp[k], phi, "proportional", None)
                    short = np.where(ration_on[:, None], short, prop)
                short = short * sector_subst
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
    what = {  # (English, Japanese)
        "export_ban": ("import cut", "輸入途絶"),
        "quota": ("import cut", "輸入途絶"),
        "sanctions": ("import cut of every product", "全品目の輸入途絶"),
        "outage": ("output capacity loss δ_j x_j", "生産能力の喪失 δ_j x_j"),
        "blackout": (
            "output capacity loss depth × share_j × x_j",
            "生産能力の喪失 depth × share_j × x_j",
        ),
        "demand_shock": ("final demand change, Leontief", "最終需要の変化（レオンチェフ）"),
        "extraction": ("hypothetical extraction", "仮説的抽出"),
    }
    from fukugan.services.engines.trade import input_sources

    applied: list[Line] = []
    for r in prep.resolved:
        label, (d_en, d_ja) = item_label(sc, "shocks", r["index"]), shock_days(sc, r["index"])
        w_en, w_ja = what[r["type"]]
        s_en, s_ja = input_sources(r)
        applied.append(
            (
                f"{label}: {w_en} — {r['label']}; {d_en} (static engine, Leontief / Ghosh)"
                + (f"; {s_en}" if s_en else ""),
                f"{label}：{w_ja} — {r['label']}；{d_ja}（staticエンジン、レオンチェフ／ゴーシュ）"
                + (f"；{s_ja}" if s_ja else ""),
            )
        )
    applied += responses(sc, ("static", "static"))
    summary: dict[str, Any] = {
        "table": a["table"],
        "n_days": T,
        **summary_lists(applied),
        "resolved_shocks": [_public(r) for r in prep.resolved],
        **summary_lists(list(prep.notes), "notes"),
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
        k: (v.tolist() if isinstance(v, np.ndarray) else v)
        for k, v in r.items()
        if k not in ("notes", "notes_ja")
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
