"""Boundary checks shared by the IO models: shapes, signs, productivity (no I/O, no globals)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy.linalg import lu_factor, lu_solve

from fukugan.errors import InputError


class NonProductiveError(InputError):
    """The system I − A cannot be solved for nonnegative output (Hawkins–Simon conditions fail,
    Miller & Blair 2009, §2.9 / Appendix 2.2), or I − A is singular."""


def name_of(j: int, labels: Sequence[str] | None) -> str:
    """Industry ``j`` as the user knows it: its code when labels are given, else ``#j``."""
    if labels is not None and 0 <= j < len(labels):
        return str(labels[j])
    return f"#{j}"


def as_square(M: object, what: str) -> np.ndarray:
    """``M`` as a finite float (n, n) array, or InputError."""
    a = np.asarray(M, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InputError(f"{what} must be a square matrix, got shape {a.shape}", field=what)
    if not np.all(np.isfinite(a)):
        i, j = np.argwhere(~np.isfinite(a))[0]
        raise InputError(f"{what}[{i}, {j}] is not a finite number", field=what)
    return a


def as_vector(v: object, n: int, what: str, *, allow_matrix: bool = False) -> np.ndarray:
    """``v`` as a finite float array of length ``n`` (or (n, k) when ``allow_matrix``)."""
    a = np.asarray(v, dtype=float)
    ok = a.ndim == 1 or (allow_matrix and a.ndim == 2)
    if not ok or a.shape[0] != n:
        raise InputError(f"{what} must have {n} rows, got shape {a.shape}", field=what)
    if not np.all(np.isfinite(a)):
        raise InputError(f"{what} contains a value that is not a finite number", field=what)
    return a


def check_nonnegative(M: np.ndarray, what: str, labels: Sequence[str] | None = None) -> None:
    """InputError naming the first negative entry (row industry, column industry)."""
    if M.size and M.min() < 0:
        idx = np.argwhere(M < 0)[0]
        where = ", ".join(name_of(int(k), labels) for k in idx)
        raise InputError(f"{what} has a negative entry at ({where}): {M[tuple(idx)]:g}", field=what)


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
    if n and (not np.all(np.isfinite(lu[0])) or diag.min() <= 1e-14 * max(1.0, diag.max())):
        hint = f"; columns summing to >= 1: {', '.join(over)}" if over else ""
        raise NonProductiveError(
            f"I − {what} is singular, the system is not productive{hint}", field=what
        )
    s = lu_solve(lu, np.ones(n), trans=int(transposed), check_finite=False)
    if n and (not np.all(np.isfinite(s)) or s.min() < -1e-9 * max(1.0, np.abs(s).max())):
        if over:
            why = (
                f"coefficients of {', '.join(over)} sum to >= 1 (inputs worth at least the output)"
            )
        else:
            bad = [name_of(int(j), labels) for j in np.flatnonzero(s < 0)[:5]]
            why = f"no nonnegative output satisfies the balance of {', '.join(bad)}"
        raise NonProductiveError(
            f"the system is not productive (spectral radius of {what} >= 1): {why}", field=what
        )
    return lu
