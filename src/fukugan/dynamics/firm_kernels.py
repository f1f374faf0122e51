"""The vectorised pieces of one step of the Inoue & Todo firm model (pure numpy; the equations
are in :mod:`fukugan.dynamics.firms`).

Every function works on whole arrays (one value per link, per input group or per firm, see
:mod:`fukugan.dynamics.firm_layout`) and follows the reference simulator's arithmetic
operation by operation (its rationing compares sums to the last bit). The authors' rationing
rule is the one per-supplier function :func:`fukugan.dynamics.firm_rationing.fill_one`, shared
with the compiled kernels and called here supplier by supplier (the readable path: slow on
large networks).
"""

from __future__ import annotations

import numpy as np

from fukugan.dynamics.firm_layout import Layout
from fukugan.dynamics.firm_rationing import TINY, fill_one

__all__ = [
    "ORDER_TYPES",
    "RATIONING_RULES",
    "demand",
    "orders",
    "production_limit",
    "ration",
    "renew_inventory",
]

#: the four rationing rules, in the reference simulator's ``-R`` order (0..3)
RATIONING_RULES = ("proportional", "proportional_fc_last", "inoue_todo", "inoue_todo_fc_last")
#: the reference's order types ``-o 0|1|2``
ORDER_TYPES = ("normal", "initial_target", "no_negative_adjustment")


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den != 0``, else 0."""
    out = np.zeros_like(num, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def renew_inventory(
    lay: Layout,
    stock: np.ndarray,
    delivered: np.ndarray,
    prev_production: np.ndarray,
    pini: np.ndarray,
) -> np.ndarray:
    """Inventories after the previous step's deliveries and use: each input group used
    ``A_is · P_i(t−1) / P_ini_i``, taken from its links in proportion to their holdings (those
    the production drew on), then the deliveries ``O*_ij(t−1)`` arrive; ≤ 1e-20 becomes 0.
    In the reference's arithmetic: ``(S + O*) − S·(P/P_ini)·(A_s/S_s)``."""
    held = np.bincount(lay.group, weights=stock, minlength=lay.n_groups)
    share = np.zeros(lay.n_groups)
    ok = held > TINY
    share[ok] = _ratio(prev_production, pini)[lay.group_firm[ok]] * (lay.group_value[ok] / held[ok])
    new = (stock + delivered) - stock * share[lay.group]
    new[new <= TINY] = 0.0
    idle = pini[lay.customer] == 0  # the reference leaves their inventories as they are
    new[idle] = stock[idle]
    return new


def orders(
    lay: Layout,
    stock: np.ndarray,
    prev_production: np.ndarray,
    pini: np.ndarray,
    target_days: np.ndarray,
    tau: float,
    order_type: int = 0,
) -> np.ndarray:
    """Orders per link: ``A_ij·P_i/P_ini_i + (n_ij·A_ij·P_i/P_ini_i − S_ij)/τ`` with ``P_i``
    the customer's production of the previous step, floored at 0 (``order_type`` 0). Type 1
    keeps the initial target ``n_ij·A_ij``; type 2 drops a negative inventory adjustment."""
    # the reference's floating-point expression, term by term (its fill ratios compare
    # orders to the last bit): A·P/P_ini + (1/τ)·(n·A·P/P_ini − S)
    prev = prev_production[lay.customer]
    den = pini[lay.customer]
    with np.errstate(divide="ignore", invalid="ignore"):
        need = lay.values * prev / den
        if order_type == 1:
            gap = target_days * lay.values - stock
        else:
            gap = target_days * lay.values * prev / den - stock
            if order_type == 2:
                np.maximum(gap, 0.0, out=gap)
    out = need + (1.0 / tau) * gap
    zero_pini = pini[lay.customer] == 0
    if zero_pini.any():
        out[zero_pini] = lay.values[zero_pini]
    np.maximum(out, 0.0, out=out)
    return out


def demand(lay: Layout, order: np.ndarray, final_demand: np.ndarray) -> np.ndarray:
    """Demand on each firm: the orders it received plus its final demand."""
    return final_demand + np.bincount(lay.supplier, weights=order, minlength=lay.n_firms)


def production_limit(
    lay: Layout, stock: np.ndarray, capacity: np.ndarray, pini: np.ndarray
) -> np.ndarray:
    """``min(capacity, min_s P_ini·S_is/A_is)``: the capacity and the production every input
    sector's inventory allows (Leontief across sectors, suppliers of a sector substitutes)."""
    held = np.bincount(lay.group, weights=stock, minlength=lay.n_groups)
    prop = pini[lay.group_firm] * (held / lay.group_value)
    limit = capacity.copy()
    has = lay.group_indptr[1:] > lay.group_indptr[:-1]
    if prop.size:
        lo = np.minimum.reduceat(prop, lay.group_indptr[:-1][has])
        limit[has] = np.minimum(capacity[has], lo)
    return limit


def ration(
    lay: Layout,
    rule: int,
    order: np.ndarray,
    dem: np.ndarray,
    prod: np.ndarray,
    final_demand: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Deliveries per link ``O*_ij`` and final consumption served per firm ``C*_j`` when
    supplier ``j`` produces ``P_j`` against demand ``D_j`` (rules: module doc)."""
    c = final_demand
    short = np.maximum(dem - prod, 0.0)
    if rule == 0:  # proportional: everyone gets P/D of the claim
        r = _ratio(prod, dem)
        return order * r[lay.supplier], c * r
    if rule == 1:  # proportional, final consumption served last
        covered = c >= short
        cstar = np.where(covered, c - short, 0.0)
        r = np.where(covered, 1.0, _ratio(prod, dem - c))
        r[dem == 0] = np.where(covered[dem == 0], 1.0, 0.0)
        return order * r[lay.supplier], cstar
    # the authors' rule, supplier by supplier (every supplier, short or not; module doc of
    # fukugan.dynamics.firm_rationing), claims in customer order
    delivered = np.zeros_like(order)
    cstar = np.zeros(lay.n_firms)
    o = order[lay.by_supplier]
    a = lay.values[lay.by_supplier]
    gain, key, suffix = np.zeros(o.size), np.zeros(o.size), np.zeros(o.size)
    pos, idx = np.zeros(o.size, np.int64), np.zeros(o.size, np.int64)
    ptr = lay.sup_indptr
    for j in range(lay.n_firms):
        b, k = int(ptr[j]), int(ptr[j + 1] - ptr[j])
        cstar[j] = fill_one(
            o, a, b, k, c[j], prod[j], dem[j], rule == 3, gain, key, suffix, pos, idx
        )
    delivered[lay.by_supplier] = gain * a
    return delivered, cstar
