"""ARIO engine: a scenario on an OECD national table run by the Adaptive Regional Input-Output
model of :mod:`fukugan.dynamics.ario` (Hallegatte, S. (2008), "An adaptive regional input-output
model and its application to the assessment of the economic cost of Katrina", *Risk Analysis*
28(3):779–799; Hallegatte (2014), *Risk Analysis* 34(1):152–167; as formulated by BoARIO 0.7.2,
Juhel, S. (2023), *JOSS* 8(89):5547).

The national table is one region; outages and blackouts destroy productive capital (BoARIO
``EventKapitalRecover``) and recover along BoARIO's recovery functions. The ARIO core follows
BoARIO 0.7.2, which has no final-demand shock and no import-cut event: demand shocks, trade
shocks and extractions are refused with their line (run them with the static engine). Regions
come from the scenario's ``regions:`` shares (:func:`~.common.region_shares`).
"""

from __future__ import annotations

import numpy as np

from fukugan.results import TIMESERIES_COLUMNS, RunResult
from fukugan.scenarios.schema import Scenario
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


def _timing(s: dict) -> tuple[int, int, str]:
    """(BoARIO duration, recovery_tau, recovery function) of an outage or blackout: full loss
    for ``duration`` (a blackout: ``days``) days, then the scenario's recovery (none: a one-day
    linear recovery; ``step``: full loss for ``duration + days`` days, then a one-day linear
    recovery; ``exponential``: BoARIO's "convexe noscale" with 1 % left after ``days``)."""
    rec = s.get("recovery") or {}
    full = int(s["days"]) if s["type"] == "blackout" else int(s.get("duration", 0))
    if not rec:
        return max(1, full), 1, "linear"
    if rec["path"] == "step":
        return max(1, full + int(rec.get("days", 0))), 1, "linear"
    tau = max(1, int(rec.get("days", 1)))
    fn = _ARIO_RECOVERY.get(rec["path"], "linear")
    if fn == "convexe noscale":  # (1 − 1/τ)^days = 1 %: the scenario's "exponential"
        tau = max(2, int(round(1.0 / (1.0 - 0.01 ** (1.0 / tau)))))
    return max(1, full), tau, fn


def simulate(
    prep: Prepared, sc: Scenario, seed: int, progress: DayProgress | None = None
) -> RunResult:
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
        duration, tau, fn = _timing(s)
        events.append(
            ARIOEvent(
                impact=impact,
                occurrence=int(s.get("start", 0)) + 1,
                duration=max(1, duration),
                recovery_tau=tau,
                recovery_function=fn,
                name=str(s.get("id") or f"shocks[{res['index']}]"),
            )
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
        summary={"table": a["table"], "n_days": sc.horizon, "notes": list(prep.notes)},
        sources=list(prep.sources),
        seed=seed,
        unit="million USD per day",
    )
