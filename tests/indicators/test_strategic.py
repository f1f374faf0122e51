from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.data.groups import group
from fukugan.errors import InputError
from fukugan.indicators.strategic import StrategicThresholds, strategic_dependency


def test_known_answer_dependent() -> None:
    imp = pd.Series({"CHN": 70.0, "VNM": 10.0, "DEU": 20.0})
    r = strategic_dependency(imp, total_exports=40.0, home_group={"DEU", "FRA"})
    assert r.hhi_extra == pytest.approx(0.875**2 + 0.125**2)
    assert r.extra_share == pytest.approx(0.8)
    assert r.import_export_ratio == pytest.approx(2.0)
    assert (r.concentrated, r.extra_important, r.not_substitutable, r.dependent) == (
        True, True, True, True,
    )  # fmt: skip
    assert r.extra_imports == 80 and r.total_imports == 100 and r.total_exports == 40
    assert r.thresholds == StrategicThresholds()


def test_each_criterion_can_fail() -> None:
    g = group("eu27")
    # diversified extra-EU imports: 4 equal suppliers -> HHI .25
    r = strategic_dependency(
        pd.Series({"CHN": 25.0, "USA": 25.0, "JPN": 25.0, "KOR": 25.0}), 10.0, g
    )
    assert not r.concentrated and r.extra_important and r.not_substitutable and not r.dependent
    # mostly intra-EU imports
    r = strategic_dependency(pd.Series({"CHN": 40.0, "DEU": 60.0}), 10.0, g)
    assert r.concentrated and not r.extra_important and not r.dependent
    # large EU exports -> substitutable
    r = strategic_dependency(pd.Series({"CHN": 90.0, "DEU": 10.0}), 200.0, g)
    assert r.import_export_ratio == pytest.approx(0.45) and not r.not_substitutable
    # strict thresholds: exactly 0.5 is not > 0.5
    r = strategic_dependency(pd.Series({"CHN": 50.0, "DEU": 50.0}), 10.0, g)
    assert r.extra_share == 0.5 and not r.extra_important


def test_edge_cases_and_thresholds() -> None:
    r = strategic_dependency(pd.Series({"DEU": 10.0}), 5.0, {"DEU"})
    assert math.isnan(r.hhi_extra) and not r.concentrated and r.extra_share == 0
    r = strategic_dependency(pd.Series({"CHN": 10.0}), 0.0, {"JPN"})
    assert r.import_export_ratio == math.inf and r.dependent
    loose = StrategicThresholds(hhi=0.2, extra_share=0.3, import_export_ratio=0.1)
    r = strategic_dependency(
        pd.Series({"CHN": 25.0, "USA": 25.0, "JPN": 25.0, "KOR": 25.0}), 10.0, {"JPN"}, loose
    )
    assert r.hhi_extra == pytest.approx(1 / 3) and r.dependent


def test_bad_inputs() -> None:
    imp = pd.Series({"CHN": 1.0})
    with pytest.raises(InputError, match="empty"):
        strategic_dependency(imp, 1.0, set())
    with pytest.raises(InputError, match="string"):
        strategic_dependency(imp, 1.0, "JPN")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="total_exports"):
        strategic_dependency(imp, -1.0, {"JPN"})
    with pytest.raises(InputError, match="zero"):
        strategic_dependency(pd.Series({"CHN": 0.0}), 1.0, {"JPN"})
    with pytest.raises(InputError, match="NaN"):
        strategic_dependency(pd.Series({"CHN": float("nan")}), 1.0, {"JPN"})
    with pytest.raises(InputError):
        StrategicThresholds(hhi=2.0)


codes = st.sampled_from(["CHN", "AUS", "USA", "JPN", "RUS", "BRA", "DEU", "FRA"])


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(codes, st.floats(0.01, 1e6), min_size=1),
    st.sets(codes, min_size=1),
    st.floats(0, 1e6),
)
def test_properties(d, g, x) -> None:
    r = strategic_dependency(pd.Series(d), x, g)
    assert 0 <= r.extra_share <= 1
    if r.extra_imports > 0:
        assert 1 / len(r.extra_shares) - 1e-12 <= r.hhi_extra <= 1 + 1e-12
    assert r.dependent == (r.concentrated and r.extra_important and r.not_substitutable)
