"""Compiled kernels of one step of the firm model (numba, parallel over firms): the same
equations as :mod:`fukugan.dynamics.firm_kernels` (the readable numpy version, which the tests
compare them with), fused into two passes a step so that 1 M firms / 5 M links run 100 days in
seconds.

* :func:`customer_pass` (``prange`` over customers): for each input group (the customer's
  links from one sector's suppliers, contiguous in the simulation's link order) renew the
  inventories with the previous step's use and deliveries, place the orders, and the
  inventory limit on production ``min_s P_ini·S_s/A_s``.
* :func:`supplier_pass` (``prange`` over suppliers, each reading its links through
  ``by_supplier``): demand, production, rationing and each link's delivery. A rationed
  supplier under ``inoue_todo`` sorts its claims by fill ratio once (``np.argsort``) and finds
  its level in one scan of the sorted claims.

Each pass writes only its own firms' contiguous slots (the supplier pass the deliveries in
supplier order, the customer pass inventories and orders in customer order) and reads the
other order through an index, so threads never write to the same cache line, no atomics are
needed and results do not depend on the number of threads.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["customer_pass", "supplier_pass"]

_NB = {"cache": True, "nogil": True, "parallel": True}


@numba.njit(**_NB)
def customer_pass(
    indptr_g,  # groups of each customer: group_indptr[i]:group_indptr[i+1]
    link_g,  # links of each group: link_g[g]:link_g[g+1] (simulation order)
    group_value,  # A_is per group
    values,  # A per link
    target,  # n·A per link
    stock,  # S per link (in/out)
    delivered_sup,  # O* per link, previous step, in supplier order (by_supplier positions)
    pos,  # per link: its position in the supplier order
    order,  # O per link (out)
    prev,  # P per firm, previous step
    pini,
    tau,
    order_type,
    limit,  # out: inventory limit per firm (inf without inputs)
):  # pragma: no cover - compiled
    n = len(pini)
    inv_tau = 1.0 / tau
    for i in numba.prange(n):
        p = prev[i]
        q0 = pini[i]
        q = p / q0 if q0 != 0 else 1.0
        lim = np.inf
        for g in range(indptr_g[i], indptr_g[i + 1]):
            a, b = link_g[g], link_g[g + 1]
            held = 0.0
            for k in range(a, b):
                held += stock[k]
            use = group_value[g] * q if q0 != 0 else 0.0
            share = use / held if held != 0 else 0.0
            after = 0.0
            for k in range(a, b):
                s = stock[k] - stock[k] * share + delivered_sup[pos[k]]
                if s < 0.0:
                    s = 0.0
                stock[k] = s
                after += s
                if q0 == 0:
                    o = values[k]
                else:
                    need = values[k] * q
                    if order_type == 1:
                        gap = target[k] - s
                    else:
                        gap = target[k] * q - s
                        if order_type == 2 and gap < 0.0:
                            gap = 0.0
                    o = need + inv_tau * gap
                order[k] = o if o > 0.0 else 0.0
            prop = q0 * (after / group_value[g])
            if prop < lim:
                lim = prop
        limit[i] = lim


@numba.njit(**_NB)
def supplier_pass(
    sup_indptr,
    by_supplier,
    values,
    order,
    delivered_sup,  # out, in supplier order
    final_demand,
    capacity,
    limit,
    rule,
    demand,  # out
    prod,  # out
    cstar,  # out
    scratch_r,  # work space, one slot per link and per firm (len E + n)
    scratch_w,
    scratch_i,
):  # pragma: no cover - compiled
    n = len(final_demand)
    for j in numba.prange(n):
        a, b = sup_indptr[j], sup_indptr[j + 1]
        c = final_demand[j]
        tot = 0.0
        for m in range(a, b):
            tot += order[by_supplier[m]]
        d = c + tot
        p = capacity[j]
        if limit[j] < p:
            p = limit[j]
        if d < p:
            p = d
        demand[j] = d
        prod[j] = p
        short = d - p
        if short < 0.0:
            short = 0.0
        if rule == 0:
            r = p / d if d != 0 else 0.0
            cstar[j] = c * r
            for m in range(a, b):
                delivered_sup[m] = order[by_supplier[m]] * r
        elif rule == 1:
            if c >= short:
                cstar[j] = c - short
                r = 1.0
            else:
                cstar[j] = 0.0
                r = p / (d - c) if d - c != 0 else 0.0
            for m in range(a, b):
                delivered_sup[m] = order[by_supplier[m]] * r
        else:
            fc_last = rule == 3
            if fc_last:
                rationed = c < short
                cstar[j] = c - short if not rationed else 0.0
            else:
                rationed = p < d
                cstar[j] = c
            if not rationed:
                for m in range(a, b):
                    delivered_sup[m] = order[by_supplier[m]]
                continue
            # claims: the links, plus final demand (ratio 1) unless it is served last
            extra = 1 if (not fc_last and c > 0) else 0
            size = b - a + extra
            base = a + j  # this supplier's slots in the work space
            ratio = scratch_r[base : base + size]
            weight = scratch_w[base : base + size]
            for m in range(a, b):
                k = by_supplier[m]
                ratio[m - a] = order[k] / values[k]
                weight[m - a] = values[k]
            if extra:
                ratio[size - 1] = 1.0
                weight[size - 1] = c
            if size <= 32:  # insertion sort in place (most suppliers have few customers)
                idx = scratch_i[base : base + size]
                for x in range(size):
                    idx[x] = x
                for x in range(1, size):
                    key = ratio[idx[x]]
                    kx = idx[x]
                    y = x - 1
                    while y >= 0 and ratio[idx[y]] > key:
                        idx[y + 1] = idx[y]
                        y -= 1
                    idx[y + 1] = kx
            else:
                idx = np.argsort(ratio, kind="mergesort")
            tot_w = 0.0
            for x in range(size):
                tot_w += weight[x]
            served_w = 0.0
            served_wr = 0.0
            level = np.inf
            found = False
            for x in range(size):
                r_ = ratio[idx[x]]
                w_ = weight[idx[x]]
                at = served_wr + w_ * r_ + r_ * (tot_w - served_w - w_)
                if at > p:
                    rest = tot_w - served_w
                    level = (p - served_wr) / rest if rest > 0 else np.inf
                    found = True
                    break
                served_w += w_
                served_wr += w_ * r_
            if not found:
                level = np.inf
            for m in range(a, b):
                x = m - a
                r_ = ratio[x]
                delivered_sup[m] = weight[x] * (r_ if r_ < level else level)
            if not fc_last:
                cstar[j] = c * (1.0 if level > 1.0 else level)
