"""Compiled kernels of one step of the firm model (numba, parallel over firms): the same
equations as :mod:`fukugan.dynamics.firm_kernels` (the readable numpy version, which the tests
compare them with), fused into two passes a step so that 1 M firms / 5 M links run 100 days in
seconds.

* :func:`customer_pass` (``prange`` over customers): for each input group (the customer's
  links from one sector's suppliers, contiguous in the simulation's link order) renew the
  inventories with the previous step's use and deliveries, place the orders, and the
  inventory limit on production ``min_s P_ini·S_s/A_s``.
* :func:`supplier_pass` (``prange`` over *bins* of consecutive suppliers): demand, production,
  rationing and each link's delivery. The links are also kept in a binned order — bin by bin,
  within a bin customers ascending — in which orders and deliveries travel: the supplier pass
  streams through its bin's slots with the bin's per-supplier state in cache, and the customer
  pass reaches a customer's slots through ``pos``, one advancing cursor per bin (few bins, so
  few streams), instead of one random access per link. Under ``inoue_todo`` every supplier
  gathers its claims into its own block of a work space, in customer order, and is rationed
  by :func:`fukugan.dynamics.firm_rationing.fill_one`.

Each pass writes only its own firms' slots (a bin's, a customer's), so no atomics are needed
and results do not depend on the number of threads.
"""

from __future__ import annotations

import numba
import numpy as np

from fukugan.dynamics.firm_rationing import TINY, fill_one

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
    delivered_b,  # O* per link, previous step, in the binned order
    pos,  # per link: its slot in the binned order
    order_b,  # out: O per link, in the binned order
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
            # the reference's arithmetic, operation by operation (its fill levels compare
            # sums of orders to the last bit): used share (P/P_ini)·(A_s/S_s)
            share = q * (group_value[g] / held) if held > TINY else 0.0
            after = 0.0
            for k in range(a, b):
                if q0 == 0:
                    s = stock[k]
                else:
                    s = (stock[k] + delivered_b[pos[k]]) - stock[k] * share
                    if s <= TINY:
                        s = 0.0
                stock[k] = s
                after += s
                if q0 == 0:
                    o = values[k]
                else:
                    need = values[k] * p / q0
                    if order_type == 1:
                        gap = target[k] - s
                    else:
                        gap = target[k] * p / q0 - s
                        if order_type == 2 and gap < 0.0:
                            gap = 0.0
                    o = need + inv_tau * gap
                order_b[pos[k]] = o if o > 0.0 else 0.0
            prop = q0 * (after / group_value[g])
            if prop < lim:
                lim = prop
        limit[i] = lim


@numba.njit(**_NB)
def supplier_pass(
    bin_firm,  # suppliers of bin b: bin_firm[b]:bin_firm[b+1]
    bin_link,  # slots of bin b: bin_link[b]:bin_link[b+1] (customers ascending)
    sup_b,  # supplier of each slot
    val_b,  # A of each slot
    order_b,
    delivered_b,  # out
    sup_indptr,  # per supplier: its block of the work space is sup_indptr[j]:sup_indptr[j+1]
    final_demand,
    capacity,
    limit,
    rule,
    demand,  # out
    prod,  # out
    cstar,  # out
    factor,  # work: per firm, delivery ratio (rules 0, 1)
    fill,  # work: per firm, next free slot of its block
    blk_o,  # work space (len E): orders by supplier block, gains, and the rule's own
    blk_a,  # initial orders A by supplier block (customers ascending; fixed)
    blk_g,
    blk_k,
    blk_s,
    blk_p,  # (int)
    blk_i,  # (int)
):  # pragma: no cover - compiled
    for b in numba.prange(len(bin_firm) - 1):
        f0, f1 = bin_firm[b], bin_firm[b + 1]
        l0, l1 = bin_link[b], bin_link[b + 1]
        for j in range(f0, f1):
            demand[j] = 0.0
        for m in range(l0, l1):
            demand[sup_b[m]] += order_b[m]
        for j in range(f0, f1):
            c = final_demand[j]
            d = demand[j] + c
            demand[j] = d
            p = capacity[j]
            if limit[j] < p:
                p = limit[j]
            if d < p:
                p = d
            prod[j] = p
            short = d - p
            if short < 0.0:
                short = 0.0
            if rule == 0:
                r = p / d if d != 0 else 0.0
                factor[j] = r
                cstar[j] = c * r
            elif rule == 1:
                if c >= short:
                    cstar[j] = c - short
                    factor[j] = 1.0
                else:
                    cstar[j] = 0.0
                    factor[j] = p / (d - c) if d - c != 0 else 0.0
        if rule < 2:
            for m in range(l0, l1):
                delivered_b[m] = order_b[m] * factor[sup_b[m]]
            continue
        # the authors' rule runs at every supplier: gather each one's orders into its block
        # (customer order, as the slots stream; blk_a holds the initial orders in that order
        # already), ration it, hand the deliveries back
        for j in range(f0, f1):
            fill[j] = sup_indptr[j]
        for m in range(l0, l1):
            j = sup_b[m]
            x = fill[j]
            blk_o[x] = order_b[m]
            fill[j] = x + 1
        for j in range(f0, f1):
            x0, x1 = sup_indptr[j], sup_indptr[j + 1]
            cstar[j] = fill_one(
                blk_o,
                blk_a,
                x0,
                x1 - x0,
                final_demand[j],
                prod[j],
                demand[j],
                rule == 3,
                blk_g,
                blk_k,
                blk_s,
                blk_p,
                blk_i,
            )
            fill[j] = x0
        for m in range(l0, l1):
            j = sup_b[m]
            x = fill[j]
            delivered_b[m] = blk_g[x] * val_b[m]
            fill[j] = x + 1
