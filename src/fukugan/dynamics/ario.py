r"""ARIO, the Adaptive Regional Input-Output model, as BoARIO 0.7.2 formulates it (pure numpy/numba).

References
----------
- Hallegatte, S. (2008). An adaptive regional input-output model and its application to the
  assessment of the economic cost of Katrina. *Risk Analysis* 28(3), 779–799.
- Hallegatte, S. (2014). Modeling the role of inventories and heterogeneity in the assessment of
  the economic costs of natural disasters. *Risk Analysis* 34(1), 152–167.
- Juhel, S. (2023). BoARIO: A Python implementation of the ARIO indirect economic cost model.
  *Journal of Open Source Software* 8(89), 5547 — and its source, version 0.7.2
  (``boario.model_base``, ``boario.extended_models.ARIOPsiModel``, ``boario.simulation``,
  ``boario.event``), whose step loop this module reproduces operation by operation.

Notation (BoARIO's): m regions, n sectors, industries f = (r, s) ordered region-major
(f = r·n + s). Flows are converted from yearly to daily values with the step factor
``temporal_units_by_step / iotable_year_to_temporal_unit_factor`` (1/365): **x**₀, **Z**₀, **Y**₀.
**A** = **Z** x̂⁻¹ and the technology by product **A**^S = I_sum **A** (n × nm, I_sum sums the
rows of each product over supplier regions). Productive capital **K** = 4 · VA (VA = x − 1′Z,
negative values set to 0) unless given. Inventories **S** (n × nm), target ``inv_s`` days by
input product (90 by default, ∞ for "infinite" inputs).

One daily step t (``Simulation.next_step``), in this order:

0. Event bookkeeping: an event occurring at t starts ("happening"); an event with
   t ≥ occurrence + duration starts recovering (capital recovers along its recovery function) or
   rebuilding (its destroyed capital becomes a rebuilding demand). The capital lost **L** is the
   sum of the active events' damages; Δ_f = max(L_f / K_f, Δ^arb_f), with Δ^arb the largest
   capacity share lost by an active arbitrary event (BoARIO ``EventArbitraryProd``, no capital
   destroyed; ``ARIOParams.arbitrary_lag``: on its day, or one day late as BoARIO). The
   rebuilding demand of an event is its remaining rebuilding stock **R**ₑ times 1/τ_REBUILD.
1. Overproduction, from t ≥ 2 (BoARIO skips it at t = 0 and 1), with scarcity
   σ_f = (D_f − x_f(t−1)) / D_f (D = orders + final demand + rebuilding demand, total by supplier):
   α_f ← α_f + (α^max − α_f) σ_f / τ_α + (α^b − α_f) [σ_f = 0] / τ_α, then α_f ← max(α_f, 1).
2. Production: capacity x^Cap = x₀ (1 − Δ) α; optimal x^Opt = min(D, x^Cap); inventory
   constraint (ARIOPsiModel) ψ · inv_s · A^S_sf · x^Opt_f; where S_sf is below it (and the input
   matters: Z^S_sf > 10⁻⁵ x₀_f), x_f = x^Opt_f · min_s S_sf / (ψ inv_s A^S_sf x^Opt_f), else
   x_f = x^Opt_f (Hallegatte 2014, eq. 4–6 with ψ).
3. Distribution: every demand (each order, final demand, rebuilding demand) receives the share
   x_i / D_i of what it asked (proportional rationing). Inventories:
   **S** ← **S** − A^S x̂ + I_sum(deliveries) (skipped when the two are ``np.allclose``); final
   demand not met = **Y**₀ − its deliveries; the rebuilding stocks decrease by their deliveries
   (rounded to ``log10(event_monetary_factor) + 1`` decimals); recovering capital follows its
   recovery function (same rounding).
4. Orders for the next step: goal **S*** = inv_s A^S_sf x^Opt_f (x^Opt recomputed with the
   rebuilding demand left after deliveries); gap = (1/τ_INV)·max(**S*** − **S**, 0) (0 when
   ``np.allclose(S, S*)``) + A^S x̂; order to supplier i = (r, s) from client f:
   gap_sf · Z₀_if x^Cap_i/x₀_i / Σ_r' Z₀_(r',s)f x^Cap_(r',s)/x₀_(r',s) (``order_type="alt"``,
   BoARIO's default; suppliers with more spare capacity get a larger share).

Deliberate differences from BoARIO 0.7.2 (documented, none changes a trajectory that BoARIO
computes without error):

- an event's ``event_monetary_factor`` defaults to the model's ``monetary_factor`` (BoARIO
  defaults it to 1, i.e. it silently divides an impact given in MRIO units by 10⁶, which
  contradicts its own documentation); given explicitly, it behaves as in BoARIO, including its
  rebuilding demand computed from the unconverted impact;
- an impact larger than a sector's productive capital, an unknown region / sector, a negative
  flow or a non-productive column raise :class:`~fukugan.errors.InputError` naming the item,
  before any step is computed (BoARIO raises ``RuntimeError`` in the middle of the loop);
- an event whose ``occurrence + duration`` lies beyond the horizon is allowed (BoARIO refuses
  it); the days simulated are the same as BoARIO's on a longer horizon;
- when several rebuilding events overlap and one finishes first, BoARIO 0.7.2 fails (it
  multiplies the finished event's ``None`` demand); here the finished event simply stops adding
  demand;
- arbitrary production-capacity events (``event_type="arbitrary"``, BoARIO
  ``EventArbitraryProd``): BoARIO 0.7.2 applies their loss one day late (it stores the new loss
  in ``_prod_cap_delta_arbitrary`` without recomputing the total until the next step). fukugan
  applies it on the event's own day by default, like capital destroyed, so that an event at day
  k equals BoARIO's event at day k − 1 (``tests/test_ario_events.py`` pins it);
  ``ARIOParams(arbitrary_lag=1)`` reproduces BoARIO's lag exactly. As BoARIO: the recovering loss
  is rounded to 6 decimals each day and combined with the capital lost by max. BoARIO 0.7.2
  fails (``TypeError`` / ``ValueError`` in ``update_productive_capital_lost``) when an
  arbitrary event is active together with another event; here they combine by max (BoARIO's
  stated rule), and the capital lost is recorded as 0 where BoARIO records None (NaN) while only
  arbitrary events are active;
- only ``temporal_units_by_step = 1`` (BoARIO itself warns its model is inconsistent otherwise);
  no equilibrium / crash checks beyond BoARIO's negative-inventory stop, which is reported in
  :attr:`ARIOTrajectory.crashed_at`;
- households' capital (``ARIOEvent.households_impact``): as BoARIO, except that BoARIO 0.7.2
  fails (``TypeError``) when an event's industries are rebuilt before its households (it
  multiplies the finished part's ``None``) and mis-slices its demand columns when several
  rebuilding events have households' capital; here each part stops when rebuilt and every event
  keeps its own columns; a null household impact is dropped (BoARIO: NaN error);
- ``overproduction`` is recorded (BoARIO 0.7.2 records it only when saved to files).

Numerics: every element is computed with BoARIO's operations in BoARIO's order, except sums
(BoARIO sums through BLAS / ``einsum``, here in another order), the final demand not met, summed
after the loop as (1 − ρ)·**Y**₀ with ρ = x / D instead of **Y**₀ − (**Y**₀ / D)·x per day, and
the scarcity term (α^b − α)[σ = 0]/τ_α, only added where σ = 0 (elsewhere it is ±0). The
results differ from BoARIO's in the last bits only: equality is tested in ``tests/test_ario.py``
(1e-6 relative required; about 1e-15 measured) over the trajectories of production, capacity,
orders, inventories, final demand not met, rebuilding demand and deliveries, capital lost.

Speed: the two operations on the nm × nm order matrix (orders, and restocking from the
deliveries) run in numba kernels (:mod:`fukugan.dynamics._ario_kernels`) from
:data:`NUMBA_MIN_INDUSTRIES` industries on, in numpy below (loading numba costs more than a
small run); every other operation is on n × nm or nm arrays, without temporaries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from fukugan.errors import InputError

__all__ = [
    "ARIOEvent",
    "ARIOParams",
    "ARIOState",
    "ARIOSystem",
    "ARIOTrajectory",
    "RECOVERY_FUNCTIONS",
    "prepare_system",
    "simulate_ario",
    "to_run_rows",
]

#: BoARIO ``model_base.TECHNOLOGY_THRESHOLD``: an input whose yearly flow by product is at most
#: this fraction of the client's *daily* output is not considered an input (BoARIO compares the
#: yearly ``Z_C`` to the daily ``X_0``; kept as is).
TECHNOLOGY_THRESHOLD = 0.00001
#: BoARIO ``extended_models.INV_THRESHOLD``.
INV_THRESHOLD = 0
#: BoARIO ``simulation.EVENT_ARBITRARY_PRECISION``: decimals of a recovering arbitrary loss.
EVENT_ARBITRARY_PRECISION = 6


# --------------------------------------------------------------------------------------------
# parameters and events
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# the prepared system
# --------------------------------------------------------------------------------------------
@dataclass
class ARIOSystem:
    """An MRIO prepared for ARIO (BoARIO ``ARIOBaseModel.__init__``), all values checked.

    Daily values: ``x0`` (nm), ``z0`` (nm × nm), ``y0`` (nm × m·n_fd); ``tech`` = A^S (n × nm);
    ``z_distrib`` (noalt shares); ``threshold_not_input`` (n × nm); ``inv_duration`` (n, days,
    ``inf`` for infinite); ``restoration`` (n, 1/τ_INV per step); ``capital`` K (nm, yearly MRIO
    units); ``stock0`` initial inventories (n × nm).
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    n_fd: int
    x0: np.ndarray
    z0: np.ndarray
    y0: np.ndarray
    z_annual: np.ndarray
    y_annual: np.ndarray
    tech: np.ndarray
    z_distrib: np.ndarray | None
    threshold_not_input: np.ndarray
    inv_duration: np.ndarray
    restoration: np.ndarray
    capital: np.ndarray
    stock0: np.ndarray
    params: ARIOParams
    fd_categories: tuple[str, ...] = ()

    @property
    def n_regions(self) -> int:
        return len(self.regions)

    @property
    def n_sectors(self) -> int:
        return len(self.sectors)

    @property
    def industries(self) -> list[tuple[str, str]]:
        return [(r, s) for r in self.regions for s in self.sectors]

    def index_of(self, region: str, sector: str, *, what: str = "event") -> int:
        try:
            ri = self.regions.index(region)
        except ValueError:
            raise InputError(f"{what}: unknown region {region!r}", field="region") from None
        try:
            si = self.sectors.index(sector)
        except ValueError:
            raise InputError(f"{what}: unknown sector {sector!r}", field="sector") from None
        return ri * self.n_sectors + si


