from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.data.groups import (
    available_groups,
    group,
    group_info,
    like_minded,
    load_groups,
)
from fukugan.errors import InputError, UnknownItemError
from fukugan.indicators.groups import share_outside

EU27 = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
}  # fmt: skip


def test_default_like_minded() -> None:
    lm = like_minded()
    g7 = group("g7")
    assert g7 <= lm
    assert EU27 == group("eu27")
    assert EU27 <= lm
    assert {"AUS", "KOR", "NZL", "NOR", "CHE", "ISL", "LIE", "TWN"} <= lm
    assert len(lm) == 39
    assert not {"CHN", "RUS", "SGP", "IND"} & lm


def test_available_and_documented() -> None:
    names = available_groups()
    assert {"like_minded", "g7", "eu27", "msp", "oecd"} <= set(names)
    for name in names:
        info = group_info(name)
        assert info.rationale and info.sources and info.as_of
    assert len(group("oecd")) == 38
    assert len(group("msp")) == 14
    assert group("G7") == group("g7")
    with pytest.raises(UnknownItemError):
        group("nato")


def test_override_file(tmp_path) -> None:
    p = tmp_path / "mine.yaml"
    p.write_text("members: [JPN, usa, SGP]\n")
    assert like_minded(p) == frozenset({"JPN", "USA", "SGP"})
    p2 = tmp_path / "full.yaml"
    p2.write_text("default: quad\ngroups:\n  quad:\n    members: [JPN, USA, AUS, IND]\n")
    assert like_minded(p2) == frozenset({"JPN", "USA", "AUS", "IND"})
    groups, default = load_groups(p2)
    assert default == "quad" and set(groups) == {"quad"}


@pytest.mark.parametrize(
    "text, match",
    [
        ("members: [JPN, XXX]\n", "not an ISO3"),
        ("members: []\n", "non-empty"),
        ("- JPN\n", "mapping"),
        ("groups: {a: {members: [JPN]}}\ndefault: b\n", "default group"),
        ("foo: 1\n", "groups"),
        ("members: [JPN\n", "YAML"),
    ],
)
def test_bad_files(tmp_path, text, match) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(InputError, match=match) as ei:
        like_minded(p)
    assert str(p) in str(ei.value)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(InputError, match="not found"):
        like_minded(tmp_path / "nope.yaml")


def test_share_outside() -> None:
    s = pd.Series({"CHN": 60.0, "AUS": 30.0, "USA": 10.0, "Other": 0.0})
    assert share_outside(s, {"AUS", "USA"}) == pytest.approx(0.6)
    assert share_outside(s, like_minded()) == pytest.approx(0.6)
    assert share_outside(s, {"AUS"}, home="USA") == pytest.approx(0.6)
    assert share_outside(s, set()) == pytest.approx(1.0)
    with pytest.raises(InputError):
        share_outside(pd.Series({"CHN": 0.0}), {"AUS"})
    with pytest.raises(InputError, match="duplicate"):
        share_outside(pd.Series([1.0, 2.0], index=["CHN", "CHN"]), {"AUS"})
    with pytest.raises(InputError, match="negative"):
        share_outside(pd.Series({"CHN": -1.0, "AUS": 2.0}), {"AUS"})
    with pytest.raises(InputError):
        share_outside([1.0, 2.0], {"AUS"})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="resolve it first"):
        share_outside(s, "AUS")  # a name: the core takes member codes, data.groups resolves names


codes = st.sampled_from(["CHN", "AUS", "USA", "JPN", "RUS", "BRA", "IND", "DEU"])


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(codes, st.floats(min_value=0.01, max_value=1e6), min_size=1),
    st.sets(codes),
)
def test_share_outside_in_unit_interval(d, g) -> None:
    s = pd.Series(d)
    x = share_outside(s, g)
    assert 0.0 <= x <= 1.0
    assert share_outside(s, g) + share_outside(s, set(d) - g) == pytest.approx(1.0)
