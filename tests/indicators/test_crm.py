from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.errors import InputError
from fukugan.indicators.crm import (
    build_home_sourcing,
    import_reliance,
    supply_risk,
    supply_risk_for_home,
)

GS = pd.Series({"CHN": 60.0, "AUS": 30.0, "USA": 10.0})
WGI = pd.Series({"CHN": 6.0, "AUS": 2.0, "USA": 3.0, "JPN": 1.0})
HOME = pd.Series({"CHN": 50.0, "AUS": 50.0})


def test_hand_computed_sr() -> None:
    # HHI_WGI(GS) = .36*6 + .09*2 + .01*3 = 2.37 ; home = .25*6 + .25*2 = 2.0
    # SR = (2.37*.4 + 2.0*.6) * (1-.1) * .9 = 2.148 * .81 = 1.73988
    r = supply_risk(
        GS, WGI, home_sourcing=HOME, import_reliance=0.8, eol_rir=0.1, si_sr=0.9,
        economic_importance=3.0,
    )  # fmt: skip
    assert r.hhi_wgi_t_global == pytest.approx(2.37)
    assert r.hhi_wgi_t_home == pytest.approx(2.0)
    assert r.supply_risk == pytest.approx(1.73988)
    assert r.weight_global == pytest.approx(0.4) and r.weight_home == pytest.approx(0.6)
    assert r.critical is True
    assert not r.home_sourcing_fallback
    assert r.global_shares.to_dict() == pytest.approx({"CHN": 0.6, "AUS": 0.3, "USA": 0.1})
    assert r.defaults_used == ["t=1 for every country"]
    # EI below 2.8 -> not critical, SR unchanged
    r2 = supply_risk(GS, WGI, home_sourcing=HOME, import_reliance=0.8, economic_importance=2.7)
    assert r2.critical is False
    assert r2.supply_risk == pytest.approx(2.148)
    assert {"eol_rir=0 (no recycling credit)", "si_sr=1 (no substitute)"} <= set(r2.defaults_used)
    assert supply_risk(GS, WGI).critical is None


def test_trade_factor() -> None:
    t = pd.Series({"CHN": 1.1})
    r = supply_risk(GS, WGI, home_sourcing=HOME, import_reliance=0.0, t=t)
    # IR = 0 -> SR = home term only = .25*6*1.1 + .25*2 = 2.15
    assert r.supply_risk == pytest.approx(2.15)
    assert r.t_used["AUS"] == 1.0 and r.t_used["CHN"] == 1.1


def test_fallback_to_global() -> None:
    r = supply_risk(GS, WGI, import_reliance=0.3)
    assert r.home_sourcing_fallback
    assert r.supply_risk == pytest.approx(2.37)
    assert any("global supply" in d for d in r.defaults_used)
    r2 = supply_risk_for_home(GS, WGI, home="JPN", imports_by_partner=None)
    assert r2.home_sourcing_fallback and r2.supply_risk == pytest.approx(2.37)


def test_import_reliance() -> None:
    assert import_reliance(80, 0, 20) == pytest.approx(0.8)
    assert import_reliance(80, 20, 40) == pytest.approx(0.6)
    assert import_reliance(10, 30, 100) == 0.0  # net exporter clipped to 0
    assert import_reliance(0, 0, 0) == 0.0
    assert import_reliance(5, 0, 0) == 1.0
    with pytest.raises(InputError):
        import_reliance(-1, 0, 0)
    with pytest.raises(InputError):
        import_reliance(float("nan"), 0, 0)


def test_for_home_with_domestic_production() -> None:
    gs = pd.Series({"CHN": 60.0, "AUS": 30.0, "JPN": 10.0})
    imp = pd.Series({"CHN": 30.0, "AUS": 10.0})
    r = supply_risk_for_home(gs, WGI, home="JPN", imports_by_partner=imp, exports=10.0)
    # IR = (40-10)/(10+40-10) = .75 ; home sourcing CHN 30, AUS 10, JPN 10 -> .6,.2,.2
    assert r.import_reliance == pytest.approx(0.75)
    assert r.home_shares.to_dict() == pytest.approx({"CHN": 0.6, "AUS": 0.2, "JPN": 0.2})
    home_term = 0.36 * 6 + 0.04 * 2 + 0.04 * 1
    glob_term = 0.36 * 6 + 0.09 * 2 + 0.01 * 1
    assert r.supply_risk == pytest.approx(glob_term * 0.375 + home_term * 0.625)
    src = build_home_sourcing(imp, "JPN", 10.0)
    r2 = supply_risk(gs, WGI, home_sourcing=src, home="JPN")
    assert r2.import_reliance == pytest.approx(0.8)  # exports taken as 0
    assert any("exports=0" in d for d in r2.defaults_used)


def test_bad_inputs() -> None:
    with pytest.raises(InputError, match="no governance value for USA"):
        supply_risk(GS, WGI.drop("USA"))
    r = supply_risk(GS, WGI.drop("USA"), missing_wgi=5.0)
    assert r.wgi_used["USA"] == 5.0 and any("USA" in d for d in r.defaults_used)
    with pytest.raises(InputError, match="0-10"):
        supply_risk(GS, WGI * 10)
    with pytest.raises(InputError, match="import_reliance"):
        supply_risk(GS, WGI, import_reliance=1.5)
    with pytest.raises(InputError, match="eol_rir"):
        supply_risk(GS, WGI, eol_rir=-0.1)
    with pytest.raises(InputError, match="negative"):
        supply_risk(pd.Series({"CHN": -1.0, "AUS": 2.0}), WGI)
    with pytest.raises(InputError, match="empty"):
        supply_risk(pd.Series(dtype=float), WGI)
    with pytest.raises(InputError, match="zero"):
        supply_risk(pd.Series({"CHN": 0.0}), WGI)
    with pytest.raises(InputError, match="duplicate"):
        supply_risk(pd.Series([1.0, 2.0], index=["CHN", "CHN"]), WGI)


@settings(max_examples=50, deadline=None)
@given(
    st.floats(0, 1), st.floats(0, 1), st.floats(0, 1),
    st.lists(st.floats(0.01, 100), min_size=3, max_size=3),
)  # fmt: skip
def test_sr_bounded_by_terms(ir, eol, si, home_vals) -> None:
    home = pd.Series(home_vals, index=["CHN", "AUS", "USA"])
    r = supply_risk(GS, WGI, home_sourcing=home, import_reliance=ir, eol_rir=eol, si_sr=si)
    lo = min(r.hhi_wgi_t_global, r.hhi_wgi_t_home) * (1 - eol) * si
    hi = max(r.hhi_wgi_t_global, r.hhi_wgi_t_home) * (1 - eol) * si
    assert lo - 1e-9 <= r.supply_risk <= hi + 1e-9 <= 10
