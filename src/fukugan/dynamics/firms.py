r"""Firm-level propagation of shocks through supply chains: the model of Inoue & Todo as the
authors implemented it.

References:
    H. Inoue & Y. Todo (2019), "Firm-level propagation of shocks through supply-chain networks",
    Nature Sustainability 2:841–847 (Methods); H. Inoue & Y. Todo (2019), "Propagation of
    negative shocks across nation-wide firm networks", PLoS ONE 14(3):e0213648. The model
    descends from Hallegatte (2008, ARIO) and Henriet, Hallegatte & Tabourier (2012). The
    authors' reference simulator is public: ``proNet.cpp`` of HiroyasuInoue/
    ProductionNetworkSimulator (commit c4dd74d); fukugan reproduces its outputs on the
    fixtures in ``fixtures/firm-reference`` (tests/dynamics/test_firms_reference.py). Nothing of its code
    is copied: the equations below were read from it and are implemented here with numpy.

Notation: firm ``i``, its sector ``s(i)``; link ``j → i`` (supplier ``j``, customer ``i``) with
baseline daily transaction value ``A_ij``; final demand ``C_i``; ``P_ini_i = Σ_k A_ki + C_i``
(sales to customers plus final demand — computed from the links, never read from a file); the
customer's baseline use of input sector ``s``: ``A_is = Σ_{j: s(j)=s} A_ij``; its value-added
share ``v_i = (P_ini_i − Σ_j A_ij) / P_ini_i``. Per link the model keeps an inventory ``S_ij``,
an order ``O_ij`` and a delivery ``O*_ij``; per firm the production ``P_i``. Initially
``S_ij = n_ij·A_ij``, ``O_ij = O*_ij = A_ij``, ``P_i = P_ini_i``. Step ``t`` (fukugan's day
``t + 1``; day 0 is the initial state):

1. **shock**: ``δ_i(t)`` (``FirmShock``; the reference's ``-c C`` is linear recovery: ``δ``
   falls by ``δ₀/C`` after each step's production); capacity ``P_cap_i = P_ini_i (1 − δ_i)``.
2. **inventories** renewed with the previous step's use and deliveries: each input group
   ``(i, s)`` used ``A_is·P_i(t−1)/P_ini_i``, taken from its links in proportion to their
   holdings ``S_is = Σ_{j∈s} S_ij``: ``S_ij ← (S_ij + O*_ij(t−1)) − S_ij·(P_i/P_ini_i)·(A_is/S_is)``,
   0 where that is ≤ 1e-20.
3. **orders** on the customer's previous *actual production* (bounded by construction)::

       O_ij = max(0, A_ij·P_i(t−1)/P_ini_i + (n_ij·A_ij·P_i(t−1)/P_ini_i − S_ij) / τ)

   (``order_type`` ``initial_target``: target ``n_ij·A_ij``; ``no_negative_adjustment``: the
   second term only when positive).
4. **demand** ``D_j = Σ_i O_ij + C_j``.
5. **production** ``P_j = min(P_cap_j, min_s P_ini_j·S_js/A_js, D_j)`` (Leontief across input
   sectors, the suppliers of one sector perfect substitutes).
6. **rationing** fixes each link's delivery ``O*_ij`` and the final consumption ``C*_j``:

   * ``proportional`` (``-R 0``, Hallegatte): every claim gets ``P_j/D_j`` of itself;
   * ``proportional_fc_last`` (``-R 1``): final demand absorbs the shortfall first
     (``C* = max(0, C − (D − P))``), customers are cut proportionally only beyond it;
   * ``inoue_todo`` (``-R 2``, the authors' rule and the default): claims are served from
     the lowest *ratio of current order to initial order* ``r_ij = O_ij/A_ij`` up, final
     demand taking part with ratio 1, level by level as the reference's loop does — at every
     supplier, short or not (:mod:`fukugan.dynamics.firm_rationing` states the loop and its
     properties: a level's cost counts final demand also once it is served, a customer that
     ordered nothing takes part in the first level, the last share is not capped);
   * ``inoue_todo_fc_last`` (``-R 3``): final demand first gets what the customers leave,
     ``C* = clip(P − (D − C), 0, C)``, and the customers share ``P − C*`` by the same loop.

   The reference rescans a supplier's claims at every level; fukugan does that only for
   suppliers with at most ``EXACT_UP_TO`` (512) customers, with the reference's own sums (bit
   for bit: its levels compare sums to the last bit), and rations a larger one from one sort
   of its claims (the same levels, sums in another order).
7. **outputs**: ``Σ P_i``, value added ``Σ v_i P_i``, final consumption ``Σ C*_i``.

Without a shock the baseline repeats: until the first step with a δ > 0 the initial state is
kept exactly (computed in levels, as the reference does, rounding errors of 1e-16 would
otherwise grow around tight cycles of firms with little value added, where the order rule
amplifies a deviation by up to 1 + n/τ a step — a property of the model, also once a shock
starts).

Implementation: two compiled passes a step (:mod:`fukugan.dynamics.firm_numba`, numba,
parallel: the customer pass over customers, the links kept customer by customer and, within a
customer, input sector by input sector; the supplier pass over bins of consecutive suppliers,
orders and deliveries kept in a binned order so that both passes stream instead of jumping per
link, and each writes only its own slots); the same equations in plain numpy in :mod:`fukugan.dynamics.firm_kernels`
(``kernels="numpy"``; tests/dynamics/test_firms.py pins their agreement). Parameters:
:mod:`~fukugan.dynamics.firm_params`; link groupings: :mod:`~fukugan.dynamics.firm_layout`;
the loop: :mod:`~fukugan.dynamics.firm_loop`; shocks: :mod:`~fukugan.dynamics.firm_shocks`;
outputs: :mod:`~fukugan.dynamics.firm_results`.

Deliberate differences from the reference, each pinned by a test:

* None in the rationing: all four rules, with and without recovery, and the ``n = 5, τ = 3``
  case equal the reference's daily totals to 1e-14 and its per-firm snapshots to the 6 digits
  they carry (tests/dynamics/test_firms_reference.py). Suppliers with more than
  ``EXACT_UP_TO`` customers (none in the fixtures) are rationed with sums in another order,
  equal to rounding per step.
* Poisson inventory targets (``inventory="poisson_*"``) are drawn with numpy's generator, so a
  seed gives other draws than the reference's ``rand()``; a draw of 0 days becomes 1.
* The reference reads the initial output from ``pini.txt`` but computes with sales + final
  demand; fukugan's reader checks the file against that sum (1e-6) and uses the sum.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from fukugan.dynamics.firm_kernels import ORDER_TYPES, RATIONING_RULES
from fukugan.dynamics.firm_layout import build_layout
from fukugan.dynamics.firm_loop import run_loop
from fukugan.dynamics.firm_params import (
    DEFAULT_RATIONING,
    FirmParams,
    rule_code,
    rule_codes,
    target_days,
)
from fukugan.dynamics.firm_rationing import fill_one
from fukugan.dynamics.firm_results import (
    ENGINE,
    FirmTrajectory,
    propagation_paths,
    to_run_result,
    to_run_rows,
)
from fukugan.dynamics.firm_shocks import FirmShock
from fukugan.dynamics.networks import SYNTHETIC_LABEL, FirmNetwork, synthetic_network
from fukugan.errors import InputError

__all__ = [
    "DEFAULT_RATIONING",
    "ENGINE",
    "ORDER_TYPES",
    "RATIONING_RULES",
    "SYNTHETIC_LABEL",
    "FirmNetwork",
    "FirmParams",
    "FirmShock",
    "FirmTrajectory",
    "propagation_paths",
    "ration",
    "simulate_firms",
    "synthetic_network",
    "to_run_result",
    "to_run_rows",
]


def _as_shocks(shock: FirmShock | Sequence[FirmShock] | None, n_firms: int) -> list[FirmShock]:
    if shock is None:
        return []
    shocks = [shock] if isinstance(shock, FirmShock) else list(shock)
    for s in shocks:
        if not isinstance(s, FirmShock):
            raise InputError(f"not a FirmShock: {s!r}", field="shock")
        bad = np.flatnonzero((s.index < 0) | (s.index >= n_firms))
        if bad.size:
            raise InputError(
                f"unknown firm index {s.index[bad[0]]} in the shock (network has {n_firms} firms)",
                field="firms",
            )
    return shocks


def simulate_firms(
    network: FirmNetwork,
    shock: FirmShock | Sequence[FirmShock] | None,
    params: FirmParams | None = None,
    n_days: int = 100,
    progress: Callable[[int, int], None] | None = None,
    *,
    snapshot_days: Sequence[int] = (),
    kernels: str = "numba",
) -> FirmTrajectory:
    """Run the model for ``n_days`` days (equations and step order in the module doc).

    Args:
        network: the firm network (its baseline is day 0).
        shock: capacity losses with recovery paths (``None``: the baseline repeats).
        params: model parameters (defaults n = 15, τ = 6, ``inoue_todo`` rationing).
        n_days: number of days (reference steps) to simulate.
        progress: called as ``progress(day, n_days)`` after each day.
        snapshot_days: days whose per-firm state is kept in ``FirmTrajectory.snapshots``.
        kernels: ``"numba"`` (compiled, parallel; default) or ``"numpy"`` (the readable
            vectorised version); they agree to rounding (tests/dynamics/test_firms.py).

    Raises:
        InputError: bad parameters, unknown firms in a shock.
    """
    params = params or FirmParams()
    params.check()
    if int(n_days) != n_days or n_days < 0:
        raise InputError(f"n_days must be a non-negative integer, got {n_days!r}", field="n_days")
    n_days = int(n_days)
    shocks = _as_shocks(shock, network.n_firms)
    n = network.n_firms
    lay = build_layout(network.indptr, network.suppliers, network.values, network.sectors)
    pini = network.final_demand + lay.sales
    days = target_days(params, n, network.sectors, network.sector_names, lay.supplier, lay.customer)
    hit = np.zeros(n, dtype=bool)
    for s in shocks:
        hit[s.index[s.delta > 0]] = True
    hit_idx = np.flatnonzero(hit)

    def delta_at(step: int, _prev: np.ndarray) -> np.ndarray:
        delta = np.zeros(n)
        if hit_idx.size:
            keep = np.ones(n)
            for s in shocks:
                keep[s.index] *= 1.0 - s.delta_at(step + 1)
            delta[hit_idx] = 1.0 - keep[hit_idx]
        return delta

    ns = len(network.sector_names)
    sec_key = network.sectors.astype(np.int64) * 2 + hit
    sector_baseline = np.bincount(sec_key, weights=pini, minlength=2 * ns).reshape(ns, 2)
    sector_output = np.empty((n_days + 1, ns, 2))
    sector_output[0] = sector_baseline
    region_output = region_baseline = None
    reg_key = None
    if network.regions is not None:
        nr = len(network.region_names)
        reg_key = network.regions.astype(np.int64) * 2 + hit
        region_baseline = np.bincount(reg_key, weights=pini, minlength=2 * nr).reshape(nr, 2)
        region_output = np.empty((n_days + 1, nr, 2))
        region_output[0] = region_baseline

    def on_step(step: int, prod: np.ndarray) -> None:
        day = step + 1
        sector_output[day] = np.bincount(sec_key, weights=prod, minlength=2 * ns).reshape(ns, 2)
        if region_output is not None:
            region_output[day] = np.bincount(
                reg_key, weights=prod, minlength=region_baseline.size
            ).reshape(-1, 2)
        if progress is not None:
            progress(day, n_days)

    res = run_loop(
        lay,
        pini,
        network.final_demand,
        days,
        float(params.tau),
        rule_codes(params, n_days),
        n_days,
        delta_at,
        order_type=ORDER_TYPES.index(params.order_type),
        record_firms=params.record == "firms",
        snapshot_steps=[int(d) - 1 for d in snapshot_days],
        on_step=on_step,
        kernels=kernels,
    )

    def csr(x: np.ndarray) -> np.ndarray:  # per-link arrays back in the network's CSR order
        out = np.empty_like(x)
        out[lay.perm] = x
        return out

    per_link = ("inventory", "orders", "delivered")
    state = {k: csr(v) if k in per_link else v for k, v in res.state.items()}
    for snap in res.snapshots.values():
        snap["delivered"] = csr(snap["delivered"])
    notes = []
    if network.label == SYNTHETIC_LABEL:
        notes.append("network: " + SYNTHETIC_LABEL)
    return FirmTrajectory(
        network=network,
        params=params,
        shocks=shocks,
        n_days=n_days,
        baseline=pini,
        hit=hit,
        production=res.production,
        firm_loss=res.firm_loss,
        sector_output=sector_output,
        sector_baseline=sector_baseline,
        region_output=region_output,
        region_baseline=region_baseline,
        notes=notes,
        value_added=res.value_added,
        final_consumption=res.final_consumption,
        snapshots={s + 1: v for s, v in res.snapshots.items()},
        state=state,
    )


def ration(
    claims: Sequence[float] | np.ndarray,
    output: float,
    rule: str = DEFAULT_RATIONING,
    initial: Sequence[float] | np.ndarray | None = None,
    final_demand: float = 0.0,
) -> tuple[np.ndarray, float]:
    """Share one supplier's ``output`` among its customers' ``claims`` (orders) and its
    ``final_demand`` with a rule of the model; ``initial`` are the customers' initial orders
    ``A_ij`` (default: the claims). Returns (deliveries, final consumption served).

    >>> x, c = ration([2.0, 1.0], 2.0, "inoue_todo", initial=[1.0, 1.0], final_demand=1.0)
    >>> x.tolist(), c
    ([0.6666666666666666, 0.6666666666666666], 0.6666666666666666)
    >>> x, c = ration([0.5, 2.0], 2.0, "inoue_todo", initial=[1.0, 1.0], final_demand=1.0)
    >>> x.round(4).tolist(), round(c, 4)
    ([0.5, 0.75], 0.75)
    >>> x, c = ration([2.0, 2.0], 3.0, "proportional", final_demand=1.0)
    >>> x.tolist(), c
    ([1.2, 1.2], 0.6)
    """
    if rule not in RATIONING_RULES:
        raise InputError(f"unknown rationing rule {rule!r}", field="rationing")
    o = np.asarray(claims, dtype=np.float64)
    a = o.copy() if initial is None else np.asarray(initial, dtype=np.float64)
    if o.ndim != 1 or a.shape != o.shape or np.any(~np.isfinite(o)) or np.any(o < 0):
        raise InputError("claims must be a list of finite values ≥ 0", field="claims")
    if np.any(a <= 0):
        raise InputError("initial orders must be > 0", field="initial")
    c = float(final_demand)
    dem = float(o.sum()) + c
    p = max(min(float(output), dem), 0.0)
    code = rule_code(rule)
    if code == 1:
        short = dem - p
        if c >= short:
            return o.copy(), c - short
        rest = dem - c
        return (o * (p / rest) if rest > 0 else o * 0.0), 0.0
    if code == 0:
        r = p / dem if dem > 0 else 0.0
        return o * r, c * r
    gain = np.zeros(o.size)
    work = (
        np.zeros(o.size),
        np.zeros(o.size),
        np.zeros(o.size, np.int64),
        np.zeros(o.size, np.int64),
    )
    served = fill_one(o, a, 0, o.size, c, p, dem, code == 3, gain, *work)
    return gain * a, float(served)
