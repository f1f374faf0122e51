"""Import content of output: the multi-tier ("hidden") dependence on imported inputs.

With domestic coefficients A_dom = Z_dom x̂⁻¹ and imported-input coefficients
A_imp = Z_imp x̂⁻¹ (rows = imported product, by industry of origin i; columns = using industry j):

- direct import content  m′ = i′ A_imp,       m_j = Σ_i z^imp_ij / x_j;
- total import content   m_tot′ = m′ (I − A_dom)⁻¹ = m′ L_dom,
  imports embodied, across all tiers of domestic suppliers, in one unit of final demand for j;
- by product of origin   M = A_imp L_dom (n × n), M_ij = imported product i embodied per unit of
  final demand for j; its column sums are m_tot.

This is the vertical-specialisation measure of Hummels, Ishii & Yi (2001, *J. Int. Econ.* 54,
75–96, eq. 3: u A^M (I − A^D)⁻¹) and the OECD "import content" definition used for the
national IOTs and TiVA (OECD 2023, IOTs measure ICESHR "imports content of exports":
i′ A_imp (I − A_dom)⁻¹ applied to exports). The inverse is built from the DOMESTIC coefficients
only (Miller & Blair 2009, §2.6 and §6.4 on domestic vs total coefficients): imported inputs leak
out of the domestic multiplier chain instead of inducing more domestic production.

Everything is computed with solves on (I − A_dom)′, never the explicit L_dom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fukugan.checks import as_square, as_vector, check_nonnegative
from fukugan.errors import InputError
from fukugan.iomodels.leontief import LeontiefModel, technical_coefficients

__all__ = [
    "ImportContent",
    "direct_import_content",
    "embodied_imports_by_origin",
    "import_content",
    "import_content_by_origin",
    "import_dependence",
]


def direct_import_content(
    Z_imp: object, x: object, *, industries: Sequence[str] | None = None
) -> np.ndarray:
    """m_j = Σ_i Z_imp[i, j] / x_j, imported inputs per unit of output (0 where x_j = 0).

    >>> direct_import_content([[10, 0], [30, 50]], [100, 500])
    array([0.4, 0.1])
    """
    return technical_coefficients(Z_imp, x, industries=industries).sum(axis=0)


def import_content(
    A_dom: object, A_imp: object, *, industries: Sequence[str] | None = None
) -> np.ndarray:
    """Total import content m_tot′ = i′ A_imp (I − A_dom)⁻¹, by a solve on (I − A_dom)′.

    >>> A_dom = [[0.1, 0.2], [0.0, 0.1]]
    >>> A_imp = [[0.4, 0.0], [0.0, 0.1]]
    >>> import_content(A_dom, A_imp).round(6)
    array([0.444444, 0.209877])
    """
    model = LeontiefModel(A_dom, industries=industries)
    Ai = _imp(A_imp, model.n, industries)
    return model.solve_transposed(Ai.sum(axis=0))


def import_content_by_origin(
    A_dom: object, A_imp: object, *, industries: Sequence[str] | None = None
) -> np.ndarray:
    """M = A_imp (I − A_dom)⁻¹ (n × n): M[i, j] is imported product i embodied, over all tiers,
    in one unit of final demand for industry j. Column sums equal :func:`import_content`.

    >>> import_content_by_origin([[0.1, 0.2], [0.0, 0.1]], [[0.4, 0.0], [0.0, 0.1]]).round(6)
    array([[0.444444, 0.098765],
           [0.      , 0.111111]])
    """
    model = LeontiefModel(A_dom, industries=industries)
    Ai = _imp(A_imp, model.n, industries)
    return model.solve_transposed(Ai.T).T


def embodied_imports_by_origin(
    M: object,
    final_demand: object,
    group_product: Sequence[int],
    group_fraction: object,
    origin_shares: object,
) -> np.ndarray:
    """Imports of raw-material groups embodied in each industry's final demand, by origin.

    E[g, j, c] = M[p_g, j] · f_j · φ_g · s_gc, where M = A_imp L_dom (:func:`import_content_by_origin`),
    f the final demand for each industry's domestic output, p_g the imported product (industry of
    origin) that group g belongs to, φ_g the group's share of that product's imports and s_gc
    the share of origin country c in the home's imports of the group. This is TiVA's
    proportionality assumption: every user of imported product p buys the same mix of groups
    and origins. Σ_c E[g, j, c] = M[p_g, j] f_j φ_g when the shares of each group sum to 1.

    >>> E = embodied_imports_by_origin([[0.5, 0.1], [0.0, 0.2]], [100.0, 10.0], [0], [0.4],
    ...                                [[0.75, 0.25]])
    >>> E.round(6).tolist()
    [[[15.0, 5.0], [0.3, 0.1]]]
    """
    Mv = as_square(M, "M")
    n = Mv.shape[0]
    f = as_vector(final_demand, n, "final_demand")
    p = np.asarray(group_product, dtype=np.int64)
    phi = np.asarray(group_fraction, dtype=np.float64)
    S = np.asarray(origin_shares, dtype=np.float64)
    if S.ndim != 2 or S.shape[0] != p.size or phi.shape != (p.size,):
        raise InputError(
            f"origin_shares must be (groups, origins) = ({p.size}, C) and group_fraction "
            f"({p.size},); got {S.shape} and {phi.shape}",
            field="origin_shares",
        )
    if p.size and (p.min() < 0 or p.max() >= n):
        raise InputError(f"group_product must index the {n} products", field="group_product")
    if (phi < 0).any() or (S < 0).any() or not np.isfinite(S).all():
        raise InputError("fractions and shares must be finite and >= 0", field="origin_shares")
    per_group = Mv[p, :] * f[None, :] * phi[:, None]  # (G, n)
    return per_group[:, :, None] * S[:, None, :]


def _imp(A_imp: object, n: int, industries: Sequence[str] | None) -> np.ndarray:
    Ai = as_square(A_imp, "A_imp")
    if Ai.shape[0] != n:
        raise InputError(
            f"A_imp is {Ai.shape[0]}×{Ai.shape[0]} but A_dom is {n}×{n}", field="A_imp"
        )
    check_nonnegative(Ai, "A_imp", industries)
    return Ai


@dataclass(frozen=True, eq=False)
class ImportContent:
    """Direct and total import content of each industry, with the product-of-origin breakdown.

    Attributes:
        industries: industry codes (length n).
        direct: m (n,), imported inputs per unit of output.
        total: m_tot (n,), imports embodied per unit of final demand, all tiers (≥ direct).
        by_origin: M (n, n), rows = imported product (industry of origin), cols = using industry.
    """

    industries: tuple[str, ...]
    direct: np.ndarray
    total: np.ndarray
    by_origin: np.ndarray

    def origin_shares(self, industry: str) -> dict[str, float]:
        """Imported products embodied in one unit of final demand for ``industry``, largest
        first (sums to ``total`` of that industry)."""
        if industry not in self.industries:
            raise InputError(f"unknown industry {industry!r}", field="industry")
        col = self.by_origin[:, self.industries.index(industry)]
        order = np.argsort(-col, kind="stable")
        return {self.industries[i]: float(col[i]) for i in order}


def import_dependence(
    Z_dom: object,
    Z_imp: object,
    x: object,
    *,
    industries: Sequence[str] | None = None,
) -> ImportContent:
    """Direct, total and by-origin import content from flows (one factorisation of I − A_dom).

    >>> r = import_dependence([[10, 100], [0, 50]], [[40, 0], [0, 50]], [100, 500],
    ...                       industries=["a", "b"])
    >>> r.direct, r.total.round(6)
    (array([0.4, 0.1]), array([0.444444, 0.209877]))
    >>> {k: round(v, 6) for k, v in r.origin_shares("b").items()}
    {'b': 0.111111, 'a': 0.098765}
    """
    Zd = as_square(Z_dom, "Z_dom")
    n = Zd.shape[0]
    xv = as_vector(x, n, "x")
    check_nonnegative(Zd, "Z_dom", industries)
    A_dom = technical_coefficients(Zd, xv, industries=industries)
    A_imp = technical_coefficients(_imp(Z_imp, n, industries), xv, industries=industries)
    model = LeontiefModel(A_dom, industries=industries)
    M = model.solve_transposed(A_imp.T).T
    names = tuple(industries) if industries is not None else tuple(f"#{j}" for j in range(n))
    return ImportContent(names, A_imp.sum(axis=0), M.sum(axis=0), M)
