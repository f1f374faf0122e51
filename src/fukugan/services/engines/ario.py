"""ARIO engine: a scenario on an OECD national table run by the Adaptive Regional Input-Output
model of :mod:`fukugan.dynamics.ario` (Hallegatte, S. (2008), "An adaptive regional input-output
model and its application to the assessment of the economic cost of Katrina", *Risk Analysis*
28(3):779–799; Hallegatte (2014), *Risk Analysis* 34(1):152–167; as formulated by BoARIO 0.7.2,
Juhel, S. (2023), *JOSS* 8(89):5547).

The national table is one region. An outage destroys productive capital δ_j K_j (BoARIO
``EventKapitalRecover``), unless it says ``loss: capacity``; a blackout (and an outage with
``loss: capacity``) takes production capacity δ_j with the capital intact (BoARIO
``EventArbitraryProd``, applied on its own day — fukugan's default, BoARIO applies it one day
late). Both recover along BoARIO's recovery functions, timed so that day t of the run has the
scenario's intensity of day t (:func:`_timing`); the run's summary lists what was applied to
each shock (``applied``). Which field is used how: :mod:`.fields`. The ARIO core follows
BoARIO 0.7.2, which has no final-demand shock and no import-cut event: demand shocks, trade
shocks and extractions are refused with their line (run them with the static engine). Regions
come from the scenario's ``regions:`` shares (:func:`~.common.region_shares`).
"""

from __future__ import annotations

import numpy as np

from fukugan.results import TIMESERIES_COLUMNS, RunResult
from fukugan.scenarios.schema import Scenario
from fukugan.services.engines.applied import Line, responses, summary_lists
from fukugan.services.engines.common import (
    DayProgress,
    Prepared,
    check_sector,
    national_table,
    region_shares,
)
from fukugan.services.engines.fields import check_fields
from fukugan.store.analytic import AnalyticStore

__all__ = ["ARIO_PARAMETERS", "prepare", "simulate"]

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


def prepare(sc: Scenario, store: AnalyticStore) -> Prepared:
    """National OECD table as a one-region ARIO system; outages / blackouts destroy capital
    δ_j · K_j (K = ``productive_capital_to_VA`` × VA, VA = x − 1′Z_dom ≥ 0, as BoARIO)."""
    from fukugan.dynamics.ario import ARIOParams

    data = sc.doc["data"]
    if "oecd_iot" not in data:
        raise sc.error("the ario adapter runs on data.oecd_iot {country, year}", ("data",))
    check_fields(sc, "ario")
    for k in sc.doc["parameters"]:
        if k not in ARIO_PARAMETERS:
            raise sc.error(
                f"unknown ario parameter {k!r}; known: {', '.join(ARIO_PARAMETERS)}",
                ("parameters", k),
            )
    t, country, year = national_table(sc, store)
    ind = t.industries
    resolved = []
    for i, s in enumerate(sc.doc["shocks"]):
        where = ("shocks", i)
        if "sector" in s:
            share = np.zeros(len(ind))
            share[check_sector(sc, (*where, "sector"), s["sector"], ind)] = 1.0
        else:
            share = region_shares(sc, s["region"], ind)
        if s["type"] == "blackout" and "sectors" in s:  # only these industries of the region
            keep = np.zeros(len(ind))
            for k, code in enumerate(s["sectors"]):
                keep[check_sector(sc, (*where, "sectors", k), code, ind)] = 1.0
            share = share * keep
        for code in (s.get("rebuild") or {}).get("sectors", {}):
            check_sector(sc, (*where, "rebuild", "sectors", code), code, ind)
        resolved.append({"index": i, "type": s["type"], "share": share})
    params = ARIOParams(**sc.doc["parameters"])
    # one final-demand column (net of inventory changes), as BoARIO needs Y ≥ 0
    y = np.asarray(t.Y_dom, dtype=float).sum(axis=1)
    notes = []
    if (y < 0).any():
        neg = [ind[j] for j in np.flatnonzero(y < 0)]
        notes.append(
            (
                f"negative net final demand set to 0 for ARIO: {', '.join(neg)}",
                f"負の正味最終需要はARIOでは0としました：{'、'.join(neg)}",
            )
        )
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


