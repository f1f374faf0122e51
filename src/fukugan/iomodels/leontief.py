"""The demand-driven Leontief model (Miller & Blair 2009, ch. 2 and ch. 6).

Notation follows Miller, R. E. and Blair, P. D. (2009), *Input-Output Analysis: Foundations and
Extensions*, 2nd ed., Cambridge University Press:

- Z: interindustry flows, rows = selling (supplying) industry i, columns = buying industry j;
- x: total output; f (here ``y``): final demand; x̂: diagonal matrix of x;
- A = Z x̂⁻¹ (technical coefficients, §2.2), L = (I − A)⁻¹ (Leontief inverse, §2.3), x = L f.

Only :func:`leontief_inverse` forms L explicitly; everything else uses one LU factorisation of
I − A and solves, which is cheaper and more accurate (§2.3 notes L is rarely needed itself).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.linalg import lu_solve

from fukugan.checks import as_square, as_vector, check_nonnegative, name_of
from fukugan.errors import InputError
from fukugan.iomodels.productive import MixedPrecisionLU, factorise_productive

__all__ = ["LeontiefModel", "leontief_inverse", "solve_output", "technical_coefficients"]


def technical_coefficients(
    Z: object, x: object, *, industries: Sequence[str] | None = None
) -> np.ndarray:
    """Technical (input) coefficients A = Z x̂⁻¹, a_ij = z_ij / x_j (Miller & Blair 2009, §2.2).

    Columns of industries with zero output (x_j = 0) are zero instead of a division by zero; such
    an industry must then have no inputs either.

    >>> technical_coefficients([[150, 500], [200, 100]], [1000, 2000])
    array([[0.15, 0.25],
           [0.2 , 0.05]])
    >>> technical_coefficients([[1, 0], [2, 0]], [10, 0])
    array([[0.1, 0. ],
           [0.2, 0. ]])
    """
    Zm = np.asarray(Z, dtype=float)
    if Zm.ndim != 2:
        raise InputError(f"Z must be a matrix, got shape {Zm.shape}", field="Z")
    if not np.all(np.isfinite(Zm)):
        raise InputError("Z contains a value that is not a finite number", field="Z")
    xv = as_vector(x, Zm.shape[1], "x")
    check_nonnegative(Zm, "Z", industries)
    if xv.size and xv.min() < 0:
        j = int(np.argmin(xv))
        raise InputError(
            f"output of industry {name_of(j, industries)} is negative: {xv[j]:g}", field="x"
        )
    zero = xv == 0
    if np.any(Zm[:, zero] != 0):
        j = int(np.flatnonzero(zero & (np.abs(Zm).sum(axis=0) > 0))[0])
        raise InputError(f"industry {name_of(j, industries)} has inputs but zero output", field="x")
    safe = np.where(zero, 1.0, xv)
    return np.where(zero[None, :], 0.0, Zm / safe[None, :])


def leontief_inverse(A: object, *, industries: Sequence[str] | None = None) -> np.ndarray:
    """The Leontief inverse L = (I − A)⁻¹ (Miller & Blair 2009, §2.3), explicit.

    Form it only when L itself is wanted (to show or store its entries); for outputs and
    multipliers use :class:`LeontiefModel`, which solves instead.

    >>> leontief_inverse([[0.15, 0.25], [0.2, 0.05]]).round(6)
    array([[1.254125, 0.330033],
           [0.264026, 1.122112]])
    """
    return LeontiefModel(A, industries=industries).inverse()


def solve_output(A: object, y: object, *, industries: Sequence[str] | None = None) -> np.ndarray:
    """Total output x solving (I − A) x = y, i.e. x = L y (Miller & Blair 2009, §2.3),
    by an LU factorisation and a solve, never by forming L. ``y`` may be (n,) or (n, k).

    >>> solve_output([[0.15, 0.25], [0.2, 0.05]], [600, 1500]).round(1)
    array([1247.5, 1841.6])
    """
    return LeontiefModel(A, industries=industries).output(y)


class LeontiefModel:
    """One LU factorisation of I − A, answering many questions (Miller & Blair 2009, ch. 2, 6).

    The constructor checks A: square, finite, nonnegative and productive (Hawkins–Simon), else
    :class:`fukugan.errors.InputError` (``NonProductiveError`` for an unproductive system) naming
    the industry.

    >>> m = LeontiefModel.from_flows([[150, 500], [200, 100]], [1000, 2000])
    >>> m.output([350, 1700]).round(6)
    array([1000., 2000.])
    >>> m.output([600, 1500]).round(1)
    array([1247.5, 1841.6])
    >>> m.output_multipliers().round(6)          # i′L, simple output multipliers (§6.2.1)
    array([1.518152, 1.452145])
    """

    def __init__(
        self,
        A: object,
        *,
        industries: Sequence[str] | None = None,
        factor_transposed: bool = False,
        precision: str = "double",
        tol: float | None = None,
        presolve: object | None = None,
    ) -> None:
        """``factor_transposed=True`` stores the LU of (I − A)′ instead of I − A (see
        :func:`~fukugan.iomodels.productive.factorise_productive`): same answers, one n × n copy
        less for a large C-ordered A.

        ``precision="mixed"`` factorises I − A in single precision and refines every solve to
        double accuracy in float64 (Moler 1967; Langou et al. 2006, "Exploiting the performance
        of 32 bit floating point arithmetic in obtaining 64 bit accuracy"; see
        :class:`~fukugan.iomodels.productive.MixedPrecisionLU`): about half the factorisation time
        and memory of ``"double"`` (n²·4 bytes of factors, A itself not copied), the same
        answers to double round-off, and a recorded fallback to a double LU
        (:attr:`refinement`) if refinement does not converge. Worth it when few right-hand
        sides are solved for a large n; :meth:`inverse` (n right-hand sides) is slower.

        ``tol`` (mixed only): instead of refining every solve to double round-off, stop each
        column once a measured bound on its relative forward error, ‖L‖∞ ‖r‖∞ / ‖x‖∞ with
        ‖L‖ measured by solves with a column of ones (L ≥ 0), is at most ``tol`` (Higham 2002,
        *Accuracy and Stability of Numerical Algorithms*, ch. 12; Carson & Higham 2018): one
        correction instead of two for well-conditioned systems at tol = 1e-11.

        ``presolve``: right-hand sides (n,) or (n, k) of (I − A) x = b solved in the
        constructor, batched with the productivity check's solve; x is :attr:`presolved`."""
        if precision not in ("double", "mixed"):
            raise InputError(
                f"precision must be 'double' or 'mixed', got {precision!r}", field="precision"
            )
        self.precision = precision
        self.A = as_square(A, "A")
        self.A.setflags(write=False)
        self.industries = list(industries) if industries is not None else None
        if self.industries is not None and len(self.industries) != self.A.shape[0]:
            raise InputError(
                f"{len(self.industries)} industry names for {self.A.shape[0]} industries",
                field="industries",
            )
        self._t = int(bool(factor_transposed))  # lu_solve's ``trans`` for (I − A) x = b
        self._mixed: MixedPrecisionLU | None = None
        self._lu: tuple | None = None
        if tol is not None and precision != "mixed":
            raise InputError("tol applies to precision='mixed' only", field="tol")
        pre = (
            None
            if presolve is None
            else as_vector(presolve, self.A.shape[0], "presolve", allow_matrix=True)
        )
        self.presolved: np.ndarray | None = None
        if precision == "mixed":
            self._mixed = MixedPrecisionLU(self.A, self.industries, what="A", tol=tol, presolve=pre)
            if pre is not None:
                P = self._mixed.presolved
                self.presolved = P.ravel() if pre.ndim == 1 else P
        else:
            self._lu = factorise_productive(
                self.A, self.industries, what="A", transposed=bool(factor_transposed)
            )
            if pre is not None:
                self.presolved = self._solve(pre, transposed=False)

    def _solve(self, b: np.ndarray, *, transposed: bool, overwrite_b: bool = False) -> np.ndarray:
        """(I − A)⁻¹ b, or (I − A)′⁻¹ b when ``transposed``, with whichever factors are held."""
        if self._mixed is not None:
            return self._mixed.solve(b, transposed=transposed)
        trans = 1 - self._t if transposed else self._t
        return lu_solve(self._lu, b, trans=trans, check_finite=False, overwrite_b=overwrite_b)

    @property
    def refinement(self) -> dict | None:
        """For ``precision="mixed"``: refinement steps of each solve so far, the fallback
        reason (``None`` while the single-precision factors are in use), the ``tol`` asked
        for and, with a tol, the largest measured forward-error bound of each solve
        (``bounds``), and whether residual products use a CSR copy of a sparse A
        (``sparse_residuals``); ``None`` for double."""
        if self._mixed is None:
            return None
        return {
            "steps": list(self._mixed.steps),
            "fallback": self._mixed.fallback,
            "tol": self._mixed.tol,
            "bounds": list(self._mixed.bounds),
            "sparse_residuals": self._mixed._sparse is not None,
        }

    @classmethod
    def from_flows(
        cls, Z: object, x: object, *, industries: Sequence[str] | None = None
    ) -> LeontiefModel:
        """Model of A = Z x̂⁻¹ (zero columns where x_j = 0)."""
        return cls(technical_coefficients(Z, x, industries=industries), industries=industries)

    @property
    def n(self) -> int:
        return self.A.shape[0]

    def output(self, y: object) -> np.ndarray:
        """x = L y by a solve of (I − A) x = y; y is (n,) or (n, k) for k scenarios."""
        yv = as_vector(y, self.n, "y", allow_matrix=True)
        return self._solve(yv, transposed=False)

    def solve_transposed(self, b: object) -> np.ndarray:
        """z with z′ = b′ L, by a solve of (I − A)′ z = b (no inverse); b is (n,) or (n, k)."""
        bv = as_vector(b, self.n, "b", allow_matrix=True)
        return self._solve(bv, transposed=True)

    def output_multipliers(self) -> np.ndarray:
        """Simple output multipliers m(o)′ = i′L (Miller & Blair 2009, §6.2.1): total
        output in all industries per unit of final demand for industry j (backward linkage)."""
        return self.solve_transposed(np.ones(self.n))

    def columns(self, j: Sequence[int] | int) -> np.ndarray:
        """Columns j of L (L e_j) by solves, without forming all of L."""
        idx = np.atleast_1d(np.asarray(j, dtype=int))
        E = np.zeros((self.n, idx.size))
        E[idx, np.arange(idx.size)] = 1.0
        return self._solve(E, transposed=False)

    def inverse_diagonal(self, block: int = 1024) -> np.ndarray:
        """diag(L), the own-industry entries L_jj, for all j.

        Solves for L's columns ``block`` at a time and keeps only their diagonal entries:
        BLAS-3 triangular solves (faster here than LAPACK's getri inversion) and n × block
        memory instead of a second n × n array.
        """
        n = self.n
        d = np.empty(n)
        for j0 in range(0, n, block):
            j1 = min(n, j0 + block)
            E = np.zeros((n, j1 - j0))
            E[np.arange(j0, j1), np.arange(j1 - j0)] = 1.0
            X = self._solve(E, transposed=False, overwrite_b=True)
            d[j0:j1] = X[np.arange(j0, j1), np.arange(j1 - j0)]
        return d

    def inverse(self) -> np.ndarray:
        """The explicit Leontief inverse L = (I − A)⁻¹ (from the same factorisation; with
        ``precision="mixed"`` by refined solves, ``block`` columns at a time)."""
        if self._mixed is None:
            return lu_solve(self._lu, np.eye(self.n), trans=self._t, check_finite=False)
        n, block = self.n, 1024
        L = np.empty((n, n))
        for j0 in range(0, n, block):
            j1 = min(n, j0 + block)
            E = np.zeros((n, j1 - j0))
            E[np.arange(j0, j1), np.arange(j1 - j0)] = 1.0
            L[:, j0:j1] = self._solve(E, transposed=False)
        return L
