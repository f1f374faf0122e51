"""Leontief price model (Miller & Blair 2009, §2.6): baseline identity, cost push, import prices."""

from __future__ import annotations

import numpy as np
import pytest

from fukugan.errors import InputError
from fukugan.iomodels import LeontiefModel, NonProductiveError, technical_coefficients
from fukugan.iomodels.price import (
    PriceModel,
    cost_push,
    import_cost_push,
    leontief_prices,
    value_added_coefficients,
)

# Miller & Blair (2009), Table 2.3
Z = np.array([[150.0, 500.0], [200.0, 100.0]])
X = np.array([1000.0, 2000.0])
A = technical_coefficients(Z, X)
L = np.linalg.inv(np.eye(2) - A)


def test_baseline_prices_are_one_with_observed_value_added():
    v_c = value_added_coefficients(Z, X)
    np.testing.assert_allclose(v_c, [0.65, 0.70])  # (1000-350)/1000, (2000-600)/2000
    np.testing.assert_allclose(leontief_prices(A, v_c), [1.0, 1.0], rtol=1e-14)


def test_baseline_identity_with_imports_and_random_table():
    rng = np.random.default_rng(3)
    n = 12
    Zd = rng.random((n, n)) * 10
    Zi = rng.random((4, n)) * 3  # 4 imported products
    va = rng.random(n) * 20 + 1
    x = Zd.sum(0) + Zi.sum(0) + va
    v_c = value_added_coefficients(Zd, x, Z_imp=Zi)
    np.testing.assert_allclose(v_c, va / x, rtol=1e-12)
    pm = PriceModel(technical_coefficients(Zd, x), A_imp=Zi / x)
    np.testing.assert_allclose(pm.prices(v_c), np.ones(n), rtol=1e-12)
    # all import prices +10 %: domestic prices rise by less than 10 % (value added fixed)
    dp = pm.import_cost_push(np.full(4, 0.1))
    assert (dp > 0).all() and (dp < 0.1).all()
    np.testing.assert_allclose(pm.prices(v_c, import_prices=np.full(4, 1.1)), 1 + dp, rtol=1e-12)


def test_cost_push_by_hand():
    # Δv_c = (0.1, 0): Δp′ = 0.1 × first row of L = (0.1254125, 0.0330033)
    dp = cost_push(A, [0.1, 0.0])
    np.testing.assert_allclose(dp, 0.1 * L[0], rtol=1e-12)
    np.testing.assert_allclose(dp.round(7), [0.1254125, 0.0330033])
    # linear: two shocks at once as columns
    both = PriceModel(A).cost_push(np.array([[0.1, 0.0], [0.0, 0.2]]))
    np.testing.assert_allclose(both[:, 1], 0.2 * L[1], rtol=1e-12)


def test_one_sector_price_is_geometric_series():
    # p = v / (1 − a): a = 0.5, v = 0.5 → p = 1; Δv = 0.1 → Δp = 0.2
    assert leontief_prices([[0.5]], [0.5])[0] == pytest.approx(1.0)
    assert cost_push([[0.5]], [0.1])[0] == pytest.approx(0.2)


def test_import_cost_push_by_hand():
    A_dom = [[0.1, 0.2], [0.0, 0.1]]
    A_imp = [[0.4, 0.0], [0.0, 0.1]]
    # +10 % ore: Δv_c = (0.04, 0); L_dom = [[1/0.9, 0.2/0.81], [0, 1/0.9]]
    dp = import_cost_push(A_dom, A_imp, {"ore": 0.1}, products=["ore", "chips"])
    np.testing.assert_allclose(dp, [0.04 / 0.9, 0.04 * 0.2 / 0.81], rtol=1e-12)
    # +100 % chips: Δv_c = (0, 0.1) → Δp = (0, 0.1 / 0.9)
    dp2 = import_cost_push(A_dom, A_imp, [0.0, 1.0])
    np.testing.assert_allclose(dp2, [0.0, 0.1 / 0.9], atol=1e-15)


def test_accepts_a_factorised_model():
    m = LeontiefModel(A, factor_transposed=True)
    np.testing.assert_allclose(PriceModel(m).cost_push([0.1, 0.0]), 0.1 * L[0], rtol=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: leontief_prices([[0.7, 0.3], [0.6, 0.5]], [1, 1]), "productive"),
        (lambda: cost_push(A, [0.1]), "dv_c must have 2 rows"),
        (lambda: import_cost_push(A, [[0.1, 0.2, 0.3]], [0.1]), "A_imp must have 2 columns"),
        (lambda: import_cost_push(A, [[-0.1, 0.2]], [0.1]), "negative"),
        (lambda: import_cost_push(A, [[0.1, 0.2]], {"gas": 0.1}, products=["oil"]), "'gas'"),
        (lambda: PriceModel(A).import_cost_push([0.1]), "no imported-input"),
        (lambda: PriceModel(A).prices([1, 1], import_prices=[1.0]), "no A_imp"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_nonproductive_is_named():
    with pytest.raises(NonProductiveError, match="C29"):
        PriceModel([[0.7, 0.3], [0.6, 0.5]], industries=["C29", "C20"])
