from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fukugan.data.groups import like_minded
from fukugan.errors import InputError
from fukugan.indicators.autonomy import autonomy_risk_score, autonomy_table
from fukugan.indicators.leverage import chokepoint_table, world_position


def test_world_position_known() -> None:
    p = world_position(pd.Series({"JPN": 60.0, "KOR": 20.0, "USA": 20.0}), "JPN")
    assert p.home_share == pytest.approx(0.6)
    assert p.rank == 1 and p.n_producers == 3
    assert p.hhi_world == pytest.approx(0.36 + 0.04 + 0.04)
    assert p.hhi_rest == pytest.approx(0.5) and p.equivalent_number_rest == pytest.approx(2)
    assert p.next_largest_share == pytest.approx(0.2)
    assert p.dominance == pytest.approx(0.75)
    assert p.replacement_ratio == pytest.approx(1.5)
    assert p.chokepoint_score == pytest.approx(0.45)


def test_world_position_edges() -> None:
    sole = world_position(pd.Series({"JPN": 5.0, "CHN": 0.0}), "JPN")
    assert sole.chokepoint_score == 1.0 and sole.rank == 1 and sole.n_producers == 1
    assert math.isnan(sole.hhi_rest) and sole.equivalent_number_rest == 0
    assert sole.replacement_ratio == math.inf
    absent = world_position(pd.Series({"CHN": 5.0, "USA": 5.0}), "JPN")
    assert absent.rank is None and absent.home_share == 0 and absent.chokepoint_score == 0
    duo = world_position(pd.Series({"JPN": 5.0, "USA": 5.0}), "JPN")
    assert duo.chokepoint_score == pytest.approx(0.25) and duo.rank == 1
    third = world_position(pd.Series({"JPN": 1.0, "USA": 5.0, "CHN": 3.0}), "JPN")
    assert third.rank == 3
    with pytest.raises(InputError):
        world_position(pd.Series({"JPN": 0.0}), "JPN")
    with pytest.raises(InputError):
        world_position(pd.Series({"JPN": -1.0, "USA": 2.0}), "JPN")
    with pytest.raises(InputError):
        world_position(pd.Series({"JPN": 1.0}), "")


def test_chokepoint_table_matches_world_position() -> None:
    df = pd.DataFrame(
        {
            "item": ["a", "a", "b", "b", "b", "c", "c", "d"],
            "iso3": ["JPN", "CHN", "JPN", "USA", "DEU", "USA", "CHN", "JPN"],
            "value": [90.0, 10.0, 50.0, 25.0, 25.0, 1.0, 2.0, 0.0],
        }
    )
    t = chokepoint_table(df, "JPN")
    assert t["item"].tolist() == ["a", "b"]
    assert t["chokepoint_score"].tolist() == pytest.approx([0.81, 0.5 * 2 / 3])
    full = chokepoint_table(df, "JPN", include_absent=True)
    assert set(full["item"]) == {"a", "b", "c"}  # d has a zero world total
    for _, row in full.iterrows():
        sub = df[df["item"] == row["item"]].set_index("iso3")["value"]
        p = world_position(sub, "JPN")
        assert row["home_share"] == pytest.approx(p.home_share)
        assert row["chokepoint_score"] == pytest.approx(p.chokepoint_score)
        assert row["hhi_world"] == pytest.approx(p.hhi_world)
        assert row["next_largest_share"] == pytest.approx(p.next_largest_share)
        assert (pd.isna(row["rank"]) and p.rank is None) or row["rank"] == p.rank
        assert row["n_producers"] == p.n_producers


def test_table_bad_inputs() -> None:
    ok = pd.DataFrame({"item": ["a"], "iso3": ["JPN"], "value": [1.0]})
    with pytest.raises(InputError, match="missing column"):
        chokepoint_table(ok.drop(columns="value"), "JPN")
    with pytest.raises(InputError, match="duplicate"):
        chokepoint_table(pd.concat([ok, ok]), "JPN")
    with pytest.raises(InputError, match="negative"):
        chokepoint_table(ok.assign(value=[-1.0]), "JPN")
    with pytest.raises(InputError, match="NaN"):
        chokepoint_table(ok.assign(value=[np.nan]), "JPN")
    with pytest.raises(InputError, match="non-numeric"):
        chokepoint_table(ok.assign(value=["x"]), "JPN")
    with pytest.raises(InputError, match="empty"):
        chokepoint_table(ok.iloc[:0], "JPN")
    with pytest.raises(InputError, match="DataFrame"):
        chokepoint_table([1, 2], "JPN")  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.sampled_from(["JPN", "CHN", "USA", "DEU", "KOR"]),
                       st.floats(0, 1e6), min_size=1))  # fmt: skip