def _matrix(a: object, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    try:
        arr = np.array(a.to_numpy() if hasattr(a, "to_numpy") else a, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} is not numeric: {err}", field=name) from None
    if shape is not None:
        if arr.ndim == 2 and len(shape) == 1 and 1 in arr.shape:
            arr = arr.reshape(-1)
        if arr.shape != shape:
            raise InputError(f"{name} has shape {arr.shape}, expected {shape}", field=name)
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains a value that is not a finite number", field=name)
    return arr


def _label(system_regions: Sequence[str], sectors: Sequence[str], i: int) -> str:
    n = len(sectors)
    return f"{system_regions[i // n]}/{sectors[i % n]}"


def _per_sector(
    value: float | Mapping[str, float], sectors: Sequence[str], name: str
) -> np.ndarray:
    if isinstance(value, Mapping):
        missing = [s for s in sectors if s not in value]
        if missing:
            raise InputError(f"{name} lacks sectors {missing}", field=name)
        unknown = [k for k in value if k not in sectors]
        if unknown:
            raise InputError(f"{name} names unknown sectors {unknown}", field=name)
        return np.array([value[s] for s in sectors], dtype=np.float64)
    return np.full(len(sectors), value, dtype=np.float64)


def _check_params(p: ARIOParams) -> None:
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


def prepare_system(
    Z: object,
    Y: object,
    x: object,
    va: object | None,
    regions: Sequence[str],
    sectors: Sequence[str],
    params: ARIOParams | None = None,
    *,
    productive_capital: object | None = None,
    fd_categories: Sequence[str] | None = None,
) -> ARIOSystem:
    """Check an MRIO and build the constant arrays of the model (BoARIO ``ARIOBaseModel``).

    ``Z`` (nm × nm, yearly, rows = supplier), ``Y`` (nm × m·n_fd, columns region-major),
    ``x`` (nm), industries region-major in the order of ``regions`` × ``sectors``; ``va`` the
    yearly value added (None: x − 1′Z, negatives set to 0, as BoARIO); ``productive_capital``
    overrides K = ``productive_capital_to_VA`` · VA; ``fd_categories`` names the final demand
    categories of each region (Y's columns region by region; default ``final demand`` or
    ``fd0``, ``fd1``, …), for households' capital (:class:`ARIOEvent`).

    Raises :class:`~fukugan.errors.InputError` on a bad shape, a negative or non-finite flow,
    duplicate names, or a non-productive column (inputs ≥ output, i.e. Σ_i A_ij ≥ 1).
    """
    p = params or ARIOParams()
    _check_params(p)
    regions = tuple(str(r) for r in regions)
    sectors = tuple(str(s) for s in sectors)
    if len(set(regions)) != len(regions) or len(set(sectors)) != len(sectors):
        raise InputError("region and sector names must be unique", field="regions")
    m, n = len(regions), len(sectors)
    if m == 0 or n == 0:
        raise InputError("the MRIO needs at least one region and one sector", field="regions")
    nm = m * n
    z = _matrix(Z, "Z", (nm, nm))
    y = _matrix(Y, "Y")
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.shape[0] != nm or y.ndim != 2 or y.shape[1] % m:
        raise InputError(
            f"Y has shape {y.shape}, expected ({nm}, {m} × number of final demand categories)",
            field="Y",
        )
    xv = _matrix(x, "x", (nm,))
    for name, arr in (("Z", z), ("Y", y), ("x", xv)):
        if (arr < 0).any():
            idx = np.argwhere(arr < 0)[0]
            i = int(idx[0])
            raise InputError(
                f"negative flow in {name} at industry {_label(regions, sectors, i)}: "
                f"{arr[tuple(idx)]:g}",
                field=name,
            )
    colsum = z.sum(axis=0)
    bad = np.flatnonzero((colsum >= xv) & (colsum > 0))
    if bad.size:
        j = int(bad[0])
        raise InputError(
            f"non-productive system: the inputs of {_label(regions, sectors, j)} "
            f"({colsum[j]:g}) are not smaller than its output ({xv[j]:g})",
            field="Z",
        )

    steply = p.temporal_units_by_step / p.iotable_year_to_temporal_unit_factor
    n_fd = y.shape[1] // m
    if fd_categories is None:
        fd_names = ("final demand",) if n_fd == 1 else tuple(f"fd{k}" for k in range(n_fd))
    else:
        fd_names = tuple(str(c) for c in fd_categories)
        if len(fd_names) != n_fd or len(set(fd_names)) != n_fd:
            raise InputError(
                f"fd_categories: {n_fd} distinct names expected (Y has {n_fd} columns a region)",
                field="fd_categories",
            )
    with np.errstate(divide="ignore"):
        recix = 1 / xv
    recix[recix == np.inf] = 0
    a = z * recix.reshape(1, -1)
    tech = a.reshape(m, n, nm).sum(axis=0)
    z_c = z.reshape(m, n, nm).sum(axis=0)
    z_distrib = None
    if p.order_type == "noalt":
        with np.errstate(divide="ignore", invalid="ignore"):
            z_distrib = np.divide(z, np.tile(z_c, (m, 1)))
        np.nan_to_num(z_distrib, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    x0 = xv.copy() * steply
    z0 = z * steply
    y0 = y * steply

    if va is None:
        value_added = xv - colsum
    else:
        value_added = _matrix(va, "va", (nm,))
        if (value_added < 0).any():
            i = int(np.argmax(value_added < 0))
            raise InputError(f"negative value added at {_label(regions, sectors, i)}", field="va")
    value_added = np.where(value_added < 0, 0.0, value_added)
    if productive_capital is not None:
        capital = _matrix(productive_capital, "productive_capital", (nm,))
        if (capital < 0).any():
            raise InputError("productive capital must not be negative", field="productive_capital")
    else:
        ratio = p.productive_capital_to_VA
        if isinstance(ratio, Mapping):
            capital = value_added * np.tile(
                _per_sector(ratio, sectors, "productive_capital_to_VA"), m
            )
        else:
            capital = value_added * ratio

    threshold = z_c > np.tile(x0, (n, 1)) * TECHNOLOGY_THRESHOLD

    if p.inventory_dict is None:
        inv = np.array(
            [np.inf if s in p.infinite_inventories_sect else p.main_inv_dur for s in sectors],
            dtype=np.float64,
        )
    else:
        d = {
            k: (np.inf if v in ("inf", "Inf", "Infinity", "infinity") else float(v))
            for k, v in p.inventory_dict.items()
        }
        inv = _per_sector(d, sectors, "inventory_dict")
        inv[[s in p.infinite_inventories_sect for s in sectors]] = np.inf
    if (inv <= 0).any() or np.isnan(inv).any():
        raise InputError("inventory durations must be positive", field="inventory_dict")
    inv_duration = inv / p.temporal_units_by_step
    inv_duration[inv_duration <= 1] = 2  # BoARIO sets durations ≤ one step to 2 (and warns)

    tau_inv = _per_sector(p.inventory_restoration_tau, sectors, "inventory_restoration_tau")
    if (tau_inv <= 0).any():
        raise InputError("inventory_restoration_tau must be positive", field="params")
    restoration = np.where(tau_inv >= INV_THRESHOLD, p.temporal_units_by_step / tau_inv, tau_inv)

    with np.errstate(divide="ignore", invalid="ignore"):
        stock0 = (np.tile(x0, (n, 1)) * tech) * inv_duration[:, np.newaxis]
    stock0 = np.nan_to_num(stock0, nan=np.inf, posinf=np.inf)
    return ARIOSystem(
        regions=regions,
        sectors=sectors,
        n_fd=n_fd,
        fd_categories=fd_names,
        x0=x0,
        z0=np.ascontiguousarray(z0),
        y0=y0,
        z_annual=z,
        y_annual=y,
        tech=tech,
        z_distrib=z_distrib,
        threshold_not_input=threshold,
        inv_duration=inv_duration,
        restoration=restoration,
        capital=capital,
        stock0=stock0,
        params=p,
    )


# --------------------------------------------------------------------------------------------
# events, prepared
# --------------------------------------------------------------------------------------------
@dataclass
class _Tracker:
    """One event during the run (BoARIO ``EventTracker``)."""

    event: ARIOEvent
    idx: np.ndarray  # affected industries
    dmg0: np.ndarray  # wide (nm), converted to the model's monetary unit
    dmg: np.ndarray | None  # current damage (wide)
    precision: int
    status: str = "pending"
    recovery: Callable[[float, np.ndarray, int], np.ndarray] | None = None
    reb_remaining: np.ndarray | None = None  # nm × len(idx): remaining rebuilding stock
    reb_rate: float = 0.0  # temporal_units_by_step / rebuild_tau
    tau: int = 1  # recovery_tau (arbitrary events: 1 when the event gives none)
    house_remaining: np.ndarray | None = None  # nm × affected final demands: households' stock
    arb0: np.ndarray | None = None  # arbitrary event: initial capacity share lost (wide)
    arb: np.ndarray | None = None  # ... current (None once recovered)


def _households_stock(system: ARIOSystem, ev: ARIOEvent, what: str, emf: int) -> np.ndarray | None:
    """Households' rebuilding stock of a rebuild event (BoARIO ``EventTracker`` with
    ``households_impact``): demand (s, c) = share_s · impact_c (converted to the model's unit,
    unlike the industries' part) · rebuilding_factor, addressed to sector s of every region r as
    Y[(r, s), c] / Σ_r' Y[(r', s), c] (0 when that is 0). nm × affected final demands, or None."""
    hh = ev.households_impact
    if not hh:
        return None
    m, n, n_fd = system.n_regions, system.n_sectors, system.n_fd
    thin: dict[int, float] = {}
    for key, value in hh.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InputError(
                f"{what}: households_impact keys must be (region, final demand category), "
                f"got {key!r}",
                field="households_impact",
            )
        if str(key[0]) not in system.regions:
            raise InputError(f"{what}: unknown region {key[0]!r}", field="households_impact")
        if str(key[1]) not in system.fd_categories:
            raise InputError(
                f"{what}: unknown final demand category {key[1]!r} (one of "
                f"{', '.join(system.fd_categories)})",
                field="households_impact",
            )
        v = float(value)
        if not math.isfinite(v) or v < 0:
            raise InputError(
                f"{what}: households' capital lost must be a non-negative number",
                field="households_impact",
            )
        col = system.regions.index(str(key[0])) * n_fd + system.fd_categories.index(str(key[1]))
        if v != 0:  # BoARIO fails on a null household impact (NaN in its distribution)
            thin[col] = thin.get(col, 0.0) + v
    if not thin:
        return None
    cols = np.array(sorted(thin), dtype=np.int64)
    raw = np.array([thin[c] for c in cols])
    p = system.params
    conv = raw * (emf / p.monetary_factor) if emf != p.monetary_factor else raw
    assert ev.rebuilding_sectors is not None
    rem = np.zeros((m * n, cols.size))
    yy = system.y_annual.reshape(m, n, m * n_fd)
    for s_name, share in ev.rebuilding_sectors.items():
        s = system.sectors.index(s_name)
        demand = (share * conv) * ev.rebuilding_factor
        col = yy[:, s, :][:, cols]  # m × affected final demands
        tot = np.zeros(cols.size)
        for r in range(m):
            tot = tot + col[r]
        with np.errstate(divide="ignore", invalid="ignore"):
            dist = np.nan_to_num(col / tot)
        rem[np.arange(m) * n + s, :] = demand * dist
    return rem


def _arbitrary_tracker(
    system: ARIOSystem, ev: ARIOEvent, what: str, idx: np.ndarray, raw: np.ndarray
) -> _Tracker:
    """The tracker of an arbitrary production-capacity event (BoARIO ``EventArbitraryProd``)."""
    over = np.flatnonzero(raw > 1.0)
    if over.size:
        i = int(idx[over[0]])
        raise InputError(
            f"{what}: capacity lost at {_label(system.regions, system.sectors, i)} "
            f"({raw[over[0]]:g}) is more than 100 % (an arbitrary event's impact is a share)",
            field="impact",
        )
    if ev.event_monetary_factor is not None or ev.rebuilding_sectors or ev.rebuild_tau:
        raise InputError(
            f"{what}: an arbitrary event destroys no capital (no event_monetary_factor, "
            "rebuild_tau or rebuilding_sectors)",
            field="event_type",
        )
    tau = 1 if ev.recovery_tau is None else ev.recovery_tau
    if not isinstance(tau, (int, np.integer)) or tau <= 0:
        raise InputError(f"{what}: recovery_tau must be a positive integer", field="recovery_tau")
    if ev.recovery_function not in RECOVERY_FUNCTIONS:
        raise InputError(
            f"{what}: unknown recovery_function {ev.recovery_function!r} "
            f"(one of {sorted(RECOVERY_FUNCTIONS)})",
            field="recovery_function",
        )
    arb0 = np.zeros(system.x0.size)
    arb0[idx] = raw
    return _Tracker(
        event=ev,
        idx=idx,
        dmg0=np.zeros(system.x0.size),
        dmg=None,
        precision=EVENT_ARBITRARY_PRECISION,
        recovery=RECOVERY_FUNCTIONS[ev.recovery_function],
        arb0=arb0,
        arb=arb0.copy(),
        tau=int(tau),
    )


def _prepare_events(system: ARIOSystem, events: Sequence[ARIOEvent]) -> list[_Tracker]:
    p = system.params
    nm = system.n_regions * system.n_sectors
    m, n = system.n_regions, system.n_sectors
    trackers = []
    for k, ev in enumerate(events):
        what = f"event {ev.name or k + 1}"
        if not isinstance(ev.occurrence, (int, np.integer)) or ev.occurrence < 1:
            raise InputError(f"{what}: occurrence must be a day ≥ 1", field="occurrence")
        if not isinstance(ev.duration, (int, np.integer)) or ev.duration < 1:
            raise InputError(f"{what}: duration must be ≥ 1 day", field="duration")
        if not ev.impact:
            raise InputError(f"{what}: empty impact", field="impact")
        thin: dict[int, float] = {}
        for key, value in ev.impact.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise InputError(
                    f"{what}: impact keys must be (region, sector), got {key!r}", field="impact"
                )
            i = system.index_of(str(key[0]), str(key[1]), what=what)
            v = float(value)
            if not math.isfinite(v) or v < 0:
                raise InputError(
                    f"{what}: impact on {key[0]}/{key[1]} must be a non-negative number",
                    field="impact",
                )
            if v != 0:  # BoARIO drops null impacts
                thin[i] = thin.get(i, 0.0) + v
        if not thin:
            raise InputError(f"{what}: all impacts are zero", field="impact")
        idx = np.array(sorted(thin), dtype=np.int64)
        raw = np.array([thin[i] for i in idx])
        if ev.event_type == "arbitrary":
            trackers.append(_arbitrary_tracker(system, ev, what, idx, raw))
            continue
        emf = p.monetary_factor if ev.event_monetary_factor is None else ev.event_monetary_factor
        if emf <= 0:
            raise InputError(f"{what}: event_monetary_factor must be positive", field="impact")
        dmg_thin = raw * (emf / p.monetary_factor) if emf != p.monetary_factor else raw.copy()
        dmg0 = np.zeros(nm)
        dmg0[idx] = dmg_thin
        over = np.flatnonzero(dmg0 > system.capital)
        if over.size:
            i = int(over[0])
            raise InputError(
                f"{what}: impact on {_label(system.regions, system.sectors, i)} "
                f"({dmg0[i]:g}) exceeds its productive capital ({system.capital[i]:g})",
                field="impact",
            )
        tr = _Tracker(
            event=ev,
            idx=idx,
            dmg0=dmg0,
            dmg=dmg0.copy(),
            precision=int(math.log10(emf)) + 1,
        )
        if ev.event_type == "recovery":
            if not isinstance(ev.recovery_tau, (int, np.integer)) or ev.recovery_tau <= 0:
                raise InputError(
                    f"{what}: recovery_tau must be a positive integer", field="recovery_tau"
                )
            if ev.recovery_function not in RECOVERY_FUNCTIONS:
                raise InputError(
                    f"{what}: unknown recovery_function {ev.recovery_function!r} "
                    f"(one of {sorted(RECOVERY_FUNCTIONS)})",
                    field="recovery_function",
                )
            tr.recovery = RECOVERY_FUNCTIONS[ev.recovery_function]
        elif ev.event_type == "rebuild":
            tau = ev.rebuild_tau if ev.rebuild_tau else p.rebuild_tau
            if not isinstance(tau, (int, np.integer)) or tau < 1:
                raise InputError(
                    f"{what}: rebuild_tau must be a positive integer", field="rebuild_tau"
                )
            rs = ev.rebuilding_sectors
            if not rs:
                raise InputError(
                    f"{what}: rebuilding_sectors are required", field="rebuilding_sectors"
                )
            for s in rs:
                if s not in system.sectors:
                    raise InputError(
                        f"{what}: unknown rebuilding sector {s!r}", field="rebuilding_sectors"
                    )
            shares = np.array([float(v) for v in rs.values()])
            if not np.isclose(shares.sum(), 1.0) or (shares < 0).any():
                raise InputError(
                    f"{what}: rebuilding shares must be non-negative and sum to 1",
                    field="rebuilding_sectors",
                )
            # BoARIO: demand (s, j) = share_s · impact_j (unconverted) · rebuilding_factor, split
            # among supplier regions r as Z[(r,s), j] / Σ_r' Z[(r',s), j] (0 when that is 0)
            rem = np.zeros((nm, idx.size))
            zz = system.z_annual.reshape(m, n, nm)
            for s_name, share in rs.items():
                s = system.sectors.index(s_name)
                demand = (share * raw) * ev.rebuilding_factor
                col = zz[:, s, :][:, idx]  # m × n_aff
                tot = np.zeros(idx.size)
                for r in range(m):  # Python's sum(), in region order, as pandas' transform
                    tot = tot + col[r]
                with np.errstate(divide="ignore", invalid="ignore"):
                    dist = np.nan_to_num(col / tot)
                rem[np.arange(m) * n + s, :] = demand * dist
            tr.reb_remaining = rem
            tr.reb_rate = p.temporal_units_by_step / tau
            tr.house_remaining = _households_stock(system, ev, what, emf)
        else:
            raise InputError(f"{what}: unknown event_type {ev.event_type!r}", field="event_type")
        trackers.append(tr)
    return trackers


# --------------------------------------------------------------------------------------------
# state and trajectory
# --------------------------------------------------------------------------------------------
@dataclass
class ARIOState:
    """The dynamic variables of the model after a step (BoARIO's ``ARIOPsiModel`` attributes).

    ``production`` x, ``overprod`` α, ``inputs_stock`` S (n × nm), ``orders`` O (nm × nm,
    intermediate demand for the next step) and its row sums ``orders_tot``, ``rebuild_residual``
    (rebuilding demand left after the last deliveries, by supplier), ``t`` the next day.
    """

    production: np.ndarray
    overprod: np.ndarray
    inputs_stock: np.ndarray
    orders: np.ndarray
    orders_tot: np.ndarray
    rebuild_residual: np.ndarray
    t: int = 0

    @classmethod
    def initial(cls, system: ARIOSystem) -> ARIOState:
        nm = system.x0.size
        orders = system.z0.copy()
        return cls(
            production=system.x0.copy(),
            overprod=np.full(nm, system.params.alpha_base, dtype=np.float64),
            inputs_stock=system.stock0.copy(),
            orders=orders,
            orders_tot=np.einsum("ij->i", orders),
            rebuild_residual=np.zeros(nm),
        )


@dataclass
class ARIOTrajectory:
    """Per day t (row) and industry (column, region-major), in daily MRIO units.

    BoARIO's records, same timing: ``production`` (``production_realised``), ``production_cap``
    (``production_capacity``), ``intermediate_demand`` (orders received, placed the day before),
    ``final_demand``, ``rebuild_demand`` (asked at t), ``rebuild_prod`` (delivered at t),
    ``final_demand_unmet`` (by consuming region × product, BoARIO's ``final_demand_unmet``),
    ``final_demand_undist`` (by supplying industry), ``productive_capital_lost``
    (``productive_capital_to_recover``, yearly units), ``overproduction`` α; inventories at the
    start of the day: ``inventory_total`` (Σ of the finite inventories an industry holds) and,
    when recorded, ``inputs_stock`` (t × n × nm, BoARIO's ``inputs_stocks``). ``x0`` the daily
    baseline output; ``direct`` marks the industries hit by an event; ``crashed_at`` the day
    BoARIO's negative-inventory check stopped the run (later rows are NaN).
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    x0: np.ndarray
    y0_tot: np.ndarray
    direct: np.ndarray
    production: np.ndarray
    production_cap: np.ndarray
    intermediate_demand: np.ndarray
    final_demand: np.ndarray
    rebuild_demand: np.ndarray
    rebuild_prod: np.ndarray
    final_demand_unmet: np.ndarray
    final_demand_undist: np.ndarray
    productive_capital_lost: np.ndarray
    overproduction: np.ndarray
    inventory_total: np.ndarray
    inputs_stock: np.ndarray | None = None
    crashed_at: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    final_state: ARIOState | None = None

    @property
    def n_days(self) -> int:
        return self.production.shape[0]

    @property
    def industries(self) -> pd.MultiIndex:
        return pd.MultiIndex.from_product([self.regions, self.sectors], names=["region", "sector"])

    def frame(self, name: str) -> pd.DataFrame:
        """One recorded quantity as a DataFrame (rows = day, columns = (region, sector))."""
        arr = getattr(self, name)
        return pd.DataFrame(
            arr, index=pd.RangeIndex(arr.shape[0], name="step"), columns=self.industries
        )


# --------------------------------------------------------------------------------------------
# the loop
# --------------------------------------------------------------------------------------------
def _allclose(a: np.ndarray, b: np.ndarray, buf: np.ndarray, buf2: np.ndarray) -> bool:
    """``np.allclose(a, b)`` (rtol 1e-5, atol 1e-8, inf equal to itself, NaN never) for ``b``
    ≥ 0 or NaN (|b| = b), without numpy's temporaries (``buf``, ``buf2``: scratch arrays)."""
    np.subtract(a, b, out=buf)  # inf − inf = NaN is not close (the caller ignores the warning)
    np.abs(buf, out=buf)
    np.multiply(b, 1e-05, out=buf2)
    buf2 += 1e-08
    close = buf <= buf2
    if close.all():
        return True
    return bool((close | (a == b)).all())


class _NumpyKernels:
    """The kernels of :mod:`fukugan.dynamics._ario_kernels` in numpy, for small systems where
    loading numba costs more than it saves: the very expressions of BoARIO 0.7.2
    (``I_sum @ Z_prod``, ``I_sum @ deliveries``), with broadcasting instead of ``np.tile``."""

    def __init__(self, m: int, n: int, z0: np.ndarray) -> None:
        self.i_sum = np.tile(np.eye(n), m)
        self.buf = np.empty((m * n, m * n))
        self.zc_zero = np.flatnonzero(self.i_sum @ z0 == 0)  # products an industry never buys

    def orders_alt(self, z0, cap_ratio, gap, m, n, orders, orders_tot):  # type: ignore[no-untyped-def]
        nm = z0.shape[1]
        zp = np.multiply(z0, cap_ratio[:, np.newaxis], out=self.buf)
        zc = self.i_sum @ zp
        # where Z_Cprod = 0 every term is 0 (flows are ≥ 0): dividing by 1 gives BoARIO's 0;
        # Z_Cprod = 0 where Z_C = 0, and elsewhere only if every supplier lost all capacity
        if cap_ratio.all():
            zc.ravel()[self.zc_zero] = 1.0
        else:
            zc[zc == 0] = 1.0
        o3 = orders.reshape(m, n, nm)
        np.divide(zp.reshape(m, n, nm), zc[np.newaxis], out=o3)
        o3 *= gap[np.newaxis]
        np.einsum("ij->i", orders, out=orders_tot)

    def orders_noalt(self, z_distrib, gap, m, n, orders, orders_tot):  # type: ignore[no-untyped-def]
        nm = z_distrib.shape[1]
        np.multiply(gap[np.newaxis], z_distrib.reshape(m, n, nm), out=orders.reshape(m, n, nm))
        np.einsum("ij->i", orders, out=orders_tot)

    def restock(self, orders, demand_tot, production, m, n, stock_add):  # type: ignore[no-untyped-def]
        share = self.buf
        t = demand_tot[:, np.newaxis]
        if demand_tot.all():
            np.divide(orders, t, out=share)
        else:
            share[...] = 0.0
            np.divide(orders, t, out=share, where=t != 0)
        share *= production[:, np.newaxis]
        np.matmul(self.i_sum, share, out=stock_add)


#: below this many industries the numpy kernels are used by default (no numba start-up)
NUMBA_MIN_INDUSTRIES = 300


def _kernels(m: int, n: int, kernels: str, z0: np.ndarray) -> Any:
    if kernels == "numpy" or (kernels == "auto" and m * n < NUMBA_MIN_INDUSTRIES):
        return _NumpyKernels(m, n, z0)
    if kernels not in ("auto", "numba"):
        raise InputError(f"unknown kernels {kernels!r} (auto, numba, numpy)", field="kernels")
    from fukugan.dynamics import _ario_kernels

    return _ario_kernels


def simulate_ario(
    Z: object,
    Y: object,
    x: object,
    va: object | None,
    regions: Sequence[str],
    sectors: Sequence[str],
    events: Sequence[ARIOEvent],
    params: ARIOParams | None = None,
    n_days: int = 365,
    progress: Callable[[int, int], None] | None = None,
    *,
    productive_capital: object | None = None,
    record_stocks: bool = False,
    kernels: Literal["auto", "numba", "numpy"] = "auto",
    fd_categories: Sequence[str] | None = None,
) -> ARIOTrajectory:
    """Run ARIO for ``n_days`` daily steps (t = 0 … n_days − 1), as BoARIO's ``Simulation.loop``.

    See the module docstring for the equations and :func:`prepare_system` for the inputs.
    ``progress(done, total)`` is called after each step. ``record_stocks`` keeps the full
    inventory matrices (n_days × n × nm floats). ``kernels``: the two O((nm)²) operations in
    numba ("auto": from :data:`NUMBA_MIN_INDUSTRIES` industries on) or in numpy. Raises
    :class:`~fukugan.errors.InputError` on bad input (before the first step).
    """
    system = prepare_system(
        Z,
        Y,
        x,
        va,
        regions,
        sectors,
        params,
        productive_capital=productive_capital,
        fd_categories=fd_categories,
    )
    return run_system(
        system, events, n_days, progress=progress, record_stocks=record_stocks, kernels=kernels
    )


def run_system(
    system: ARIOSystem,
    events: Sequence[ARIOEvent],
    n_days: int,
    *,
    progress: Callable[[int, int], None] | None = None,
    record_stocks: bool = False,
    state: ARIOState | None = None,
    kernels: Literal["auto", "numba", "numpy"] = "auto",
) -> ARIOTrajectory:
    """Run a prepared system (see :func:`simulate_ario`)."""
    if not isinstance(n_days, (int, np.integer)) or n_days < 1:
        raise InputError("n_days must be a positive integer", field="n_days")
    p = system.params
    trackers = _prepare_events(system, events)
    m, n = system.n_regions, system.n_sectors
    nm = m * n
    kern = _kernels(m, n, kernels, system.z0)
    n_fd = system.n_fd
    st = state if state is not None else ARIOState.initial(system)
    x0 = system.x0
    tech = system.tech
    capital = system.capital
    inv_dur = system.inv_duration
    inv_fin = np.nan_to_num(inv_dur, posinf=0.0)[:, np.newaxis]
    thr = system.threshold_not_input
    y0 = system.y0
    fd_tot = np.einsum("ij->i", y0)
    psi = p.psi_param
    overprod_tau = p.temporal_units_by_step / p.alpha_tau
    restoration = system.restoration[:, np.newaxis]
    finite_goal_needed = bool(np.isinf(inv_dur).any())

    def rec() -> np.ndarray:
        return np.full((n_days, nm), np.nan)

    out = {
        k: rec()
        for k in (
            "production",
            "production_cap",
            "intermediate_demand",
            "final_demand",
            "rebuild_demand",
            "rebuild_prod",
            "final_demand_unmet",
            "final_demand_undist",
            "productive_capital_lost",
            "overproduction",
            "inventory_total",
        )
    }
    stocks_rec = np.full((n_days, n, nm), np.nan) if record_stocks else None
    direct = np.zeros(nm, dtype=bool)
    for tr in trackers:
        direct[tr.idx] = True

    stock_add = np.empty((n, nm))
    gap_buf = np.empty((n, nm))
    crashed_at = None
    reb_demand_tot = st.rebuild_residual.copy()
    any_rebuild_cols = bool(reb_demand_tot.any())  # BoARIO's entire_demand has rebuilding columns
    capital_nz = capital != 0
    x0_nz = x0 != 0
    prev_active: list[np.ndarray | None] = [None]  # never equal to a first list of damages
    arb_trackers = [tr for tr in trackers if tr.arb0 is not None]
    arb_prev: np.ndarray | None = None  # the arbitrary losses of the previous step
    lost = delta = one_minus_delta = np.zeros(nm)
    # final demand by (supplier region, product, consumer region), for the unmet final demand
    y_by_region = (y0.reshape(nm, m, n_fd).sum(axis=2)).reshape(m, n, m)  # [r_s, s, r_c]
    scarcity = np.zeros(nm)
    tmp = np.empty(nm)
    delivered_share = np.full((n_days, nm), np.nan)
    stock_use = np.empty((n, nm))
    constraints = np.empty((n, nm))
    goal = np.empty((n, nm))
    use_opt = np.empty((n, nm))  # x^Opt · A^S
    scratch = (np.empty((n, nm)), np.empty((n, nm)))
    x0_all_nz = bool(x0_nz.all())

    # BoARIO computes 0 · inf and inf − inf where inventories are infinite, and ignores them
    with np.errstate(invalid="ignore"):
        for t in range(st.t, st.t + n_days):
            row = t - st.t
            # ---- 0. events (Simulation._check_happening_events) --------------------------------
            for tr in trackers:
                if tr.status == "pending" and (t - 1) <= tr.event.occurrence <= t:
                    tr.status = "happening"
            for tr in trackers:
                if tr.status == "happening" and t >= tr.event.occurrence + tr.event.duration:
                    tr.status = "rebuilding" if tr.event.event_type == "rebuild" else "recovering"
            active = [
                tr.dmg
                for tr in trackers
                if tr.status in ("happening", "rebuilding", "recovering") and tr.dmg is not None
            ]
            if len(active) != len(prev_active) or any(
                a is not b for a, b in zip(active, prev_active, strict=False)
            ):  # Simulation.update_productive_capital_lost, when a damage changed
                prev_active = active
                lost = np.add.reduce(np.array(active)) if active else np.zeros(nm)
                if (lost > capital).any():
                    i = int(np.argmax(lost > capital))
                    raise InputError(
                        f"day {t}: capital destroyed by the events at "
                        f"{_label(system.regions, system.sectors, i)} ({lost[i]:g}) exceeds its "
                        f"productive capital ({capital[i]:g})",
                        field="impact",
                    )
                delta = np.zeros(nm)
                np.divide(lost, capital, where=capital_nz, out=delta)
                one_minus_delta = 1 - delta
            if arb_trackers:  # Simulation.update_prod_cap_delta_arb: max of the arbitrary losses
                cur = [
                    tr.arb
                    for tr in arb_trackers
                    if tr.status in ("happening", "recovering") and tr.arb is not None
                ]
                arb_now = np.maximum.reduce(cur) if cur else None
                # BoARIO 0.7.2 applies it one step late (arbitrary_lag = 1)
                arb_used = arb_now if p.arbitrary_lag == 0 else arb_prev
                arb_prev = arb_now
                # ARIOBaseModel.update_prod_delta: capacity lost = max(capital, arbitrary)
                one_minus_delta = 1 - (delta if arb_used is None else np.maximum(delta, arb_used))
            rebuilding = [tr for tr in trackers if tr.status == "rebuilding"]
            reb_blocks: list[tuple[_Tracker, bool, np.ndarray]] = []  # (event, households?, ·)
            if rebuilding:
                any_rebuild_cols = True
                reb_demand_tot = np.zeros(nm)
                for tr in rebuilding:  # industries' columns, then households' (BoARIO's order)
                    for house, remaining in ((False, tr.reb_remaining), (True, tr.house_remaining)):
                        if remaining is not None:
                            block = remaining * tr.reb_rate
                            reb_blocks.append((tr, house, block))
                            reb_demand_tot = reb_demand_tot + np.einsum("ij->i", block)
            if stocks_rec is not None:
                stocks_rec[row] = st.inputs_stock
            if finite_goal_needed:
                out["inventory_total"][row] = np.where(
                    np.isfinite(st.inputs_stock), st.inputs_stock, 0.0
                ).sum(axis=0)
            elif stocks_rec is None:  # else summed after the loop
                st.inputs_stock.sum(axis=0, out=out["inventory_total"][row])
            demand_tot = st.orders_tot + fd_tot
            if any_rebuild_cols:
                demand_tot += reb_demand_tot

            # ---- 1. overproduction (ARIOBaseModel.calc_overproduction) --------------------------
            alpha = st.overprod
            demand_all_nz = demand_tot.all()
            if t > 1:
                np.subtract(demand_tot, st.production, out=tmp)
                if demand_all_nz:
                    np.divide(tmp, demand_tot, out=scarcity)
                else:
                    scarcity[:] = 0.0
                    np.divide(tmp, demand_tot, out=scarcity, where=demand_tot != 0)
                # (α^max − α)·σ·τ + (α^b − α)·[σ = 0]·τ; the second term is ±0 where σ ≠ 0
                chg = p.alpha_max - alpha
                chg *= scarcity
                chg *= overprod_tau
                if not scarcity.all():
                    chg += (p.alpha_base - alpha) * (scarcity == 0) * overprod_tau
                alpha = alpha + chg
                np.maximum(alpha, 1.0, out=alpha)
                st.overprod = alpha
            out["overproduction"][row] = alpha
            out["intermediate_demand"][row] = st.orders_tot
            if any_rebuild_cols:
                out["rebuild_demand"][row] = reb_demand_tot

            # ---- 2. production (calc_production) --------------------------------------------------
            cap = x0 * one_minus_delta
            cap *= alpha
            prod_opt = np.fmin(demand_tot, cap)
            np.multiply(prod_opt, tech, out=use_opt)
            if p.model_type == "psi":
                np.multiply(use_opt, psi, out=constraints)
                constraints *= inv_fin
            else:
                np.multiply(use_opt, inv_fin, out=constraints)
            limited = st.inputs_stock < constraints
            limited &= thr
            if limited.any():
                ratio = np.ones((n, nm))
                np.divide(st.inputs_stock, constraints, out=ratio, where=thr & (constraints != 0))
                ratio[ratio > 1] = 1
                production = np.min(prod_opt[np.newaxis, :] * ratio, axis=0)
            else:
                production = prod_opt
            out["production"][row] = production
            out["production_cap"][row] = cap
            out["productive_capital_lost"][row] = lost
            st.production = production

            # ---- 3. distribution (distribute_production) -----------------------------------------
            kern.restock(st.orders, demand_tot, production, m, n, stock_add)
            np.multiply(production, tech, out=stock_use)
            if not _allclose(stock_add, stock_use, *scratch):
                new_stock = st.inputs_stock - stock_use
                new_stock += stock_add
                if new_stock.min() < 0:  # BoARIO: RuntimeError → the loop stops ("crashed")
                    crashed_at = t
                    st.inputs_stock = new_stock
                    break
                st.inputs_stock = new_stock
            # every demand on industry i receives the share ρ_i = x_i / D_i of it (0 if D_i = 0);
            # final demand not met, (1 − ρ)·Y₀, is summed after the loop from the recorded ρ
            served = delivered_share[row]
            if demand_all_nz:
                np.divide(production, demand_tot, out=served)
            else:
                served[:] = 0.0
                np.divide(production, demand_tot, out=served, where=demand_tot != 0)
            reb_prod_tot = new_reb_tot = 0.0
            if reb_blocks:
                reb_prod_tot = np.zeros(nm)
                new_reb_tot = np.zeros(nm)
                shares_ok = (demand_tot != 0)[:, np.newaxis]
            for tr, house, block in reb_blocks:
                share = np.zeros_like(block)
                np.divide(block, demand_tot[:, np.newaxis], out=share, where=shares_ok)
                delivered = share * production[:, np.newaxis]
                d_tot = np.einsum("ij->i", delivered)
                reb_prod_tot = reb_prod_tot + d_tot
                new_reb_tot = new_reb_tot + np.einsum("ij->i", block - delivered)
                if house:  # EventTracker.receive_house_rebuilding
                    assert tr.house_remaining is not None
                    rem = np.round(tr.house_remaining - delivered, tr.precision)
                    rem[rem < 0] = 0.0
                    tr.house_remaining = rem if rem.any() else None
                else:  # EventTracker.receive_indus_rebuilding
                    assert tr.reb_remaining is not None
                    rem = np.round(tr.reb_remaining - delivered, tr.precision)
                    rem[rem < 0] = 0.0
                    if not rem.any():
                        tr.reb_remaining = None
                        tr.dmg = None
                    else:
                        tr.reb_remaining = rem
                        dmg = np.zeros(nm)
                        dmg[tr.idx] = rem.sum(axis=0) / tr.event.rebuilding_factor
                        tr.dmg = dmg
            for tr in rebuilding:  # rebuilt: its industries' and households' capital
                if tr.reb_remaining is None and tr.house_remaining is None:
                    tr.status = "finished"
            if any_rebuild_cols:
                out["rebuild_prod"][row] = reb_prod_tot
            if reb_blocks:
                reb_demand_tot = new_reb_tot
            # EventTracker.recover
            for tr in trackers:
                if tr.status == "recovering" and tr.arb0 is not None:  # arbitrary event
                    assert tr.recovery is not None
                    if tr.arb is not None:
                        elapsed = t - (tr.event.occurrence + tr.event.duration)
                        arb = tr.recovery(elapsed, tr.arb0, tr.tau).round(tr.precision)
                        tr.arb = arb if arb.any() else None
                    if tr.arb is None:
                        tr.status = "finished"
                elif tr.status == "recovering":
                    assert tr.recovery is not None and tr.event.recovery_tau is not None
                    if tr.dmg is not None:
                        elapsed = t - (tr.event.occurrence + tr.event.duration)
                        dmg = tr.recovery(elapsed, tr.dmg0, tr.event.recovery_tau).round(
                            tr.precision
                        )
                        tr.dmg = dmg if dmg.any() else None
                    if tr.dmg is None:
                        tr.status = "finished"

            # ---- 4. orders (calc_orders) -----------------------------------------------------------
            demand_tot2 = (
                st.orders_tot + fd_tot + reb_demand_tot if any_rebuild_cols else demand_tot
            )
            if any_rebuild_cols:  # demand changed with the rebuilding deliveries
                np.multiply(np.fmin(demand_tot2, cap), tech, out=use_opt)
            # 0 · inf = NaN where an infinite input is not used (as BoARIO)
            np.multiply(use_opt, inv_dur[:, np.newaxis], out=goal)
            gap = gap_buf
            if _allclose(st.inputs_stock, goal, *scratch):
                gap[...] = 0.0
            else:
                if finite_goal_needed:
                    gap[...] = 0.0
                    fin = np.isfinite(goal)
                    gap[fin] = goal[fin] - st.inputs_stock[np.isfinite(st.inputs_stock)]
                    if np.isnan(gap).any():
                        raise InputError("NaN in the inventory gap (inconsistent inventories)")
                else:  # all finite: no NaN possible
                    np.subtract(goal, st.inputs_stock, out=gap)
                np.maximum(gap, 0.0, out=gap)
                if p.model_type == "psi":
                    np.multiply(restoration, gap, out=gap)
            gap += stock_use  # = production · A^S, as BoARIO recomputes it
            if p.order_type == "alt":
                if x0_all_nz:
                    cap_ratio = cap / x0
                else:
                    cap_ratio = np.ones(nm)
                    np.divide(cap, x0, out=cap_ratio, where=x0_nz)
                kern.orders_alt(system.z0, cap_ratio, gap, m, n, st.orders, st.orders_tot)
            else:
                assert system.z_distrib is not None
                kern.orders_noalt(system.z_distrib, gap, m, n, st.orders, st.orders_tot)
            if progress is not None:
                progress(row + 1, n_days)

    done = n_days if crashed_at is None else crashed_at - st.t + 1
    if stocks_rec is not None and not finite_goal_needed:
        stocks_rec[:done].sum(axis=1, out=out["inventory_total"][:done])
    out["final_demand"][:done] = fd_tot
    for k in ("rebuild_demand", "rebuild_prod"):  # zero until the first rebuilding day
        rec = out[k][:done]
        rec[np.isnan(rec)] = 0.0
    if crashed_at is not None:
        out["rebuild_prod"][done - 1] = np.nan
    # final demand not met (BoARIO records it after distribution: NaN on the day of a crash)
    unserved = 1.0 - delivered_share
    out["final_demand_undist"][:] = unserved * fd_tot
    out["final_demand_unmet"][:] = np.einsum(
        "tas,asb->tbs", unserved.reshape(n_days, m, n), y_by_region
    ).reshape(n_days, nm)
    st.t = st.t + (n_days if crashed_at is None else crashed_at - st.t + 1)
    st.rebuild_residual = reb_demand_tot
    return ARIOTrajectory(
        regions=system.regions,
        sectors=system.sectors,
        x0=x0.copy(),
        y0_tot=fd_tot,
        direct=direct,
        inputs_stock=stocks_rec,
        crashed_at=crashed_at,
        params=p.as_dict(),
        final_state=st,
        **out,
    )


# --------------------------------------------------------------------------------------------
# shared result format
# --------------------------------------------------------------------------------------------
def to_run_rows(
    trajectory: ARIOTrajectory,
    *,
    metrics: Sequence[str] = ("output", "loss", "demand_unmet"),
    totals: bool = True,
) -> pd.DataFrame:
    """Rows of the shared timeseries format (:mod:`fukugan.results`).

    One row per (day t, industry ``REGION/SECTOR``, metric): ``output`` = production,
    ``loss`` = baseline daily output x₀ − production, ``demand_unmet`` = final demand for the
    industry's product that it could not deliver (BoARIO's ``final_demand_undist``, by supplier).
    ``component`` is "direct" for industries hit by an event, "indirect" otherwise. With
    ``totals``, rows ``unit_kind="total"``, ``unit="all"`` carry per day the sum over industries
    ("total") and its direct / indirect parts. Values in daily MRIO units. Days after a crash
    (NaN) are left out.
    """
    tr = trajectory
    n_days, nm = tr.production.shape
    days = np.arange(n_days)
    keep = ~np.isnan(tr.production).any(axis=1)
    unit = np.array([f"{r}/{s}" for r in tr.regions for s in tr.sectors], dtype=object)
    region = np.repeat(np.array(tr.regions, dtype=object), len(tr.sectors))
    comp = np.where(tr.direct, "direct", "indirect").astype(object)
    values = {
        "output": tr.production,
        "loss": tr.x0[np.newaxis, :] - tr.production,
        "demand_unmet": tr.final_demand_undist,
    }
    frames = []
    for metric in metrics:
        if metric not in values:
            raise InputError(f"unknown metric {metric!r} (one of {sorted(values)})")
        v = values[metric][keep]
        tt = days[keep]
        frames.append(
            pd.DataFrame(
                {
                    "t": np.repeat(tt, nm),
                    "unit_kind": "sector",
                    "unit": np.tile(unit, tt.size),
                    "region": np.tile(region, tt.size),
                    "metric": metric,
                    "component": np.tile(comp, tt.size),
                    "value": v.reshape(-1),
                }
            )
        )
        if totals:
            d = np.where(tr.direct[np.newaxis, :], v, 0.0).sum(axis=1)
            ind = np.where(tr.direct[np.newaxis, :], 0.0, v).sum(axis=1)
            for c, vals in (("total", d + ind), ("direct", d), ("indirect", ind)):
                frames.append(
                    pd.DataFrame(
                        {
                            "t": tt,
                            "unit_kind": "total",
                            "unit": "all",
                            "region": "",
                            "metric": metric,
                            "component": c,
                            "value": vals,
                        }
                    )
                )
    res = pd.concat(frames, ignore_index=True)
    res["t"] = res["t"].astype(np.int64)
    return res
