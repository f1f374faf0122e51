"""Use case: a manufacturer's response plan on its BOM network — which buffer stocks and second
sources protect its end products best per unit of cost against outages of its suppliers.

``plan_file`` with ``facility:`` measures and scenarios on the exposure engine → the network
and each sample's outages (node, time to recover in network periods) resolved by the engine's
own ``prepare`` → :class:`fukugan.planning.network.NetworkPortfolioModel` (the time-to-recover
LP as the recourse: exact, no engine runs to measure a response) → portfolio, frontier,
marginal values, VSS / EVPI, sensitivity (:func:`fukugan.services.plan_summary.solve_plan`) → the
engine re-run of the chosen portfolio: every sample run through the exposure engine with the
measures written in as its responses (``stockpile_release`` / ``alternate_sourcing`` with
``facility:``), on Dask as the commodity plans' runs are.

What a measure is, in the network's units: a stockpile of D days of cover holds D /
period_days × g units of the node's output (g its gross requirement per period, the end
products' demand exploded through the BOM); a second source of share σ supplies σ·g per period
from its lead time on. Costs and losses are in the margins' unit (the bundled example: thousand
USD); the plan's scenarios must share one network and its parameters, take the profit
objective, and bring no responses of their own (write those as measures, ``mandatory: true``).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from fukugan.planning.network import NetworkPortfolioModel, NetworkScenario, Outage
from fukugan.planning.portfolio import Measure, outcomes
from fukugan.provenance import Provenance
from fukugan.scenarios.plan import PlanDoc
from fukugan.scenarios.schema import Scenario, ScenarioError
from fukugan.services.cluster import Placement, Workers, dask_where, map_chunks
from fukugan.services.engines import Prepared, prepare, simulate
from fukugan.services.engines.exposure import loss_unit, outage_ttr
from fukugan.services.plan_measures import DASK_FROM_RUNS, core_measures
from fukugan.services.plan_samples import Sample, plan_samples
from fukugan.services.plan_summary import PlanOutcome, solve_plan
from fukugan.store.analytic import AnalyticStore

__all__ = [
    "NetworkInputs",
    "is_network_plan",
    "network_inputs",
    "rerun_network",
    "run_network_plan",
]


def is_network_plan(plan: PlanDoc) -> bool:
    """Whether the plan's measures act on nodes of a BOM network (``facility:``)."""
    return "facility" in plan.doc["measures"][0]


@dataclass
class NetworkInputs:
    """What the services hand the core for a network plan, and where it came from."""

    measures: list[Measure]
    scenarios: list[NetworkScenario]
    samples: list[Sample] = field(repr=False)
    prepared: Prepared = field(repr=False)
    network: Any = field(repr=False)
    plan_measures: list[dict[str, Any]] = field(repr=False)
    parameters: dict[str, Any]
    sources: list[Provenance]
    unit: str
    engine_runs: int = 0  # the program needs none: the re-run's are added by the summary
    seconds: float = 0.0
    placement: Placement | None = None
    runner: Workers = field(default_factory=lambda: Workers({"workers": 0}), repr=False)
    target: str = "facility"  # the measures act on nodes of the network

    def close(self) -> None:
        """Close the Dask client and local cluster the plan started (if it started one)."""
        self.runner.close()


def _measures(plan: PlanDoc, net: Any, period: float) -> list[Measure]:
    """The plan's measures in the network's units (module docstring)."""
    g = net.gross_requirement()
    out = []
    for i, m in enumerate(core_measures(plan)):
        where = ("measures", i, "facility")
        node = m.commodity
        if node not in net.index:
            import difflib

            close = difflib.get_close_matches(node, net.nodes, n=3, cutoff=0.5)
            hint = f"; close: {', '.join(close)}" if close else ""
            raise plan.error(f"unknown node {node!r} in the scenarios' BOM network{hint}", where)
        req = float(g[net.index[node]])
        if req <= 0:
            raise plan.error(
                f"node {node!r} has no gross requirement (its output reaches no end product "
                "with demand): a measure on it protects nothing",
                where,
            )
        if m.is_stock:
            out.append(replace(m, effect=m.effect * req / period))
        else:
            if not any(b.input == node for b in net.bom):
                raise plan.error(
                    f"node {node!r} is an input of no BOM row: a second source of its output "
                    "would supply nothing",
                    where,
                )
            out.append(replace(m, effect=m.effect * req))
    return out


