"""The vectorised pieces of one step of the Inoue & Todo firm model (pure numpy; the equations
are in :mod:`fukugan.dynamics.firms`).

Every function works on whole arrays (one value per link, per input group or per firm, see
:mod:`fukugan.dynamics.firm_layout`); none loops over firms in Python. Rationing with the
authors' rule sorts the claims on the rationed suppliers once per step (one ``lexsort`` of
those claims by supplier and fill ratio) and finds every supplier's fill level from cumulative
sums — it never rescans a supplier's customers per level.
"""

from __future__ import annotations

import numpy as np

from fukugan.dynamics.firm_layout import Layout

__all__ = [
    "ORDER_TYPES",
    "RATIONING_RULES",
    "demand",
    "orders",
    "production_limit",
    "ration",
    "renew_inventory",
    "water_fill",
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
    the production drew on), then the deliveries ``O*_ij(t−1)`` arrive; floored at 0."""
    held = np.bincount(lay.group, weights=stock, minlength=lay.n_groups)
    use = lay.group_value * _ratio(prev_production, pini)[lay.group_firm]
    share = _ratio(use, held)  # the fraction of every link's holding that was used
    new = stock - stock * share[lay.group] + delivered
    np.maximum(new, 0.0, out=new)
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


def water_fill(
    owner: np.ndarray, ratio: np.ndarray, weight: np.ndarray, budget: np.ndarray
) -> np.ndarray:
    """Fill levels ``L`` per owner such that ``Σ weight·min(ratio, L) = budget[owner]``.

    ``owner`` (0..m−1) groups the claims; a claim of ``weight`` asks ``weight·ratio``. The
    claims are sorted once by ``(owner, ratio)``; after the ``k`` lowest claims are served in
    full, the amount served at level ``ratio_k`` is ``Σ_{l≤k} w_l r_l + r_k Σ_{l>k} w_l``,
    non-decreasing in ``k``, so the served count and the level follow from cumulative sums.
    ``L = inf`` where the budget covers every claim."""
    m = budget.size
    if owner.size == 0:
        return np.full(m, np.inf)
    order = np.lexsort((ratio, owner))
    o, r, w = owner[order], ratio[order], weight[order]
    counts = np.bincount(o, minlength=m)
    start = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    cw = np.cumsum(w)
    cwr = np.cumsum(w * r)
    base_w = np.concatenate(([0.0], cw))[start[:-1]][o]
    base_wr = np.concatenate(([0.0], cwr))[start[:-1]][o]
    tot_w = np.concatenate(([0.0], cw))[start[1:]] - np.concatenate(([0.0], cw))[start[:-1]]
    served_w = cw - base_w  # weight of the claims up to and including this one
    served_wr = cwr - base_wr
    at_level = served_wr + r * (tot_w[o] - served_w)
    ok = at_level <= budget[o]
    n_ok = np.bincount(o, weights=ok, minlength=m).astype(np.int64)
    level = np.empty(m)
    none = n_ok == 0
    level[none] = _ratio(budget[none], tot_w[none])
    some = ~none
    last = start[:-1][some] + n_ok[some] - 1
    rest = tot_w[some] - served_w[last]
    with np.errstate(divide="ignore", invalid="ignore"):
        lv = (budget[some] - served_wr[last]) / rest
    lv[rest <= 0] = np.inf
    level[some] = lv
    return level


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
    fc_last = rule == 3
    if fc_last:
        covered = c >= short
        cstar = np.where(covered, c - short, 0.0)
        rationed = ~covered
    else:
        cstar = c.copy()
        rationed = prod < dem
    delivered = order.copy()
    sup = np.flatnonzero(rationed)
    if sup.size == 0:
        return delivered, cstar
    slot = np.full(lay.n_firms, -1, dtype=np.int64)
    slot[sup] = np.arange(sup.size)
    links = np.flatnonzero(rationed[lay.supplier])
    owner = slot[lay.supplier[links]]
    weight = lay.values[links]
    ratio = order[links] / weight
    if not fc_last:  # final demand claims at ratio 1
        fc = c[sup] > 0
        owner = np.concatenate((owner, np.flatnonzero(fc)))
        ratio = np.concatenate((ratio, np.ones(int(fc.sum()))))
        weight = np.concatenate((weight, c[sup][fc]))
    level = water_fill(owner, ratio, weight, prod[sup])
    lv = level[slot[lay.supplier[links]]]
    delivered[links] = lay.values[links] * np.minimum(order[links] / lay.values[links], lv)
    if not fc_last:
        cstar[sup] = c[sup] * np.minimum(1.0, level)
    return delivered, cstar
