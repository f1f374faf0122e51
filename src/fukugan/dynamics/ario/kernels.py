"""The two O((nm)²) operations of an ARIO step, in numpy (small systems) or numba
(:mod:`fukugan.dynamics._ario_kernels`), and numpy's ``allclose`` without temporaries."""

from __future__ import annotations

from typing import Any

import numpy as np

from fukugan.errors import InputError

__all__ = ["NUMBA_MIN_INDUSTRIES", "allclose", "kernels_for"]


def allclose(a: np.ndarray, b: np.ndarray, buf: np.ndarray, buf2: np.ndarray) -> bool:
    """``np.allclose(a, b)`` (rtol 1e-5, atol 1e-8, inf equal to itself, NaN never) for ``b``
    ≥ 0 or NaN (|b| = b), without numpy's temporaries (``buf``, ``buf2``: scratch arrays)."""
    np.subtract(a, b, out=buf)  # inf − inf = NaN is not close (the caller ignores the warning)
    np.abs(buf, out=buf)
    np.multiply(b, 1e-05, out=buf2)
    buf2 += 1e-08
    close = buf <= buf2
    if close.all():
        return True
    return bool((close | (a == b)).all())


class _NumpyKernels:
    """The kernels of :mod:`fukugan.dynamics._ario_kernels` in numpy, for small systems where
    loading numba costs more than it saves: the very expressions of BoARIO 0.7.2
    (``I_sum @ Z_prod``, ``I_sum @ deliveries``), with broadcasting instead of ``np.tile``."""

    def __init__(self, m: int, n: int, z0: np.ndarray) -> None:
        self.i_sum = np.tile(np.eye(n), m)
        self.buf = np.empty((m * n, m * n))
        self.zc_zero = np.flatnonzero(self.i_sum @ z0 == 0)  # products an industry never buys

    def orders_alt(self, z0, cap_ratio, gap, m, n, orders, orders_tot):  # type: ignore[no-untyped-def]
        nm = z0.shape[1]
        zp = np.multiply(z0, cap_ratio[:, np.newaxis], out=self.buf)
        zc = self.i_sum @ zp
        # where Z_Cprod = 0 every term is 0 (flows are ≥ 0): dividing by 1 gives BoARIO's 0;
        # Z_Cprod = 0 where Z_C = 0, and elsewhere only if every supplier lost all capacity
        if cap_ratio.all():
            zc.ravel()[self.zc_zero] = 1.0
        else:
            zc[zc == 0] = 1.0
        o3 = orders.reshape(m, n, nm)
        np.divide(zp.reshape(m, n, nm), zc[np.newaxis], out=o3)
        o3 *= gap[np.newaxis]
        np.einsum("ij->i", orders, out=orders_tot)

    def orders_noalt(self, z_distrib, gap, m, n, orders, orders_tot):  # type: ignore[no-untyped-def]
        nm = z_distrib.shape[1]
        np.multiply(gap[np.newaxis], z_distrib.reshape(m, n, nm), out=orders.reshape(m, n, nm))
        np.einsum("ij->i", orders, out=orders_tot)

    def restock(self, orders, demand_tot, production, m, n, stock_add):  # type: ignore[no-untyped-def]
        share = self.buf
        t = demand_tot[:, np.newaxis]
        if demand_tot.all():
            np.divide(orders, t, out=share)
        else:
            share[...] = 0.0
            np.divide(orders, t, out=share, where=t != 0)
        share *= production[:, np.newaxis]
        np.matmul(self.i_sum, share, out=stock_add)


#: below this many industries the numpy kernels are used by default (no numba start-up)
NUMBA_MIN_INDUSTRIES = 300


def kernels_for(m: int, n: int, kernels: str, z0: np.ndarray) -> Any:
    if kernels == "numpy" or (kernels == "auto" and m * n < NUMBA_MIN_INDUSTRIES):
        return _NumpyKernels(m, n, z0)
    if kernels not in ("auto", "numba"):
        raise InputError(f"unknown kernels {kernels!r} (auto, numba, numpy)", field="kernels")
    from fukugan.dynamics import _ario_kernels

    return _ario_kernels
