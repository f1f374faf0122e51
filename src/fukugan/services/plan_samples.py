"""The scenarios of a response plan as weighted samples (each scenario, or its Monte Carlo draws),
shared by the plans on a national table (:mod:`fukugan.services.planning`) and on a BOM network
(:mod:`fukugan.services.plan_network`)."""

from __future__ import annotations

from dataclasses import dataclass

from fukugan.scenarios.plan import PlanDoc
from fukugan.scenarios.schema import Scenario, ScenarioError, load_scenario
from fukugan.services.montecarlo import sample_values

__all__ = ["Sample", "plan_samples"]


@dataclass
class Sample:
    """One scenario sample: the scenario with its values, its engine seed and probability."""

    base: int  # index of the plan's scenario
    label: str
    scenario: Scenario
    seed: int
    probability: float


def plan_samples(plan: PlanDoc) -> list[Sample]:
    """The plan's scenarios as samples: each scenario once, or its ``samples`` Monte Carlo
    draws (:func:`fukugan.services.montecarlo.sample_values`), each with weight / samples of
    the normalised weights; the plan's ``engine`` replaces the scenarios' own."""

    scs = plan.doc["scenarios"]
    total = sum(float(s["weight"]) for s in scs)
    out = []
    for i, s in enumerate(scs):
        where = ("scenarios", i, "path")
        try:
            sc = load_scenario(plan.scenario_path(i))
        except ScenarioError as e:
            raise plan.error(f"scenario does not load: {e}", where) from None
        if plan.doc.get("engine") and plan.doc["engine"] != sc.engine:
            sc = Scenario({**sc.doc, "engine": plan.doc["engine"]}, sc.path, sc.lines)
        w = float(s["weight"]) / total
        n = s.get("samples")
        if n:
            if not sc.doc.get("uncertainty"):
                raise plan.error(
                    f"{sc.name} has no 'uncertainty:' block to sample", ("scenarios", i, "samples")
                )
            seed = int(s.get("seed", sc.seed))
            for j, (values, eseed) in enumerate(sample_values(sc, int(n), seed)):
                out.append(Sample(i, f"{sc.name}#{j + 1}", sc.with_values(values), eseed, w / n))
        else:
            out.append(Sample(i, sc.name, sc, sc.seed, w))
    return out
