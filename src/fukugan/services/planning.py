"""Use case: a response plan — which measures buy the most resilience per unit of cost.

``plan_file`` (:mod:`fukugan.scenarios.plan`) → the scenarios run through their engine
(:func:`fukugan.services.engines.prepare` / ``simulate``, as :mod:`fukugan.services.scenario_run`
and the Monte Carlo sweeps do) → arrays for the core (:mod:`fukugan.planning.portfolio`) →
portfolio, frontier, marginal values, VSS / EVPI → an engine re-run of the chosen portfolio.

How the loss response is measured (the representation is explained in
:mod:`fukugan.planning.portfolio`): for each scenario (each Monte Carlo sample of it, when
``samples`` is given) and each commodity a measure acts on that a trade shock of the scenario
cuts (a *channel*), three kinds of engine run —

* the scenario as written: its total loss L;
* the channel alone: every other shock's magnitude set to 0 (cut, delta, depth, change) and
  the stock the scenario releases for the commodity set to 0 days (S⁰ is recorded): the loss
  per day ℓ(t) that the channel's shortfall causes before any stock;
* the same with δ = 0.01 days of cover more: λ = (Σℓ − L_δ)/δ, the loss one day of cover
  avoids;

and L⁰ = L − Σ_k max(Σℓ_k − λ_k S⁰_k, 0), the loss the measures do not touch. These are exact
for the static engine (linear in the shortfall) while no industry's loss reaches its output; the
re-run (:func:`rerun`) shows the difference for any engine.

What a measure becomes in a scenario, for the re-run: a stockpile of D days is a
``stockpile_release`` of D days of the commodity; every other measure an
``alternate_sourcing`` of the commodity with its lead time, no ramp and ``max_share`` = its share
(a diversification limit d on a supplier whose share of supply is σ: 1 − d/σ, or nothing if
σ ≤ d). A substitution R&D measure counts only in the outcomes where it succeeds. These
responses are appended to each scenario once, at zero (:func:`_extend`), so that every run of
the plan — the channel alone, the δ stock, the re-run of any portfolio and outcome — changes
only values and the engine is prepared once per scenario (as in a Monte Carlo sweep).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fukugan.planning.portfolio import (
    ChannelLoss,
    Measure,
    PortfolioModel,
    ScenarioLosses,
    outcomes,
)
from fukugan.provenance import Provenance
from fukugan.scenarios.plan import PlanDoc, load_plan
from fukugan.scenarios.schema import Scenario, ScenarioError
from fukugan.services.cluster import Placement, Workers, dask_where, map_chunks
from fukugan.services.engines import Prepared, prepare, simulate
from fukugan.services.highs import quiet_highs
from fukugan.services.plan_measures import DASK_FROM_RUNS, core_measures
from fukugan.services.plan_network import is_network_plan, run_network_plan
from fukugan.services.plan_samples import Sample, plan_samples
from fukugan.services.plan_summary import PlanOutcome, solve_plan
from fukugan.store.analytic import AnalyticStore

__all__ = [
    "PlanInputs",
    "PlanOutcome",
    "core_measures",
    "measure_losses",
    "rerun",
    "run_plan",
]

Progress = Callable[[int, int, str], None]

DELTA_DAYS = 0.01
TRADE = ("export_ban", "quota")
MAGNITUDE = {
    "export_ban": "cut",
    "quota": "cut",
    "sanctions": "cut",
    "outage": "delta",
    "blackout": "depth",
    "demand_shock": "change",
}


@dataclass
class PlanInputs:
    """What the services hand the core, and where it came from."""

    measures: list[Measure]
    scenarios: list[ScenarioLosses]
    samples: list[Sample] = field(repr=False)
    sources: list[Provenance]
    unit: str
    engine_runs: int
    seconds: float
    supplier_share: dict[tuple[int, str], float] = field(default_factory=dict)
    prepared: dict[int, Prepared] = field(default_factory=dict, repr=False)
    slots: dict[int, dict[tuple[str, str], int]] = field(default_factory=dict, repr=False)
    placement: Placement | None = None
    runner: Workers = field(default_factory=lambda: Workers({"workers": 0}), repr=False)

    def close(self) -> None:
        """Close the Dask client and local cluster the plan started (if it started one)."""
        self.runner.close()


# -- measures ----------------------------------------------------------------------------------


# -- engine runs -------------------------------------------------------------------------------


def _daily(result) -> np.ndarray:
    """Loss per day 1..T of a run (the sector rows, as :func:`fukugan.results.headline`)."""
    ts = result.timeseries
    sel = ts[(ts["metric"] == "loss") & (ts["unit_kind"] != "total")]
    parts = sel[sel["component"].isin(["direct", "indirect"])]
    if parts.empty:
        parts = sel[sel["component"] == "total"]
    by_t = parts.groupby("t")["value"].sum()
    T = int(result.scenario.get("horizon_days", len(by_t)))
    out = np.zeros(T)
    idx = by_t.index.to_numpy(dtype=int) - 1
    keep = (idx >= 0) & (idx < T)
    out[idx[keep]] = by_t.to_numpy()[keep]
    return out


def _trade_commodities(prep: Prepared) -> dict[str, list[int]]:
    """Commodity id → the indices of the scenario's export bans and quotas on it."""
    out: dict[str, list[int]] = {}
    for r in prep.resolved:
        if r["type"] in TRADE and r.get("commodity"):
            out.setdefault(str(r["commodity"]), []).append(int(r["index"]))
    return out


