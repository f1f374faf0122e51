"""The supply-driven (Ghosh) model (Miller & Blair 2009, §12.1).

B = x̂⁻¹ Z are allocation (output) coefficients, b_ij = z_ij / x_i: the share of i's output
sold to j. G = (I − B)⁻¹ is the Ghosh inverse, and G = x̂⁻¹ L x̂ (§12.1.2) when x > 0.
Supply-driven output x′ = v′ G for primary inputs (value added) v; we solve (I − B)′ x = v.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.linalg import lu_solve

from fukugan.checks import as_square, as_vector, check_nonnegative, name_of
from fukugan.errors import InputError
from fukugan.iomodels.productive import factorise_productive

__all__ = [
    "GhoshModel",
    "allocation_coefficients",
    "ghosh_from_leontief",
    "ghosh_inverse",
    "supply_driven_output",
]


def allocation_coefficients(
    Z: object, x: object, *, industries: Sequence[str] | None = None
) -> np.ndarray:
    """Allocation coefficients B = x̂⁻¹ Z, b_ij = z_ij / x_i (Miller & Blair 2009, §12.1.1).
    Rows of industries with zero output are zero.

    >>> allocation_coefficients([[150, 500], [200, 100]], [1000, 2000])
    array([[0.15, 0.5 ],
           [0.1 , 0.05]])
    """
    Zm = as_square(Z, "Z")
    xv = as_vector(x, Zm.shape[0], "x")
    check_nonnegative(Zm, "Z", industries)
    if xv.size and xv.min() < 0:
        j = int(np.argmin(xv))
        raise InputError(f"output of industry {name_of(j, industries)} is negative", field="x")
    zero = xv == 0
    if np.any(Zm[zero, :] != 0):
        j = int(np.flatnonzero(zero & (np.abs(Zm).sum(axis=1) > 0))[0])
        raise InputError(f"industry {name_of(j, industries)} sells but has zero output", field="x")
    safe = np.where(zero, 1.0, xv)
    return np.where(zero[:, None], 0.0, Zm / safe[:, None])


class GhoshModel:
    """One LU factorisation of I − B for the supply-driven model (Miller & Blair 2009, §12.1).

    >>> g = GhoshModel.from_flows([[150, 500], [200, 100]], [1000, 2000])
    >>> g.output([650, 1400]).round(6)      # v′ = x′ − i′Z reproduces x′ (§12.1.2)
    array([1000., 2000.])
    """

    def __init__(self, B: object, *, industries: Sequence[str] | None = None) -> None:
        self.B = as_square(B, "B")
        self.B.setflags(write=False)
        self.industries = list(industries) if industries is not None else None
        self._lu = factorise_productive(self.B, self.industries, what="B")

    @classmethod
    def from_flows(
        cls, Z: object, x: object, *, industries: Sequence[str] | None = None
    ) -> GhoshModel:
        return cls(allocation_coefficients(Z, x, industries=industries), industries=industries)

    @property
    def n(self) -> int:
        return self.B.shape[0]

    def output(self, v: object) -> np.ndarray:
        """Supply-driven output x′ = v′ G, by a solve of (I − B)′ x = v; v is (n,) or (n, k)."""
        vv = as_vector(v, self.n, "v", allow_matrix=True)
        return lu_solve(self._lu, vv, trans=1, check_finite=False)

    def forward_multipliers(self) -> np.ndarray:
        """Row sums G i (output-to-output forward linkage, Miller & Blair 2009, §12.2.3)."""
        return lu_solve(self._lu, np.ones(self.n), check_finite=False)

    def rows(self, j: Sequence[int] | int) -> np.ndarray:
        """Rows j of G, as columns of the returned (n, len(j)) array, by transposed solves."""
        idx = np.atleast_1d(np.asarray(j, dtype=int))
        E = np.zeros((self.n, idx.size))
        E[idx, np.arange(idx.size)] = 1.0
        return lu_solve(self._lu, E, trans=1, check_finite=False)

    def inverse(self) -> np.ndarray:
        """The explicit Ghosh inverse G = (I − B)⁻¹."""
        return lu_solve(self._lu, np.eye(self.n), check_finite=False)


def ghosh_inverse(B: object, *, industries: Sequence[str] | None = None) -> np.ndarray:
    """G = (I − B)⁻¹ explicitly (Miller & Blair 2009, §12.1.1).

    >>> B = allocation_coefficients([[150, 500], [200, 100]], [1000, 2000])
    >>> ghosh_inverse(B).round(6)
    array([[1.254125, 0.660066],
           [0.132013, 1.122112]])
    """
    return GhoshModel(B, industries=industries).inverse()


def supply_driven_output(
    B: object, v: object, *, industries: Sequence[str] | None = None
) -> np.ndarray:
    """x′ = v′ G = v′ (I − B)⁻¹ by a transposed solve (Miller & Blair 2009, §12.1.2).

    >>> B = allocation_coefficients([[150, 500], [200, 100]], [1000, 2000])
    >>> supply_driven_output(B, [650, 1400]).round(6)
    array([1000., 2000.])
    """
    return GhoshModel(B, industries=industries).output(v)


def ghosh_from_leontief(L: object, x: object) -> np.ndarray:
    """G = x̂⁻¹ L x̂ (Miller & Blair 2009, §12.1.2), defined for x > 0 only.

    >>> from fukugan.iomodels.leontief import leontief_inverse
    >>> L = leontief_inverse([[0.15, 0.25], [0.2, 0.05]])
    >>> ghosh_from_leontief(L, [1000, 2000]).round(6)
    array([[1.254125, 0.660066],
           [0.132013, 1.122112]])
    """
    Lm = as_square(L, "L")
    xv = as_vector(x, Lm.shape[0], "x")
    if xv.size and xv.min() <= 0:
        raise InputError("G = x̂⁻¹ L x̂ needs every output x_j > 0", field="x")
    return Lm * xv[None, :] / xv[:, None]