def _timing(s: dict) -> tuple[int, int, str, int]:
    """(BoARIO duration, recovery_tau, recovery function, days of full loss added) of an outage
    or blackout, so that the ARIO day t (step t) has the scenario's intensity of day t.

    A BoARIO event occurring at step o with duration d keeps its full loss on steps o … o + d + 1
    and then loses f(k) on step o + d + 1 + k (f(0) = the full loss; capital and arbitrary events
    alike, :mod:`fukugan.dynamics.ario`). The scenario's shock (:func:`~.schema.intensity`)
    is full on days start + 1 … start + D (D = ``duration``, a blackout's ``days``), then follows
    its recovery g(k) on day start + D + 1 + k (g(0) = 1). So, with o = start + 1: a linear or
    exponential recovery over R days is d = D − 1 with BoARIO's linear (τ = R, exact) or
    "convexe noscale" (τ such that 1 % is left after R days; BoARIO's curve, not e^(−kd)); no
    recovery is d = D − 2 with a one-day linear recovery (exact); a ``step`` recovery of R days
    is d = D + R − 2 likewise. BoARIO needs d ≥ 1: a shorter shock keeps its full loss the
    returned number of days longer than the scenario says (reported in the run's notes)."""
    rec = s.get("recovery") or {}
    full = int(s["days"]) if s["type"] == "blackout" else int(s.get("duration", 0))
    if not rec or rec["path"] == "step":
        want = full + (int(rec.get("days", 0)) if rec else 0) - 2
        return max(1, want), 1, "linear", max(0, 1 - want)
    tau = max(1, int(rec.get("days", 1)))
    fn = _ARIO_RECOVERY[rec["path"]]
    if fn == "convexe noscale":  # (1 − 1/τ)^days = 1 %: the scenario's "exponential"
        tau = max(2, int(round(1.0 / (1.0 - 0.01 ** (1.0 / tau)))))
    return max(1, full - 1), tau, fn, max(0, 2 - full)


def _is_capacity(s: dict) -> bool:
    """A blackout, or an outage with ``loss: capacity``: production capacity lost, capital
    intact (BoARIO ``EventArbitraryProd``); other outages destroy capital."""
    return s["type"] == "blackout" or s.get("loss") == "capacity"