def _stock_responses(sc: Scenario, prep: Prepared, k: str) -> list[int]:
    """Indices of the scenario's stockpile releases that apply to commodity ``k``."""
    rc = prep.arrays.get("response_commodity", {})
    return [
        i
        for i, r in enumerate(sc.doc["responses"])
        if r["type"] == "stockpile_release"
        and not r.get("sector")
        and (not r.get("commodity") or rc.get(i) == k)
    ]


def _isolate(sc: Scenario, keep: list[int], stock: list[int]) -> Scenario:
    """The scenario with only shocks ``keep`` acting and the stocks ``stock`` set to 0 days."""
    doc = copy.deepcopy(sc.doc)
    for j, s in enumerate(doc["shocks"]):
        if j in keep:
            continue
        if s["type"] == "extraction":
            raise sc.error(
                "a response plan cannot isolate an extraction shock from the trade shocks it "
                "plans against; remove it or plan against a scenario without it",
                ("shocks", j),
            )
        s[MAGNITUDE[s["type"]]] = 0.0
        s.pop("price_change", None)
    for i in stock:
        doc["responses"][i]["days_of_cover"] = 0.0
    return Scenario(doc, sc.path, sc.lines)


def _with_responses(sc: Scenario, extra: list[dict[str, Any]]) -> Scenario:
    doc = copy.deepcopy(sc.doc)
    doc["responses"] = [*doc["responses"], *extra]
    return Scenario(doc, sc.path, sc.lines)


def _extend(
    sc: Scenario, ks: list[str], measures: list[Measure]
) -> tuple[Scenario, dict[tuple[str, str], int]]:
    """The scenario with one zero-valued response appended per slot a measure may fill — a
    ``stockpile_release`` of 0 days per commodity, an ``alternate_sourcing`` of share 0 per
    flow measure — so every variant of the plan (the δ stock, a portfolio's re-run, each R&D
    outcome) is a change of values, run on one prepared engine (as a Monte Carlo sweep)."""
    extra: list[dict[str, Any]] = []
    slots: dict[tuple[str, str], int] = {}
    n0 = len(sc.doc["responses"])
    for k in ks:
        slots[("stock", k)] = n0 + len(extra)
        extra.append({"type": "stockpile_release", "commodity": k, "days_of_cover": 0.0})
        for m in measures:
            if m.commodity == k and not m.is_stock:
                slots[("flow", m.id)] = n0 + len(extra)
                extra.append(
                    {
                        "type": "alternate_sourcing",
                        "commodity": k,
                        "lead_time_days": int(math.ceil(m.lead_time_days)),
                        "ramp_days": 0,
                        "max_share": 0.0,
                    }
                )
    return _with_responses(sc, extra), slots


def _set(sc: Scenario, values: dict[int, tuple[str, float]]) -> Scenario:
    """A copy with response ``i``'s field set: ``{i: (field, value)}``."""
    doc = copy.deepcopy(sc.doc)
    for i, (fld, v) in values.items():
        doc["responses"][i][fld] = v
    return Scenario(doc, sc.path, sc.lines)


