"""A solved plan's tables for every interface (CLI, API, web): the portfolio with the headline
figures, the frontier, the scenario check and the sensitivity
(:class:`~fukugan.services.report.Report`); and how a measure's level reads.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from fukugan.planning.portfolio import Measure
from fukugan.provenance import Provenance
from fukugan.services.report import Report

__all__ = ["level_text", "level_unit", "plan_reports"]


def level_unit(m: Measure) -> str:
    """What a measure's level counts: ``days`` of cover, a ``share``, or ``taken`` (0/1)."""
    if m.is_stock and m.domain != "binary":
        return "days"
    return "share" if m.domain == "continuous" else "taken"


def level_text(m: Measure, level: float) -> str:
    """A level as a reader says it: days of cover, a share, or taken."""
    if m.is_stock and m.domain != "binary":
        return f"{level:.0f} d"
    if m.domain == "continuous":
        return f"{level:.0%}"
    return "✓"


def plan_reports(
    summary: dict[str, Any], sources: list[Provenance], lang: str = "en"
) -> list[Report]:
    """The portfolio (with the headline figures), the frontier and the scenario check."""
    from fukugan.i18n import t

    target = "plan-facility" if summary.get("target") == "facility" else "plan-commodity"
    port = pd.DataFrame(
        [
            {
                "plan-measure": r["name"].get(lang) or r["name"]["en"],
                "plan-kind": t(f"plan-kind-{r['kind']}", lang),
                target: r["commodity"],
                "plan-level": r["level"],
                "plan-cost": r["cost"],
                "plan-lead-time": r["lead_time_days"],
                "plan-value": r["value_in_portfolio"],
                "plan-avoided-alone": r["loss_avoided_alone"],
                "plan-avoided-per-cost": r["loss_avoided_per_cost"],
            }
            for r in summary["portfolio"]
        ]
    )
    head = {
        "plan-total-cost": summary["total_cost"],
        "plan-expected-loss": summary["expected_loss"],
        "plan-expected-loss-none": summary["expected_loss_without_measures"],
        "plan-cvar": summary["cvar"],
        "plan-vss": summary["vss"],
        "plan-evpi": summary["evpi"],
        "plan-status": summary["status"],
    }
    if summary.get("engine_expected_loss") is not None:
        head["plan-engine-loss"] = summary["engine_expected_loss"]
    front = pd.DataFrame(
        [
            {
                "plan-budget": f["budget"],
                "plan-cost": f["cost"],
                "plan-expected-loss": f["expected_loss"],
                "plan-cvar": f["cvar"],
            }
            for f in summary["frontier"]
        ]
    )
    scen = pd.DataFrame(
        [
            {
                "plan-scenario": s["scenario"],
                "plan-probability": s["probability"],
                "plan-loss-none": s["loss_without_measures"],
                "plan-loss-predicted": s["predicted_loss"],
                "plan-loss-engine": s["engine_loss"],
            }
            for s in summary["scenarios"]
        ]
    )
    sens = pd.DataFrame(
        [
            {
                "plan-assumption": t(f"plan-assumption-{r['assumption']}", lang),
                "plan-factor": r["factor"],
                "plan-cost": r.get("total_cost"),
                "plan-expected-loss": r.get("expected_loss"),
                "plan-cvar": r.get("cvar"),
                "plan-portfolio": r.get("portfolio") or "–",
            }
            for r in summary.get("sensitivity", [])
        ],
        columns=[
            "plan-assumption",
            "plan-factor",
            "plan-cost",
            "plan-expected-loss",
            "plan-cvar",
            "plan-portfolio",
        ],
    )
    note = "plan-note-network" if summary.get("target") == "facility" else "plan-note-linear"
    return [
        Report("plan-title", port, head, list(sources), [note], {"name": summary["plan"]}),
        Report("plan-frontier-title", front, {}, list(sources)),
        Report("plan-scenarios-title", scen, {}, list(sources)),
        Report("plan-sensitivity-title", sens, {}, list(sources)),
    ]
