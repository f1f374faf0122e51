"""The authors' rationing rule (``inoue_todo``, reference ``-R 2``; ``inoue_todo_fc_last``,
``-R 3``) for one supplier, as the reference simulator computes it.

Inoue & Todo (2019, *Nature Sustainability* 2, 841–847; 2017, RIETI DP 17-E-066) describe the
rule as "claims with the smallest ratio of current to initial order are served first". The
reference simulator (``proNet.cpp``, HiroyasuInoue/ProductionNetworkSimulator, commit c4dd74d)
implements it as a loop over fill *levels*, and the published numbers are that loop's. Per
supplier ``j`` with output ``P``, final demand ``c``, customers ``k`` with current orders
``O_k`` and initial orders ``A_k``, ``r_k = O_k / A_k``:

1. ``inoue_todo``: final demand takes part with ratio ``ρ_c = 1``. Every level ``m`` is the
   smallest ratio left (claims with ``r ≤ 1e-20`` are not candidates, final demand only while
   ``ρ_c > 0``). The level costs ``m·(Σ_{k left} A_k + c)`` — final demand is in the cost at
   *every* level, also after it is served. If the output left exceeds the cost, every claim
   left (also one that ordered nothing) gains ``m``, its ratio falls by ``m`` and it leaves
   when its ratio is ≤ 1e-20; final demand gains ``m`` while ``ρ_c > 0``. Otherwise the output
   left is shared at one ratio ``rest / (Σ_{k left, r_k>0} A_k + c·[ρ_c>0])`` among the claims
   left with a ratio > 0 (and final demand if not served), and the loop ends. It also ends
   when nothing is left or the output left is ≤ 1e-20. Delivery ``O*_k = A_k·Σ gains``,
   final consumption ``c·Σ gains``. The loop runs at *every* supplier, short or not.
2. ``inoue_todo_fc_last``: final demand first gets what the customers leave, ``c* =
   clip(P − (D − c), 0, c)``, and the loop above shares ``P − c*`` among the customers alone.

So a level can count claims already filled (final demand), a customer that ordered nothing
can receive the first level, and the last share can exceed a claim's ratio: those are the
reference's, kept because they decide its numbers (``tests/dynamics/test_firms_reference.py``).

The reference rescans the claims left at every level (quadratic in a supplier's customers).
Here the first level is computed as the reference does — its sums over the claims in customer
order, the decisions that matter to the last bit (a steady-state supplier's first level costs
exactly its output) — and the later levels from one sort of the claims left, their cost from
suffix sums (the same levels, sums in another order: differences of rounding only).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["TINY", "fill_one"]

#: the reference's ``almost_equal(x, 0)`` threshold (absolute)
TINY = 1e-20
#: suppliers with at most this many customers are rationed level by level with the
#: reference's own sums (bit for bit); larger ones from one sort (module doc)
EXACT_UP_TO = 512


@numba.njit(cache=True, nogil=True)
def _sort(key: np.ndarray, idx: np.ndarray, b: int, size: int) -> None:
    """``idx[b:b+size]`` ← the positions (0..size−1) of ``key[b:b+size]`` in ascending order."""
    if size <= 32:  # insertion sort (most suppliers have few customers)
        for x in range(size):
            idx[b + x] = x
        for x in range(1, size):
            kx = idx[b + x]
            v = key[b + kx]
            y = x - 1
            while y >= 0 and key[b + idx[b + y]] > v:
                idx[b + y + 1] = idx[b + y]
                y -= 1
            idx[b + y + 1] = kx
    else:
        idx[b : b + size] = np.argsort(key[b : b + size], kind="mergesort")


@numba.njit(cache=True, nogil=True)
def _final_demand_first(p: float, demand: float, c: float) -> float:
    """``inoue_todo_fc_last``: final demand gets what the customers leave, ``clip(P − (D −
    C), 0, C)``, as the reference computes it."""
    margin = p - (demand - c)
    return 0.0 if margin <= 0.0 else (margin if margin < c else c)


@numba.njit(cache=True, nogil=True)
def _fill_levels(
    order: np.ndarray,
    initial: np.ndarray,
    b: int,
    k: int,
    c: float,
    p: float,
    demand: float,
    fc_last: bool,
    gain: np.ndarray,
    ratio: np.ndarray,
    left: np.ndarray,
) -> float:
    """The rule level by level over the claims left, every sum in customer order: the
    reference's arithmetic to the last bit (``k·levels`` operations; for small suppliers).
    The claims are ``b..b+k−1`` of every array."""
    for x in range(b, b + k):
        gain[x] = 0.0
        ratio[x] = order[x] / initial[x]
        left[x] = x
    n_left = k
    if fc_last:
        served_c = _final_demand_first(p, demand, c)
        rest = p - served_c
        rho_c = 0.0
        fc_cost = 0.0
    else:
        served_c = 0.0
        rest = p
        rho_c = 1.0
        fc_cost = c
    fc_gain = 0.0
    m = -1.0
    for x in range(b, b + k):
        r = ratio[x]
        if r > TINY and (m < 0.0 or r < m):
            m = r
    while True:
        if rho_c > TINY and (m < 0.0 or m > rho_c):
            m = rho_c
        if m <= TINY:
            break
        cost = 0.0
        for y in range(b, b + n_left):
            cost += m * initial[left[y]]
        cost += m * fc_cost
        if rest > cost:
            # one pass: every claim left gains m, the filled ones leave, the next level is
            # the smallest ratio kept (what the reference's next scan finds)
            kept = b
            nxt = -1.0
            for y in range(b, b + n_left):
                x = left[y]
                r = ratio[x] - m
                ratio[x] = r
                gain[x] += m
                if r > TINY:
                    left[kept] = x
                    kept += 1
                    if nxt < 0.0 or r < nxt:
                        nxt = r
            n_left = kept - b
            if rho_c > 0.0:
                rho_c -= m
                fc_gain += m
                if rho_c <= TINY:
                    rho_c = 0.0
            rest -= cost
            if (n_left == 0 and rho_c == 0.0) or rest <= TINY:
                break
            m = nxt
        else:
            vt = 0.0
            for y in range(b, b + n_left):
                if ratio[left[y]] > 0.0:
                    vt += initial[left[y]]
            if rho_c > 0.0:
                vt += c
            share = rest / vt if vt > 0.0 else 0.0
            for y in range(b, b + n_left):
                if ratio[left[y]] > 0.0:
                    gain[left[y]] += share
            if rho_c > 0.0:
                fc_gain += share
            break
    return fc_gain * c if not fc_last else served_c


@numba.njit(cache=True, nogil=True)
def fill_one(
    order: np.ndarray,
    initial: np.ndarray,
    b: int,
    k: int,
    final_demand: float,
    output: float,
    demand: float,
    fc_last: bool,
    gain: np.ndarray,
    key: np.ndarray,
    suffix: np.ndarray,
    pos: np.ndarray,
    idx: np.ndarray,
) -> float:
    """One supplier's rationing by the authors' rule (module doc): writes each claim's gain
    (delivery / initial order) to ``gain`` and returns the final consumption served.

    The supplier's claims are ``b..b+k−1`` of ``order`` and ``initial`` (the customers'
    current and initial orders, in customer order) and of the work space ``gain``, ``key``,
    ``suffix`` (float), ``pos``, ``idx`` (int); ``demand`` = Σ orders + final demand. The
    callers pass whole arrays and an offset, so no array view is made per supplier.
    Compiled (numba); ``fill_one.py_func`` is the same code in plain Python.

    >>> import numpy as np
    >>> g, w, s = np.zeros(2), np.zeros(2), np.zeros(2)
    >>> i, j = np.zeros(2, np.int64), np.zeros(2, np.int64)
    >>> c = fill_one(np.array([0.5, 2.0]), np.ones(2), 0, 2, 1.0, 2.0, 3.5, False, g, w, s, i, j)
    >>> g.tolist(), float(c)
    ([0.5, 0.75], 0.75)
    """
    c = final_demand
    p = output
    if k <= EXACT_UP_TO:
        return _fill_levels(order, initial, b, k, c, p, demand, fc_last, gain, key, pos)
    m = -1.0
    for x in range(b, b + k):
        r = order[x] / initial[x]
        if r > TINY and (m < 0.0 or r < m):
            m = r
    if fc_last:
        served_c = _final_demand_first(p, demand, c)
        rest = p - served_c
        fc_open = False
        fc_cost = 0.0
    else:
        served_c = 0.0
        rest = p
        fc_open = True  # ρ_c = 1 > 0
        fc_cost = c
        if m < 0.0 or m > 1.0:
            m = 1.0
    for x in range(b, b + k):
        gain[x] = 0.0
    if m <= TINY:  # fc_last with no customer ordering anything
        return served_c
    # the first level, as the reference computes it (sums in customer order)
    cost = 0.0
    for x in range(b, b + k):
        cost += m * initial[x]
    cost += m * fc_cost
    if not rest > cost:
        vt = 0.0
        for x in range(b, b + k):
            if order[x] / initial[x] > 0.0:
                vt += initial[x]
        if fc_open:
            vt += c
        share = rest / vt if vt > 0.0 else 0.0
        for x in range(b, b + k):
            if order[x] / initial[x] > 0.0:
                gain[x] = share
        return share * c if not fc_last else served_c
    rest -= cost
    level = m
    fc_gain = 0.0
    if fc_open:
        fc_gain = m
        if 1.0 - m <= TINY:
            fc_open = False
    n_left = 0
    for x in range(b, b + k):
        gain[x] = m
        r = order[x] / initial[x]
        if r - m > TINY:
            key[b + n_left] = r
            pos[b + n_left] = x
            n_left += 1
    if (n_left == 0 and not fc_open) or rest <= TINY:
        return fc_gain * c if not fc_last else served_c
    # the later levels: one sort of the claims left, suffix sums of their weights
    _sort(key, idx, b, n_left)
    acc = 0.0
    for y in range(n_left - 1, -1, -1):  # suffix[b+y]: Σ A of the claims from y on (sorted)
        acc += initial[pos[b + idx[b + y]]]
        suffix[b + y] = acc
    y = 0
    while y < n_left or fc_open:
        target = key[b + idx[b + y]] if y < n_left else np.inf
        if fc_open and target > 1.0:
            target = 1.0
        left_w = suffix[b + y] if y < n_left else 0.0
        step = target - level
        cost = step * left_w + step * fc_cost
        if rest > cost:
            rest -= cost
            level = target
            while y < n_left and key[b + idx[b + y]] - level <= TINY:
                gain[pos[b + idx[b + y]]] = level
                y += 1
            if fc_open and 1.0 - level <= TINY:
                fc_open = False
                fc_gain = level
            if rest <= TINY:
                break
        else:
            vt = left_w + (c if fc_open else 0.0)
            share = rest / vt if vt > 0.0 else 0.0
            level += share
            break
    for z in range(y, n_left):
        gain[pos[b + idx[b + z]]] = level
    if fc_open:
        fc_gain = level
    return fc_gain * c if not fc_last else served_c
