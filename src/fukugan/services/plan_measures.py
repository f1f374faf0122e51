"""A response plan's measures as the core's :class:`~fukugan.planning.portfolio.Measure`
(levels and costs; their effects in the units of the plan's engine are set by the plan on a
national table, :mod:`fukugan.services.planning`, or on a BOM network,
:mod:`fukugan.services.plan_network`)."""

from __future__ import annotations

from typing import Any

from fukugan.planning.portfolio import Measure
from fukugan.scenarios.plan import PlanDoc

__all__ = ["DASK_FROM_RUNS", "core_measures", "measure_target"]

#: Engine runs from which a plan's evaluation goes to a local Dask cluster by default (below
#: that, starting the workers costs more than they save).
DASK_FROM_RUNS = 200


def measure_target(m: dict[str, Any]) -> str:
    """What a plan's measure acts on: its commodity, or its node of a BOM network."""
    return str(m["commodity"] if "commodity" in m else m["facility"])


def core_measures(plan: PlanDoc) -> list[Measure]:
    """The plan's measures as the core's :class:`~fukugan.planning.portfolio.Measure` (levels:
    days of cover for a continuous or integer stockpile, the share of consumption for continuous
    recycling or capacity, 0/1 otherwise)."""
    years = float(plan.doc["horizon_years"])
    out = []
    for m in plan.doc["measures"]:
        kind, dom = m["kind"], m["domain"]
        fixed = float(m.get("fixed_cost", 0.0))
        lead = float(m.get("lead_time_days", 0.0))
        must = bool(m.get("mandatory"))
        if kind == "stockpile":
            per_day = float(m.get("acquisition_cost_per_day", 0.0)) + years * float(
                m.get("holding_cost_per_day_year", 0.0)
            )
            if dom == "binary":
                days = float(m["days"])
                me = Measure(
                    m["id"], kind, measure_target(m), "binary", 1.0, per_day * days, fixed, days,
                    min_level=1.0 if must else 0.0,
                )  # fmt: skip
            else:
                hi = float(m["max_days"])
                lo = float(m.get("min_days", 0.0))
                me = Measure(
                    m["id"], kind, measure_target(m), dom, hi, per_day, fixed, 1.0,
                    min_level=hi if must and lo == 0 else lo,
                )  # fmt: skip
        elif kind in ("recycling", "capacity"):
            per_unit = 100.0 * float(m.get("cost_per_share_point", 0.0))
            if dom == "binary":
                share = float(m["share"])
                me = Measure(
                    m["id"], kind, measure_target(m), "binary", 1.0, per_unit * share, fixed, share,
                    lead, min_level=1.0 if must else 0.0,
                )  # fmt: skip
            else:
                hi = float(m["max_share"])
                lo = float(m.get("min_share", 0.0))
                me = Measure(
                    m["id"], kind, measure_target(m), "continuous", hi, per_unit, fixed, 1.0, lead,
                    min_level=hi if must and lo == 0 else lo,
                )  # fmt: skip
        else:
            share = 1.0 if kind == "diversification" else float(m["share"])
            me = Measure(
                m["id"], kind, measure_target(m), "binary", 1.0, 0.0, fixed, share, lead,
                float(m.get("success_probability", 1.0)), min_level=1.0 if must else 0.0,
            )  # fmt: skip
        out.append(me)
    return out
