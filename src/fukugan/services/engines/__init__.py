"""Engine adapters: scenario → engine inputs → :class:`~fukugan.results.RunResult`.

Each engine has two steps, so that a Monte Carlo sweep resolves the data once and re-runs only
the numerics:

* ``prepare(scenario, store) -> Prepared``: read the data table, resolve every commodity,
  country, sector and region the scenario names (errors name the scenario's file, line and
  field), collect provenance. Picklable.
* ``simulate(prepared, scenario, seed) -> RunResult``: the numerics for one set of values.

:func:`prepare` and :func:`simulate` here dispatch by engine name to one module per engine, whose
docstring says what the engine does with each block of the scenario and which paper it adapts:

================ =========================================================================
module           engine
================ =========================================================================
:mod:`.static`   static input-output (Leontief / Ghosh, Miller & Blair 2009) on an OECD
                 national table; trade shocks resolved by :mod:`.trade`
:mod:`.ario`     ARIO (Hallegatte 2008, 2014; BoARIO 0.7.2) on an OECD national table
:mod:`.firms`    firm-level propagation (Inoue & Todo 2019) on a firm network
:mod:`.exposure` time-to-recover / time-to-survive LPs and risk exposure index
                 (Simchi-Levi et al. 2014, 2015) on a multi-tier BOM network
================ =========================================================================

:mod:`.common` holds what they share (:class:`Prepared`, sectors and regions); :mod:`.fields`
decides, for every field of every shock and response and every engine, whether the engine
applies it or refuses the scenario (naming the line, the field and the engines that can), and
each run's summary lists what its engine applied (``applied``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

from fukugan.results import RunResult
from fukugan.scenarios.schema import Scenario
from fukugan.services.engines import ario, exposure, firms, static
from fukugan.services.engines.common import EngineNotAvailable, Prepared
from fukugan.services.engines.trade import COMMODITY_SECTOR, HS_CHAPTER_SECTOR, STAGE_SECTOR
from fukugan.store.analytic import AnalyticStore

__all__ = [
    "COMMODITY_SECTOR",
    "HS_CHAPTER_SECTOR",
    "STAGE_SECTOR",
    "EngineNotAvailable",
    "Prepared",
    "prepare",
    "simulate",
]


def prepare(scenario: Scenario, store: AnalyticStore, engine: str | None = None) -> Prepared:
    """Resolve the scenario against the data for ``engine`` (default: the scenario's)."""
    eng = engine or scenario.engine
    return _adapter(eng).prepare(scenario, store)


def simulate(
    prepared: Prepared,
    scenario: Scenario,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run the prepared engine with the scenario's values (Monte Carlo varies them).
    ``progress(day, n_days)`` is called after each simulated day by the engines that step
    through days (ario, firms); it may raise to stop the run."""
    seed = scenario.seed if seed is None else int(seed)
    return _adapter(prepared.engine).simulate(prepared, scenario, seed, progress)


#: The adapter module of each engine.
_ADAPTERS: dict[str, ModuleType] = {
    "static": static,
    "ario": ario,
    "firms": firms,
    "exposure": exposure,
}

#: The module each dynamic engine needs, and the function it must define.
_ENGINE_MODULES = {
    "ario": ("fukugan.dynamics.ario", "simulate_ario"),
    "firms": ("fukugan.dynamics.firms", "simulate_firms"),
    "exposure": ("fukugan.exposure.lp", "risk_exposure"),
}


def _adapter(eng: str) -> ModuleType:
    """The adapter module of engine ``eng``, once its engine module is known to be present."""
    if eng == "static":
        return static
    mod_name, fn = _ENGINE_MODULES[eng]
    try:
        mod = importlib.import_module(mod_name)
    except ImportError:
        mod = None
    if mod is None or not hasattr(mod, fn):
        raise EngineNotAvailable(
            f"engine {eng!r} is not available yet in this build ({mod_name}.{fn} has not "
            "landed); use --engine static"
        )
    return _ADAPTERS[eng]
