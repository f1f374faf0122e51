"""'Other countries' residuals: in every denominator, never one supplier."""

from __future__ import annotations

import pandas as pd
import pytest

from fukugan.indicators.autonomy import autonomy_table
from fukugan.indicators.leverage import chokepoint_table

LONG = pd.DataFrame(
    {"item": ["a", "a", "a"], "iso3": ["CHN", "AUS", "JPN"], "value": [60.0, 20.0, 10.0]}
)
WGI = pd.Series({"CHN": 6.0, "AUS": 2.0, "JPN": 1.0})


def test_autonomy_residual_in_denominator_and_outside_but_not_in_hhi():
    t = autonomy_table(LONG, WGI, "JPN", group={"AUS"}, residual=pd.Series({"a": 10.0}))
    r = t.iloc[0]
    # shares over 100: .6 .2 .1 ; residual .1 counts outside, adds nothing to HHI
    assert r["hhi"] == pytest.approx(0.36 + 0.04 + 0.01)
    assert r["hhi_wgi"] == pytest.approx(0.36 * 6 + 0.04 * 2 + 0.01 * 1)
    assert r["share_outside"] == pytest.approx(0.6 + 0.1)
    assert r["home_share"] == pytest.approx(0.1)
    assert r["top1_share"] == pytest.approx(0.6)


def test_chokepoint_residual_only_in_world_total():
    t = chokepoint_table(LONG, "JPN", residual=pd.Series({"a": 10.0}))
    r = t.iloc[0]
    assert r["world_total"] == 100.0
    assert r["home_share"] == pytest.approx(0.1)
    assert r["n_producers"] == 3
    assert r["next_largest_share"] == pytest.approx(0.6)


def test_no_residual_is_unchanged():
    a = autonomy_table(LONG, WGI, "JPN", group={"AUS"})
    b = autonomy_table(LONG, WGI, "JPN", group={"AUS"}, residual=pd.Series(dtype=float))
    pd.testing.assert_frame_equal(a, b)
