from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.errors import InputError
from fukugan.indicators.geopolrisk import geopolrisk, instability_from_wgi

PROD = pd.Series({"CHN": 60.0, "AUS": 30.0, "USA": 10.0})


def test_hand_worked_example() -> None:
    imp = pd.Series({"CHN": 40.0, "AUS": 40.0})
    g = pd.Series({"CHN": 0.7, "AUS": 0.2, "USA": 0.3})
    r = geopolrisk(PROD, imp, 20.0, g)
    assert r.hhi == pytest.approx(0.46)
    assert r.weighted_imports == pytest.approx(36.0)
    assert r.total_imports == 80.0 and r.domestic_production == 20.0
    assert r.import_risk == pytest.approx(0.36)
    assert r.score == pytest.approx(0.1656)
    assert r.contributions.sum() == pytest.approx(r.import_risk)
    assert r.contributions["CHN"] == pytest.approx(0.28)


def test_geopolrisk_py_core_test_numbers() -> None:
    # geopolrisk-py tests/test_core.py: numerator 1000, total trade 2000, production 500,
    # HHI 0.3 -> score = 0.3 * 1000 / 2500 = 0.12
    prod = [0.5, 0.1, 0.1, 0.1, 0.1, 0.1]  # HHI = .25 + 5 * .01 = .30
    imp = pd.Series({"AAA": 1000.0, "BBB": 1000.0})
    g = pd.Series({"AAA": 1.0, "BBB": 0.0})
    r = geopolrisk(prod, imp, 500.0, g)
    assert r.hhi == pytest.approx(0.3)
    assert r.weighted_imports == pytest.approx(1000.0)
    assert r.score == pytest.approx(0.12)


def test_no_imports_and_missing_governance() -> None:
    r = geopolrisk(PROD, pd.Series(dtype=float), 10.0, pd.Series(dtype=float))
    assert r.score == 0.0 and r.import_risk == 0.0
    imp = pd.Series({"CHN": 10.0, "COD": 10.0})
    with pytest.raises(InputError, match="COD"):
        geopolrisk(PROD, imp, 0.0, pd.Series({"CHN": 0.6}))
    r = geopolrisk(PROD, imp, 0.0, pd.Series({"CHN": 0.6}), missing_governance=0.5)
    assert r.import_risk == pytest.approx(0.55)
    assert r.governance_used["COD"] == 0.5 and r.defaults_used


def test_instability_scale() -> None:
    assert instability_from_wgi([2.5, -2.5, 0.5]).tolist() == pytest.approx([0, 1, 0.4])


def test_bad_inputs() -> None:
    imp = pd.Series({"CHN": 1.0})
    g = pd.Series({"CHN": 0.5})
    with pytest.raises(InputError, match="no supply"):
        geopolrisk(PROD, pd.Series(dtype=float), 0.0, g)
    with pytest.raises(InputError, match="0-1"):
        geopolrisk(PROD, imp, 0.0, pd.Series({"CHN": 5.0}))
    with pytest.raises(InputError, match="negative"):
        geopolrisk(PROD, pd.Series({"CHN": -1.0}), 0.0, g)
    with pytest.raises(InputError, match="all zero"):
        geopolrisk([0.0, 0.0], imp, 0.0, g)
    with pytest.raises(InputError, match="empty"):
        geopolrisk([], imp, 0.0, g)
    with pytest.raises(InputError, match="domestic_production"):
        geopolrisk(PROD, imp, float("nan"), g)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.01, 1e6), min_size=1, max_size=10),
    st.dictionaries(st.sampled_from(["A", "B", "C", "D"]), st.floats(0.01, 1e6), min_size=1),
    st.floats(0, 1e6),
    st.floats(0, 1),
)
def test_score_in_unit_interval(prod, imp, p, gval) -> None:
    g = pd.Series({k: gval for k in imp})
    r = geopolrisk(prod, pd.Series(imp), p, g)
    assert 0 <= r.score <= r.hhi + 1e-12 <= 1 + 1e-12
    assert 0 <= r.import_risk <= 1 + 1e-12
