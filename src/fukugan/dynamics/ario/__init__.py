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
  k equals BoARIO's event at day k − 1 (``tests/dynamics/test_ario_events.py`` pins it);
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
results differ from BoARIO's in the last bits only: equality is tested in ``tests/dynamics/test_ario.py``
(1e-6 relative required; about 1e-15 measured) over the trajectories of production, capacity,
orders, inventories, final demand not met, rebuilding demand and deliveries, capital lost.

Modules: :mod:`.params` (parameters, events, recovery functions), :mod:`.system` (the prepared
MRIO), :mod:`.events` (the events during a run), :mod:`.kernels` (the O((nm)²) operations),
:mod:`.loop` (state, trajectory, the daily step), :mod:`.rows` (the shared result format); the
public names are all importable from here.

Speed: the two operations on the nm × nm order matrix (orders, and restocking from the
deliveries) run in numba kernels (:mod:`fukugan.dynamics._ario_kernels`) from
:data:`NUMBA_MIN_INDUSTRIES` industries on, in numpy below (loading numba costs more than a
small run); every other operation is on n × nm or nm arrays, without temporaries.
"""

from fukugan.dynamics.ario.kernels import NUMBA_MIN_INDUSTRIES
from fukugan.dynamics.ario.loop import ARIOState, ARIOTrajectory, run_system, simulate_ario
from fukugan.dynamics.ario.params import (
    EVENT_ARBITRARY_PRECISION,
    INV_THRESHOLD,
    RECOVERY_FUNCTIONS,
    TECHNOLOGY_THRESHOLD,
    ARIOEvent,
    ARIOParams,
)
from fukugan.dynamics.ario.rows import to_run_rows
from fukugan.dynamics.ario.system import ARIOSystem, prepare_system

__all__ = [
    "EVENT_ARBITRARY_PRECISION",
    "INV_THRESHOLD",
    "NUMBA_MIN_INDUSTRIES",
    "RECOVERY_FUNCTIONS",
    "TECHNOLOGY_THRESHOLD",
    "ARIOEvent",
    "ARIOParams",
    "ARIOState",
    "ARIOSystem",
    "ARIOTrajectory",
    "prepare_system",
    "run_system",
    "simulate_ario",
    "to_run_rows",
]
