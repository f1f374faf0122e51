"""The Leontief price model and cost-push shocks (Miller & Blair 2009, §2.6, "The price model").

Column j of the input-output accounts says that the value of output equals the cost of inputs:
x_j = Σ_i z_ij + (imports)_j + v_j. Dividing by x_j, with prices p (index, 1 at baseline) that
cover unit costs (Miller & Blair 2009, §2.6, the Leontief price model):

    p′ = p′A + v_c′            ⇒  p′ = v_c′ (I − A)⁻¹ = v_c′ L                        (2.6)

where v_c are value-added (primary-input) coefficients v_j / x_j. When v_c are the observed
value-added coefficients of the same table, i′A + v_c′ = i′ and the solution is p = i.
A cost-push shock (M&B 2009, §2.6: prices after a change in value-added costs) raises v_c by
Δv_c and all prices by Δp′ = Δv_c′ L: the direct effect is Δv_c, the rest (Δp − Δv_c) is
passed on through intermediate inputs.

**Imported inputs.** With domestic coefficients A_dom and imported-input coefficients A_imp
(q imported products × n using sectors, at baseline import prices = 1), the cost equation is
p′ = p′A_dom + p_m′A_imp + v_c′ (with domestic coefficients, imports are a primary input of
the domestic economy, like value added). An import-price shock Δp_m (relative change, +0.5 = +50 %)
on product i therefore raises unit costs by Δv_c′ = Δp_m′ A_imp and domestic prices by

    Δp′ = Δp_m′ A_imp L_dom.

All of this is solved on (I − A)′ from one LU factorisation, never by forming L (the price model
is the transpose of the quantity model: M&B §2.6).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fukugan.checks import as_square, as_vector, check_nonnegative
from fukugan.errors import InputError
from fukugan.iomodels.leontief import LeontiefModel, technical_coefficients

__all__ = [
    "PriceModel",
    "cost_push",
    "import_cost_push",
    "leontief_prices",
    "value_added_coefficients",
]


def value_added_coefficients(
    Z: object,
    x: object,
    *,
    Z_imp: object | None = None,
    industries: Sequence[str] | None = None,
) -> np.ndarray:
    """v_c = (x − i′Z − i′Z_imp) / x, the primary-input (value-added) coefficients that close
    each column (Miller & Blair 2009, §2.6); 0 where x_j = 0.

    >>> value_added_coefficients([[150, 500], [200, 100]], [1000, 2000])
    array([0.65, 0.7 ])
    """
    A = technical_coefficients(Z, x, industries=industries)
    used = A.sum(axis=0)
    if Z_imp is not None:
        Zi = np.asarray(Z_imp, dtype=float)
        if Zi.ndim != 2 or Zi.shape[1] != A.shape[1]:
            raise InputError(f"Z_imp must have {A.shape[1]} columns", field="Z_imp")
        used = used + technical_coefficients(Zi, x, industries=None).sum(axis=0)
    xv = np.asarray(x, dtype=float)
    return np.where(xv > 0, 1.0 - used, 0.0)


class PriceModel:
    """The Leontief price model on one LU factorisation of I − A (Miller & Blair 2009, §2.6).

    ``A`` is the (domestic) technical-coefficient matrix; ``A_imp`` (q × n), optional, the
    imported-input coefficients for import-price shocks; ``products`` names its q rows.

    >>> pm = PriceModel([[0.15, 0.25], [0.2, 0.05]], industries=["agri", "manu"])
    >>> pm.prices([0.65, 0.7]).round(12)          # observed v_c: p = i
    array([1., 1.])
    >>> pm.cost_push([0.1, 0.0]).round(6)         # Δp′ = Δv_c′ L = 0.1 × row 1 of L
    array([0.125413, 0.033003])
    """

    def __init__(
        self,
        A: object | LeontiefModel,
        *,
        A_imp: object | None = None,
        industries: Sequence[str] | None = None,
        products: Sequence[str] | None = None,
    ) -> None:
        self.model = A if isinstance(A, LeontiefModel) else LeontiefModel(A, industries=industries)
        self.industries = self.model.industries
        n = self.model.n
        self.A_imp: np.ndarray | None = None
        self.products = list(products) if products is not None else None
        if A_imp is not None:
            Ai = np.asarray(A_imp, dtype=float)
            if Ai.ndim != 2 or Ai.shape[1] != n:
                raise InputError(
                    f"A_imp must have {n} columns (one per using sector), got shape {Ai.shape}",
                    field="A_imp",
                )
            if not np.all(np.isfinite(Ai)):
                raise InputError(
                    "A_imp contains a value that is not a finite number", field="A_imp"
                )
            check_nonnegative(Ai, "A_imp", None)
            if self.products is not None and len(self.products) != Ai.shape[0]:
                raise InputError(
                    f"{len(self.products)} product names for {Ai.shape[0]} rows of A_imp",
                    field="products",
                )
            self.A_imp = Ai

    @property
    def n(self) -> int:
        return self.model.n

    def prices(self, v_c: object, *, import_prices: object | None = None) -> np.ndarray:
        """p with p′ = (v_c′ + p_m′A_imp) L, by a solve of (I − A)′ p = v_c + A_imp′p_m.

        ``import_prices`` (q,) defaults to 1 (baseline) when ``A_imp`` was given.
        """
        v = as_vector(v_c, self.n, "v_c", allow_matrix=True).copy()
        if self.A_imp is not None:
            pm = (
                np.ones(self.A_imp.shape[0])
                if import_prices is None
                else as_vector(import_prices, self.A_imp.shape[0], "import_prices")
            )
            add = self.A_imp.T @ pm
            v = v + (add if v.ndim == 1 else add[:, None])
        elif import_prices is not None:
            raise InputError(
                "import_prices given but the model has no A_imp", field="import_prices"
            )
        return self.model.solve_transposed(v)

    def cost_push(self, dv_c: object) -> np.ndarray:
        """Δp′ = Δv_c′ L (Miller & Blair 2009, §2.6); ``dv_c`` is (n,) or (n, k)."""
        return self.model.solve_transposed(as_vector(dv_c, self.n, "dv_c", allow_matrix=True))

    def import_cost(self, dp_import: object) -> np.ndarray:
        """The direct unit-cost increase Δv_c′ = Δp_m′ A_imp of an import-price change."""
        if self.A_imp is None:
            raise InputError("this price model has no imported-input coefficients", field="A_imp")
        q = self.A_imp.shape[0]
        if isinstance(dp_import, dict):
            dp = np.zeros(q)
            for key, val in dp_import.items():
                dp[self._product(key)] = float(val)
        else:
            dp = as_vector(dp_import, q, "dp_import", allow_matrix=True)
        return self.A_imp.T @ dp

    def import_cost_push(self, dp_import: object) -> np.ndarray:
        """Δp′ = Δp_m′ A_imp L: domestic price change from relative import-price changes
        ``dp_import`` (q,) — or a dict {product: change} — e.g. {"ore": 0.5} for +50 %."""
        return self.cost_push(self.import_cost(dp_import))

    def _product(self, key: int | str) -> int:
        q = self.A_imp.shape[0] if self.A_imp is not None else 0
        if isinstance(key, str):
            if self.products is None or key not in self.products:
                raise InputError(f"unknown imported product {key!r}", field="dp_import")
            return self.products.index(key)
        if not 0 <= int(key) < q:
            raise InputError(f"imported product index {key} out of range", field="dp_import")
        return int(key)


def leontief_prices(
    A: object, v_c: object, *, industries: Sequence[str] | None = None
) -> np.ndarray:
    """p′ = v_c′ (I − A)⁻¹ by a transposed solve (Miller & Blair 2009, §2.6).

    >>> leontief_prices([[0.15, 0.25], [0.2, 0.05]], [0.65, 0.7]).round(12)
    array([1., 1.])
    >>> leontief_prices([[0.5]], [1.0])                  # p = 1 / (1 − 0.5)
    array([2.])
    """
    return PriceModel(A, industries=industries).prices(v_c)


def cost_push(A: object, dv_c: object, *, industries: Sequence[str] | None = None) -> np.ndarray:
    """Δp′ = Δv_c′ L: price increases from an increase Δv_c of primary-input costs per unit
    of output (Miller & Blair 2009, §2.6).

    >>> cost_push([[0.15, 0.25], [0.2, 0.05]], [0.1, 0.0]).round(6)
    array([0.125413, 0.033003])
    """
    return PriceModel(A, industries=industries).cost_push(dv_c)


def import_cost_push(
    A_dom: object,
    A_imp: object,
    dp_import: object,
    *,
    industries: Sequence[str] | None = None,
    products: Sequence[str] | None = None,
) -> np.ndarray:
    """Δp′ = Δp_m′ A_imp L_dom: domestic prices after relative import-price changes Δp_m.

    +10 % on imported product 1 (A_imp[0, 0] = 0.4 per unit of sector 1's output):
    Δv_c = [0.04, 0], Δp = Δv_c′ L_dom with L_dom = [[1/0.9, 0.2/0.81], [0, 1/0.9]]:

    >>> A_dom = [[0.1, 0.2], [0.0, 0.1]]
    >>> A_imp = [[0.4, 0.0], [0.0, 0.1]]
    >>> import_cost_push(A_dom, A_imp, {"ore": 0.1}, products=["ore", "chips"]).round(8)
    array([0.04444444, 0.00987654])
    """
    pm = PriceModel(
        as_square(A_dom, "A_dom"), A_imp=A_imp, industries=industries, products=products
    )
    return pm.import_cost_push(dp_import)
