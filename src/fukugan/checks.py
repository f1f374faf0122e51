"""Boundary validation of the core's arguments, in one place (a leaf module).

Every public function of the core (indicators, IO models, dynamics) checks its inputs here and
raises :class:`fukugan.errors.InputError` with a message that names the argument and the bad
entry: labelled series and code sets for the indicators, square matrices and vectors (with the
industry named) for the input-output models.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fukugan.errors import InputError


def _label(values: Any, i: int) -> str:
    if isinstance(values, pd.Series):
        return repr(values.index[i])
    return f"position {i}"


def array(
    values: Any, name: str = "values", *, allow_empty: bool = False, nonneg: bool = True
) -> np.ndarray:
    """A 1-D float array of finite (and, by default, non-negative) numbers."""
    if isinstance(values, pd.DataFrame):
        raise InputError(f"{name}: expected a 1-D sequence of numbers, got a DataFrame")
    if isinstance(values, (str, bytes)):
        raise InputError(f"{name}: expected a sequence of numbers, got a string")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: not all entries are numbers ({exc})") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"{name}: expected a 1-D sequence, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise InputError(f"{name}: empty input (need at least one value)")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise InputError(
            f"{name}: NaN or infinite value at {_label(values, int(bad[0]))}"
            + (f" (and {bad.size - 1} more)" if bad.size > 1 else "")
        )
    if nonneg:
        neg = np.flatnonzero(arr < 0)
        if neg.size:
            raise InputError(
                f"{name}: negative value {arr[neg[0]]:g} at {_label(values, int(neg[0]))}"
                + (f" (and {neg.size - 1} more)" if neg.size > 1 else "")
            )
    return arr


def scalar(value: Any, name: str, *, lo: float | None = 0.0, hi: float | None = None) -> float:
    """A finite float within [lo, hi]."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(x):
        raise InputError(f"{name}: expected a finite number, got {value!r}")
    if lo is not None and x < lo:
        raise InputError(f"{name}: {x:g} is below the allowed minimum {lo:g}")
    if hi is not None and x > hi:
        raise InputError(f"{name}: {x:g} is above the allowed maximum {hi:g}")
    return x


def series(values: Any, name: str, *, allow_empty: bool = False) -> pd.Series:
    """A float Series keyed by unique string labels (ISO3 codes), values finite and >= 0."""
    if isinstance(values, dict):
        values = pd.Series(values, dtype=float)
    if not isinstance(values, pd.Series):
        raise InputError(
            f"{name}: expected a pandas Series indexed by ISO3 code, got {type(values).__name__}"
        )
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()][0]
        raise InputError(f"{name}: duplicate country {dup!r} in the index")
    arr = array(values, name, allow_empty=allow_empty)
    return pd.Series(arr, index=values.index.astype(str), name=values.name)


def codes(values: Iterable[Any], name: str) -> frozenset[str]:
    """A set of country codes (strings)."""
    if isinstance(values, str):
        raise InputError(f"{name}: expected a collection of ISO3 codes, got the string {values!r}")
    out = frozenset(str(v) for v in values)
    return out


def fill_missing(
    values: pd.Series,
    index: Iterable[Any],
    default: float | None,
    *,
    name: str,
    default_name: str,
    hi: float,
    defaults_used: list[str],
    context: str = "",
) -> pd.Series:
    """``values`` reindexed on ``index``; gaps filled with ``default`` (checked in [0, ``hi``])
    and recorded in ``defaults_used``, or an InputError naming the missing labels when no
    default is given. Used for governance scores (WGI) that some countries lack.

    >>> used = []
    >>> fill_missing(pd.Series({"A": 1.0}), ["A", "B"], 5.0, name="wgi", default_name="d",
    ...              hi=10, defaults_used=used).tolist(), used
    ([1.0, 5.0], ['wgi=5 for B'])
    """
    out = values.reindex(list(index))
    missing = sorted({str(k) for k in out.index[out.isna()]})
    if not missing:
        return out
    where = f" ({context})" if context else ""
    if default is None:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise InputError(
            f"{name}: no governance value for {shown}{where}; add them or pass {default_name}="
        )
    d = scalar(default, default_name, lo=0.0, hi=hi)
    defaults_used.append(f"{name}={d:g} for {', '.join(missing)}{where}")
    return out.fillna(d)


# -- matrices and vectors (input-output models) ---------------------------------------------
def name_of(j: int, labels: Sequence[str] | None) -> str:
    """Industry ``j`` as the user knows it: its code when labels are given, else ``#j``."""
    if labels is not None and 0 <= j < len(labels):
        return str(labels[j])
    return f"#{j}"


def _all_finite(a: np.ndarray) -> bool:
    """True when every entry of ``a`` is finite: a finite sum has only finite terms (inf and nan
    propagate), so one pass without a mask of a's size; entrywise only if the sum is not."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = a.sum()
    return bool(np.isfinite(total)) or bool(np.all(np.isfinite(a)))


def as_square(M: object, what: str) -> np.ndarray:
    """``M`` as a finite float (n, n) array, or InputError."""
    a = np.asarray(M, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InputError(f"{what} must be a square matrix, got shape {a.shape}", field=what)
    if not _all_finite(a):
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
