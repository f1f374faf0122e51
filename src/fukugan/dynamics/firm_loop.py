"""The step loop of the Inoue & Todo firm model (pure numpy; equations and step order in
:mod:`fukugan.dynamics.firms`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from fukugan.dynamics.firm_kernels import (
    demand,
    orders,
    production_limit,
    ration,
    renew_inventory,
)
from fukugan.dynamics.firm_layout import Layout
from fukugan.dynamics.firm_numba import customer_pass, supplier_pass

__all__ = ["LoopResult", "run_loop"]


@dataclass
class LoopResult:
    """Per-step totals (index 0 = the initial state, step −1; index ``t + 1`` = step ``t``),
    optional per-firm records and snapshots, and the final state.

    Attributes:
        total_output: Σ_i P_i per step.
        value_added: Σ_i v_i P_i per step (``v_i = (P_ini_i − Σ_j A_ij)/P_ini_i``).
        final_consumption: Σ_i C*_i per step.
        production: float32 ``(T + 1) × n`` if recorded, else ``None``.
        snapshots: ``{step: {"production", "demand", "inventory_limit", "delta",
            "delivered"}}`` (``inventory_limit``: ``min_s P_ini·S_s/A_s``, the reference's
            "supply" column).
        state: the arrays at the end of the last step.
    """

    total_output: np.ndarray
    value_added: np.ndarray
    final_consumption: np.ndarray
    production: np.ndarray | None
    firm_loss: np.ndarray
    snapshots: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)
    state: dict[str, np.ndarray] = field(default_factory=dict)


def run_loop(
    lay: Layout,
    pini: np.ndarray,
    final_demand: np.ndarray,
    target_days: np.ndarray,
    tau: float,
    rule: int | np.ndarray,
    n_steps: int,
    delta_at: Callable[[int, np.ndarray], np.ndarray],
    *,
    order_type: int = 0,
    record_firms: bool = False,
    snapshot_steps: Sequence[int] = (),
    on_step: Callable[[int, np.ndarray], None] | None = None,
    kernels: str = "numba",
) -> LoopResult:
    """Simulate ``n_steps`` steps ``t = 0..n_steps−1``.

    ``delta_at(t, prev_production)`` gives δ per firm for step ``t`` (it owns recovery);
    ``target_days`` is ``n`` per link; ``rule`` is the rationing rule's ``-R`` number, or one
    per step (a rule switched mid-run); ``on_step(t, production)`` is called after each step.
    Until the first step with a δ > 0 the initial state is kept as it is (the model run in
    levels would otherwise let rounding errors of 1e-16 grow around tight cycles).
    ``kernels``: ``"numba"`` (:mod:`fukugan.dynamics.firm_numba`, parallel, the default) or
    ``"numpy"`` (:mod:`fukugan.dynamics.firm_kernels`); they agree to rounding.
    """
    n = lay.n_firms
    c = final_demand
    rules = np.broadcast_to(np.asarray(rule, dtype=np.int64), (n_steps,))
    top = int(rules.max()) if n_steps else 0
    stock = target_days * lay.values
    order = lay.values.copy()
    delivered = lay.values.copy()
    prod = demand(lay, order, c)  # the reference's initial state: P = D = sales + C
    va_share = np.zeros(n)
    np.divide(pini - lay.inputs, pini, out=va_share, where=pini > 0)
    tot = np.empty(n_steps + 1)
    va = np.empty(n_steps + 1)
    fc = np.empty(n_steps + 1)
    tot[0] = prod.sum()
    va[0] = va_share @ prod
    fc[0] = c.sum()
    production = None
    if record_firms:
        production = np.empty((n_steps + 1, n), dtype=np.float32)
        production[0] = prod
    firm_loss = np.zeros(n)
    snaps: dict[int, dict[str, np.ndarray]] = {}
    want = set(int(s) for s in snapshot_steps)
    dem = prod.copy()
    delta = np.zeros(n)
    cap = pini.copy()
    cstar = c.copy()
    if kernels not in ("numba", "numpy"):
        raise ValueError(f"unknown kernels {kernels!r}")
    fast = kernels == "numba"
    target = target_days * lay.values
    if fast:
        # the binned order of the links (module doc of firm_numba): bins of consecutive
        # suppliers (≤ 65,536 each, at least 2, at most 16), customers ascending within a bin
        n_bins = int(min(16, max(2, -(-n // 65536))))
        bin_firm = np.linspace(0, n, n_bins + 1).round().astype(np.int64)
        link_bin = np.searchsorted(bin_firm, lay.supplier, side="right") - 1
        border = np.argsort(link_bin, kind="stable")
        pos = np.empty(lay.n_links, dtype=np.int64)
        pos[border] = np.arange(lay.n_links)
        bin_link = np.zeros(n_bins + 1, dtype=np.int64)
        np.cumsum(np.bincount(link_bin, minlength=n_bins), out=bin_link[1:])
        sup_b = lay.supplier[border]
        val_b = lay.values[border]
        order_b = order[border]
        delivered_b = delivered[border]
        del border, link_bin
        m = lay.n_links if top >= 2 else 1  # the authors' rule's work space, one block each
        blk = [np.empty(m) for _ in range(5)] + [np.empty(m, dtype=np.int64) for _ in range(2)]
        if top >= 2:  # the initial orders in the blocks' order (by supplier, customers ascending)
            blk[1] = np.ascontiguousarray(lay.values[lay.by_supplier])
        factor = np.zeros(n)
        fill = np.zeros(n, dtype=np.int64)

    def links_delivered() -> np.ndarray:
        return delivered if not fast else delivered_b[pos]

    def links_orders() -> np.ndarray:
        return order if not fast else order_b[pos]

    limit = production_limit(lay, stock, np.full(n, np.inf), pini)
    quiet = True  # no firm shocked yet: the state is the initial state, exactly
    for t in range(n_steps):
        delta = delta_at(t, prod)
        if quiet and not delta.any():
            tot[t + 1], va[t + 1], fc[t + 1] = tot[0], va[0], fc[0]
            if production is not None:
                production[t + 1] = prod
            if t in want:
                snaps[t] = {
                    "production": prod.copy(),
                    "demand": dem.copy(),
                    "inventory_limit": production_limit(lay, stock, np.full(n, np.inf), pini),
                    "delta": delta_at(t + 1, prod),
                    "delivered": delivered.copy(),
                }
            firm_loss += pini - prod
            if on_step is not None:
                on_step(t, prod)
            continue
        quiet = False
        cap = pini * (1.0 - delta)
        if fast:
            prev = prod
            customer_pass(
                lay.group_indptr,
                lay.link_indptr_by_group,
                lay.group_value,
                lay.values,
                target,
                stock,
                delivered_b,
                pos,
                order_b,
                prev,
                pini,
                float(tau),
                int(order_type),
                limit,
            )
            prod = np.empty(n)
            supplier_pass(
                bin_firm,
                bin_link,
                sup_b,
                val_b,
                order_b,
                delivered_b,
                lay.sup_indptr,
                c,
                cap,
                limit,
                int(rules[t]),
                dem,
                prod,
                cstar,
                factor,
                fill,
                *blk,
            )
        else:
            stock = renew_inventory(lay, stock, delivered, prod, pini)
            order = orders(lay, stock, prod, pini, target_days, tau, order_type)
            dem = demand(lay, order, c)
            limit = production_limit(lay, stock, np.full(n, np.inf), pini)
            prod = np.minimum(np.minimum(limit, cap), dem)
            delivered, cstar = ration(lay, int(rules[t]), order, dem, prod, c)
        tot[t + 1] = prod.sum()
        va[t + 1] = va_share @ prod
        fc[t + 1] = cstar.sum()
        firm_loss += pini - prod
        if production is not None:
            production[t + 1] = prod
        if t in want:
            snaps[t] = {
                "production": prod.copy(),
                "demand": dem.copy(),
                "inventory_limit": limit.copy(),
                "delta": delta_at(t + 1, prod),  # after the step's recovery, as the reference
                "delivered": links_delivered().copy(),
            }
        if on_step is not None:
            on_step(t, prod)
    return LoopResult(
        total_output=tot,
        value_added=va,
        final_consumption=fc,
        production=production,
        firm_loss=firm_loss,
        snapshots=snaps,
        state={
            "inventory": stock,
            "orders": links_orders(),
            "delivered": links_delivered(),
            "demand": dem,
            "production": prod,
            "capacity": cap,
            "delta": delta,
            "final_consumption": cstar,
        },
    )