def simulate(
    prep: Prepared, sc: Scenario, seed: int, progress: DayProgress | None = None
) -> RunResult:
    from fukugan.dynamics.ario import ARIOEvent, ARIOParams, simulate_ario, to_run_rows

    a = prep.arrays
    ind, reg = a["industries"], a["region"]
    events = []
    applied: list[Line] = []
    notes = list(prep.notes)
    for res in prep.resolved:
        i = res["index"]
        s = sc.doc["shocks"][i]
        label = f"shocks[{i}]" + (f" ({s['id']})" if s.get("id") else "")
        depth = float(s["delta"] if s["type"] == "outage" else s["depth"])
        hit = [j for j in range(len(ind)) if res["share"][j] > 0 and depth > 0]
        if not hit:
            applied.append(
                (
                    f"{label}: no industry loses capacity (δ = 0); not applied",
                    f"{label}：生産能力を失う産業なし（δ = 0）、適用せず",
                )
            )
            continue
        duration, tau, fn, extra = _timing(s)
        occurrence = int(s.get("start", 0)) + 1
        capacity = _is_capacity(s)
        common = {
            "occurrence": occurrence,
            "duration": duration,
            "recovery_tau": tau,
            "recovery_function": fn,
            "name": str(s.get("id") or f"shocks[{i}]"),
        }
        rebuild = s.get("rebuild")
        if rebuild:  # capital destroyed, then rebuilt: a rebuilding demand
            impact = {(reg, ind[j]): depth * res["share"][j] * a["capital"][j] for j in hit}
            house = float(rebuild.get("households", 0.0))
            events.append(
                ARIOEvent(
                    impact=impact,
                    occurrence=occurrence,
                    duration=max(1, int(s.get("duration", 0))),
                    event_type="rebuild",
                    rebuild_tau=rebuild.get("tau"),
                    rebuilding_sectors=dict(rebuild["sectors"]),
                    rebuilding_factor=float(rebuild.get("factor", 1.0)),
                    households_impact={(reg, "final demand"): house} if house > 0 else None,
                    name=common["name"],
                )
            )
            who = ", ".join(f"{k} {v:.0%}" for k, v in rebuild["sectors"].items())
            n, day = len(hit), occurrence + max(1, int(s.get("duration", 0)))
            tau_r, factor = rebuild.get("tau", 60), rebuild.get("factor", 1)
            applied.append(
                (
                    f"{label}: productive capital destroyed, δ_j × K_j, on {n} "
                    f"industr{'y' if n == 1 else 'ies'}, then rebuilt by {who} "
                    f"(τ = {tau_r} days, factor {factor}) from day {day}"
                    + (f"; households' capital {house:g} rebuilt too" if house > 0 else "")
                    + " (BoARIO EventKapitalRebuild)",
                    f"{label}：生産資本を破壊（δ_j × K_j）、{n}産業、その後 {who} が再建"
                    f"（τ = {tau_r}日、係数 {factor}）、{day}日目から"
                    + (f"；家計の資本 {house:g} も再建" if house > 0 else "")
                    + "（BoARIO EventKapitalRebuild）",
                )
            )
            continue
        if capacity:  # share of capacity lost, no capital destroyed
            impact = {(reg, ind[j]): depth * res["share"][j] for j in hit}
            events.append(ARIOEvent(impact=impact, event_type="arbitrary", **common))
            what = (
                "production capacity lost, capital intact (BoARIO EventArbitraryProd)",
                "生産能力を喪失、資本は無傷（BoARIO EventArbitraryProd）",
            )
        else:
            impact = {(reg, ind[j]): depth * res["share"][j] * a["capital"][j] for j in hit}
            events.append(ARIOEvent(impact=impact, **common))
            what = (
                "productive capital destroyed, δ_j × K_j (BoARIO EventKapitalRecover)",
                "生産資本を破壊、δ_j × K_j（BoARIO EventKapitalRecover）",
            )
        top = sorted(hit, key=lambda j: -res["share"][j])[:3]
        shares = ", ".join(f"{ind[j]} {depth * res['share'][j]:.0%}" for j in top)
        n = len(hit)
        more = (f" and {n - 3} more", f" ほか{n - 3}産業") if n > 3 else ("", "")
        at_once = fn == "linear" and tau == 1
        rec = (
            ("at once", "即時に")
            if at_once
            else (
                f"{fn} recovery, τ = {tau} days",
                f"{fn}型の回復（τ = {tau}日）で",
            )
        )
        last = occurrence + duration + 1
        applied.append(
            (
                f"{label}: {what[0]} on {n} industr{'y' if n == 1 else 'ies'} "
                f"({shares}{more[0]}); full loss days {occurrence}–{last}, then recovered {rec[0]}",
                f"{label}：{what[1]}、{n}産業（{shares}{more[1]}）；全損 {occurrence}–{last}日目、"
                f"その後{rec[1]}回復",
            )
        )
        if extra:
            notes.append(
                (
                    f"{label}: ARIO keeps the full loss {extra} day{'s' if extra > 1 else ''} "
                    "longer than the scenario (a BoARIO event lasts at least one day before "
                    "recovering)",
                    f"{label}：ARIOでは全損がシナリオより{extra}日長く続きます"
                    "（BoARIOのイベントは回復の前に最低1日続くため）",
                )
            )
    applied += responses(
        sc, ("ario (BoARIO's proportional distribution)", "ario（BoARIOの比例配分）")
    )
    params = ARIOParams(**{k: v for k, v in prep.parameters.items() if k in ARIO_PARAMETERS})
    traj = simulate_ario(
        a["Z"],
        a["Y"],
        a["x"],
        None,
        [reg],
        list(ind),
        events,
        params,
        n_days=sc.horizon,
        progress=progress,
    )
    ts = to_run_rows(traj, metrics=("output", "loss"))
    ts["unit"] = ts["unit"].astype(str).str.replace(f"{reg}/", "", regex=False)
    return RunResult(
        engine="ario",
        scenario=sc.doc,
        parameters=prep.parameters,
        timeseries=ts.loc[:, list(TIMESERIES_COLUMNS)],
        summary={
            "table": a["table"],
            "n_days": sc.horizon,
            **summary_lists(notes, "notes"),
            **summary_lists(applied),
        },
        sources=list(prep.sources),
        seed=seed,
        unit="million USD per day",
    )