def test_chokepoint_in_unit_interval(d) -> None:
    s = pd.Series(d)
    if s.sum() <= 0:
        return
    p = world_position(s, "JPN")
    assert 0 <= p.chokepoint_score <= p.home_share <= 1
    assert 0 <= p.dominance <= 1


# --- autonomy risk composite -------------------------------------------------------------


def test_autonomy_known() -> None:
    x = pd.Series({"CHN": 60.0, "AUS": 30.0, "JPN": 10.0})
    w = pd.Series({"CHN": 6.0, "AUS": 2.0, "JPN": 1.0})
    r = autonomy_risk_score(x, w, home="JPN", group={"AUS"})
    assert r.hhi == pytest.approx(0.46)
    assert r.hhi_wgi == pytest.approx(2.35)
    assert r.share_outside == pytest.approx(0.6)
    assert r.score == pytest.approx(0.141)
    assert (r.top1_iso3, r.top1_share, r.top3_share) == (
        "CHN",
        pytest.approx(0.6),
        pytest.approx(1),
    )
    assert r.home_share == pytest.approx(0.1)
    r2 = autonomy_risk_score(x, w, home="JPN", group=like_minded())  # holds AUS
    assert r2.score == pytest.approx(0.141)
    with pytest.raises(InputError, match="resolve it first"):
        autonomy_risk_score(x, w, home="JPN", group="like_minded")
    with pytest.raises(InputError, match="CHN"):
        autonomy_risk_score(x, w.drop("CHN"), home="JPN", group={"AUS"})
    r3 = autonomy_risk_score(x, w.drop("CHN"), home="JPN", group={"AUS"}, missing_wgi=10)
    assert r3.hhi_wgi == pytest.approx(3.6 + 0.18 + 0.01)


def test_autonomy_table_matches_scalar() -> None:
    df = pd.DataFrame(
        {
            "item": ["a", "a", "a", "b", "b", "c"],
            "iso3": ["CHN", "AUS", "RUS", "AUS", "JPN", "COD"],
            "value": [60.0, 30.0, 10.0, 50.0, 50.0, 7.0],
        }
    )
    w = pd.Series({"CHN": 6.0, "AUS": 2.0, "JPN": 1.0, "RUS": 8.0, "COD": 9.0})
    t = autonomy_table(df, w, "JPN", group=like_minded())
    assert t["item"].tolist() == ["c", "a", "b"]
    for _, row in t.iterrows():
        sub = df[df["item"] == row["item"]].set_index("iso3")["value"]
        r = autonomy_risk_score(sub, w, home="JPN", group=like_minded())
        assert row["score"] == pytest.approx(r.score)
        assert row["hhi_wgi"] == pytest.approx(r.hhi_wgi)
        assert row["share_outside"] == pytest.approx(r.share_outside)
        assert row["top1_iso3"] == r.top1_iso3
        assert row["top3_share"] == pytest.approx(r.top3_share)
        assert row["home_share"] == pytest.approx(r.home_share)
    assert t.loc[t["item"] == "c", "score"].item() == pytest.approx(0.9)
    with pytest.raises(InputError, match="no governance"):
        autonomy_table(df, w.drop("COD"), "JPN", group=like_minded())


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.sampled_from(["JPN", "CHN", "USA", "RUS", "KOR"]),
                       st.floats(0.01, 1e6), min_size=1),
       st.floats(0, 10))  # fmt: skip
def test_autonomy_in_unit_interval(d, wv) -> None:
    s = pd.Series(d)
    w = pd.Series({k: wv for k in d})
    r = autonomy_risk_score(s, w, home="JPN", group={"USA", "KOR"})
    assert 0 <= r.score <= 1 + 1e-12
    assert r.hhi_wgi <= 10 * r.hhi + 1e-9
