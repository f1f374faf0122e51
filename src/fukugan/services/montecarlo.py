"""Monte Carlo sweeps: sample a scenario's uncertain parameters, run an engine N times on Dask,
reduce the runs to distributions of losses.

Sampling (the scenario's ``uncertainty:`` block, see :mod:`fukugan.scenarios.schema`): sample
``i`` draws every parameter from its own generator ``numpy.random.default_rng(child_i)``, where
``child_i`` is the i-th of ``numpy.random.SeedSequence(seed).spawn(N)``; the engine run of
sample ``i`` gets the seed ``child_i.generate_state(1)[0]``. The sweep therefore depends only
on (scenario, seed, N), never on the number of workers or the order tasks finish in.
Draws: ``uniform(low, high)``, ``triangular(low, mode, high)``, ``normal(mean, sd)``,
``lognormal`` with median and log-sd ``sigma``; normal and lognormal draws are clipped to their
optional ``low`` / ``high``, and every draw to the field's range (fractions [0, 1], days ≥ 0;
day counts are rounded to integers).

Execution: the data are resolved once (:func:`fukugan.services.engines.prepare`), scattered
to every worker, and the samples run in chunks (about four per worker) on a
``distributed.LocalCluster`` (``workers`` processes, one thread each, and one BLAS / OpenMP /
numba thread each: :data:`WORKER_ENV`) or on the cluster at ``scheduler`` (``tcp://host:8786``);
``workers=0`` runs in this process (no Dask).

Reduction: per sample, the total loss by unit over the horizon, the total loss per day and the
headline (:func:`fukugan.results.headline`); across samples, mean, standard deviation
and the 5 / 50 / 95 % quantiles (numpy's default linear interpolation) by unit and by day.
"Loss" is the run's headline metric: ``loss``, or ``profit_loss`` for the exposure engine.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fukugan.provenance import Provenance
from fukugan.results import headline
from fukugan.scenarios.schema import SAMPLEABLE, Scenario, ScenarioError, parse_path
from fukugan.services.cluster import WORKER_ENV, local_cluster, map_chunks
from fukugan.services.engines import Prepared, prepare, simulate
from fukugan.store.rundir import atomic_run_dir, now_utc, versions, write_summary

__all__ = [
    "WORKER_ENV",  # re-exported from fukugan.services.cluster
    "SweepResult",
    "draw",
    "local_cluster",
    "run_sweep",
    "sample_values",
    "write_sweep",
]

QUANTILES = (0.05, 0.5, 0.95)


@dataclass
class SweepResult:
    """Distributions of a Monte Carlo sweep (see the module docstring)."""

    scenario: dict[str, Any]
    engine: str
    seed: int
    n: int
    workers: int
    scheduler: str
    unit: str
    samples: pd.DataFrame  # one row per sample: values drawn, seed, headline figures
    by_sector: pd.DataFrame  # unit, mean, sd, q05, q50, q95 of the total loss over the horizon
    daily: pd.DataFrame  # t, mean, sd, q05, q50, q95 of the total loss per day
    sources: list[Provenance] = field(default_factory=list)
    elapsed: float = 0.0  # seconds of sampling + runs + reduction (cluster start excluded)
    startup: float = 0.0  # seconds to start the local cluster (0 with a scheduler or in-process)

    @property
    def totals(self) -> pd.DataFrame:
        return self.samples


def draw(spec: dict[str, Any], rng: np.random.Generator) -> float:
    """One draw from an ``uncertainty:`` entry, clipped to its bounds and its field's range.

    >>> rng = np.random.default_rng(0)
    >>> 0.3 <= draw({"param": "shocks[0].cut", "dist": "triangular", "low": 0.3,
    ...              "mode": 0.5, "high": 0.9}, rng) <= 0.9
    True
    >>> draw({"param": "shocks[0].duration", "dist": "uniform", "low": 10, "high": 11}, rng)
    10
    """
    dist = spec["dist"]
    if dist == "uniform":
        v = rng.uniform(spec["low"], spec["high"])
    elif dist == "triangular":
        v = rng.triangular(spec["low"], spec["mode"], spec["high"])
    elif dist == "normal":
        v = rng.normal(spec["mean"], spec["sd"])
    else:  # lognormal
        v = rng.lognormal(math.log(spec["median"]), spec["sigma"])
    lo = spec.get("low", -math.inf)
    hi = spec.get("high", math.inf)
    v = float(min(max(v, lo), hi))
    fmin, fmax, integer = SAMPLEABLE[parse_path(spec["param"])[-1]]
    v = min(max(v, fmin), fmax)
    return int(math.floor(v)) if integer else v


def sample_values(sc: Scenario, n: int, seed: int) -> list[tuple[dict[str, float], int]]:
    """``n`` (values by param path, engine seed) pairs, deterministic in (scenario, seed, n)."""
    specs = sc.doc.get("uncertainty", [])
    out = []
    for child in np.random.SeedSequence(int(seed)).spawn(int(n)):
        rng = np.random.default_rng(child)
        values = {u["param"]: draw(u, rng) for u in specs}
        out.append((values, int(child.generate_state(1)[0])))
    return out


def _run_chunk(
    prepared: Prepared, items: list[tuple[int, dict[str, float], int]], *, doc: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run samples on a worker; return small per-sample reductions."""
    base = Scenario(doc)
    units = None
    out = []
    for i, values, s in items:
        res = simulate(prepared, base.with_values(values), s)
        ts = res.timeseries
        metric = str(res.summary.get("headline_metric", "loss"))  # exposure: profit_loss
        loss = ts[(ts["metric"] == metric) & (ts["unit_kind"] != "total")]
        by_unit = loss.groupby("unit", sort=True)["value"].sum()
        if units is None:
            units = by_unit.index.tolist()
        daily = loss.groupby("t", sort=True)["value"].sum()
        h = headline(ts, metric=metric)
        out.append(
            {
                "sample": i,
                "seed": s,
                "values": values,
                "units": units,
                "by_unit": by_unit.reindex(units).to_numpy(dtype=float),
                "days": daily.index.to_numpy(dtype=np.int64),
                "daily": daily.to_numpy(dtype=float),
                "headline": h,
                "unit": res.unit,
            }
        )
    return out


