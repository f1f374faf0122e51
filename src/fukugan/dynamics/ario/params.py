"""ARIO parameters and events (BoARIO 0.7.2's names and defaults); see :mod:`fukugan.dynamics.ario`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from fukugan.errors import InputError

__all__ = [
    "EVENT_ARBITRARY_PRECISION",
    "INV_THRESHOLD",
    "RECOVERY_FUNCTIONS",
    "TECHNOLOGY_THRESHOLD",
    "ARIOEvent",
    "ARIOParams",
]

#: BoARIO ``model_base.TECHNOLOGY_THRESHOLD``: an input whose yearly flow by product is at most
#: this fraction of the client's *daily* output is not considered an input (BoARIO compares the
#: yearly ``Z_C`` to the daily ``X_0``; kept as is).
TECHNOLOGY_THRESHOLD = 0.00001
#: BoARIO ``extended_models.INV_THRESHOLD``.
INV_THRESHOLD = 0
#: BoARIO ``simulation.EVENT_ARBITRARY_PRECISION``: decimals of a recovering arbitrary loss.
EVENT_ARBITRARY_PRECISION = 6


@dataclass(frozen=True)
class ARIOParams:
    """ARIO parameters, with BoARIO 0.7.2's names and defaults (``ARIOPsiModel``).

    ``alpha_base`` α^b (1.0), ``alpha_max`` α^max (1.25), ``alpha_tau`` τ_α in days (365),
    ``rebuild_tau`` τ_REBUILD in days (60, used by rebuilding events without their own),
    ``main_inv_dur`` target inventory in days of use (90), ``inventory_dict`` per input sector
    (days, ``math.inf`` allowed), ``infinite_inventories_sect`` inputs that never constrain,
    ``psi_param`` ψ (0.8), ``inventory_restoration_tau`` τ_INV in days (60, or per sector),
    ``order_type`` "alt" (orders follow suppliers' capacity) or "noalt" (fixed shares),
    ``monetary_factor`` of the MRIO unit (10⁶: million), ``iotable_year_to_temporal_unit_factor``
    (365: yearly tables, daily steps), ``temporal_units_by_step`` (only 1),
    ``productive_capital_to_VA`` capital / value added (4, or per sector; Hallegatte 2008),
    ``model_type`` "psi" (``ARIOPsiModel``, BoARIO's default) or "base" (``ARIOBaseModel``: no ψ,
    no τ_INV), ``arbitrary_lag`` the days an arbitrary production-capacity loss takes to act
    (0: on its occurrence day, like capital destroyed; 1: one day late, as BoARIO 0.7.2).
    """

    alpha_base: float = 1.0
    alpha_max: float = 1.25
    alpha_tau: int = 365
    rebuild_tau: int = 60
    main_inv_dur: float = 90
    inventory_dict: Mapping[str, float] | None = None
    infinite_inventories_sect: tuple[str, ...] = ()
    psi_param: float = 0.80
    inventory_restoration_tau: int | Mapping[str, int] = 60
    order_type: Literal["alt", "noalt"] = "alt"
    monetary_factor: int = 10**6
    temporal_units_by_step: int = 1
    iotable_year_to_temporal_unit_factor: int = 365
    productive_capital_to_VA: float | Mapping[str, float] = 4
    model_type: Literal["psi", "base"] = "psi"
    arbitrary_lag: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for a run summary)."""
        d = asdict(self)
        for k in ("inventory_dict", "inventory_restoration_tau", "productive_capital_to_VA"):
            if isinstance(d[k], Mapping):
                d[k] = dict(d[k])
        d["infinite_inventories_sect"] = list(d["infinite_inventories_sect"])
        return d


def _linear(elapsed: float, init: np.ndarray, tau: int) -> np.ndarray:
    return init * (1 - (elapsed / tau))


def _convexe_noscale(elapsed: float, init: np.ndarray, tau: int) -> np.ndarray:
    return init * (1 - (1 / tau)) ** elapsed


def _convexe(elapsed: float, init: np.ndarray, tau: int) -> np.ndarray:
    return init * (1 - (1 / tau)) ** (4 * elapsed)


def _concave(elapsed: float, init: np.ndarray, tau: int) -> np.ndarray:
    steep = 0.000001
    tau_h = 2
    exponent = (np.log(tau) - np.log(steep)) / (np.log(tau) - np.log(tau_h))
    return (init * tau) / (tau + steep * (elapsed**exponent))


#: BoARIO's recovery functions (``boario.utils.recovery_functions``), by BoARIO's names:
#: linear K₀(1 − e/τ); "convexe" K₀(1 − 1/τ)^(4e); "convexe noscale" K₀(1 − 1/τ)^e;
#: "concave" K₀τ / (τ + 10⁻⁶ e^k), k = (ln τ − ln 10⁻⁶)/(ln τ − ln 2); e = days since recovery start.
RECOVERY_FUNCTIONS: dict[str, Callable[[float, np.ndarray, int], np.ndarray]] = {
    "linear": _linear,
    "convexe": _convexe,
    "convexe noscale": _convexe_noscale,
    "concave": _concave,
}


@dataclass(frozen=True)
class ARIOEvent:
    """Destruction of productive capital (BoARIO ``EventKapitalRecover`` / ``EventKapitalRebuild``).

    ``impact``: capital destroyed per (region, sector), in the MRIO's monetary unit (e.g. million
    USD when ``monetary_factor`` is 10⁶) unless ``event_monetary_factor`` says otherwise. The
    production capacity lost is Δ = destroyed / K. The event starts at day ``occurrence`` (≥ 1),
    keeps its full impact for ``duration`` days, then:

    - ``event_type="recovery"``: capital recovers along ``recovery_function`` over
      ``recovery_tau`` days (no rebuilding demand);
    - ``event_type="rebuild"``: the destroyed capital × ``rebuilding_factor`` becomes a demand
      addressed to ``rebuilding_sectors`` (sector → share, summing to 1) in every region, split
      among supplier regions like the intermediate flows into the damaged industry, and asked at
      the rate 1/``rebuild_tau`` (the model's ``rebuild_tau`` when None) of what remains.
      ``households_impact``: households' capital destroyed per (region, final demand category)
      (the categories of :func:`prepare_system`'s ``fd_categories``), which lowers no production
      capacity but becomes a rebuilding demand too (BoARIO's households rebuilding demand:
      × ``rebuilding_factor``, split among supplier regions like the final demand of that
      category, converted to the model's unit first — BoARIO converts the households' part and
      not the industries'); the event is rebuilt when both parts are. On a recovery event,
      households' capital only recovers, with no effect on the trajectory (as BoARIO);
    - ``event_type="arbitrary"`` (BoARIO ``EventArbitraryProd``): ``impact`` is the *share of
      production capacity* lost (0 < Δ ≤ 1) per (region, sector), with no capital destroyed and
      no rebuilding demand (a blackout, a strike, a cyber outage); after ``duration`` it recovers
      along ``recovery_function`` over ``recovery_tau`` days (1 when None, as BoARIO), rounded
      to 6 decimals each day (BoARIO's ``EVENT_ARBITRARY_PRECISION``). Capacity lost by an
      industry = max(capital lost / K, the arbitrary losses) — BoARIO's rule; several arbitrary
      events on one industry also combine by max.
    """

    impact: Mapping[tuple[str, str], float]
    occurrence: int = 1
    duration: int = 1
    event_type: Literal["recovery", "rebuild", "arbitrary"] = "recovery"
    recovery_tau: int | None = None
    recovery_function: str = "linear"
    rebuild_tau: int | None = None
    rebuilding_sectors: Mapping[str, float] | None = None
    rebuilding_factor: float = 1.0
    event_monetary_factor: int | None = None
    households_impact: Mapping[tuple[str, str], float] | None = None
    name: str = ""


def check_params(p: ARIOParams) -> None:
    if p.temporal_units_by_step != 1:
        raise InputError(
            "only temporal_units_by_step = 1 is supported (daily steps)",
            field="temporal_units_by_step",
        )
    if p.psi_param > 1.0 or p.psi_param < 0:
        raise InputError("psi_param must be in [0, 1]", field="psi_param")
    if p.alpha_tau <= 0:
        raise InputError("alpha_tau must be positive", field="alpha_tau")
    if p.alpha_max < p.alpha_base:
        raise InputError("alpha_max must be at least alpha_base", field="alpha_max")
    if p.rebuild_tau < 1:
        raise InputError("rebuild_tau must be a positive number of days", field="rebuild_tau")
    if p.order_type not in ("alt", "noalt"):
        raise InputError(f"unknown order_type {p.order_type!r}", field="order_type")
    if p.model_type not in ("psi", "base"):
        raise InputError(f"unknown model_type {p.model_type!r}", field="model_type")
    if p.arbitrary_lag not in (0, 1):
        raise InputError("arbitrary_lag must be 0 or 1 (BoARIO 0.7.2)", field="arbitrary_lag")
    if p.monetary_factor <= 0 or p.iotable_year_to_temporal_unit_factor <= 0:
        raise InputError("monetary and temporal factors must be positive", field="params")
