"""Risk exposure (Simchi-Levi et al. 2014, 2015): TTR / TTS LPs and the REI on hand-computable
networks, the worked example, invariants (hypothesis), the run format and bad inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fukugan.data.bom_example import EXPECTED_PI, EXPECTED_TTS, example_network
from fukugan.errors import InputError
from fukugan.exposure import (
    ExposureModel,
    SupplyNetwork,
    risk_exposure,
    time_to_recover_impact,
    time_to_survive,
    to_run_result,
    to_run_rows,
)
from fukugan.store.rundir import read_run, write_run


def chain(
    *,
    s_inv: float = 0.0,
    p_inv: float = 0.0,
    d: float = 10.0,
    margin: float = 3.0,
    qty: float = 1.0,
    alt_cap: float | None = None,
    arc_cap: float | None = None,
) -> SupplyNetwork:
    """Supplier S (single source unless ``alt_cap``) -> product P (demand d, margin)."""
    nodes = ["S", "P"]
    inv = {"S": s_inv, "P": p_inv}
    cap = {"S": 1000.0, "P": 1000.0}
    alts = []
    if alt_cap is not None:
        nodes.append("A")
        inv["A"] = 0.0
        cap["A"] = alt_cap
        alts = [("P", "S", "A", math.inf if arc_cap is None else arc_cap)]
    return SupplyNetwork(
        nodes,
        inv,
        cap,
        bom=[("P", "S", qty)],
        alternatives=alts,
        demand={"P": d},
        margin={"P": margin},
    )


# -- hand-computable answers ------------------------------------------------------------------
def test_single_source_no_inventory_loses_margin_times_demand_times_ttr():
    r = time_to_recover_impact(chain(d=10, margin=3), "S", 4)
    assert r.pi == pytest.approx(3 * 10 * 4)
    assert r.lost_units == {"P": pytest.approx(40)}
    assert r.direct == 0 and r.indirect == pytest.approx(120)
    assert "disrupted[S]" in r.binding and r.binding["disrupted[S]"] == pytest.approx(3.0)


@pytest.mark.parametrize("k", [0, 1, 2.5, 4, 6])
def test_inventory_covering_k_periods_reduces_pi(k):
    # k periods of supplier stock (or of finished goods) cover k of the 4 periods
    for net in (chain(s_inv=10 * k), chain(p_inv=10 * k)):
        r = time_to_recover_impact(net, "S", 4)
        assert r.pi == pytest.approx(3 * 10 * max(0.0, 4 - k))


def test_bom_quantity_scales_the_need():
    # 2 units of S per P: 40 units of S stock cover 2 periods of demand 10
    r = time_to_recover_impact(chain(s_inv=40, qty=2), "S", 4)
    assert r.pi == pytest.approx(3 * 10 * 2)
    assert time_to_survive(chain(s_inv=40, qty=2), "S") == pytest.approx(2.0)


@pytest.mark.parametrize("spare, expected", [(0, 120), (4, 72), (10, 0), (25, 0)])
def test_alternative_supplier_with_spare_capacity_reduces_pi(spare, expected):
    assert time_to_recover_impact(chain(alt_cap=spare), "S", 4).pi == pytest.approx(expected)


def test_alternative_capped_on_the_arc():
    # the alternative could make 25/period but may ship only 6/period to P
    assert time_to_recover_impact(chain(alt_cap=25, arc_cap=6), "S", 4).pi == pytest.approx(
        3 * 4 * 4
    )
    assert time_to_survive(chain(alt_cap=25, arc_cap=6), "S") == 0.0
    assert time_to_survive(chain(alt_cap=25, arc_cap=10), "S") == math.inf


def test_disrupting_the_product_plant_is_direct_loss():
    r = time_to_recover_impact(chain(p_inv=5), "P", 2)
    assert r.pi == pytest.approx(3 * (20 - 5))
    assert r.direct == pytest.approx(45) and r.indirect == 0


def test_tts_is_inventory_over_demand_on_a_chain():
    assert time_to_survive(chain(s_inv=25, d=10), "S") == pytest.approx(2.5)
    assert time_to_survive(chain(s_inv=25, p_inv=15, d=10), "S") == pytest.approx(4.0)
    assert time_to_survive(chain(p_inv=15, d=10), "P") == pytest.approx(1.5)
    assert time_to_survive(chain(alt_cap=10), "S") == math.inf


def test_units_objective_and_inventory_lost():
    net = example_network()
    assert time_to_recover_impact(net, "WAFER", objective="units").pi == pytest.approx(900)
    # a fire that destroys the chip stock: nothing is built for 6 weeks
    r = time_to_recover_impact(net, "CHIP", inventory_lost=True)
    assert r.pi == pytest.approx(6 * (100 * 2 + 50 * 4))


# -- the worked example -----------------------------------------------------------------------
def test_example_network_matches_the_hand_computation():
    net = example_network()
    df = risk_exposure(net).set_index("node")
    for n, pi in EXPECTED_PI.items():
        assert df.loc[n, "pi"] == pytest.approx(pi, abs=1e-6), n
        assert df.loc[n, "rei"] == pytest.approx(pi / 2000.0, abs=1e-9), n
        assert df.loc[n, "tts"] == pytest.approx(EXPECTED_TTS[n], abs=1e-6), n
    assert list(df.index) == list(EXPECTED_PI)  # sorted by rank: WAFER, CHIP, ..., HARN_B
    assert df["rank"].tolist() == list(range(1, 10))
    assert df["rei"].max() == 1.0
    assert df["tts_lt_ttr"].to_dict() == {n: n != "HARN_B" for n in EXPECTED_PI}
    assert (df["baseline"] == 0).all()
    assert net.diagnostics() == []


def test_rei_is_zero_everywhere_when_no_node_costs_anything():
    net = SupplyNetwork(
        ["S", "P"], {"S": 0, "P": 1000}, {"S": 10, "P": 10}, [("P", "S", 1)], (), {"P": 1}, {"P": 1}
    )
    df = risk_exposure(net, 3)
    assert (df["pi"] == 0).all() and (df["rei"] == 0).all() and (df["rank"] == 1).all()


def test_baseline_shortfall_reported_and_optionally_removed():
    # P can only make 8 of the 10 demanded per period: 2 × 3 × 3 = 18 lost even undisrupted
    net = SupplyNetwork(
        ["S", "P"], {"S": 0, "P": 0}, {"S": 100, "P": 8}, [("P", "S", 1)], (), {"P": 10}, {"P": 3}
    )
    df = risk_exposure(net, 3).set_index("node")
    assert df.loc["S", "baseline"] == pytest.approx(18)
    assert df.loc["S", "pi"] == pytest.approx(90)
    net_df = risk_exposure(net, 3, net_of_baseline=True).set_index("node")
    assert net_df.loc["S", "pi"] == pytest.approx(72)


def test_per_node_ttr_mapping_and_scalar():
    net = example_network()
    df = risk_exposure(net, {n: 2 for n in net.nodes}, nodes=["ECU", "SUV"])
    assert df.set_index("node")["pi"].to_dict() == pytest.approx({"ECU": 800, "SUV": 400})
    assert risk_exposure(net, 1.0, nodes=["SEDAN"])["pi"].iloc[0] == pytest.approx(200)


# -- run format -------------------------------------------------------------------------------
def test_run_rows_direct_indirect_and_paths(tmp_path):
    net = example_network()
    r = time_to_recover_impact(net, "WAFER")
    ts, paths = to_run_rows(net, r)
    assert set(ts["t"]) == {8}
    node_rows = ts[ts["unit_kind"] == "node"]
    assert set(node_rows["component"]) == {"indirect"}
    pl = node_rows[node_rows["metric"] == "profit_loss"].set_index("unit")["value"]
    assert pl.to_dict() == pytest.approx({"SEDAN": 1600, "SUV": 400})
    total = ts[(ts["unit_kind"] == "total") & (ts["metric"] == "lost_units")]["value"]
    assert total.iloc[0] == pytest.approx(900)
    assert paths[["target", "step", "via"]].values.tolist() == [
        ["SEDAN", 3, "CHIP;ECU"],
        ["SUV", 3, "CHIP;ECU"],
    ]
    assert paths["weight"].sum() == pytest.approx(2000)

    d = time_to_recover_impact(net, "SUV")
    ts2, paths2 = to_run_rows(net, d)
    suv = ts2[(ts2["unit"] == "SUV") & (ts2["metric"] == "profit_loss")]
    assert suv["component"].iloc[0] == "direct" and suv["value"].iloc[0] == pytest.approx(400)
    assert paths2.values.tolist() == [["SUV", "SUV", 0, 400.0, ""]]

    # two supply paths (via HARN_A's customers) share the loss
    h = time_to_recover_impact(net, "HARN_A")
    run = to_run_result(net, h)
    assert run.summary["total_loss"] == pytest.approx(480)
    assert run.summary["indirect_share"] == 1.0
    out = write_run(run, tmp_path / "run")
    ts3, paths3, summary = read_run(out)
    assert summary["engine"] == "exposure" and summary["pi"] == pytest.approx(480)
    assert paths3["weight"].sum() == pytest.approx(480)


# -- invariants (hypothesis) ------------------------------------------------------------------
@st.composite
def networks(draw):
    """Random acyclic networks: node i may supply nodes j < i; nodes 0..k have demand."""
    n = draw(st.integers(2, 7))
    n_prod = draw(st.integers(1, min(2, n - 1)))
    nums = st.floats(0, 50, allow_nan=False).map(lambda x: round(x, 1))
    bom, alts = [], []
    for j in range(n):
        ins = (
            draw(st.lists(st.integers(j + 1, n - 1), unique=True, max_size=2)) if j < n - 1 else []
        )
        for i in ins:
            bom.append((f"N{j}", f"N{i}", draw(st.sampled_from([1.0, 2.0, 0.5]))))
        if ins and j + 2 < n:
            a = draw(st.integers(j + 1, n - 1))
            if a not in ins:
                alts.append((f"N{j}", f"N{ins[0]}", f"N{a}", draw(nums)))
    names = [f"N{i}" for i in range(n)]
    return SupplyNetwork(
        names,
        inventory={k: draw(nums) for k in names},
        capacity={k: draw(nums) for k in names},
        bom=bom,
        alternatives=alts,
        demand={f"N{i}": draw(st.floats(0.5, 20)) for i in range(n_prod)},
        margin={f"N{i}": draw(st.floats(0, 5)) for i in range(n_prod)},
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.floats(0, 10), st.floats(0, 5), st.floats(0, 40), st.data())
def test_pi_invariants(net, t, dt, extra, data):
    node = data.draw(st.sampled_from(net.nodes))
    model = ExposureModel(net)
    pi = model.ttr(node, t).pi
    assert pi >= 0
    # non-decreasing in TTR
    assert model.ttr(node, t + dt).pi >= pi - 1e-6 * (1 + pi)
    # bounded by losing everything
    assert pi <= float(net.f @ net.d) * t + 1e-6 * (1 + pi)
    # non-increasing in inventory (at any node)
    where = data.draw(st.sampled_from(net.nodes))
    inv = {k: float(net.s[net.index[k]]) for k in net.nodes}
    inv[where] += extra
    more = SupplyNetwork(
        net.nodes, inv, dict(zip(net.nodes, net.c, strict=True)), net.bom, net.alternatives,
        dict(zip(net.nodes, net.d, strict=True)), dict(zip(net.nodes, net.f, strict=True)),
    )  # fmt: skip
    assert ExposureModel(more).ttr(node, t).pi <= pi + 1e-6 * (1 + pi)
    # TTS >= 0, and it separates loss from no loss: lost units are zero for every horizon up
    # to TTS (the TTS LP's feasible set scales down) and positive beyond it
    tts = model.tts(node)
    assert tts >= 0
    if math.isfinite(tts):
        assert model.ttr(node, tts * 0.99, objective="units").pi <= 1e-6 * (1 + tts)
        assert model.ttr(node, tts * 1.01 + 0.01, objective="units").pi > 0
    else:
        assert model.ttr(node, t + dt, objective="units").pi <= 1e-6


# -- bad inputs -------------------------------------------------------------------------------
BASE = dict(
    nodes=["S", "P"],
    inventory={"S": 0, "P": 0},
    capacity={"S": 1, "P": 1},
    bom=[("P", "S", 1)],
    demand={"P": 1},
    margin={"P": 1},
)


@pytest.mark.parametrize(
    "change, match",
    [
        ({"bom": [("P", "X", 1)]}, "BOM input: unknown node 'X'"),
        ({"bom": [("Q", "S", 1)]}, "BOM node: unknown node 'Q'"),
        ({"inventory": {"S": -1, "P": 0}}, "inventory of node 'S': negative"),
        ({"inventory": {"S": float("nan"), "P": 0}}, "inventory of node 'S': missing"),
        ({"inventory": {"P": 0}}, "missing inventory for node 'S'"),
        ({"capacity": {"S": 1}}, "missing capacity for node 'P'"),
        ({"inventory": {"S": 0, "P": 0, "Z": 1}}, "inventory: unknown node 'Z'"),
        ({"demand": {"P": -2}}, "demand of node 'P': negative"),
        ({"margin": {}}, "missing margin for end product 'P'"),
        ({"nodes": ["S", "P", "S"]}, "duplicate node 'S'"),
        ({"bom": [("P", "S", 0)]}, "is zero"),
        ({"bom": [("P", "S", -1)]}, "negative"),
        ({"bom": [("P", "S", 1), ("P", "S", 2)]}, "duplicate BOM row"),
        ({"bom": [("P", "P", 1)]}, "its own input"),
        ({"bom": [("P", "S", 1), ("S", "P", 1)]}, r"cyclic BOM: (P -> S -> P|S -> P -> S)"),
        ({"alternatives": [("P", "X", "S")]}, "alternative input: unknown node 'X'"),
        ({"alternatives": [("S", "P", "P")]}, "no such BOM row"),
        ({"alternatives": [("P", "S", "S")]}, "must differ"),
        ({"alternatives": [("P", "S", "Q")]}, "alternative source: unknown node 'Q'"),
    ],
)
def test_bad_network_inputs(change, match):
    with pytest.raises(InputError, match=match):
        SupplyNetwork(**{**BASE, **change})


def test_longer_cycle_is_named():
    with pytest.raises(InputError, match="cyclic BOM: A -> B -> C -> A"):
        SupplyNetwork(
            ["A", "B", "C", "P"],
            {k: 0 for k in "ABCP"},
            {k: 1 for k in "ABCP"},
            bom=[("B", "A", 1), ("C", "B", 1), ("A", "C", 1), ("P", "C", 1)],
            demand={"P": 1},
            margin={"P": 1},
        )


def test_bad_call_arguments():
    net = SupplyNetwork(**BASE)
    with pytest.raises(InputError, match="unknown node 'X'"):
        time_to_recover_impact(net, "X", 1)
    with pytest.raises(InputError, match="ttr of node 'S'"):
        time_to_recover_impact(net, "S", -1)
    with pytest.raises(InputError, match="missing ttr for node 'S'"):
        risk_exposure(net)  # the network has no ttr
    with pytest.raises(InputError, match="unknown node 'X'"):
        risk_exposure(net, {"X": 1, "S": 1, "P": 1})
    with pytest.raises(InputError, match="unknown objective"):
        time_to_recover_impact(net, "S", 1, objective="fun")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="needs a revenue"):
        time_to_recover_impact(net, "S", 1, objective="revenue")


def test_disconnected_parts_are_reported_not_refused():
    net = SupplyNetwork(
        ["S", "P", "ORPHAN", "PAINT"],
        {k: 0 for k in ["S", "P", "ORPHAN", "PAINT"]},
        {k: 1 for k in ["S", "P", "ORPHAN", "PAINT"]},
        bom=[("P", "S", 1), ("PAINT", "ORPHAN", 1)],
        demand={"P": 1},
        margin={"P": 1},
    )
    assert net.disconnected() == ["ORPHAN", "PAINT"]
    assert "ORPHAN, PAINT" in net.diagnostics()[0]
    assert time_to_recover_impact(net, "ORPHAN", 5).pi == 0
    assert time_to_survive(net, "ORPHAN") == math.inf  # P keeps up with demand without it


# -- scale ------------------------------------------------------------------------------------
def synthetic(tiers=(10, 90, 300, 600), seed=0) -> SupplyNetwork:
    rng = np.random.default_rng(seed)
    layer = [[f"T{k}_{i}" for i in range(m)] for k, m in enumerate(tiers)]
    nodes = [n for t in layer for n in t]
    bom, alts = [], []
    for k in range(len(layer) - 1):
        for j in layer[k]:
            ins = rng.choice(len(layer[k + 1]), size=3, replace=False)
            for i in ins:
                bom.append((j, layer[k + 1][i], float(rng.integers(1, 4))))
            a = int(rng.integers(len(layer[k + 1])))
            if a not in ins:
                alts.append((j, layer[k + 1][ins[0]], layer[k + 1][a]))
    return SupplyNetwork(
        nodes,
        {n: float(rng.integers(0, 500)) for n in nodes},
        {n: float(rng.integers(200, 2000)) for n in nodes},
        bom,
        alts,
        demand={n: float(rng.integers(10, 100)) for n in layer[0]},
        margin={n: float(rng.uniform(1, 5)) for n in layer[0]},
    )


@pytest.mark.slow
def test_thousand_node_network_solves():
    """A 1,000-node network solves with the index's invariants (its speed is a benchmark's)."""
    net = synthetic()
    assert len(net.nodes) == 1000
    df = risk_exposure(net, 4.0)
    assert len(df) == 1000 and df["rei"].max() == 1.0
    assert (df["pi"] >= df["baseline"] - 1e-6).all()
