"""IO models: Miller & Blair Table 2.3, Ghosh identity, extraction, import content, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fukugan.errors import InputError
from fukugan.iomodels import (
    GhoshModel,
    LeontiefModel,
    NonProductiveError,
    allocation_coefficients,
    extract,
    extraction_linkages,
    ghosh_from_leontief,
    ghosh_inverse,
    import_content,
    import_content_by_origin,
    import_dependence,
    leontief_inverse,
    solve_output,
    supply_driven_output,
    technical_coefficients,
    total_linkage,
)

# Miller & Blair (2009), Table 2.3 (two-sector example, §2.3)
Z = np.array([[150.0, 500.0], [200.0, 100.0]])
F = np.array([350.0, 1700.0])
X = np.array([1000.0, 2000.0])


def test_miller_blair_table_2_3():
    A = technical_coefficients(Z, X)
    np.testing.assert_allclose(A, [[0.15, 0.25], [0.20, 0.05]], atol=1e-15)
    L = leontief_inverse(A)
    np.testing.assert_allclose(L.round(6), [[1.254125, 0.330033], [0.264026, 1.122112]])
    np.testing.assert_allclose(solve_output(A, F), X, rtol=1e-12)
    x_new = solve_output(A, [600, 1500])
    np.testing.assert_allclose(x_new.round(1), [1247.5, 1841.6])
    np.testing.assert_allclose(L @ [600, 1500], x_new, rtol=1e-12)


def test_model_many_demands_and_multipliers():
    m = LeontiefModel.from_flows(Z, X, industries=["agri", "manu"])
    Y = np.column_stack([F, [600, 1500], [0, 0]])
    np.testing.assert_allclose(m.output(Y), m.inverse() @ Y, rtol=1e-12)
    np.testing.assert_allclose(m.output_multipliers(), m.inverse().sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m.columns([1]).ravel(), m.inverse()[:, 1], rtol=1e-12)


def test_ghosh_identity_and_supply_output():
    A = technical_coefficients(Z, X)
    B = allocation_coefficients(Z, X)
    L = leontief_inverse(A)
    G = ghosh_inverse(B)
    np.testing.assert_allclose(G, np.diag(1 / X) @ L @ np.diag(X), rtol=1e-12)
    np.testing.assert_allclose(G, ghosh_from_leontief(L, X), rtol=1e-12)
    v = X - Z.sum(axis=0)  # value added
    np.testing.assert_allclose(supply_driven_output(B, v), X, rtol=1e-12)
    np.testing.assert_allclose(GhoshModel(B).forward_multipliers(), G.sum(axis=1), rtol=1e-12)


def test_zero_output_column_is_zero():
    A = technical_coefficients([[1.0, 0.0], [2.0, 0.0]], [10.0, 0.0])
    assert A[:, 1].tolist() == [0.0, 0.0]
    assert np.isfinite(leontief_inverse(A)).all()
    with pytest.raises(InputError, match="zero output"):
        technical_coefficients([[1.0, 3.0], [2.0, 0.0]], [10.0, 0.0], industries=["a", "b"])


@pytest.mark.parametrize(
    "A, match",
    [
        ([[0.1, 0.2, 0.3]], "square"),
        ([[0.1, -0.2], [0.0, 0.1]], "negative"),
        ([[0.7, 0.3], [0.6, 0.5]], "C29"),  # column C29 sums to 1.3, ρ(A) ≈ 1.04
        ([[1.0, 0.0], [0.0, 0.0]], "singular"),
        ([[np.nan, 0.0], [0.0, 0.0]], "finite"),
    ],
)
def test_bad_systems_raise(A, match):
    with pytest.raises(InputError, match=match):
        LeontiefModel(A, industries=["C29", "C20"] if len(A) == 2 else None)


def test_unproductive_is_named_subclass():
    with pytest.raises(NonProductiveError, match="C29"):
        solve_output([[0.7, 0.3], [0.6, 0.5]], [1, 1], industries=["C29", "C20"])
    # a column summing to >= 1 alone does not make a system unproductive (ρ(A) = 0 here)
    np.testing.assert_allclose(solve_output([[0.0, 0.0], [2.0, 0.0]], [1, 1]), [1, 3])


def test_extraction_closed_forms_match_literal_solves():
    A = technical_coefficients(Z, X)
    B = allocation_coefficients(Z, X)
    r = extraction_linkages(A, F, B=B)
    for j in range(2):
        assert r.total[j] == pytest.approx(total_linkage(A, F, j), rel=1e-12)
        assert r.backward[j] == pytest.approx(X.sum() - extract(A, F, j, mode="backward").sum())
        Bb = B.copy()
        Bb[j, :] = 0
        v = X - Z.sum(axis=0)
        assert r.forward[j] == pytest.approx(X.sum() - supply_driven_output(Bb, v).sum())
    assert r.normalised()["total"][0] == pytest.approx(100 * r.total[0] / 3000)


def test_import_content_small():
    A_dom = np.array([[0.1, 0.2], [0.0, 0.1]])
    A_imp = np.array([[0.4, 0.0], [0.0, 0.1]])
    tot = import_content(A_dom, A_imp)
    np.testing.assert_allclose(tot, A_imp.sum(0) @ np.linalg.inv(np.eye(2) - A_dom))
    M = import_content_by_origin(A_dom, A_imp)
    np.testing.assert_allclose(M.sum(axis=0), tot, rtol=1e-12)
    with pytest.raises(InputError, match="A_imp"):
        import_content(A_dom, np.ones((3, 3)))


# -- properties on random productive systems ---------------------------------------------------


@st.composite
def productive(draw, max_n: int = 8):
    """(A, y): nonnegative A with column sums <= 0.95 and y >= 0."""
    n = draw(st.integers(1, max_n))
    R = draw(arrays(np.float64, (n, n), elements=st.floats(0, 1, allow_subnormal=False)))
    s = draw(arrays(np.float64, n, elements=st.floats(0, 0.95)))
    cs = R.sum(axis=0)
    ok = cs > 1e-6
    A = np.where(ok[None, :], R * (s / np.where(ok, cs, 1.0))[None, :], 0.0)
    y = draw(arrays(np.float64, n, elements=st.floats(0, 1e4)))
    return A, y


@settings(max_examples=60, deadline=None)
@given(productive())
def test_inverse_and_solve_agree(sys):
    A, y = sys
    L = leontief_inverse(A)
    n = len(A)
    np.testing.assert_allclose((np.eye(n) - A) @ L, np.eye(n), atol=1e-10)
    x = solve_output(A, y)
    np.testing.assert_allclose(x, L @ y, rtol=1e-10, atol=1e-10 * max(1.0, y.max()))
    assert (x >= -1e-9).all()


@settings(max_examples=40, deadline=None)
@given(productive(), st.floats(0, 1e3))
def test_extracting_an_isolated_sector_changes_nothing_else(sys, yj):
    A, y = sys
    n = len(A)
    # append an industry with no linkages at all
    A2 = np.zeros((n + 1, n + 1))
    A2[:n, :n] = A
    y2 = np.append(y, yj)
    x = solve_output(A2, y2)
    xbar = extract(A2, y2, n)
    np.testing.assert_allclose(xbar[:n], x[:n], rtol=1e-10, atol=1e-9)
    r = extraction_linkages(A2, y2)
    assert r.total[n] == pytest.approx(yj, rel=1e-9, abs=1e-9)  # only its own output goes
    assert r.backward[n] == pytest.approx(0, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_import_content_bounds(data):
    n = data.draw(st.integers(1, 8))
    Zd = data.draw(arrays(np.float64, (n, n), elements=st.floats(0, 100)))
    Zi = data.draw(arrays(np.float64, (n, n), elements=st.floats(0, 100)))
    va = data.draw(arrays(np.float64, n, elements=st.floats(0, 100)))
    x = Zd.sum(0) + Zi.sum(0) + va  # column balance with nonnegative value added
    assume(bool((x > 0).all()))
    # primary inputs (imports + value added) of at least a millionth of output: a nearly closed
    # block (1 − ρ ~ 1e-15, found by hypothesis) has cond(I − A) ~ 1e15, and no solver keeps
    # the shares within 1e-9 of [0, 1] there
    assume(bool((Zi.sum(0) + va >= 1e-6 * x).all()))
    try:
        r = import_dependence(Zd, Zi, x)
    except NonProductiveError:
        return  # with zero value added and zero imports a block can be closed (ρ = 1)
    assert (r.total >= -1e-12).all() and (r.total <= 1 + 1e-9).all()
    assert (r.total >= r.direct - 1e-12).all()
    np.testing.assert_allclose(r.by_origin.sum(axis=0), r.total, rtol=1e-9, atol=1e-12)


# -- mixed precision (float32 LU + float64 iterative refinement) --------------------------------
@st.composite
def productive_systems(draw):
    """A random productive A (nonnegative, column sums ≤ 0.99, random sparsity) and demands."""
    n = draw(st.integers(1, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    A = rng.lognormal(0.0, 2.0, (n, n)) * (rng.random((n, n)) < draw(st.floats(0.05, 1.0)))
    colsum = A.sum(axis=0)
    target = rng.uniform(0.0, draw(st.floats(0.1, 0.99)), n)
    A *= np.divide(target, colsum, out=np.zeros(n), where=colsum > 0)[None, :]
    Y = rng.lognormal(0.0, 2.0, (n, draw(st.integers(1, 5))))
    return A, Y


def _rel(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(productive_systems())
def test_mixed_precision_equals_double(system):
    """Every solve from the float32 factors, refined in float64, equals the double LU's to
    1e-10 relative (elementwise, floor 1e-13 of the largest entry), without falling back."""
    A, Y = system
    d = LeontiefModel(A)
    m = LeontiefModel(A, precision="mixed")
    pairs = [
        (m.output(Y), d.output(Y)),
        (m.output(Y[:, 0]), d.output(Y[:, 0])),
        (m.solve_transposed(Y), d.solve_transposed(Y)),
        (m.output_multipliers(), d.output_multipliers()),
        (m.inverse(), d.inverse()),
        (m.inverse_diagonal(block=7), d.inverse_diagonal()),
    ]
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13 * np.abs(b).max())
        assert _rel(a, b) < 1e-12
    info = m.refinement
    assert info["fallback"] is None and max(info["steps"]) <= 4, info
    assert d.refinement is None and m.precision == "mixed"


def test_mixed_precision_miller_blair():
    m = LeontiefModel([[0.15, 0.25], [0.2, 0.05]], precision="mixed")
    np.testing.assert_allclose(m.output(F), X, rtol=1e-14)
    np.testing.assert_allclose(
        m.inverse(),
        [[1.254125412541254, 0.330033003300330], [0.264026402640264, 1.122112211221122]],
        rtol=1e-14,
    )


def test_mixed_precision_falls_back_to_double_when_refinement_fails():
    """Ill-conditioned (column sums 1 − 1e-9, κ ≈ 1e9 ≫ 1/ε₃₂): refinement cannot contract, so
    the model factorises in double, records why, and answers like the double model."""
    n = 6
    rng = np.random.default_rng(3)
    A = rng.random((n, n))
    A *= (1 - 1e-9) / A.sum(axis=0)[None, :]
    m = LeontiefModel(A, precision="mixed")
    d = LeontiefModel(A)
    y = np.arange(1.0, n + 1)
    x = m.output(y)
    assert m.refinement["fallback"] is not None
    # both double solves, of I − A and of its transpose's factors: equal to κ · ε₆₄ ≈ 1e-7
    np.testing.assert_allclose(x, d.output(y), rtol=1e-5)
    np.testing.assert_allclose(x - A @ x, y, rtol=1e-6)


def test_mixed_precision_rejects_unproductive_like_double():
    with pytest.raises(NonProductiveError):
        LeontiefModel([[0.0, 9.0], [9.0, 0.0]], precision="mixed")
    with pytest.raises(NonProductiveError):
        LeontiefModel([[0.5, 0.5], [0.5, 0.5]], precision="mixed")  # singular I − A
    with pytest.raises(InputError, match="precision"):
        LeontiefModel([[0.1]], precision="single")


# -- mixed precision refined to a measured forward-error bound (tol) ---------------------------
@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(productive_systems())
def test_mixed_precision_with_tol_is_within_its_measured_bound(system):
    """With ``tol`` each column stops once ‖L‖∞ ‖r‖∞ ≤ tol ‖x‖∞ (‖L‖ measured with a column of
    ones): every solve is within that bound of the double LU's (plus the double LU's own
    round-off), the bounds recorded are ≤ tol, and no solve needs more corrections than
    refining to double round-off."""
    A, Y = system
    tol = 1e-11
    d = LeontiefModel(A)
    m = LeontiefModel(A, precision="mixed", tol=tol)
    full = LeontiefModel(A, precision="mixed")
    for a, b in (
        (m.output(Y), d.output(Y)),
        (m.solve_transposed(Y), d.solve_transposed(Y)),
        (m.output_multipliers(), d.output_multipliers()),
    ):
        a2, b2 = a.reshape(len(b), -1), b.reshape(len(b), -1)
        err = np.abs(a2 - b2).max(axis=0)
        assert np.all(err <= 2 * tol * np.abs(b2).max(axis=0) + 1e-300), err
    full.output(Y)
    full.solve_transposed(Y)
    info = m.refinement
    assert info["tol"] == tol and info["fallback"] is None
    assert len(info["bounds"]) == len(info["steps"]) and max(info["bounds"]) <= tol
    # the constructor's productivity solve, then output and the transposed solve
    assert all(a <= b for a, b in zip(info["steps"][:3], full.refinement["steps"][:3], strict=True))


@pytest.mark.slow
def test_mixed_precision_tol_needs_fewer_corrections_on_a_larger_system():
    """n = 600, column sums ≤ 0.7: one correction reaches 1e-11, double round-off needs two;
    the answers agree with the double LU to the bound."""
    rng = np.random.default_rng(7)
    n = 600
    A = rng.random((n, n)) * (rng.random((n, n)) < 0.3)
    A *= 0.7 / A.sum(axis=0)[None, :]
    Y = rng.random((n, 5))
    d = LeontiefModel(A)
    m = LeontiefModel(A, precision="mixed", tol=1e-11, presolve=Y)
    full = LeontiefModel(A, precision="mixed", presolve=Y)
    np.testing.assert_allclose(m.presolved, d.output(Y), rtol=1e-10)
    np.testing.assert_allclose(m.solve_transposed(Y), d.solve_transposed(Y), rtol=1e-10)
    full.solve_transposed(Y)
    assert m.refinement["steps"] == [1, 1], m.refinement
    assert full.refinement["steps"] == [2, 2], full.refinement
    assert max(m.refinement["bounds"]) <= 1e-11


def test_mixed_precision_sparse_residuals_equal_dense():
    """A at most a tenth nonzero (n ≥ 512): residual products use a CSR copy of A; the answers
    equal the double LU's, as with a dense A."""
    rng = np.random.default_rng(11)
    n = 700
    A = rng.random((n, n)) * (rng.random((n, n)) < 0.05)
    A *= rng.uniform(0.2, 0.9, n) / np.maximum(A.sum(axis=0), 1e-300)[None, :]
    Y = rng.random((n, 3))
    d = LeontiefModel(A)
    for tol in (None, 1e-11):
        m = LeontiefModel(A, precision="mixed", tol=tol)
        assert m._mixed._sparse is not None and m._mixed._sparse.nnz == np.count_nonzero(A)
        np.testing.assert_allclose(m.output(Y), d.output(Y), rtol=1e-10)
        np.testing.assert_allclose(m.solve_transposed(Y), d.solve_transposed(Y), rtol=1e-10)
    dense = np.where(A > 0, A, 1e-6)
    dense *= 0.9 / dense.sum(axis=0)[None, :]
    assert LeontiefModel(dense, precision="mixed")._mixed._sparse is None