def run_sweep(
    sc: Scenario,
    store: Any,
    *,
    samples: int,
    engine: str | None = None,
    seed: int | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    client: Any = None,
    chunk_size: int | None = None,
) -> SweepResult:
    """Run ``samples`` draws of ``sc`` (see the module docstring) and reduce them.

    ``progress(done, total, label)`` is called as chunks of samples complete; an exception it
    raises stops the sweep there (the remaining Dask futures are cancelled, a local cluster
    closed) and propagates: this is how a job is cancelled between samples."""
    if samples < 1:
        raise ScenarioError(f"--samples must be at least 1, not {samples}", path=sc.path)
    if not sc.doc.get("uncertainty"):
        raise sc.error(
            "a Monte Carlo sweep needs an 'uncertainty:' block (parameters and distributions)",
            (),
        )
    eng = engine or sc.engine
    seed = sc.seed if seed is None else int(seed)
    sc = Scenario({**sc.doc, "engine": eng, "seed": seed}, sc.path, sc.lines)
    step = progress or (lambda done, total, label: None)
    step(0, samples, "resolve")
    prepared = prepare(sc, store, eng)  # errors (file / line / field) before any worker starts
    draws = sample_values(sc, samples, seed)
    items = [(i, v, s) for i, (v, s) in enumerate(draws)]
    results, where = map_chunks(
        partial(_run_chunk, doc=sc.doc),
        prepared,
        items,
        workers=workers,
        scheduler=scheduler,
        client=client,
        progress=step,
        chunk_size=chunk_size,
        label="samples",
    )
    t0 = time.perf_counter()
    by_unit, daily, table = _reduce(results, sc)
    elapsed = where.seconds + time.perf_counter() - t0
    return SweepResult(
        scenario=sc.doc,
        engine=eng,
        seed=seed,
        n=samples,
        workers=where.workers,
        scheduler=where.scheduler,
        unit=results[0]["unit"] if results else "",
        samples=table,
        by_sector=by_unit,
        daily=daily,
        sources=list(prepared.sources),
        elapsed=elapsed,
        startup=where.startup,
    )


