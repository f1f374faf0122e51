"""Numba kernels for the two O((n·m)²) operations of an ARIO step (see :mod:`fukugan.dynamics.ario`).

Both kernels work on the order matrix O (rows = supplying industry i = r·n + s, columns = client
industry j), row-major, sector by sector (the rows of one product over all supplier regions).
Per element they perform the same IEEE operations, in the same order, as BoARIO 0.7.2's numpy
expressions (no ``fastmath``, so no contraction into FMA):

* :func:`orders_alt` — BoARIO ``ARIOBaseModel.calc_orders`` with ``order_type="alt"``:
  ``Z_prod = Z_0 * (x^Cap / x_0)[:, None]``, ``Z_Cprod = I_sum @ Z_prod``,
  ``O = tile(gap) * (Z_prod / Z_Cprod)`` (0 where ``Z_Cprod == 0``), plus the row sums of O;
* :func:`orders_noalt` — the same with fixed shares ``Z_distrib`` (``order_type="noalt"``);
* :func:`restock` — the intermediate part of ``distribute_production``: deliveries
  ``(O / D_tot) * x`` (0 where ``D_tot == 0``) summed by product, ``I_sum @ deliveries``.

Sums run in region order (row sums with four interleaved partial sums, since a single running
sum is latency-bound); BoARIO's run through BLAS or ``einsum`` in another order, so sums can
differ in the last bit.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _row_sum(a: np.ndarray, i: int) -> float:  # pragma: no cover - compiled
    """Σ_j a[i, j] with 4 interleaved partial sums (a sequential sum is latency-bound)."""
    nm = a.shape[1]
    s0 = s1 = s2 = s3 = 0.0
    k = 0
    while k + 4 <= nm:
        s0 += a[i, k]
        s1 += a[i, k + 1]
        s2 += a[i, k + 2]
        s3 += a[i, k + 3]
        k += 4
    while k < nm:
        s0 += a[i, k]
        k += 1
    return (s0 + s1) + (s2 + s3)


def _orders_alt(
    z0: np.ndarray,
    cap_ratio: np.ndarray,
    gap: np.ndarray,
    n_regions: int,
    n_sectors: int,
    orders: np.ndarray,
    orders_tot: np.ndarray,
) -> None:  # pragma: no cover - compiled
    nm = z0.shape[1]
    zc = np.zeros(nm)
    for s in range(n_sectors):
        zc[:] = 0.0
        for r in range(n_regions):
            i = r * n_sectors + s
            c = cap_ratio[i]
            for j in range(nm):
                zc[j] += z0[i, j] * c
        for r in range(n_regions):
            i = r * n_sectors + s
            c = cap_ratio[i]
            for j in range(nm):
                d = zc[j]
                orders[i, j] = gap[s, j] * ((z0[i, j] * c) / d) if d != 0.0 else 0.0
            orders_tot[i] = _row_sum(orders, i)


def _orders_noalt(
    z_distrib: np.ndarray,
    gap: np.ndarray,
    n_regions: int,
    n_sectors: int,
    orders: np.ndarray,
    orders_tot: np.ndarray,
) -> None:  # pragma: no cover - compiled
    nm = z_distrib.shape[1]
    for s in range(n_sectors):
        for r in range(n_regions):
            i = r * n_sectors + s
            for j in range(nm):
                orders[i, j] = gap[s, j] * z_distrib[i, j]
            orders_tot[i] = _row_sum(orders, i)


def _restock(
    orders: np.ndarray,
    demand_tot: np.ndarray,
    production: np.ndarray,
    n_regions: int,
    n_sectors: int,
    stock_add: np.ndarray,
) -> None:  # pragma: no cover - compiled
    nm = orders.shape[1]
    for s in range(n_sectors):
        for j in range(nm):
            stock_add[s, j] = 0.0
        for r in range(n_regions):
            i = r * n_sectors + s
            t = demand_tot[i]
            if t == 0.0:
                continue
            p = production[i]
            for j in range(nm):
                stock_add[s, j] += (orders[i, j] / t) * p


# Serial on purpose: the machines are shared by several jobs, and OpenMP threads that wait for a
# busy core cost more than they save (measured: 50 × 50 regions × sectors, parallel over 2 cores
# was no faster, and at 6 × 8 each call took 10–30 ms instead of 0.05 ms).
orders_alt = nb.njit(cache=True)(_orders_alt)
orders_noalt = nb.njit(cache=True)(_orders_noalt)
restock = nb.njit(cache=True)(_restock)
