from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.errors import InputError
from fukugan.indicators.concentration import (
    equivalent_number,
    hhi,
    hhi_bounds_with_residual,
    hhi_from_points,
    hhi_to_points,
    hhi_wgi,
    shares,
    top_k_share,
    wgi_to_0_10,
)

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
vectors = st.lists(positive, min_size=1, max_size=30)


def test_known_answers() -> None:
    s = [0.5, 0.3, 0.2]
    assert hhi(s) == pytest.approx(0.38)
    assert top_k_share(s, 1) == pytest.approx(0.5)
    assert top_k_share(s, 3) == pytest.approx(1.0)
    assert top_k_share(s, 10) == pytest.approx(1.0)
    assert hhi([1, 1, 1, 1]) == pytest.approx(0.25)
    assert equivalent_number(0.25) == pytest.approx(4.0)
    assert hhi_to_points(0.38) == pytest.approx(3800)
    assert hhi_from_points(3800) == pytest.approx(0.38)


def test_series_and_zeros() -> None:
    s = pd.Series({"CHN": 7.0, "AUS": 3.0, "USA": 0.0})
    assert shares(s).tolist() == pytest.approx([0.7, 0.3, 0.0])
    assert hhi(s) == pytest.approx(0.58)


def test_hhi_wgi_known() -> None:
    # 0.36*6 + 0.09*2 + 0.01*3 = 2.37
    assert hhi_wgi([0.6, 0.3, 0.1], [6, 2, 3]) == pytest.approx(2.37)
    assert hhi_wgi([0.6, 0.3, 0.1], [6, 2, 3], t=[1.1, 1, 1]) == pytest.approx(2.37 + 0.216)
    assert wgi_to_0_10([2.5, -2.5, 0.5]).tolist() == pytest.approx([0, 10, 4])


def test_residual_bounds() -> None:
    b = hhi_bounds_with_residual([60, 20], 20)
    assert b.lower == pytest.approx(0.36 + 0.04)
    assert b.upper == pytest.approx(0.44)
    assert b.reported == b.lower
    assert b.residual_share == pytest.approx(0.2)
    b0 = hhi_bounds_with_residual([1, 1], 0)
    assert b0.lower == b0.upper == pytest.approx(0.5)


@pytest.mark.parametrize(
    "bad",
    [[], [1.0, -1.0], [1.0, float("nan")], [0.0, 0.0], [[1, 2], [3, 4]], "abc", [1, float("inf")]],
)
def test_bad_values(bad) -> None:
    with pytest.raises(InputError):
        hhi(bad)


def test_bad_other_inputs() -> None:
    with pytest.raises(InputError, match="different lengths"):
        hhi_wgi([0.5, 0.5], [1.0])
    with pytest.raises(InputError, match="different lengths"):
        hhi_wgi([0.5, 0.5], [1.0, 2.0], t=[1.0])
    with pytest.raises(InputError, match="percent"):
        hhi_wgi([50, 50], [1.0, 2.0])
    with pytest.raises(InputError, match="above 10"):
        hhi_wgi([0.5, 0.5], [11.0, 2.0])
    with pytest.raises(InputError, match="sum to"):
        hhi([50, 50], normalise=False)
    with pytest.raises(InputError):
        top_k_share([1, 2], 0)
    with pytest.raises(InputError):
        top_k_share([1, 2], 1.5)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        equivalent_number(0)
    with pytest.raises(InputError):
        hhi_bounds_with_residual([1, 2], -1)
    with pytest.raises(InputError):
        hhi_bounds_with_residual([], 0)
    with pytest.raises(InputError, match="duplicate|NaN"):
        hhi(pd.Series([1.0, np.nan], index=["A", "B"]))


@settings(max_examples=60, deadline=None)
@given(vectors)
def test_shares_sum_to_one(x) -> None:
    assert shares(x).sum() == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(vectors)
def test_hhi_bounds(x) -> None:
    h = hhi(x)
    n = len(x)
    assert 1 / n - 1e-12 <= h <= 1 + 1e-12
    assert equivalent_number(h) <= n + 1e-9


@settings(max_examples=60, deadline=None)
@given(vectors, st.randoms(use_true_random=False), st.floats(min_value=1e-3, max_value=1e3))
def test_hhi_permutation_and_scale_invariant(x, rnd, c) -> None:
    y = list(x)
    rnd.shuffle(y)
    assert hhi(y) == pytest.approx(hhi(x), rel=1e-9)
    assert hhi([c * a for a in x]) == pytest.approx(hhi(x), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(vectors)
def test_top_k_monotone(x) -> None:
    vals = [top_k_share(x, k) for k in range(1, len(x) + 2)]
    assert all(b >= a - 1e-12 for a, b in zip(vals, vals[1:], strict=False))
    assert vals[-1] == pytest.approx(1.0)
    assert vals[0] >= 1 / len(x) - 1e-12


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(positive, st.floats(min_value=0, max_value=10, allow_nan=False)),
        min_size=1,
        max_size=20,
    )
)
def test_hhi_wgi_le_10_hhi(pairs) -> None:
    x = [p[0] for p in pairs]
    w = [p[1] for p in pairs]
    s = shares(x)
    hw = hhi_wgi(s, w)
    assert 0 <= hw <= 10 * hhi(s) + 1e-9


@settings(max_examples=60, deadline=None)
@given(vectors, st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_residual_bounds_order(x, r) -> None:
    b = hhi_bounds_with_residual(x, r)
    assert 0 <= b.lower <= b.upper <= 1 + 1e-12
    assert b.lower <= hhi(x) + 1e-12
    if r == 0:
        assert math.isclose(b.lower, hhi(x), rel_tol=1e-9)
