"""Hypothetical extraction (Miller & Blair 2009, §12.2.5; Dietzenbacher & van der Linden 1997;
Dietzenbacher & Lahr 2013).

Extract industry j, i.e. suppose it vanished, and measure how much total output falls:

- **total linkage** (Miller & Blair 2009, §12.2.5, the original Strassert 1968 / Schultz 1977
  form): zero row and column j of A and the final demand y_j, x̄ = (I − Ā)⁻¹ ȳ, and
  T_j = i′x − i′x̄;
- **backward linkage** (Dietzenbacher & van der Linden 1997; M&B §12.2.5): zero column j of A
  only (j buys its inputs from abroad instead), y unchanged: BL_j = i′x − i′x̄(c_j);
- **forward linkage** (same references): zero row j of the allocation matrix B in the Ghosh model
  (j's sales to other industries are replaced by imports), v unchanged:
  x̄′(r_j) = v′(I − B̄)⁻¹, FL_j = x′i − x̄′(r_j) i.

:func:`extract` solves the extracted system literally (one new factorisation per industry).
:func:`extraction_linkages` gives all industries from ONE factorisation, with the exact closed
forms that follow from the block inverse / Sherman–Morrison formula (L = (I − A)⁻¹, G = (I − B)⁻¹):

    T_j  = x_j · (i′L e_j) / L_jj
    BL_j = x_j · (i′L e_j − 1) / L_jj
    FL_j = x_j · (e_j′G i − 1) / G_jj

Extraction by zeroing (instead of deleting row and column) gives x̄_j = 0, the same other x̄.
Dividing by i′x (× 100) gives the normalised measures of M&B §12.2.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fukugan.checks import as_square, as_vector
from fukugan.errors import InputError
from fukugan.iomodels.ghosh import GhoshModel
from fukugan.iomodels.leontief import LeontiefModel

__all__ = [
    "ExtractionLinkages",
    "extract",
    "extraction_linkages",
    "linkages_from_model",
    "total_linkage",
]


def _index(j: int | str, industries: Sequence[str] | None, n: int) -> int:
    if isinstance(j, str):
        if industries is None or j not in industries:
            raise InputError(f"unknown industry {j!r}", field="industry")
        return list(industries).index(j)
    if not 0 <= int(j) < n:
        raise InputError(f"industry index {j} out of range 0..{n - 1}", field="industry")
    return int(j)


def extract(
    A: object,
    y: object,
    j: int | str,
    *,
    mode: str = "total",
    industries: Sequence[str] | None = None,
) -> np.ndarray:
    """Output x̄ of the economy with industry j hypothetically extracted (demand side).

    ``mode="total"`` zeroes row and column j of A and y_j (Miller & Blair 2009, §12.2.5);
    ``mode="backward"`` zeroes column j of A only and keeps y.

    >>> A = [[0.15, 0.25], [0.2, 0.05]]
    >>> extract(A, [350, 1700], 0).round(4)        # industry 1 gone: x̄_2 = 1700 / 0.95
    array([   0.    , 1789.4737])
    """
    Am = as_square(A, "A").copy()
    n = Am.shape[0]
    yv = as_vector(y, n, "y", allow_matrix=True).copy()
    k = _index(j, industries, n)
    if mode == "total":
        Am[k, :] = 0.0
        Am[:, k] = 0.0
        yv[k] = 0.0
    elif mode == "backward":
        Am[:, k] = 0.0
    else:
        raise InputError(f"mode must be 'total' or 'backward', not {mode!r}", field="mode")
    return LeontiefModel(Am, industries=industries).output(yv)


def total_linkage(
    A: object, y: object, j: int | str, *, industries: Sequence[str] | None = None
) -> float:
    """T_j = i′x − i′x̄ (Miller & Blair 2009, §12.2.5), by solving the extracted system.

    >>> round(total_linkage([[0.15, 0.25], [0.2, 0.05]], [350, 1700], 0), 4)
    1210.5263
    """
    x = LeontiefModel(A, industries=industries).output(y)
    return float(x.sum() - extract(A, y, j, mode="total", industries=industries).sum())


@dataclass(frozen=True, eq=False)
class ExtractionLinkages:
    """Hypothetical-extraction linkages for every industry (absolute, in units of x).

    Attributes:
        total: T_j = i′x − i′x̄ (row and column j and y_j removed).
        backward: BL_j (column j of A removed).
        forward: FL_j (row j of B removed, supply-driven); NaN when B was not given.
        total_output: i′x, to normalise (``100 * total / total_output`` is the % loss).
    """

    total: np.ndarray
    backward: np.ndarray
    forward: np.ndarray
    total_output: float

    def normalised(self) -> dict[str, np.ndarray]:
        """Each linkage as a percentage of total output i′x (Miller & Blair 2009, §12.2.5)."""
        s = 100.0 / self.total_output if self.total_output else np.nan
        return {"total": self.total * s, "backward": self.backward * s, "forward": self.forward * s}


def extraction_linkages(
    A: object,
    y: object,
    *,
    B: object | None = None,
    industries: Sequence[str] | None = None,
) -> ExtractionLinkages:
    """Total, backward and (with ``B``) forward extraction linkages of all industries from one
    LU factorisation of I − A (and one of I − B), via the closed forms in the module docstring.

    The forward linkage uses the Ghosh model with v′ = x′(I − B), so that its x is the same x.

    >>> Z, x = np.array([[150.0, 500], [200, 100]]), np.array([1000.0, 2000])
    >>> from fukugan.iomodels import technical_coefficients, allocation_coefficients
    >>> r = extraction_linkages(technical_coefficients(Z, x), [350, 1700],
    ...                         B=allocation_coefficients(Z, x))
    >>> r.total.round(4)
    array([1210.5263, 2588.2353])
    >>> r.backward.round(4)
    array([413.1579, 805.8824])
    >>> r.forward.round(4)
    array([728.9474, 452.9412])
    """
    model = LeontiefModel(A, industries=industries)
    n = model.n
    yv = as_vector(y, n, "y")
    x = model.output(yv)
    L = model.inverse() if n else np.zeros((0, 0))
    colsum = L.sum(axis=0)
    d = np.diag(L)
    total = x * colsum / d
    backward = x * (colsum - 1.0) / d
    if B is not None:
        g = GhoshModel(B, industries=industries)
        if g.n != n:
            raise InputError(f"B is {g.n}×{g.n} but A is {n}×{n}", field="B")
        G = g.inverse()
        forward = x * (G.sum(axis=1) - 1.0) / np.diag(G)
    else:
        forward = np.full(n, np.nan)
    return ExtractionLinkages(total, backward, forward, float(x.sum()))


def linkages_from_model(model: LeontiefModel, y: object) -> ExtractionLinkages:
    """All three extraction linkages of every industry from ONE factorisation of I − A.

    Same closed forms as :func:`extraction_linkages`, with the forward linkage taken from the
    Ghosh model of the same flows, G = x̂⁻¹ L x̂ (Miller & Blair 2009, §12.1.2), so that
    e_j′G i = (L x)_j / x_j, G_jj = L_jj and FL_j = ((L x)_j − x_j) / L_jj (zero where
    x_j = 0: such an industry sells nothing). Only diag(L) needs L's columns (blocked solves
    keeping the diagonal, :meth:`LeontiefModel.inverse_diagonal`); i′L and L x are single solves.
    For n = 8,000 this is one LU and 2n³ of triangular solves instead of two explicit
    inverses (or 8,000 literal re-solves).

    >>> Z, x = np.array([[150.0, 500], [200, 100]]), np.array([1000.0, 2000])
    >>> r = linkages_from_model(LeontiefModel.from_flows(Z, x), [350, 1700])
    >>> r.total.round(4), r.backward.round(4), r.forward.round(4)
    (array([1210.5263, 2588.2353]), array([413.1579, 805.8824]), array([728.9474, 452.9412]))
    """
    n = model.n
    yv = as_vector(y, n, "y")
    x = model.output(yv)
    d = model.inverse_diagonal()
    colsum = model.output_multipliers()
    total = x * colsum / d
    backward = x * (colsum - 1.0) / d
    forward = (model.output(x) - x) / d
    return ExtractionLinkages(total, backward, forward, float(x.sum()))
