"""Static IO shocks for the scenario runner: direct/indirect split, rows, paths, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fukugan.errors import InputError
from fukugan.iomodels import (
    LeontiefModel,
    allocation_coefficients,
    extract,
    extraction_linkages,
    linkages_from_model,
    technical_coefficients,
)
from fukugan.iomodels.shocks import (
    demand_shock,
    extraction_shock,
    import_cut,
    import_price_shock,
    price_shock,
    supply_shock,
    to_rows,
)
from fukugan.results import PATHS_COLUMNS, TIMESERIES_COLUMNS, RunResult, headline

Z = np.array([[150.0, 500.0], [200.0, 100.0]])
X = np.array([1000.0, 2000.0])
Y = np.array([350.0, 1700.0])
A = technical_coefficients(Z, X)
B = allocation_coefficients(Z, X)
L = np.linalg.inv(np.eye(2) - A)
V = X - Z.sum(axis=0)  # primary inputs (650, 1400)


def random_system(n: int = 15, seed: int = 0):
    rng = np.random.default_rng(seed)
    Zr = rng.random((n, n)) * (rng.random((n, n)) < 0.6) * 10
    va = rng.random(n) * 30 + 1
    x = Zr.sum(0) + va
    return Zr, x, va


def test_demand_shock_miller_blair():
    r = demand_shock(A, Y, [250, -200], industries=["agri", "manu"])
    np.testing.assert_allclose(r.baseline, X, rtol=1e-12)
    np.testing.assert_allclose(r.shocked.round(1), [1247.5, 1841.6])
    np.testing.assert_allclose(r.direct, [250, -200])
    np.testing.assert_allclose(r.direct + r.indirect, L @ [250, -200], rtol=1e-12)


def test_supply_shock_and_import_cut():
    Z_imp = np.array([[40.0, 0.0], [10.0, 50.0]])  # imports are part of v
    dv = import_cut(Z_imp, "ore", 0.5, product_names=["ore", "chips"])
    np.testing.assert_allclose(dv, [-20.0, 0.0])
    r = supply_shock(B, V, dv)
    G = np.linalg.inv(np.eye(2) - B)
    np.testing.assert_allclose(r.baseline, X, rtol=1e-12)
    np.testing.assert_allclose(r.change, dv @ G, rtol=1e-12)
    np.testing.assert_allclose(r.direct, dv)
    np.testing.assert_allclose(r.indirect, dv @ G - dv, rtol=1e-12)
    # cut to one sector only
    dv2 = import_cut(
        Z_imp,
        ["ore", "chips"],
        1.0,
        to=["b"],
        product_names=["ore", "chips"],
        industries=["a", "b"],
    )
    np.testing.assert_allclose(dv2, [0.0, -50.0])


@pytest.mark.parametrize("mode", ["total", "backward"])
def test_extraction_matches_extract_and_linkages(mode):
    r = extraction_shock(A, Y, "manu", mode=mode, industries=["agri", "manu"])
    np.testing.assert_allclose(r.shocked, extract(A, Y, 1, mode=mode), rtol=1e-12)
    lk = extraction_linkages(A, Y, B=B)
    assert r.loss.sum() == pytest.approx(getattr(lk, mode)[1], rel=1e-12)
    assert r.direct[0] == 0 and r.indirect[1] == 0
    np.testing.assert_allclose(r.direct + r.indirect, r.change)


def test_forward_extraction_matches_closed_form():
    r = extraction_shock(None, None, 0, mode="forward", B=B, v=V)
    lk = linkages_from_model(LeontiefModel(A), Y)
    assert r.loss.sum() == pytest.approx(lk.forward[0], rel=1e-10)


def test_region_extraction_on_random_mrio():
    Zr, x, va = random_system(12)
    A_ = technical_coefficients(Zr, x)
    y = x - Zr.sum(1)
    regs = ["JP"] * 4 + ["CN"] * 4 + ["US"] * 4
    r = extraction_shock(A_, y, region="CN", regions=regs)
    assert (r.shocked[4:8] == 0).all()
    np.testing.assert_allclose(r.direct[4:8], -x[4:8], rtol=1e-10)
    assert (r.indirect[4:8] == 0).all() and (r.direct[:4] == 0).all()
    assert (r.loss >= -1e-9).all()


def test_linkages_from_model_equal_literal_on_random_system():
    Zr, x, va = random_system(15, seed=4)
    y = x - Zr.sum(1)
    A_ = technical_coefficients(Zr, x)
    fast = linkages_from_model(LeontiefModel(A_, factor_transposed=True), y)
    ref = extraction_linkages(A_, y, B=allocation_coefficients(Zr, x))
    for name in ("total", "backward", "forward"):
        np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), rtol=1e-10)


def test_price_shocks():
    r = price_shock(A, [0.1, 0.0])
    np.testing.assert_allclose(r.baseline, [1, 1])
    np.testing.assert_allclose(r.change, 0.1 * L[0], rtol=1e-12)
    np.testing.assert_allclose(r.indirect, 0.1 * L[0] - [0.1, 0.0], rtol=1e-12)
    v_c = 1 - A.sum(0)
    np.testing.assert_allclose(price_shock(A, [0, 0], v_c=v_c).shocked, [1, 1], rtol=1e-14)
    ri = import_price_shock([[0.1, 0.2], [0.0, 0.1]], [[0.4, 0.0], [0.0, 0.1]], [0.1, 0.0])
    np.testing.assert_allclose(ri.change, [0.04 / 0.9, 0.04 * 0.2 / 0.81], rtol=1e-12)


def test_rows_follow_the_result_format_and_add_up():
    r = demand_shock(A, Y, [-35, -170], industries=["agri", "manu"], regions=["JP", "JP"])
    ts, paths = to_rows(r)
    assert list(ts.columns) == list(TIMESERIES_COLUMNS)
    assert list(paths.columns) == list(PATHS_COLUMNS)
    RunResult("static", {}, {}, ts, paths)  # accepted by the shared format
    loss1 = ts[(ts.t == 1) & (ts.metric == "loss") & (ts.unit_kind == "sector")]
    piv = loss1.pivot(index="unit", columns="component", values="value")
    np.testing.assert_allclose(piv["direct"] + piv["indirect"], piv["total"], rtol=1e-12)
    np.testing.assert_allclose(piv.loc[["agri", "manu"], "total"], -r.change, rtol=1e-12)
    out0 = ts[(ts.t == 0) & (ts.metric == "output") & (ts.unit == "all")].value.item()
    assert out0 == pytest.approx(3000.0)
    h = headline(ts)
    assert h["total_loss"] == pytest.approx(-r.change.sum())  # 10 % of y → 10 % of x
    assert h["direct_loss"] == pytest.approx(205.0)
    assert set(ts.region) == {"JP", ""}
    assert (ts[ts.t == 0].query("metric == 'loss'").value == 0).all()


def test_paths_are_the_series_terms():
    """Tier weights: step 1 = C_ij Δ_j, step 2 = C_ik C_kj Δ_j; with every path kept, they sum
    to i′AΔ and i′A²Δ (the first terms of the Leontief series)."""
    Zr, x, va = random_system(6, seed=2)
    A_ = technical_coefficients(Zr, x)
    y = x - Zr.sum(1)
    dy = np.zeros(6)
    dy[[1, 4]] = [-3.0, -1.0]
    r = demand_shock(A_, np.abs(y) + 5, dy)
    p = r.paths(top=10_000, fan=6)
    s1 = p[p.step == 1].weight.sum()
    s2 = p[p.step == 2].weight.sum()
    assert s1 == pytest.approx(-(A_ @ dy).sum(), rel=1e-12)
    assert s2 == pytest.approx(-(A_ @ A_ @ dy).sum(), rel=1e-12)
    top = r.paths(top=3)
    assert len(top[top.step == 1]) == 3 and len(top[top.step == 2]) == 3
    w = top[top.step == 1].weight.abs().to_numpy()
    assert (np.diff(w) <= 0).all()
    assert (top[top.step == 2].via != "").all() and (top[top.step == 1].via == "").all()


def test_price_paths_follow_costs_downstream():
    r = price_shock(A, [0.1, 0.0], industries=["agri", "manu"])
    ts, p = to_rows(r)
    assert set(ts.metric) == {"price", "price_change"}
    first = p[p.step == 1].set_index("target")
    # agri's cost increase reaches manu through a_12 = 0.25 of manu's costs
    assert first.loc["manu", "weight"] == pytest.approx(0.1 * 0.25)
    assert (p.weight > 0).all()


def test_no_shock_no_paths():
    ts, p = to_rows(demand_shock(A, Y, [0, 0]))
    assert p.empty and list(p.columns) == list(PATHS_COLUMNS)
    assert (ts[ts.metric == "loss"].value == 0).all()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: demand_shock(A, Y, [-400, 0], industries=["agri", "manu"]), "agri below zero"),
        (lambda: demand_shock([[0.7, 0.3], [0.6, 0.5]], Y, [0, 0]), "productive"),
        (lambda: demand_shock([[0.1, -0.1], [0.0, 0.1]], Y, [0, 0]), "negative"),
        (lambda: demand_shock(A, Y, [1.0]), "dy must have 2 rows"),
        (lambda: supply_shock(B, V, [-700, 0]), "below zero"),
        (lambda: extraction_shock(A, Y, "steel", industries=["agri", "manu"]), "'steel'"),
        (lambda: extraction_shock(A, Y, 5), "out of range"),
        (lambda: extraction_shock(A, Y, region="XX", regions=["a", "b"]), "'XX'"),
        (lambda: extraction_shock(A, Y, 0, mode="sideways"), "mode"),
        (lambda: extraction_shock(A, Y, 0, mode="forward"), "needs B and v"),
        (lambda: import_cut([[1.0, 2.0]], "gas", 0.5, product_names=["oil"]), "'gas'"),
        (lambda: import_cut([[1.0, 2.0]], 0, 1.5), "depth"),
        (lambda: import_cut([[1.0, -2.0]], 0, 0.5), "negative"),
        (lambda: import_cut([[1.0, 2.0]], 0, 0.5, to="z", industries=["a", "b"]), "'z'"),
    ],
)
def test_bad_input_is_an_input_error(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_result_frame_types():
    ts, p = to_rows(extraction_shock(A, Y, 0, industries=["agri", "manu"]), top=2)
    assert ts["t"].isin([0, 1]).all() and pd.api.types.is_float_dtype(ts["value"])
    assert p["step"].isin([1, 2]).all()
