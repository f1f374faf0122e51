"""Known answers of the two-stage stochastic core (fukugan.planning.stochastic).

Birge & Louveaux (2011), *Introduction to Stochastic Programming*, §1.1: the farmer problem
(RP −108,390; EV −118,600; EEV −107,240; VSS 1,150; WS −115,405; EVPI 7,015), its CVaR
variant as in mpi-sppy's ``test_cvar.py`` (α = 0.8, β = 5 on the cost: expected cost ≈
−103,313, worst case ≈ −57,640), and mpi-sppy's closed-form CVaR check.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from fukugan.planning.stochastic import (
    Recourse,
    TwoStageModel,
    TwoStageProblem,
    stochastic_metrics,
    var_cvar,
)

INF = float("inf")


def farmer(yield_factors=(1.2, 1.0, 0.8)) -> TwoStageProblem:
    """x = acres of wheat, corn, beets; y = (buy wheat, buy corn, sell wheat, sell corn,
    sell beets at 36 up to 6000 T, sell beets at 10 beyond)."""
    base = np.array([2.5, 3.0, 20.0])
    q = np.array([238.0, 210.0, -170.0, -150.0, -36.0, -10.0])
    W = sp.csr_matrix(
        np.array(
            [
                [1, 0, -1, 0, 0, 0],  # wheat: yield x + buy − sell ≥ 200
                [0, 1, 0, -1, 0, 0],  # corn ≥ 240
                [0, 0, 0, 0, -1, -1],  # beets: yield x − sold ≥ 0
            ],
            dtype=float,
        )
    )
    scen = []
    for f in yield_factors:
        yld = base * f
        T = sp.csr_matrix(np.diag(yld))
        scen.append(
            Recourse(
                probability=1.0 / len(yield_factors),
                q=q,
                T=T,
                W=W,
                row_lower=np.array([200.0, 240.0, 0.0]),
                row_upper=np.array([INF, INF, INF]),
                y_lower=np.zeros(6),
                y_upper=np.array([INF, INF, INF, INF, 6000.0, INF]),
            )
        )
    return TwoStageProblem(
        c=np.array([150.0, 230.0, 260.0]),
        x_lower=np.zeros(3),
        x_upper=np.full(3, INF),
        A=sp.csr_matrix(np.ones((1, 3))),
        row_lower=np.array([-INF]),
        row_upper=np.array([500.0]),
        scenarios=scen,
    )


def test_farmer_recourse_problem():
    sol = TwoStageModel(farmer()).solve()
    assert sol.expected_cost == pytest.approx(-108390, abs=1)
    assert sol.x == pytest.approx([170, 80, 250], abs=1e-6)


def test_farmer_vss_evpi():
    m = stochastic_metrics(farmer())
    assert m.rp == pytest.approx(-108390, abs=1)
    assert m.ev == pytest.approx(-118600, abs=1)
    assert m.x_ev == pytest.approx([120, 80, 300], abs=1e-6)
    assert m.eev == pytest.approx(-107240, abs=1)
    assert m.vss == pytest.approx(1150, abs=1)
    assert m.ws == pytest.approx(-115405.56, abs=1)
    assert m.evpi == pytest.approx(7015.56, abs=1)


def test_farmer_cvar_as_mpi_sppy():
    """mpi-sppy RiskReturnTradeoffTests: λ = 1, β = 5, α = 0.8 on the scenario cost."""
    rn = TwoStageModel(farmer()).solve()
    cv = TwoStageModel(farmer(), alpha=0.8, beta=5.0).solve()
    assert cv.expected_cost == pytest.approx(-103313, abs=5)
    assert cv.outcomes.max() == pytest.approx(-57640, abs=20)
    assert rn.outcomes.max() == pytest.approx(-48820, abs=20)
    # the objective is E[cost] + 5 CVaR, and η is VaR at the optimum
    assert cv.objective == pytest.approx(cv.expected_cost + 5 * cv.cvar, rel=1e-9)


def test_closed_form_cvar():
    assert var_cvar([10, 20, 30, 40], [0.25] * 4, 0.6) == (30.0, 36.25)
    # through the program: a fixed x, costs {10,20,30,40}: E + CVaR = 25 + 36.25
    scen = [
        Recourse(
            probability=0.25,
            q=np.zeros(0),
            T=sp.csr_matrix((0, 1)),
            W=sp.csr_matrix((0, 0)),
            row_lower=np.zeros(0),
            row_upper=np.zeros(0),
            y_lower=np.zeros(0),
            y_upper=np.zeros(0),
            constant=c,
        )
        for c in (10.0, 20.0, 30.0, 40.0)
    ]
    pb = TwoStageProblem(c=np.zeros(1), x_lower=np.zeros(1), x_upper=np.zeros(1), scenarios=scen)
    sol = TwoStageModel(pb, alpha=0.6, beta=1.0).solve()
    assert sol.objective == pytest.approx(25 + 36.25)
    assert (sol.var, sol.cvar) == (30.0, 36.25)
    pure = TwoStageModel(pb, alpha=0.6, beta=1.0, mean_weight=0.0).solve()
    assert pure.objective == pytest.approx(36.25)


# -- the planning program ----------------------------------------------------------------------

import itertools  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fukugan.planning.portfolio import (  # noqa: E402
    ChannelLoss,
    Measure,
    PortfolioModel,
    ScenarioLosses,
    evaluate,
)


def _scenarios(rng: np.random.Generator, n: int, commodities, T: int = 60):
    out = []
    p = rng.dirichlet(np.ones(n))
    for s in range(n):
        chans = {}
        for k in commodities:
            start = int(rng.integers(0, 10))
            daily = np.zeros(T)
            dur = int(rng.integers(5, T - start))
            daily[start : start + dur] = rng.uniform(0.5, 3.0)
            chans[k] = ChannelLoss(
                daily_loss=daily,
                loss_per_stock_day=float(daily.max()),
                stock_days=float(rng.choice([0.0, 5.0])),
                start=start,
                scale={},
            )
        out.append(ScenarioLosses(f"s{s}", float(p[s]), float(rng.uniform(0, 5)), chans))
    return out


@st.composite
def catalogues(draw):
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(1, 10))
    commodities = ["a", "b", "c"][: draw(st.integers(1, 3))]
    measures = []
    for i in range(n):
        k = str(rng.choice(commodities))
        stock = bool(rng.random() < 0.4)
        measures.append(
            Measure(
                id=f"m{i}",
                kind="stockpile"
                if stock
                else str(rng.choice(["second_source", "substitution_rd"])),
                commodity=k,
                domain="binary",
                fixed_cost=float(rng.uniform(1, 40)),
                effect=float(rng.uniform(5, 30)) if stock else float(rng.uniform(0.1, 0.6)),
                lead_time_days=0.0 if stock else float(rng.integers(0, 30)),
                success_probability=1.0 if stock or rng.random() < 0.7 else 0.6,
            )
        )
    scen = _scenarios(rng, int(rng.integers(1, 6)), commodities)
    budget = draw(st.one_of(st.none(), st.floats(0, 150)))
    return measures, scen, budget


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(catalogues())
def test_portfolio_equals_brute_force(case):
    measures, scen, budget = case
    model = PortfolioModel(measures, scen, mip_rel_gap=1e-9)
    plan = model.solve(budget)
    best, best_x = None, None
    for x in itertools.product((0, 1), repeat=len(measures)):
        cost = sum(m.cost(v) for m, v in zip(measures, x, strict=True))
        if budget is not None and cost > budget + 1e-9:
            continue
        obj = evaluate(measures, scen, x) + cost
        if best is None or obj < best - 1e-9:
            best, best_x = obj, x
    assert plan.objective == pytest.approx(best, rel=1e-7, abs=1e-6)
    # the program's own loss of its portfolio is the closed form's
    assert plan.expected_loss == pytest.approx(evaluate(measures, scen, plan.levels), abs=1e-6)
    del best_x


def test_portfolio_cvar_budget_frontier_and_values():
    rng = np.random.default_rng(3)
    measures = [
        Measure("stock30", "stockpile", "a", fixed_cost=10, effect=30),
        Measure("second", "second_source", "a", fixed_cost=25, effect=0.5, lead_time_days=20),
        Measure("recyc", "recycling", "b", domain="continuous", max_level=0.25, unit_cost=80),
        Measure("rd", "substitution_rd", "b", fixed_cost=5, effect=0.4, success_probability=0.5),
    ]
    scen = _scenarios(rng, 8, ["a", "b"])
    m = PortfolioModel(measures, scen, alpha=0.8, beta=0.0)
    free = m.solve()
    assert free.expected_loss == pytest.approx(evaluate(measures, scen, free.levels), abs=1e-6)
    none = m.solve(budget=0.0)
    assert none.total_cost == 0 and none.expected_loss >= free.expected_loss
    pts = m.frontier([0, 10, 20, 40, 80, 160])
    losses = [p.expected_loss for p in pts]
    assert all(a >= b - 1e-9 for a, b in zip(losses, losses[1:], strict=False))
    assert all(p.cost <= p.budget + 1e-6 for p in pts)
    risky = PortfolioModel(measures, scen, alpha=0.8, beta=5.0).solve()
    assert risky.cvar <= free.cvar + 1e-6
    values = m.marginal_values(free)
    for v, lv in zip(values, free.levels, strict=True):
        if v["value_in_portfolio"] is not None:
            assert (
                (v["value_in_portfolio"] >= -1e-6) if lv > 0 else (v["value_in_portfolio"] <= 1e-6)
            )
    met = m.metrics()
    assert met.vss >= -1e-6 and met.evpi >= -1e-6
    assert met.rp == pytest.approx(free.objective, rel=1e-6)


def test_mean_value_scenario_of_one_scenario_is_itself():
    rng = np.random.default_rng(11)
    measures = [
        Measure("st", "stockpile", "a", "continuous", 60.0, unit_cost=0.05),
        Measure("ss", "second_source", "a", fixed_cost=1.0, effect=0.4, lead_time_days=10),
    ]
    (one,) = _scenarios(rng, 1, ["a"])
    one = ScenarioLosses(one.name, 1.0, one.other_loss, one.channels)
    m = PortfolioModel(measures, [one])
    met = m.metrics()
    # one scenario: RP = EV = EEV = WS, so VSS = EVPI = 0
    assert met.vss == pytest.approx(0, abs=1e-7) and met.evpi == pytest.approx(0, abs=1e-7)
    assert met.ev == pytest.approx(met.rp, rel=1e-9)
