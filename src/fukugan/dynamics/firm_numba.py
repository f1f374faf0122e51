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
  few streams), instead of one random access per link. A rationed supplier under
  ``inoue_todo`` gathers its claims into its own block of a work space, sorts them once
  (insertion sort up to 32 claims, else ``np.argsort``) and finds its level in one scan.

Each pass writes only its own firms' slots (a bin's, a customer's), so no atomics are needed
and results do not depend on the number of threads.
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
            use = group_value[g] * q if q0 != 0 else 0.0
            share = use / held if held != 0 else 0.0
            after = 0.0
            for k in range(a, b):
                s = stock[k] - stock[k] * share + delivered_b[pos[k]]
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
                order_b[pos[k]] = o if o > 0.0 else 0.0
            prop = q0 * (after / group_value[g])
            if prop < lim:
                lim = prop
        limit[i] = lim


@numba.njit(inline="always")
def _level(ratio, weight, idx, size, p):  # pragma: no cover - compiled
    """Fill level of ``size`` claims (ratio, weight) given output ``p``; ``idx`` work space."""
    if size <= 32:  # insertion sort in place (most suppliers have few customers)
        for x in range(size):
            idx[x] = x
        for x in range(1, size):
            kx = idx[x]
            key = ratio[kx]
            y = x - 1
            while y >= 0 and ratio[idx[y]] > key:
                idx[y + 1] = idx[y]
                y -= 1
            idx[y + 1] = kx
    else:
        idx[:size] = np.argsort(ratio[:size], kind="mergesort")
    tot_w = 0.0
    for x in range(size):
        tot_w += weight[x]
    served_w = 0.0
    served_wr = 0.0
    for x in range(size):
        r_ = ratio[idx[x]]
        w_ = weight[idx[x]]
        if served_wr + w_ * r_ + r_ * (tot_w - served_w - w_) > p:
            rest = tot_w - served_w
            return (p - served_wr) / rest if rest > 0 else np.inf
        served_w += w_
        served_wr += w_ * r_
    return np.inf


@numba.njit(**_NB)
def supplier_pass(
    bin_firm,  # suppliers of bin b: bin_firm[b]:bin_firm[b+1]
    bin_link,  # slots of bin b: bin_link[b]:bin_link[b+1] (customers ascending)
    sup_b,  # supplier of each slot
    val_b,  # A of each slot
    order_b,
    delivered_b,  # out
    sup_indptr,  # per supplier: its first work-space slot is sup_indptr[j] + j
    final_demand,
    capacity,
    limit,
    rule,
    demand,  # out
    prod,  # out
    cstar,  # out
    factor,  # work: per firm, delivery ratio (rules 0, 1) or fill level (2, 3)
    rationed,  # work: per firm, bool
    fill,  # work: per firm, next free work-space slot
    minr,  # work: per firm, smallest claim ratio
    scratch_r,  # work space (len E + n)
    scratch_w,
    scratch_i,
):  # pragma: no cover - compiled
    for b in numba.prange(len(bin_firm) - 1):
        f0, f1 = bin_firm[b], bin_firm[b + 1]
        l0, l1 = bin_link[b], bin_link[b + 1]
        for j in range(f0, f1):
            demand[j] = 0.0
        for m in range(l0, l1):
            demand[sup_b[m]] += order_b[m]
        ratio_rule = rule >= 2
        any_rationed = False
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
            else:
                if rule == 3:
                    rat = c < short
                    cstar[j] = c - short if not rat else 0.0
                else:
                    rat = p < d
                    cstar[j] = c
                rationed[j] = rat
                if rat:
                    any_rationed = True
                    fill[j] = sup_indptr[j] + j
        if not ratio_rule:
            for m in range(l0, l1):
                delivered_b[m] = order_b[m] * factor[sup_b[m]]
            continue
        if any_rationed:
            # one level for all claims when even the smallest ratio is above P / Σ weights:
            # found without sorting (most rationed suppliers); the others gather and sort
            for j in range(f0, f1):
                if rationed[j]:
                    factor[j] = 0.0  # Σ weights of the links
                    minr[j] = np.inf
            for m in range(l0, l1):
                j = sup_b[m]
                if rationed[j]:
                    factor[j] += val_b[m]
                    r_ = order_b[m] / val_b[m]
                    if r_ < minr[j]:
                        minr[j] = r_
            need_sort = False
            for j in range(f0, f1):
                if not rationed[j]:
                    continue
                c = final_demand[j]
                tot = factor[j] + (c if rule == 2 else 0.0)
                cand = prod[j] / tot if tot > 0 else 0.0
                if cand <= minr[j] and (rule == 3 or c == 0 or cand <= 1.0):
                    factor[j] = cand
                    minr[j] = -1.0  # done
                    if rule == 2:
                        cstar[j] = c * (1.0 if cand > 1.0 else cand)
                else:
                    need_sort = True
            if need_sort:
                for m in range(l0, l1):  # those suppliers' claims, gathered in their blocks
                    j = sup_b[m]
                    if rationed[j] and minr[j] != -1.0:
                        x = fill[j]
                        scratch_r[x] = order_b[m] / val_b[m]
                        scratch_w[x] = val_b[m]
                        fill[j] = x + 1
                for j in range(f0, f1):
                    if not rationed[j] or minr[j] == -1.0:
                        continue
                    base = sup_indptr[j] + j
                    size = fill[j] - base
                    c = final_demand[j]
                    if rule == 2 and c > 0:  # final demand takes part with ratio 1
                        scratch_r[base + size] = 1.0
                        scratch_w[base + size] = c
                        size += 1
                    lv = _level(
                        scratch_r[base : base + size],
                        scratch_w[base : base + size],
                        scratch_i[base : base + size],
                        size,
                        prod[j],
                    )
                    factor[j] = lv
                    if rule == 2:
                        cstar[j] = c * (1.0 if lv > 1.0 else lv)
        for m in range(l0, l1):
            j = sup_b[m]
            o = order_b[m]
            if ratio_rule and rationed[j]:
                r_ = o / val_b[m]
                lv = factor[j]
                delivered_b[m] = val_b[m] * (r_ if r_ < lv else lv)
            else:
                delivered_b[m] = o