def _stats(mat: np.ndarray) -> dict[str, np.ndarray]:
    q = np.quantile(mat, QUANTILES, axis=0)
    return {"mean": mat.mean(axis=0), "sd": mat.std(axis=0), "q05": q[0], "q50": q[1], "q95": q[2]}


def _reduce(results: list[dict[str, Any]], sc: Scenario):
    results = sorted(results, key=lambda r: r["sample"])
    units = sorted({u for r in results for u in r["units"]})
    mat = np.zeros((len(results), len(units)))
    pos = {u: k for k, u in enumerate(units)}
    for i, r in enumerate(results):
        mat[i, [pos[u] for u in r["units"]]] = r["by_unit"]
    by_unit = pd.DataFrame({"unit": units, **_stats(mat)})
    by_unit = by_unit.sort_values(["mean", "unit"], ascending=[False, True], kind="stable")
    days = np.arange(1, sc.horizon + 1)
    dmat = np.zeros((len(results), len(days)))
    for i, r in enumerate(results):
        idx = r["days"] - 1
        ok = (idx >= 0) & (idx < len(days))
        dmat[i, idx[ok]] = r["daily"][ok]
    daily = pd.DataFrame({"t": days.astype(np.int64), **_stats(dmat)})
    rows = []
    for r in results:
        h = r["headline"]
        rows.append(
            {
                "sample": r["sample"],
                "seed": r["seed"],
                **{f"value:{k}": float(v) for k, v in r["values"].items()},
                "total_loss": h["total_loss"],
                "peak_loss": h["peak_loss"],
                "peak_day": h["peak_day"] if h["peak_day"] is not None else -1,
                "recovery_day": (
                    float(h["recovery_day"]) if h["recovery_day"] is not None else math.nan
                ),
                "indirect_share": h["indirect_share"],
            }
        )
    table = pd.DataFrame(rows)
    return by_unit.reset_index(drop=True), daily, table


def write_sweep(sweep: SweepResult, run_dir: str | Path) -> Path:
    """Write a sweep atomically: ``samples.parquet``, ``by_sector.parquet``, ``daily.parquet``
    and ``summary.json`` (scenario, engine, seed, N, workers, sources, quantiles)."""
    run_dir = Path(run_dir)
    tot = sweep.samples
    with atomic_run_dir(run_dir) as tmp:
        sweep.samples.to_parquet(tmp / "samples.parquet")
        sweep.by_sector.to_parquet(tmp / "by_sector.parquet")
        sweep.daily.to_parquet(tmp / "daily.parquet")
        write_summary(
            tmp,
            {
                "kind": "montecarlo",
                "engine": sweep.engine,
                "scenario": sweep.scenario,
                "seed": sweep.seed,
                "samples": sweep.n,
                "workers": sweep.workers,
                "scheduler": sweep.scheduler,
                "unit": sweep.unit,
                "seeding": "numpy SeedSequence(seed).spawn(samples); sample i: default_rng(child_i), "
                "engine seed child_i.generate_state(1)[0]",
                "total_loss": _stats(tot["total_loss"].to_numpy(dtype=float)),
                "peak_loss": _stats(tot["peak_loss"].to_numpy(dtype=float)),
                "elapsed_s": sweep.elapsed,
                "startup_s": sweep.startup,
                "sources": [asdict(p) for p in sweep.sources],
                "versions": versions(),
                "created_at": now_utc(),
            },
        )
    return run_dir
