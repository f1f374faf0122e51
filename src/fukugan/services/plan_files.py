"""Where plans live: a solved plan's ``summary.json`` (written atomically), the default output
folder, and the plans shipped in ``scenarios/examples/plans``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fukugan.scenarios.plan import PlanDoc, load_plan
from fukugan.store.analytic import AnalyticStore
from fukugan.store.rundir import atomic_run_dir, fresh_dir, now_utc, versions, write_summary

__all__ = ["PLANS_DIR", "default_plan_dir", "example_plan", "example_plans", "write_plan"]


def write_plan(outcome: Any, out_dir: str | Path) -> Path:
    """``summary.json`` of the plan (a :class:`~fukugan.services.planning.PlanOutcome`) in
    ``out_dir``, written atomically (nothing half-written)."""
    out = Path(out_dir)
    with atomic_run_dir(out) as tmp:
        write_summary(tmp, {**outcome.summary, "created": now_utc(), "versions": versions()})
    outcome.out_dir = out
    return out


def default_plan_dir(store: AnalyticStore, name: str) -> Path:
    """``$FUKUGAN_HOME/plans/<name>-<UTC timestamp>`` (a fresh, unused path)."""
    return fresh_dir(store.home / "plans", name)


# -- the shipped plans -------------------------------------------------------------------------

PLANS_DIR = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "plans"


def example_plans() -> list[dict[str, Any]]:
    """The plans shipped in ``scenarios/examples/plans`` (id = file stem), validated."""
    out = []
    for p in sorted(PLANS_DIR.glob("*.yaml")):
        doc = load_plan(p)
        out.append(
            {
                "id": p.stem,
                "name": doc.name,
                "description": doc.doc["description"],
                "n_scenarios": len(doc.doc["scenarios"]),
                "n_measures": len(doc.doc["measures"]),
                "budget": doc.doc["objective"].get("budget"),
            }
        )
    return out


def example_plan(plan_id: str) -> PlanDoc:
    """A shipped plan by id (raises :class:`~fukugan.errors.UnknownItemError`)."""
    from fukugan.errors import UnknownItemError

    ids = [p.stem for p in PLANS_DIR.glob("*.yaml")]
    if plan_id not in ids:
        raise UnknownItemError(
            f"unknown plan {plan_id!r}; shipped plans: {', '.join(sorted(ids)) or 'none'}"
        )
    return load_plan(PLANS_DIR / f"{plan_id}.yaml")


__all__ += ["PLANS_DIR", "example_plan", "example_plans"]