@pytest.mark.parametrize("precision", ["double", "mixed"])
def test_presolve_equals_output(precision):
    m = LeontiefModel(Z / X[None, :], precision=precision, presolve=F)
    np.testing.assert_allclose(m.presolved, X, rtol=1e-13)
    Y = np.column_stack([F, 2 * F])
    m = LeontiefModel(Z / X[None, :], precision=precision, presolve=Y)
    np.testing.assert_allclose(m.presolved, np.column_stack([X, 2 * X]), rtol=1e-13)
    assert LeontiefModel(Z / X[None, :], precision=precision).presolved is None


def test_tol_is_checked():
    with pytest.raises(InputError, match="tol"):
        LeontiefModel([[0.1]], tol=1e-10)  # double precision: no refinement to stop
    for bad in (0.0, 1.0, -1e-9):
        with pytest.raises(InputError, match="tol"):
            LeontiefModel([[0.1]], precision="mixed", tol=bad)


def test_sparse_residual_helpers():
    """The blockwise CSR copy equals A; the two-thread product equals the plain one; a square
    matrix whose finite entries overflow their sum is still accepted, a non-finite one named."""
    from fukugan.checks import as_square
    from fukugan.iomodels.productive import _csr_if_sparse, _product

    rng = np.random.default_rng(5)
    n = 1500
    A = rng.random((n, n)) * (rng.random((n, n)) < 0.04)
    S = _csr_if_sparse(A)
    assert S is not None and S.has_sorted_indices and S.nnz == np.count_nonzero(A)
    np.testing.assert_array_equal(S.toarray(), A)
    X = rng.random((n, 37))
    np.testing.assert_allclose(_product(S, X), A @ X, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(_product(S.T, X), A.T @ X, rtol=1e-13, atol=1e-13)
    big = np.array([[1e308, 1e308], [0.0, 1.0]])
    assert as_square(big, "Z") is not None
    with pytest.raises(InputError, match=r"Z\[1, 0\] is not a finite number"):
        as_square([[1.0, 0.0], [np.nan, 1.0]], "Z")


def test_sparse_residual_threads_work_after_fork():
    """The residual thread pool is recreated in a forked child (threads do not survive fork)."""
    import multiprocessing as mp

    from fukugan.iomodels.productive import _csr_if_sparse, _product

    rng = np.random.default_rng(6)
    A = rng.random((600, 600)) * (rng.random((600, 600)) < 0.05)
    S = _csr_if_sparse(A)
    X = rng.random((600, 20))
    _product(S, X)  # the parent's pool exists now
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        out = pool.apply_async(_product, (S, X)).get(timeout=60)
    np.testing.assert_allclose(out, A @ X, rtol=1e-13, atol=1e-13)