def measure_losses(
    plan: PlanDoc,
    store: AnalyticStore,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
) -> PlanInputs:
    """Run the plan's scenarios through their engines and measure each channel's loss response
    (module docstring), on Dask when there are many runs
    (:func:`fukugan.services.cluster.dask_where`). Errors name the
    plan's file, line and field (or the scenario's)."""
    t0 = time.perf_counter()
    step = progress or (lambda done, total, what: None)
    measures = core_measures(plan)
    commodities = {m.commodity for m in measures}
    samples = plan_samples(plan)
    sources: dict[str, Provenance] = {}
    units: set[str] = set()
    runs = 0
    base_sc: dict[int, Scenario] = {s.base: s.scenario for s in reversed(samples)}
    trade: dict[int, dict[str, list[int]]] = {}
    for b, sc in base_sc.items():
        where = ("scenarios", b, "path")
        try:
            p = prepare(sc, store)
        except ScenarioError as e:
            raise plan.error(f"scenario does not run: {e}", where) from None
        trade[b] = _trade_commodities(p)
        for src in p.sources:
            sources.setdefault(src.dataset, src)
    cut_anywhere = {k for tc in trade.values() for k in tc}
    for i, m in enumerate(plan.doc["measures"]):
        if m["commodity"] not in cut_anywhere:
            cut = ", ".join(sorted(cut_anywhere)) or "none"
            raise plan.error(
                f"no scenario of the plan cuts {m['commodity']!r} (an export ban or quota on "
                f"it); commodities cut: {cut}",
                ("measures", i, "commodity"),
            )
    preps: dict[int, Prepared] = {}
    slots: dict[int, dict[tuple[str, str], int]] = {}
    for b, sc in base_sc.items():
        ext, slots[b] = _extend(sc, sorted(commodities & set(trade[b])), measures)
        preps[b] = prepare(ext, store)
    for s in samples:  # the samples' own values, with the slots appended
        s.scenario = _extend(s.scenario, sorted(commodities & set(trade[s.base])), measures)[0]
    n_total = sum(1 + 2 * len(commodities & set(trade[s.base])) for s in samples)
    runner = dask_where(n_total, workers, scheduler, client, from_runs=DASK_FROM_RUNS)
    shared = _Shared(
        preps,
        slots,
        {b: sorted(commodities & set(trade[b])) for b in base_sc},
        {b: {k: trade[b][k] for k in commodities & set(trade[b])} for b in base_sc},
        [
            (str(m["id"]), str(m["commodity"]), float(m["max_supplier_share"]))
            for m in plan.doc["measures"]
            if m["kind"] == "diversification"
        ],
    )
    runs_of = [1 + 2 * len(shared.channels[s.base]) for s in samples]
    before = np.concatenate([[0], np.cumsum(runs_of)])

    def tick(done: int, total: int, what: str) -> None:
        step(int(before[done]), n_total, samples[done - 1].label if done else what)

    try:
        results, placed = map_chunks(
            _sample_losses, shared, samples, progress=tick, label="samples", **runner.kwargs
        )
    except BaseException:
        runner.close()
        raise
    out: list[ScenarioLosses] = []
    shares: dict[tuple[int, str], float] = {}
    for s, (unit, other, channels, sigma) in zip(samples, results, strict=True):
        units.add(unit)
        for k, v in sigma.items():
            shares[(len(out), k)] = v
        out.append(ScenarioLosses(s.label, s.probability, other, channels))
    runs = int(before[-1])
    return PlanInputs(
        measures=measures,
        scenarios=out,
        samples=samples,
        sources=list(sources.values()),
        unit=", ".join(sorted(units)),
        engine_runs=runs,
        seconds=time.perf_counter() - t0,
        supplier_share=shares,
        prepared=preps,
        slots=slots,
        placement=runner.placed(placed),
        runner=runner,
    )


@dataclass(frozen=True)
class _Shared:
    """What every engine run of a plan needs, scattered once to the Dask workers: the prepared
    engine of each base scenario, its measure slots, the commodities whose channels are
    measured and their shock indices, and the diversification limits (id, commodity, d)."""

    preps: dict[int, Prepared]
    slots: dict[int, dict[tuple[str, str], int]]
    channels: dict[int, list[str]]
    shocks: dict[int, dict[str, list[int]]]
    limits: list[tuple[str, str, float]]


def _sample_losses(shared: _Shared, chunk: list[Sample]) -> list[tuple]:
    """For each sample: (unit, L⁰, channels, supplier share by commodity), from 1 + 2 engine
    runs per channel (module docstring)."""
    out = []
    for s in chunk:
        p0 = shared.preps[s.base]
        slot = shared.slots[s.base]
        r = simulate(p0, s.scenario, s.seed)
        total = float(_daily(r).sum())
        channels: dict[str, ChannelLoss] = {}
        sigmas: dict[str, float] = {}
        touched = 0.0
        for k in shared.channels[s.base]:
            keep = shared.shocks[s.base][k]
            own = [i for i in _stock_responses(s.scenario, p0, k) if i != slot[("stock", k)]]
            s0 = float(sum(float(s.scenario.doc["responses"][i]["days_of_cover"]) for i in own))
            alone = _isolate(s.scenario, keep, own)
            ell = _daily(simulate(p0, alone, s.seed))
            more = _set(alone, {slot[("stock", k)]: ("days_of_cover", DELTA_DAYS)})
            l_delta = float(_daily(simulate(p0, more, s.seed)).sum())
            lam = max(float(ell.sum()) - l_delta, 0.0) / DELTA_DAYS
            start = min(int(s.scenario.doc["shocks"][j].get("start", 0)) for j in keep)
            sigma = _supplier_share(s.scenario, p0, keep)
            sigmas[k] = sigma
            scale = {
                mid: (max(0.0, 1.0 - d / sigma) if sigma > 0 else 0.0)
                for mid, mk, d in shared.limits
                if mk == k
            }
            channels[k] = ChannelLoss(ell, lam, s0, start, scale)
            touched += max(float(ell.sum()) - lam * s0, 0.0)
        out.append((r.unit, total - touched, channels, sigmas))
    return out


