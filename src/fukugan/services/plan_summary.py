"""A solved response plan as its summary (every figure of the page, the briefing and
``summary.json``) and reports: the part of the use case common to the plans on a national table
(:mod:`fukugan.services.planning`) and on a BOM network (:mod:`fukugan.services.plan_network`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fukugan.planning.portfolio import PortfolioModel, sensitivity
from fukugan.planning.stochastic import InfeasibleProblem
from fukugan.scenarios.plan import PlanDoc
from fukugan.services.plan_reports import level_text, level_unit, plan_reports
from fukugan.services.report import Report

__all__ = ["PlanOutcome", "plan_budgets", "solve_plan"]


@dataclass
class PlanOutcome:
    reports: list[Report]
    summary: dict[str, Any]
    out_dir: Path | None = None


def plan_budgets(plan: PlanDoc, model: PortfolioModel) -> list[float]:
    """The frontier's budgets: the plan's list, or ``points`` from 0 to the cost of the optimum
    without a budget (past it the frontier is flat), or to the cost of every measure if that
    optimum costs nothing."""
    fr = plan.doc["frontier"]
    if "budgets" in fr:
        return sorted(float(b) for b in fr["budgets"])
    top = model.solve(None).total_cost
    if top <= 0:
        top = sum(m.cost(m.max_level) for m in model.measures)
    n = int(fr.get("points", 10))
    return [float(x) for x in np.linspace(0.0, top, n)]


def solve_plan(
    pd_: PlanDoc,
    inputs: Any,
    model: PortfolioModel,
    rerun: Callable[[np.ndarray], tuple[np.ndarray, int]] | None,
    lang: str,
) -> PlanOutcome:
    """Portfolio, frontier, marginal values, RP / EEV / VSS / EVPI, sensitivity and (with
    ``rerun``: levels → each scenario's engine loss and the runs made) the engine re-run of the
    portfolio, as the plan's summary and reports. ``inputs`` carries what the engines gave:
    ``measures``, ``scenarios``, ``sources``, ``unit``, ``engine_runs``, ``seconds`` and
    ``placement``."""
    obj = pd_.doc["objective"]
    budget = obj.get("budget")
    t0 = time.perf_counter()
    try:
        best = model.solve(budget)
    except InfeasibleProblem as e:
        where = ("objective", "budget") if budget is not None else ("measures",)
        raise pd_.error(
            f"{e.message}: the mandatory measures and minimum levels cost more than the budget"
            if budget is not None
            else e.message,
            where,
        ) from None
    solve_s = time.perf_counter() - t0
    frontier = model.frontier(plan_budgets(pd_, model))
    values = model.marginal_values(best, budget)
    metrics = model.metrics(budget)
    sens = sensitivity(model, budget)
    names = {m["id"]: m["name"] for m in pd_.doc["measures"]}
    check_loss, check_runs = rerun(best.levels) if rerun is not None else (None, 0)
    predicted = best.scenario_loss
    p = np.array([s.probability for s in inputs.scenarios])
    base_loss = model.scenario_losses(np.zeros(len(inputs.measures)))
    summary: dict[str, Any] = {
        "plan": pd_.name,
        "plan_file": pd_.path,
        "target": getattr(inputs, "target", "commodity"),  # what the measures act on
        "description": pd_.doc["description"],
        "unit": inputs.unit,
        "cost_unit": "million USD" if "million USD" in inputs.unit else inputs.unit,
        "budget": budget,
        "cvar_alpha": float(obj["cvar_alpha"]),
        "cvar_weight": float(obj["cvar_weight"]),
        "status": best.status,
        "mip_gap": best.mip_gap,
        "total_cost": best.total_cost,
        "expected_loss": best.expected_loss,
        "expected_loss_without_measures": float(p @ base_loss),
        "var": best.var,
        "cvar": best.cvar,
        "objective": best.objective,
        "rp": metrics.rp,
        "ev": metrics.ev,
        "eev": metrics.eev,
        "ws": metrics.ws,
        "vss": metrics.vss,
        "evpi": metrics.evpi,
        "solve_seconds": solve_s,
        "engine_runs": inputs.engine_runs + check_runs,
        "engine_seconds": inputs.seconds,
        "evaluation": {
            "workers": inputs.placement.workers if inputs.placement else 0,
            "scheduler": inputs.placement.scheduler if inputs.placement else "in-process",
            "startup_seconds": inputs.placement.startup if inputs.placement else 0.0,
        },
        "n_scenarios": len(inputs.scenarios),
        "n_measures": len(inputs.measures),
        "portfolio": [
            {
                "measure": m.id,
                "name": names[m.id],
                "kind": m.kind,
                "commodity": m.commodity,
                "level": float(best.levels[i]),
                "level_unit": level_unit(m),
                "cost": float(best.costs[i]),
                "lead_time_days": m.lead_time_days,
                **{k: v for k, v in values[i].items() if k != "measure"},
            }
            for i, m in enumerate(inputs.measures)
        ],
        "frontier": [
            {"budget": f.budget, "cost": f.cost, "expected_loss": f.expected_loss, "cvar": f.cvar}
            for f in frontier
        ],
        "scenarios": [
            {
                "scenario": s.name,
                "probability": s.probability,
                "loss_without_measures": float(base_loss[j]),
                "predicted_loss": float(predicted[j]),
                "engine_loss": None if check_loss is None else float(check_loss[j]),
            }
            for j, s in enumerate(inputs.scenarios)
        ],
        "sensitivity": [
            {
                **{k: v for k, v in row.items() if k != "levels"},
                "portfolio": ", ".join(
                    f"{m.id} {level_text(m, lv)}"
                    for m, lv in zip(inputs.measures, row.get("levels", []), strict=False)
                    if lv > 0
                ),
            }
            for row in sens
        ],
        "sources": [src.source_doc() for src in inputs.sources],
    }
    if check_loss is not None:
        summary["engine_expected_loss"] = float(p @ check_loss)
    return PlanOutcome(plan_reports(summary, inputs.sources, lang), summary)