def network_inputs(
    plan: PlanDoc,
    store: AnalyticStore | None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
) -> NetworkInputs:
    """The plan's network, its samples' outages and its measures (module docstring); errors
    name the plan's or the scenario's file, line and field."""
    t0 = time.perf_counter()
    samples = plan_samples(plan)
    first: dict[int, Scenario] = {}
    for s in samples:
        first.setdefault(s.base, s.scenario)
    prep: Prepared | None = None
    key = None
    for b, sc in first.items():
        where = ("scenarios", b, "path")
        if sc.engine != "exposure":
            raise plan.error(
                f"{sc.name} runs on the {sc.engine} engine; measures on a 'facility' plan "
                "against outages of a BOM network (engine: exposure)",
                where,
            )
        if sc.doc.get("responses"):
            raise plan.error(
                f"{sc.name} has responses of its own: a plan adds the measures itself; write "
                "them as measures of the plan (mandatory: true to keep them)",
                where,
            )
        try:
            p = prepare(sc, store)
        except ScenarioError as e:
            raise plan.error(f"scenario does not run: {e}", where) from None
        if p.parameters["objective"] != "profit":
            raise plan.error(
                f"{sc.name} minimises {p.parameters['objective']}; a plan weighs lost profit "
                "against costs (objective: profit)",
                where,
            )
        this = (repr(sc.doc["data"]["bom"]), p.parameters["period_days"],
                p.parameters["inventory_lost"])  # fmt: skip
        if key is None:
            key, prep = this, p
        elif this != key:
            raise plan.error(
                f"{sc.name} is on another network or with other parameters than "
                f"{first[next(iter(first))].name}: a plan's scenarios share one network",
                where,
            )
    assert prep is not None
    net = prep.arrays["network"]
    period = float(prep.parameters["period_days"])
    scenarios = []
    for s in samples:
        outs = []
        for r in prep.resolved:
            _, ttr = outage_ttr(s.scenario, r["index"], net, period)
            outs.append(Outage(r["node"], ttr))
        scenarios.append(NetworkScenario(s.label, s.probability, tuple(outs)))
    measures = _measures(plan, net, period)
    unit = loss_unit(prep)
    # the re-run's engine runs at most (every measure that may fail taken)
    n_runs = len(samples) * 2 ** sum(m.success_probability < 1 for m in measures)
    return NetworkInputs(
        measures=measures,
        scenarios=scenarios,
        samples=samples,
        prepared=prep,
        network=net,
        parameters=dict(prep.parameters),
        sources=list(prep.sources),
        unit=unit,
        seconds=time.perf_counter() - t0,
        plan_measures=plan.doc["measures"],
        runner=dask_where(n_runs, workers, scheduler, client, from_runs=DASK_FROM_RUNS),
    )


def portfolio_responses(
    inputs: NetworkInputs, levels: np.ndarray, success: dict[int, int]
) -> list[dict[str, Any]]:
    """The portfolio ``levels`` as the exposure engine's responses (module docstring), the
    measures that may fail counted only where ``success`` has them succeed."""
    out: list[dict[str, Any]] = []
    for i, (m, doc) in enumerate(zip(inputs.measures, inputs.plan_measures, strict=True)):
        if levels[i] <= 0 or not success.get(i, 1):
            continue
        if m.is_stock:
            days = float(levels[i]) * (float(doc["days"]) if doc["domain"] == "binary" else 1.0)
            out.append({"type": "stockpile_release", "facility": m.commodity,
                        "days_of_cover": days, "id": m.id})  # fmt: skip
        else:
            out.append({"type": "alternate_sourcing", "facility": m.commodity,
                        "max_share": float(doc["share"]), "id": m.id,
                        "lead_time_days": float(doc.get("lead_time_days", 0.0))})  # fmt: skip
    return out


def rerun_network(
    inputs: NetworkInputs, levels: np.ndarray, progress: Any = None
) -> tuple[np.ndarray, int]:
    """Each sample's lost profit with the portfolio written into its scenario and run through
    the exposure engine (over the outcomes of the measures that may fail), and the runs made."""
    taken = [i for i in range(len(inputs.measures)) if levels[i] > 0]
    items = []
    for si, s in enumerate(inputs.samples):
        for omega, pr in outcomes(inputs.measures, taken):
            success = {i: int(w) for i, w in enumerate(omega)}
            doc = copy.deepcopy(s.scenario.doc)
            doc["responses"] = portfolio_responses(inputs, levels, success)
            items.append((si, pr, Scenario(doc, s.scenario.path, s.scenario.lines), s.seed))
    losses, placed = map_chunks(
        _rerun_chunk, inputs.prepared, items, progress=progress, label="re-run",
        **inputs.runner.kwargs,
    )  # fmt: skip
    inputs.placement = inputs.runner.placed(placed)
    out = np.zeros(len(inputs.samples))
    for (si, pr, *_), loss in zip(items, losses, strict=True):
        out[si] += pr * loss
    return out, len(items)


def _rerun_chunk(prep: Prepared, chunk: list[tuple]) -> list[float]:
    """The exposure engine's total lost profit of each scenario (its responses are the
    portfolio's)."""
    return [float(simulate(prep, sc, seed).summary["total_loss"] or 0.0) for *_, sc, seed in chunk]


def run_network_plan(
    plan: PlanDoc,
    store: AnalyticStore | None,
    *,
    lang: str = "en",
    progress: Any = None,
    check: bool = True,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
) -> PlanOutcome:
    """Solve a network plan (module docstring). Nothing is written."""
    inputs = network_inputs(plan, store, workers=workers, scheduler=scheduler, client=client)
    try:
        obj = plan.doc["objective"]
        model = NetworkPortfolioModel(
            inputs.network,
            inputs.measures,
            inputs.scenarios,
            period_days=float(inputs.parameters["period_days"]),
            objective="profit",
            inventory_lost=bool(inputs.parameters["inventory_lost"]),
            alpha=float(obj["cvar_alpha"]),
            beta=float(obj["cvar_weight"]),
            mip_rel_gap=float(obj["mip_gap"]),
        )

        def again(levels: np.ndarray) -> tuple[np.ndarray, int]:
            return rerun_network(inputs, levels, progress)

        return solve_plan(plan, inputs, model, again if check else None, lang)
    finally:
        inputs.close()
