"""Productivity of an input-output system: the LU factorisation of I − A that proves A productive
(Hawkins–Simon) or names why not, and the sparse / threaded products the models share."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lu_factor, lu_solve

from fukugan.checks import _all_finite, check_nonnegative, name_of
from fukugan.errors import InputError


class NonProductiveError(InputError):
    """The system I − A cannot be solved for nonnegative output (Hawkins–Simon conditions fail,
    Miller & Blair 2009, §2.9 / Appendix 2.2), or I − A is singular."""


def factorise_productive(
    A: np.ndarray,
    labels: Sequence[str] | None = None,
    *,
    what: str = "A",
    transposed: bool = False,
) -> tuple:
    """LU factorisation of I − A for a nonnegative, productive A.

    A nonnegative A is productive (ρ(A) < 1, so L = (I − A)⁻¹ ≥ 0 exists) if and only if the
    solution of (I − A) s = i is nonnegative (Hawkins–Simon / Miller & Blair 2009, Appendix 2.2):
    one extra solve on the factorisation we need anyway, exact for any A (a column of A summing
    to ≥ 1 alone does not make a system unproductive, but it is named in the message when the
    test fails, as it is the usual cause).

    With ``transposed=True`` the factorisation returned is that of (I − A)′, computed in place
    on one C-ordered copy of −A (whose transpose is Fortran-ordered, so LAPACK needs no second
    copy): solve (I − A) x = b with ``lu_solve(lu, b, trans=1)`` and (I − A)′ z = b with
    ``trans=0``. Same answers, one n × n buffer less and no transposing copy (large n).
    """
    n = A.shape[0]
    check_nonnegative(A, what, labels)
    col = A.sum(axis=0)
    over = [name_of(j, labels) for j in np.flatnonzero(col >= 1.0)]
    if transposed:
        M = np.negative(A)
        M.flat[:: n + 1] += 1.0
        M = M.T  # Fortran-ordered view of (I − A)′
    else:
        M = np.eye(n) - A
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on an exactly singular matrix; we raise below
        lu = lu_factor(M, check_finite=False, overwrite_a=transposed)
    diag = np.abs(np.diag(lu[0]))
    if n and (not _all_finite(lu[0]) or diag.min() <= 1e-14 * max(1.0, diag.max())):
        hint = f"; columns summing to >= 1: {', '.join(over)}" if over else ""
        raise NonProductiveError(
            f"I − {what} is singular, the system is not productive{hint}", field=what
        )
    s = lu_solve(lu, np.ones(n), trans=int(transposed), check_finite=False)
    err = _productivity_error(s, A, labels, what)
    if err is not None:
        raise err
    return lu


# -- mixed precision: float32 LU + iterative refinement in float64 ------------------------------
EPS64 = float(np.finfo(np.float64).eps)
SPARSE_DENSITY = 0.1  # at most this fraction of nonzeros: residual products with a CSR copy
SPARSE_MIN_N = 512


def _csr_if_sparse(A: np.ndarray) -> sp.csr_array | None:
    """A's nonzeros as a CSR matrix when A is square, n ≥ 512 and at most a tenth nonzero, else
    None. One pass over A, a block of rows at a time (a reused block mask, its per-row counts
    and nonzero positions: values and column indices in row order), stopping as soon as more
    than a tenth of n² nonzeros are seen; no n × n mask or n²-sized index array is allocated.

    >>> _csr_if_sparse(np.eye(3)) is None     # too small to be worth it
    True
    """
    n = A.shape[0]
    if n < SPARSE_MIN_N or A.ndim != 2 or A.shape[1] != n:
        return None
    limit = SPARSE_DENSITY * n * n
    step = max(1, (1 << 19) // n)  # rows per block: ~0.5 M entries, a mask that stays in cache
    mask = np.empty((step, n), dtype=bool)
    counts = np.empty(n, dtype=np.int64)
    datas, cols = [], []
    total = 0
    for i0 in range(0, n, step):
        blk = A[i0 : i0 + step]
        rows = blk.shape[0]
        m = mask[:rows]
        np.not_equal(blk, 0.0, out=m)
        c = np.count_nonzero(m, axis=1)
        counts[i0 : i0 + rows] = c
        total += int(c.sum())
        if total > limit:
            return None
        flat = np.flatnonzero(m)  # row-major positions within the block
        datas.append(blk.ravel()[flat])
        flat -= np.repeat(np.arange(0, rows * n, n, dtype=flat.dtype), c)  # → column indices
        cols.append(flat)
    idx_t = np.int32 if total < 2**31 else np.int64
    indptr = np.zeros(n + 1, dtype=idx_t)
    np.cumsum(counts, out=indptr[1:])
    data = np.concatenate(datas) if datas else np.zeros(0)
    indices = np.concatenate(cols).astype(idx_t, copy=False) if cols else np.zeros(0, idx_t)
    return sp.csr_array((data, indices, indptr), shape=(n, n))


def _product(op: np.ndarray | sp.sparray, X: np.ndarray) -> np.ndarray:
    """op @ X; a sparse op (scipy's CSR/CSC products are single-threaded and release the GIL)
    with many columns is split into two column halves computed in two threads."""
    if not sp.issparse(op) or X.shape[1] < 16 or _CPUS < 2:
        return op @ X
    h = X.shape[1] // 2
    parts = list(_pool().map(lambda s: op @ X[:, s], (slice(0, h), slice(h, None))))
    return np.concatenate(parts, axis=1)


_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(2, thread_name_prefix="fukugan-residual")
    return _POOL


def _forget_pool() -> None:  # a forked child has none of the parent's threads
    global _POOL
    _POOL = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


class RefinementFailed(ArithmeticError):
    """Mixed-precision iterative refinement did not reach double accuracy (internal)."""


def _productivity_error(
    s: np.ndarray, A: np.ndarray, labels: Sequence[str] | None, what: str
) -> NonProductiveError | None:
    """The NonProductiveError for a solution s of (I − A) s = i with a negative entry, else None."""
    n = s.size
    if n and (not np.all(np.isfinite(s)) or s.min() < -1e-9 * max(1.0, np.abs(s).max())):
        over = [name_of(j, labels) for j in np.flatnonzero(A.sum(axis=0) >= 1.0)]
        if over:
            why = (
                f"coefficients of {', '.join(over)} sum to >= 1 (inputs worth at least the output)"
            )
        else:
            bad = [name_of(int(j), labels) for j in np.flatnonzero(s < 0)[:5]]
            why = f"no nonnegative output satisfies the balance of {', '.join(bad)}"
        return NonProductiveError(
            f"the system is not productive (spectral radius of {what} >= 1): {why}", field=what
        )
    return None


class MixedPrecisionLU:
    """Solves of (I − A) x = b and (I − A)′ z = b to double accuracy from a *single*-precision LU.

    The mixed-precision iterative refinement of Moler (1967), "Iterative refinement in floating
    point", *J. ACM* 14(2):316–321, as LAPACK's ``dsgesv`` implements it (Langou, Langou,
    Luszczek, Kurzak, Buttari and Dongarra 2006, "Exploiting the performance of 32 bit floating
    point arithmetic in obtaining 64 bit accuracy (revisiting iterative refinement for linear
    systems)", Proc. ACM/IEEE SC06; Higham 2002, *Accuracy and Stability of Numerical
    Algorithms*, 2nd ed., ch. 12; Carson and Higham 2018, "Accelerating the solution of linear
    systems by iterative refinement in three precisions", *SIAM J. Sci. Comput.* 40(2):A817–A847,
    here with the factorisation in single and the residual and working precision double):
    factorise I − A once in float32 (``sgetrf``, about half the time of ``dgetrf``, and n²·4
    bytes), then for each right-hand side

        x₀ = solve₃₂(b);  repeat: r = b − (I − A) x_k in float64 (a product with the float64 A),
        stop when the residual shows the accuracy asked for (below), else d = solve₃₂(r),
        x_{k+1} = x_k + d.

    Two stopping rules, per column:

    * ``tol=None`` (double accuracy): stop when ‖r‖∞ ≤ √n · ε₆₄ · ‖I − A‖∞ · ‖x_k‖∞ (LAPACK's
      test: a normwise backward error at double round-off level), or when the corrections
      contract, ρ = ‖d_{k+1}‖ / ‖d_k‖ ≤ 1/2 (d₀ = x₀), and the rest of their geometric tail,
      ρ / (1 − ρ) · ‖d_{k+1}‖∞, is below ε₆₄ · ‖x_{k+1}‖∞ (the correction test of Moler 1967 and
      of Demmel et al. 2006, "Error bounds from extra-precise iterative refinement", ACM TOMS
      32(2)); this saves the final residual product.
    * ``tol`` given (a relative forward error): stop as soon as a *measured* bound on the forward
      error is at most ``tol``: x − x_k = L r with L = (I − A)⁻¹ ≥ 0 (A ≥ 0 and productive), so
      ‖x − x_k‖∞ ≤ ‖L‖∞ · ‖r‖∞ (Higham 2002, §12.2 and eq. 7.30), and for a nonnegative L its
      norm is the largest entry of L i — measured, not assumed: the productivity check solves
      (I − A) s = i anyway, and the first transposed solve carries an extra column of ones for
      L′ i (‖L′‖∞ = ‖L‖₁). From a computed ŝ with residual r_s, ‖L‖∞ = ‖s‖∞ ≤ ‖ŝ‖∞ / (1 − ‖r_s‖∞).
      The rounding of r itself is added as √n · ε₆₄ · (‖b‖∞ + ‖I − A‖∞ ‖x_k‖∞) (the √n
      scaling of LAPACK's test, not the worst case γ_{n+1}). The stop is

          ‖L‖∞ · (‖r‖∞ + √n ε₆₄ (‖b‖∞ + ‖I − A‖∞ ‖x_k‖∞)) ≤ tol · ‖x_k‖∞,

      or the double-accuracy backward-error test above (nothing better is reachable); no
      correction-based guess. (L ≥ 0 holds once the productivity check passes; the
      constructor's own batched solve, whose bound assumes it, raises if the check fails.) For a well-conditioned Leontief system one correction usually
      suffices for tol = 1e-11 (the float32 solve gains about −log₁₀(κ · ε₃₂) ≈ 6 digits per
      step), where double accuracy needs two. :attr:`bounds` records, per solve, the largest
      such bound over its columns.

    Leontief systems of productive economies are well conditioned (κ₁(I − A) ≤ 2 / (1 − max
    column sum of A) for column sums < 1). If a column has not converged after ``max_steps``
    corrections (or its corrections stop shrinking, ρ > 1/2), the float32 factors are dropped,
    I − A is factorised in float64 once and that solve is redone in double; :attr:`fallback`
    records why.

    ``presolve``: right-hand sides of (I − A) x = b solved in the constructor together with the
    productivity check (one batched, refined solve instead of two); the solution is
    :attr:`presolved`.

    The float32 factors are those of (I − A)′ (a C-ordered float32 copy of I − A, whose
    transpose LAPACK factorises in place), so the only n × n arrays held are A (float64, not
    copied) and the n × n float32 factors. When A has at most a tenth nonzero entries (and
    n ≥ 512) the residual products use a CSR copy of A's nonzeros (same float64 products,
    nnz·12 bytes): scipy's CSR product is single-threaded but does 2·nnz instead of 2·n²
    flops per column; at a tenth nonzero it takes about the wall time of two-thread BLAS on
    the dense A here, and much less at the 6 % of the n = 8,000 benchmark MRIO.
    """

    def __init__(
        self,
        A: np.ndarray,
        labels: Sequence[str] | None = None,
        *,
        what: str = "A",
        max_steps: int = 10,
        tol: float | None = None,
        presolve: np.ndarray | None = None,
    ) -> None:
        if tol is not None and not (0.0 < tol < 1.0):
            raise InputError(f"tol must be in (0, 1), got {tol!r}", field="tol")
        self.A = A
        self.n = n = A.shape[0]
        self.labels = labels
        self.what = what
        self.max_steps = max_steps
        self.tol = tol
        self.fallback: str | None = None
        self.steps: list[int] = []  # corrections used by each solve (max over its columns)
        self.bounds: list[float] = []  # with tol: largest measured forward-error bound per solve
        self.lu64: tuple | None = None
        # upper bounds on ‖L‖∞ and ‖L′‖∞ = ‖L‖₁ from solves with a column of ones (L ≥ 0)
        self._Lnorm: list[float | None] = [None, None]
        self._sparse = _csr_if_sparse(A)  # residual products with a sparse A (see above)
        # sign and norms from the nonzeros alone when A is sparse (no further pass over A)
        S = A if self._sparse is None else self._sparse
        if S is A or (S.nnz and S.data.min() < 0):
            check_nonnegative(A, what, labels)
        dA = np.diag(A)
        rows = np.asarray(S.sum(axis=1)).ravel() - dA + np.abs(1.0 - dA)
        cols = np.asarray(S.sum(axis=0)).ravel() - dA + np.abs(1.0 - dA)
        # ‖I − A‖∞ for (I − A) x = b and ‖(I − A)′‖∞ = ‖I − A‖₁ for the transposed system
        self._norm = (float(rows.max(initial=0.0)), float(cols.max(initial=0.0)))
        M = np.negative(A, dtype=np.float32)
        M.flat[:: n + 1] += np.float32(1.0)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lu32 = lu_factor(M.T, check_finite=False, overwrite_a=True)  # (I − A)′ in float32
        del M
        diag = np.abs(np.diag(lu32[0]))
        if n and (not _all_finite(lu32[0]) or diag.min() <= 1e-5 * max(1.0, diag.max())):
            self.lu32 = None
            self._to_double("single-precision LU (nearly) singular")  # raises if I − A singular
        else:
            self.lu32 = lu32
        # Hawkins–Simon: productive iff (I − A) s = i has s ≥ 0; s also measures ‖L‖∞
        B = np.ones((n, 1))
        if presolve is not None:
            B = np.concatenate([B, np.asarray(presolve, dtype=np.float64).reshape(n, -1)], axis=1)
        X = self._solve_cols(B, transposed=False, ones_col=0)
        err = _productivity_error(X[:, 0], A, labels, what)
        if err is not None:
            raise err
        self.presolved: np.ndarray | None = None if presolve is None else X[:, 1:]

    @property
    def mixed(self) -> bool:
        """True while solves use the float32 factors (no fallback to double happened)."""
        return self.lu64 is None

    def _to_double(self, why: str) -> None:
        self.fallback = why
        self.lu32 = None
        self.lu64 = factorise_productive(self.A, self.labels, what=self.what, transposed=True)

    def _solve32(self, R: np.ndarray, transposed: bool) -> np.ndarray:
        """op(I − A)⁻¹ R with the float32 factors, each column scaled to ‖·‖∞ = 1 first (no
        underflow of small residuals), returned in float64."""
        scale = np.abs(R).max(axis=0)
        scale[scale == 0] = 1.0
        Rs = (R / scale).astype(np.float32)
        # factors are of (I − A)′: trans=1 solves (I − A) x = r, trans=0 (I − A)′ z = r
        X = lu_solve(
            self.lu32, Rs, trans=0 if transposed else 1, check_finite=False, overwrite_b=True
        )
        return X.astype(np.float64) * scale

    def solve(self, B: object, *, transposed: bool = False) -> np.ndarray:
        """x with (I − A) x = B, or (I − A)′ x = B when ``transposed``; B is (n,) or (n, k)."""
        B = np.asarray(B, dtype=np.float64)
        vec = B.ndim == 1
        B2 = B.reshape(self.n, -1)
        probe = self.tol is not None and self.lu64 is None and self._Lnorm[int(transposed)] is None
        if probe:  # measure ‖L‖ (of this orientation) with a column of ones in the same solve
            B2 = np.concatenate([np.ones((self.n, 1)), B2], axis=1)
        X = self._solve_cols(B2, transposed=transposed, ones_col=0 if probe else None)
        if probe:
            X = X[:, 1:]
        return X.ravel() if vec else X

    def _solve_cols(
        self, B: np.ndarray, *, transposed: bool, ones_col: int | None = None
    ) -> np.ndarray:
        if self.lu64 is not None:
            return lu_solve(self.lu64, B, trans=0 if transposed else 1, check_finite=False)
        try:
            return self._refine(B, transposed, ones_col)
        except RefinementFailed as exc:
            self._to_double(str(exc))
            return self._solve_cols(B, transposed=transposed)

    def _refine(self, B: np.ndarray, transposed: bool, ones_col: int | None = None) -> np.ndarray:
        """Refine column by column (vectorised over the columns still active) until each
        converges by the tests of the class docstring. ``ones_col``: a column of B that is all
        ones, whose iterates measure ‖L‖ of this orientation (kept in ``_Lnorm``)."""
        n, k = B.shape
        if n == 0 or k == 0:
            return np.zeros((n, k))
        t = int(transposed)
        op = self.A if self._sparse is None else self._sparse
        op = op.T if transposed else op
        nrm = self._norm[t]
        rt_n_eps = np.sqrt(n) * EPS64
        tol_bwd = rt_n_eps * nrm
        tol = self.tol
        bn = np.abs(B).max(axis=0)
        X = self._solve32(B, transposed)
        act = np.arange(k)  # columns not yet converged
        last = np.abs(X).max(axis=0)  # ‖x₀‖ = ‖x₀ − 0‖: the "previous correction" of step 1
        worst = 0.0  # largest measured forward-error bound (relative) at a tol stop
        steps = 0
        while act.size:
            if steps >= self.max_steps:
                raise RefinementFailed(f"refinement not converged after {steps} steps")
            full = act.size == k  # all columns active: views, no gathered copies
            Xa = X if full else X[:, act]
            R = _product(op, Xa)  # r = b − (I − A) x = b − x + A x, in float64
            R += B if full else B[:, act]
            R -= Xa
            xn = np.abs(Xa).max(axis=0)
            rn = np.abs(R).max(axis=0)
            done = rn <= tol_bwd * xn  # backward error at double round-off
            if tol is not None:
                # residual including its own rounding (√n ε (‖b‖ + ‖I − A‖ ‖x‖))
                rr = rn + rt_n_eps * (bn[act] + nrm * xn)
                if ones_col is not None and ones_col in act:
                    j = int(np.flatnonzero(act == ones_col)[0])
                    # ‖L‖ = ‖L i‖ ≤ ‖ŝ‖ / (1 − ‖r_s‖) for L ≥ 0 (a valid bound once ‖r_s‖ < 1/2)
                    if rr[j] < 0.5:
                        self._Lnorm[t] = float(xn[j] / (1.0 - rr[j]))
                Lnorm = self._Lnorm[t]
                if Lnorm is not None:
                    fwd = Lnorm * rr  # ≥ ‖x − x_k‖∞
                    done |= fwd <= tol * xn
                    if np.any(done):
                        rel = fwd[done] / np.where(xn[done] > 0, xn[done], 1.0)
                        worst = max(worst, float(rel.max()))
            keep = ~done
            act, R, xn, last = act[keep], R[:, keep], xn[keep], last[keep]
            if not act.size:
                break
            D = self._solve32(R, transposed)
            if act.size == k:
                X += D
            else:
                X[:, act] += D
            steps += 1
            dn = np.abs(D).max(axis=0)
            rho = dn / np.where(last > 0, last, 1.0)  # contraction of the corrections
            if np.any(rho > 0.5):
                raise RefinementFailed(f"refinement not contracting at step {steps}")
            if tol is None:
                # forward error of the updated x ≤ ρ/(1 − ρ) ‖d‖ (geometric tail of the corrections)
                done = rho / (1.0 - rho) * dn <= EPS64 * np.abs(X[:, act]).max(axis=0)
                act, dn = act[~done], dn[~done]
            last = dn
        self.steps.append(steps)
        if tol is not None:
            self.bounds.append(worst)
        return X
