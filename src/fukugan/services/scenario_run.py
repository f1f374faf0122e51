"""Run one scenario: validate → resolve against the data → simulate → :class:`RunResult`.

The runner never prints and never writes: :mod:`fukugan.services.simulate` writes the run
(:func:`fukugan.results.write_run`) and the CLI renders it. ``progress`` (optional) is
called as ``progress(done, total, label)`` at each step, and after each simulated day by the
engines that step through days (it may raise to stop the run).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fukugan.results import RunResult
from fukugan.scenarios.schema import ENGINES, Scenario, ScenarioError, load_scenario
from fukugan.services.engines import prepare, simulate
from fukugan.store.analytic import AnalyticStore

Progress = Callable[[int, int, str], None]

__all__ = ["Progress", "run_scenario"]


def run_scenario(
    scenario: Scenario | str | Path,
    store: AnalyticStore,
    engine: str | None = None,
    progress: Progress | None = None,
    *,
    seed: int | None = None,
) -> RunResult:
    """Run ``scenario`` (a :class:`Scenario` or a YAML path) with ``engine`` (default: the
    scenario's) and ``seed`` (default: the scenario's). The result records the scenario (with
    the engine and seed actually used), the engine parameters, the data sources and the seed,
    so the same call reproduces it bit for bit."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if engine is not None and engine not in ENGINES:
        raise ScenarioError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    eng = engine or sc.engine
    if eng != sc.engine or seed is not None:
        sc = Scenario(
            {**sc.doc, "engine": eng, "seed": sc.seed if seed is None else int(seed)},
            sc.path,
            sc.lines,
        )
    step = progress or (lambda done, total, label: None)
    step(0, 3, "resolve")
    prepared = prepare(sc, store, eng)
    step(1, 3, "simulate")
    # day-stepping engines report each day: the simulate step spans 1/3 .. 3/3 of the run
    result = simulate(
        prepared, sc, sc.seed, progress=lambda day, n: step(n + 2 * day, 3 * n, "simulate")
    )
    result.summary.setdefault("scenario_file", sc.path)
    step(3, 3, "done")
    return result