def _supplier_share(sc: Scenario, prep: Prepared, keep: list[int]) -> float:
    """The largest supplier share among the shocks ``keep`` (the scenario's value or the one
    the engine resolved from the data)."""
    by_index = {int(r["index"]): r for r in prep.resolved}
    vals = []
    for j in keep:
        shock = sc.doc["shocks"][j]
        vals.append(float(shock.get("supplier_share", by_index[j].get("supplier_share", 0.0))))
    return max(vals) if vals else 0.0


# -- the engine re-run of a portfolio ----------------------------------------------------------


def _portfolio_values(
    inputs: PlanInputs, si: int, levels: np.ndarray, success: dict[int, int]
) -> dict[int, tuple[str, float]]:
    """The slot values that write portfolio ``levels`` into sample ``si`` (module docstring)."""
    s = inputs.samples[si]
    ch = inputs.scenarios[si].channels
    slot = inputs.slots[s.base]
    stock: dict[str, float] = {}
    values: dict[int, tuple[str, float]] = {}
    for i, m in enumerate(inputs.measures):
        if levels[i] <= 0 or m.commodity not in ch or not success.get(i, 1):
            continue
        if m.is_stock:
            stock[m.commodity] = stock.get(m.commodity, 0.0) + float(levels[i] * m.effect)
            continue
        share = float(m.effect * levels[i] * ch[m.commodity].scale.get(m.id, 1.0))
        values[slot[("flow", m.id)]] = ("max_share", min(max(share, 0.0), 1.0))
    for k, days in stock.items():
        values[slot[("stock", k)]] = ("days_of_cover", days)
    return values


def rerun(
    inputs: PlanInputs, store: AnalyticStore, levels: np.ndarray, progress: Progress | None = None
) -> tuple[np.ndarray, int]:
    """Each sample's loss with the portfolio ``levels`` written into the scenario and run
    through its engine (over the outcomes of the measures that may fail), and the runs made;
    on Dask as :func:`measure_losses` was."""
    del store  # the engines were prepared by measure_losses
    taken = [i for i in range(len(inputs.measures)) if levels[i] > 0]
    items = []
    for si, s in enumerate(inputs.samples):
        for omega, pr in outcomes(inputs.measures, taken):
            success = {i: int(w) for i, w in enumerate(omega)}
            sc = _set(s.scenario, _portfolio_values(inputs, si, levels, success))
            items.append((si, pr, s.base, sc, s.seed))
    losses, _ = map_chunks(
        _rerun_losses, inputs.prepared, items, progress=progress, label="re-run",
        **inputs.runner.kwargs,
    )  # fmt: skip
    out = np.zeros(len(inputs.samples))
    for (si, pr, *_), loss in zip(items, losses, strict=True):
        out[si] += pr * loss
    return out, len(items)


def _rerun_losses(preps: dict[int, Prepared], chunk: list[tuple]) -> list[float]:
    return [float(_daily(simulate(preps[b], sc, seed)).sum()) for _, _, b, sc, seed in chunk]


# -- the use case ------------------------------------------------------------------------------


def run_plan(
    plan: PlanDoc | str | Path,
    store: AnalyticStore,
    *,
    lang: str = "en",
    progress: Progress | None = None,
    check: bool = True,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
) -> PlanOutcome:
    """Solve the plan: portfolio, frontier, marginal values, VSS / EVPI and (``check``) the
    engine re-run of the portfolio. The engine runs go to Dask as :func:`_where` says
    (``workers=0``: this process). Nothing is written (see :func:`write_plan`)."""
    pd_ = plan if isinstance(plan, PlanDoc) else load_plan(plan)
    quiet_highs()
    if is_network_plan(pd_):
        return run_network_plan(
            pd_, store, lang=lang, progress=progress, check=check, workers=workers,
            scheduler=scheduler, client=client,
        )  # fmt: skip
    inputs = measure_losses(
        pd_, store, progress, workers=workers, scheduler=scheduler, client=client
    )
    try:
        obj = pd_.doc["objective"]
        model = PortfolioModel(
            inputs.measures,
            inputs.scenarios,
            alpha=float(obj["cvar_alpha"]),
            beta=float(obj["cvar_weight"]),
            mip_rel_gap=float(obj["mip_gap"]),
        )

        def again(levels: np.ndarray) -> tuple[np.ndarray, int]:
            return rerun(inputs, store, levels, progress)

        return solve_plan(pd_, inputs, model, again if check else None, lang)
    finally:
        inputs.close()
