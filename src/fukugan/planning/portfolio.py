r"""The planning problem: a portfolio of measures against a weighted set of disruption scenarios,
written as a two-stage stochastic program (:mod:`fukugan.planning.stochastic`).

First stage (chosen before the disruption, the same in every scenario): the level x_m of each
measure m — a stockpile in days of cover of a commodity's normal imports; a second source, a
substitute (R&D), a diversification limit (binary); recycling or domestic / allied capacity as
a share of consumption (continuous, optionally with a fixed cost through a binary z_m with
x_m ≤ max_m z_m). Cost c′x = Σ unit_cost_m x_m + fixed_cost_m z_m, optionally ≤ a budget.

Second stage (each scenario s, each commodity channel k the measures act on): the loss the
channel's shortfall causes, ℓ_{s,k}(t) per day, is cut into periods b at every day a flow
measure becomes available in s (the shock's start + the measure's lead time). The flow
measures (second source, recycling, capacity, substitution, diversification) act as the
engine's responses do, each replacing a share e_m·scale_{s,m}·ω_m of what is still lost, so
that a combination C of them leaves Π_{m ∈ C} (1 − e_m·scale·ω) of the shortfall — a product,
written linearly by enumerating the combinations of the commodity's binary flow measures: one
first-stage column w_C ∈ [0, 1] per combination, Σ_C w_C = 1 and x_m = Σ_{C ∋ m} w_C (integral
x makes w integral), and for its (at most one) continuous flow measure y the product
v_C = x_y·w_C, exact by McCormick's inequalities since w_C is binary. Stock releases r_b
cover what remains; the rest u_b ≥ 0 is lost::

    u_b + r_b + Σ_C ℓ_b (1 − P_{C,b}) w_C + Σ_C ℓ_b P_{C,b} e_y v_C ≥ ℓ_b     (each period)
    Σ_b r_b ≤ λ_{s,k} (S⁰_{s,k} + Σ_{stockpiles m on k} e_m x_m)
    loss_s = L⁰_s + Σ_{k,b} u_b

with P_{C,b} = Π_{m ∈ C available in b} (1 − e_m·scale_{s,m}·ω_m). λ_{s,k} is the loss avoided
per day of cover released (the engine's loss per day of the commodity's normal imports
lost), S⁰ the stock the scenario itself already releases, L⁰_s the loss of the scenario's
other shocks (untouched by the measures), scale_{s,m} a measure's scenario-specific effect (a
diversification limit d on a supplier with share σ_s removes 1 − d/σ_s of the lost supply), and
ω_m ∈ {0, 1} the outcome of a measure that may fail (substitution R&D succeeding with
probability π_m: each scenario is split into the 2^k outcomes of the k uncertain measures,
with probabilities Π π_m^ω (1 − π_m)^(1−ω)). e_m is a measure's effect per unit of level.

How loss responds to a measure: piecewise linear, from engine runs. The services measure
ℓ_{s,k}(t) and λ_{s,k} by running the scenario through its engine (the loss time series with the
channel's own stock removed, and the loss avoided by one more day of cover). The static
input-output engine is linear in the shortfall of imported supply (Ghosh propagation of a
linear impulse) as long as no industry's loss reaches its output, so this representation is
exact there: the loss falls with the stock at slope λ until the remaining shortfall is
covered, then stays at L⁰ — the engine's own rule, which draws the stock against the remaining
shortfall day by day — and the flow measures multiply as the engine's responses do. The plan
reports the engine's re-run of the chosen portfolio beside the prediction.

:func:`evaluate` computes the same loss in closed form for given levels (no solver), which the
tests use against brute-force enumeration.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from fukugan.errors import InputError
from fukugan.planning.stochastic import (
    InfeasibleProblem,
    Recourse,
    Solution,
    StochasticMetrics,
    TwoStageModel,
    TwoStageProblem,
    var_cvar,
)

__all__ = [
    "DOMAINS",
    "FLOW_KINDS",
    "KINDS",
    "ChannelLoss",
    "FrontierPoint",
    "Measure",
    "Plan",
    "PortfolioModel",
    "ScenarioLosses",
    "SENSITIVITY",
    "evaluate",
    "first_stage",
    "outcomes",
    "sensitivity",
    "varied",
]

KINDS = (
    "stockpile",
    "second_source",
    "recycling",
    "capacity",
    "substitution_rd",
    "diversification",
)
FLOW_KINDS = tuple(k for k in KINDS if k != "stockpile")
DOMAINS = ("binary", "integer", "continuous")
MAX_UNCERTAIN = 6  # measures that may fail: 2^6 outcomes per scenario at most
MAX_FLOW_BINARIES = 10  # binary flow measures per commodity: 2^10 combinations at most

INF = float("inf")


@dataclass(frozen=True)
class Measure:
    """One measure of the catalogue (levels and effects in the module docstring).

    ``effect`` per unit of level: for a flow measure, the share of the lost supply it replaces
    (binary: when taken; continuous recycling or capacity: the level *is* the share, so 1); for
    a stockpile, the days of cover (continuous or integer days: 1; a binary 30-day stock: 30).
    """

    id: str
    kind: str
    commodity: str
    domain: str = "binary"
    max_level: float = 1.0
    unit_cost: float = 0.0
    fixed_cost: float = 0.0
    effect: float = 1.0
    lead_time_days: float = 0.0
    success_probability: float = 1.0
    min_level: float = 0.0

    @property
    def is_stock(self) -> bool:
        return self.kind == "stockpile"

    def cost(self, level: float) -> float:
        if level <= 0:
            return 0.0
        return self.unit_cost * level + self.fixed_cost


@dataclass(frozen=True)
class ChannelLoss:
    """What one commodity's shortfall costs in one scenario (measured by the engines)."""

    daily_loss: np.ndarray  # ℓ(t), loss per day, t = day 1..T, before any stock release
    loss_per_stock_day: float  # λ
    stock_days: float = 0.0  # S⁰, the scenario's own stock
    start: int = 0  # day the shock starts (measures' lead times count from it)
    scale: Mapping[str, float] = field(default_factory=dict)  # measure id → effect scale


@dataclass(frozen=True)
class ScenarioLosses:
    name: str
    probability: float
    other_loss: float  # L⁰
    channels: Mapping[str, ChannelLoss]


@dataclass
class Plan:
    """A solved portfolio."""

    levels: np.ndarray
    costs: np.ndarray
    total_cost: float
    expected_loss: float
    var: float
    cvar: float
    alpha: float
    objective: float
    scenario_loss: np.ndarray  # expected loss per base scenario (over outcomes of R&D)
    scenario_names: tuple[str, ...]
    status: str
    mip_gap: float
    solution: Solution = field(repr=False)


@dataclass(frozen=True)
class FrontierPoint:
    budget: float
    cost: float
    expected_loss: float
    cvar: float
    levels: tuple[float, ...]


def _check(measures: Sequence[Measure], scenarios: Sequence[ScenarioLosses]) -> None:
    if not measures:
        raise InputError("no measures")
    if not scenarios:
        raise InputError("no scenarios")
    ids = [m.id for m in measures]
    if len(set(ids)) != len(ids):
        raise InputError("measure ids must be unique")
    for m in measures:
        if m.kind not in KINDS or m.domain not in DOMAINS:
            raise InputError(f"measure {m.id!r}: unknown kind or domain")
        if m.unit_cost < 0 or m.fixed_cost < 0:
            raise InputError(f"measure {m.id!r}: costs cannot be negative")
        if not 0 <= m.min_level <= m.max_level:
            raise InputError(f"measure {m.id!r}: need 0 ≤ min_level ≤ max_level")
        if not 0 < m.success_probability <= 1:
            raise InputError(f"measure {m.id!r}: success probability must be in (0, 1]")
    T = {len(c.daily_loss) for s in scenarios for c in s.channels.values()}
    if len(T) > 1:
        raise InputError("every channel's daily loss must cover the same horizon")


class PortfolioModel:
    """The planning program for ``measures`` × ``scenarios``; ``alpha``/``beta``: CVaR_α of
    the loss with weight β in the objective E[loss] + cost + β CVaR_α(loss)."""

    def __init__(
        self,
        measures: Sequence[Measure],
        scenarios: Sequence[ScenarioLosses],
        *,
        alpha: float = 0.9,
        beta: float = 0.0,
        mip_rel_gap: float = 1e-4,
        threads: int | None = None,
    ) -> None:
        _check(measures, scenarios)
        self.measures = tuple(measures)
        self.scenarios = tuple(scenarios)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.mip_rel_gap = mip_rel_gap
        self.threads = threads
        self.problem, self._base_of = self._build()
        self._model: TwoStageModel | None = None

    # -- assembly ------------------------------------------------------------------------------

    def _build(self) -> tuple[TwoStageProblem, np.ndarray]:
        ms = self.measures
        # first stage: x_m, then z_m for fixed costs on non-binary measures (first_stage), then
        # per commodity the combination columns w_C (and v_C = x_y·w_C for its continuous flow
        # measure y)
        n1, names, cost0, lo0, hi0, int0, rows0 = first_stage(ms)
        n0 = n1
        combos: dict[str, list[tuple[tuple[int, ...], int, int | None]]] = {}
        self._flow_of: dict[str, tuple[list[int], int | None]] = {}
        for k in sorted({m.commodity for m in ms}):
            flows = [i for i, m in enumerate(ms) if m.commodity == k and not m.is_stock]
            if not flows:
                continue
            binary = [i for i in flows if ms[i].domain == "binary"]
            cont = [i for i in flows if ms[i].domain != "binary"]
            if len(cont) > 1:
                raise InputError(
                    f"{k}: at most one continuous flow measure (recycling or capacity share) per "
                    f"commodity; {', '.join(ms[i].id for i in cont)} are continuous: make all "
                    "but one binary"
                )
            if len(binary) > MAX_FLOW_BINARIES:
                raise InputError(
                    f"{k}: at most {MAX_FLOW_BINARIES} binary flow measures per commodity "
                    f"(their combinations are enumerated), not {len(binary)}"
                )
            y = cont[0] if cont else None
            self._flow_of[k] = (binary, y)
            lst = []
            for r in range(len(binary) + 1):
                for C in itertools.combinations(binary, r):
                    w = n1
                    n1 += 1
                    names.append(f"{k}:{'+'.join(ms[i].id for i in C) or 'none'}")
                    v = None
                    if y is not None:
                        v = n1
                        n1 += 1
                        names.append(f"{k}:{'+'.join(ms[i].id for i in C) or 'none'}*{ms[y].id}")
                    lst.append((C, w, v))
            combos[k] = lst
        self._combos = combos
        cost = np.concatenate([cost0, np.zeros(n1 - n0)])
        lo = np.concatenate([lo0, np.zeros(n1 - n0)])
        hi = np.concatenate([hi0, np.ones(n1 - n0)])
        integer = np.concatenate([int0, np.zeros(n1 - n0, dtype=bool)])
        rows_A: list[dict[int, float]] = [r[0] for r in rows0]
        A_lo: list[float] = [r[1] for r in rows0]
        A_hi: list[float] = [r[2] for r in rows0]

        def arow(coefs: dict[int, float], lo_: float, hi_: float) -> None:
            rows_A.append(coefs)
            A_lo.append(lo_)
            A_hi.append(hi_)

        for k, lst in combos.items():
            binary, y = self._flow_of[k]
            arow({w: 1.0 for _, w, _ in lst}, 1.0, 1.0)  # one combination
            for i in binary:  # x_i = Σ_{C ∋ i} w_C (integral x makes w integral)
                arow({i: 1.0, **{w: -1.0 for C, w, _ in lst if i in C}}, 0.0, 0.0)
            if y is not None:  # v_C = x_y w_C, exactly (w_C binary): McCormick
                top = ms[y].max_level
                for _, w, v in lst:
                    hi[v] = top
                    arow({v: 1.0, w: -top}, -INF, 0.0)
                    arow({v: 1.0, y: -1.0}, -INF, 0.0)
                    arow({y: 1.0, v: -1.0, w: top}, -INF, top)
        # channels: every commodity a measure acts on (the others' loss is a constant)
        commodities = sorted({m.commodity for m in ms})
        return self._problem(
            n1, names, cost, lo, hi, integer, list(zip(rows_A, A_lo, A_hi, strict=True)),
            lambda s, prob, omega: self._recourse(s, prob, omega, commodities, n1, s.name),
        )  # fmt: skip

    def _problem(
        self,
        n1: int,
        names: list[str],
        cost: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        integer: np.ndarray,
        rows: list[tuple[dict[int, float], float, float]],
        recourse,
    ) -> tuple[TwoStageProblem, np.ndarray]:
        """The two-stage problem from the first stage's columns and rows and ``recourse(s,
        probability, ω)``, each scenario split into the outcomes of the measures that may fail;
        and the scenario each recourse belongs to."""
        A = None
        if rows:
            r_i = [r for r, (d, _, _) in enumerate(rows) for _ in d]
            c_i = [c for d, _, _ in rows for c in d]
            v_i = [v for d, _, _ in rows for v in d.values()]
            A = sp.csr_matrix((v_i, (r_i, c_i)), shape=(len(rows), n1))
        recourses: list[Recourse] = []
        base_of = []
        for si, s in enumerate(self.scenarios):
            for omega, pr in outcomes(self.measures):
                if pr == 0:
                    continue
                recourses.append(recourse(s, s.probability * pr, omega))
                base_of.append(si)
        pb = TwoStageProblem(
            c=cost,
            x_lower=lo,
            x_upper=hi,
            x_integer=integer,
            A=A,
            row_lower=np.array([r[1] for r in rows]) if rows else None,
            row_upper=np.array([r[2] for r in rows]) if rows else None,
            budget_weights=cost.copy(),
            outcome_x=np.zeros(n1),  # the outcome (loss) has no first-stage term: cost is not loss
            scenarios=recourses,
            x_names=tuple(names),
        )
        return pb, np.array(base_of)

    def _recourse(
        self,
        s: ScenarioLosses,
        prob: float,
        omega: np.ndarray,
        commodities: list[str],
        n1: int,
        name: str,
    ) -> Recourse:
        """One scenario's rows (module docstring): per channel k and period b, u_b + r_b +
        Σ_C ℓ_b (1 − P_{C,b}) w_C + Σ_C ℓ_b P_{C,b} e_y v_C ≥ ℓ_b — at the optimum u_b is what
        the combination taken leaves, less the releases — and Σ_b r_b − λ Σ e_m x_m ≤ λ S⁰.
        Periods are cut at this scenario's start + lead times."""
        ms = self.measures
        q: list[float] = []
        t_r, t_c, t_v = [], [], []
        w_r, w_c, w_v = [], [], []
        rlo: list[float] = []
        rhi: list[float] = []
        constant = float(s.other_loss)
        for k, ch in s.channels.items():
            if k not in commodities:
                constant += max(
                    float(ch.daily_loss.sum()) - ch.loss_per_stock_day * ch.stock_days, 0.0
                )
        for k in commodities:
            ch = s.channels.get(k)
            if ch is None:
                continue
            T = len(ch.daily_loss)
            flows = [i for i, m in enumerate(ms) if m.commodity == k and not m.is_stock]
            stocks = [i for i, m in enumerate(ms) if m.commodity == k and m.is_stock]
            avail_at = {i: int(ch.start + np.ceil(ms[i].lead_time_days)) for i in flows}
            cuts = np.array(sorted({0, T} | {min(max(v, 0), T) for v in avail_at.values()}))
            ell = np.add.reduceat(ch.daily_loss, cuts[:-1])
            lam = float(ch.loss_per_stock_day)
            has_stock = lam > 0 and (ch.stock_days > 0 or bool(stocks))
            st = None
            if has_stock:
                st = len(rlo)
                rlo.append(-INF)
                rhi.append(lam * float(ch.stock_days))
                for i in stocks:
                    t_r.append(st)
                    t_c.append(i)
                    t_v.append(-lam * ms[i].effect)
            binary, y = self._flow_of.get(k, ([], None))
            lst = self._combos.get(k, [])

            eff = {
                i: ms[i].effect * float(ch.scale.get(ms[i].id, 1.0)) * omega[i]
                for i in [*binary, *([] if y is None else [y])]
            }

            for b in range(len(cuts) - 1):
                lb = float(ell[b])
                if lb <= 0:
                    continue
                row = len(rlo)
                rlo.append(lb)
                rhi.append(INF)
                q.append(1.0)  # u_b
                w_r.append(row)
                w_c.append(len(q) - 1)
                w_v.append(1.0)
                if st is not None:
                    q.append(0.0)  # r_b
                    w_r += [row, st]
                    w_c += [len(q) - 1, len(q) - 1]
                    w_v += [1.0, 1.0]
                y_on = y is not None and cuts[b] >= avail_at[y]
                for C, w, v in lst:
                    # what the combination leaves of the shortfall: Π (1 − e), as the engine
                    left = 1.0
                    for i in C:
                        if cuts[b] >= avail_at[i]:
                            left *= max(0.0, 1.0 - eff[i])
                    if 1.0 - left:
                        t_r.append(row)
                        t_c.append(w)
                        t_v.append(lb * (1.0 - left))
                    if y_on and v is not None and left * eff[y]:
                        t_r.append(row)
                        t_c.append(v)
                        t_v.append(lb * left * eff[y])
        m2, n2 = len(rlo), len(q)
        return Recourse(
            probability=prob,
            q=np.array(q),
            T=sp.csr_matrix((t_v, (t_r, t_c)), shape=(m2, n1)),
            W=sp.csr_matrix((w_v, (w_r, w_c)), shape=(m2, n2)),
            row_lower=np.array(rlo),
            row_upper=np.array(rhi),
            y_lower=np.zeros(n2),
            y_upper=np.full(n2, INF),
            constant=constant,
            name=name,
        )

    # -- solving -------------------------------------------------------------------------------

    def model(self) -> TwoStageModel:
        if self._model is None:
            self._model = TwoStageModel(
                self.problem,
                alpha=self.alpha,
                beta=self.beta,
                mip_rel_gap=self.mip_rel_gap,
                threads=self.threads,
            )
        return self._model

    def _plan(self, sol: Solution) -> Plan:
        nm = len(self.measures)
        levels = sol.x[:nm].copy()
        levels[np.abs(levels) < 1e-9] = 0.0
        levels = levels + 0.0  # no −0 from the solver
        costs = np.array([m.cost(v) for m, v in zip(self.measures, levels, strict=True)])
        var, cvar = var_cvar(sol.outcomes, sol.probabilities, self.alpha)
        per = np.zeros(len(self.scenarios))
        for j, si in enumerate(self._base_of):
            per[si] += sol.probabilities[j] * sol.outcomes[j]
        base_p = np.array([s.probability for s in self.scenarios])
        with np.errstate(invalid="ignore", divide="ignore"):
            per = np.where(base_p > 0, per / base_p, 0.0)
        # solver round-off around a fully covered shortfall (|loss| ~ 1e-10): shown as 0
        per = np.where(np.abs(per) < 1e-9 * max(1.0, float(np.abs(per).max())), 0.0, per)
        return Plan(
            levels=levels,
            costs=costs,
            total_cost=float(costs.sum()),
            expected_loss=sol.expected_outcome,
            var=var,
            cvar=cvar,
            alpha=self.alpha,
            objective=sol.objective,
            scenario_loss=per,
            scenario_names=tuple(s.name for s in self.scenarios),
            status=sol.status,
            mip_gap=sol.mip_gap,
            solution=sol,
        )

    def solve(
        self,
        budget: float | None = None,
        *,
        x_lower: np.ndarray | None = None,
        x_upper: np.ndarray | None = None,
    ) -> Plan:
        """The optimal portfolio (objective E[loss] + cost + β CVaR_α), within ``budget``."""
        return self._plan(self.model().solve(budget=budget, x_lower=x_lower, x_upper=x_upper))

    def fixed(self, levels: Sequence[float]) -> Plan:
        """The plan with every measure fixed at ``levels`` (its recourse optimised)."""
        lv = np.asarray(levels, dtype=float)
        lo = self.problem.x_lower.copy()
        hi = self.problem.x_upper.copy()
        nm = len(self.measures)
        lo[:nm] = hi[:nm] = lv
        for i in range(nm):
            j = self._z_index(i)
            if j is not None:
                lo[j] = hi[j] = 1.0 if lv[i] > 0 else 0.0
        return self.solve(x_lower=lo, x_upper=hi)

    def _z_index(self, i: int) -> int | None:
        name = f"{self.measures[i].id}:open"
        names = self.problem.x_names
        return names.index(name) if name in names else None

    def frontier(self, budgets: Sequence[float]) -> list[FrontierPoint]:
        """The optimal plan (objective E[loss] + cost [+ β CVaR]) with its cost capped at each
        budget: its expected loss and CVaR against the budget. Past the cost of the uncapped
        optimum the frontier is flat — each further unit of spending would avoid less than a
        unit of loss. (Minimising the loss alone, cost only breaking ties, leaves the MIP with
        near-ties that take HiGHS minutes at 200 scenarios × 40 measures: see benchmarks.)"""
        mdl = self.model()
        out = []
        for b in budgets:
            sol = mdl.solve(budget=float(b))
            plan = self._plan(sol)
            out.append(
                FrontierPoint(
                    budget=float(b),
                    cost=plan.total_cost,
                    expected_loss=plan.expected_loss,
                    cvar=plan.cvar,
                    levels=tuple(float(v) for v in plan.levels),
                )
            )
        return out

    def marginal_values(self, plan: Plan, budget: float | None = None) -> list[dict]:
        """For each measure: the change in the objective (expected loss + cost [+ β CVaR])
        from having it — for a chosen measure, the objective without it minus the optimum
        (≥ 0); for one left out, the optimum minus the objective with it forced in at one unit
        (binary, integer) or its maximum (continuous), ≤ 0 — and the expected loss it avoids
        on its own (:func:`evaluate`) per unit of cost."""
        nm = len(self.measures)
        base_lo, base_hi = self.problem.x_lower, self.problem.x_upper
        nothing = self.evaluate(np.zeros(nm))
        out = []
        for i, m in enumerate(self.measures):
            lo, hi = base_lo.copy(), base_hi.copy()
            chosen = plan.levels[i] > 0
            if chosen:
                lo[i] = hi[i] = 0.0
                j = self._z_index(i)
                if j is not None:
                    lo[j] = hi[j] = 0.0
            else:
                level = 1.0 if m.domain != "continuous" else m.max_level
                lo[i] = max(lo[i], min(level, m.max_level))
                j = self._z_index(i)
                if j is not None:
                    lo[j] = 1.0
            try:
                alt = self.solve(budget, x_lower=lo, x_upper=hi).objective
                value = alt - plan.objective if chosen else plan.objective - alt
            except InfeasibleProblem:
                value = None  # cannot be dropped (min level) or added (budget)
            level = plan.levels[i] if chosen else (1.0 if m.domain != "continuous" else m.max_level)
            alone = np.zeros(nm)
            alone[i] = level
            avoided = nothing - self.evaluate(alone)
            c = m.cost(level)
            out.append(
                {
                    "measure": m.id,
                    "chosen": bool(chosen),
                    "value_in_portfolio": value,
                    "level_assessed": float(level),
                    "loss_avoided_alone": float(avoided),
                    "loss_avoided_per_cost": float(avoided / c) if c > 0 else None,
                }
            )
        return out

    def evaluate(self, levels: Sequence[float]) -> float:
        """Expected loss of the portfolio ``levels`` (closed form: :func:`evaluate`)."""
        return evaluate(self.measures, self.scenarios, levels)

    def scenario_losses(self, levels: Sequence[float]) -> np.ndarray:
        """Each scenario's expected loss with the portfolio ``levels`` (closed form)."""
        return evaluate(self.measures, self.scenarios, levels, per_scenario=True)

    def varied(self, what: str, factor: float) -> PortfolioModel:
        """The model with one assumption scaled (:func:`varied`)."""
        ms, scs = varied(self.measures, self.scenarios, what, factor)
        return PortfolioModel(
            ms, scs, alpha=self.alpha, beta=self.beta, mip_rel_gap=self.mip_rel_gap,
            threads=self.threads,
        )  # fmt: skip

    def mean_value_scenario(self) -> ScenarioLosses:
        """The mean-value scenario: the expectation of each channel's data as they enter the
        program (a scenario lacking the channel counts with zeros) — the daily loss E[ℓ(t)],
        the stock coefficient E[λ], the stock right-hand side E[λ S⁰] (so S⁰ = E[λ S⁰]/E[λ]),
        effect scales weighted by each scenario's channel loss, the start rounded from its
        mean; the other loss E[L⁰]."""
        scs = self.scenarios
        p = np.array([s.probability for s in scs])
        T = next((len(c.daily_loss) for s in scs for c in s.channels.values()), 1)
        keys = sorted({k for s in scs for k in s.channels})
        chans = {}
        for k in keys:
            has = [(pi, s.channels[k]) for pi, s in zip(p, scs, strict=True) if k in s.channels]
            w = sum(pi for pi, _ in has)
            lam = float(sum(pi * c.loss_per_stock_day for pi, c in has))
            rhs = float(sum(pi * c.loss_per_stock_day * c.stock_days for pi, c in has))
            tot = float(sum(pi * c.daily_loss.sum() for pi, c in has))
            ids = {mid for _, c in has for mid in c.scale}
            chans[k] = ChannelLoss(
                daily_loss=sum((pi * c.daily_loss for pi, c in has), np.zeros(T)),
                loss_per_stock_day=lam,
                stock_days=rhs / lam if lam > 0 else 0.0,
                start=int(round(sum(pi * c.start for pi, c in has) / w)),
                scale={
                    i: float(
                        sum(pi * c.scale.get(i, 1.0) * c.daily_loss.sum() for pi, c in has) / tot
                    )
                    if tot > 0
                    else 1.0
                    for i in ids
                },
            )
        return ScenarioLosses("mean value", 1.0, float(p @ [s.other_loss for s in scs]), chans)

    def _like(self, scenarios: Sequence[ScenarioLosses]) -> PortfolioModel:
        return PortfolioModel(
            self.measures,
            scenarios,
            alpha=self.alpha,
            beta=0.0,
            mip_rel_gap=self.mip_rel_gap,
            threads=self.threads,
        )

    def metrics(self, budget: float | None = None) -> StochasticMetrics:
        """RP, EV, EEV, WS, VSS, EVPI of the risk-neutral plan (:mod:`.stochastic`), with the
        mean-value scenario of :meth:`mean_value_scenario` (the scenarios' periods differ, so
        the mean is taken of the engines' loss responses rather than of the matrices)."""
        rn = self if self.beta == 0 else self._like(self.scenarios)
        rp = rn.solve(budget)
        ev = self._like([self.mean_value_scenario()]).solve(budget)
        x_ev = ev.levels
        try:
            eev = rn.fixed(x_ev).objective
        except InfeasibleProblem:
            eev = float("inf")
        ws = 0.0
        for s in self.scenarios:
            one = replace(s, probability=1.0)
            ws += s.probability * self._like([one]).solve(budget).objective
        return StochasticMetrics(
            rp=rp.objective, ev=ev.objective, eev=eev, ws=ws, x_rp=rp.levels, x_ev=x_ev
        )


def first_stage(
    measures: Sequence[Measure],
) -> tuple[int, list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[tuple]]:
    """The measures' first-stage columns: x_m (its bounds, integrality, unit cost — and the
    fixed cost of a binary measure), then z_m ∈ {0, 1} carrying the fixed cost of each
    non-binary measure that has one, with x_m − max_m z_m ≤ 0. Returns (number of columns,
    names, cost, lower, upper, integer, rows as ({column: coefficient}, lower, upper))."""
    ms = list(measures)
    nm = len(ms)
    z_of = {}
    for i, m in enumerate(ms):
        if m.fixed_cost > 0 and m.domain != "binary":
            z_of[i] = nm + len(z_of)
    n1 = nm + len(z_of)
    names = [m.id for m in ms] + [f"{ms[i].id}:open" for i in z_of]
    cost, lo, hi = np.zeros(n1), np.zeros(n1), np.ones(n1)
    integer = np.zeros(n1, dtype=bool)
    for i, m in enumerate(ms):
        lo[i], hi[i] = m.min_level, m.max_level if m.domain != "binary" else 1.0
        integer[i] = m.domain in ("binary", "integer")
        cost[i] = m.unit_cost + (m.fixed_cost if m.domain == "binary" else 0.0)
        if i in z_of:
            cost[z_of[i]] = m.fixed_cost
            integer[z_of[i]] = True
            lo[z_of[i]] = 1.0 if m.min_level > 0 else 0.0
    rows = [({i: 1.0, j: -ms[i].max_level}, -INF, 0.0) for i, j in z_of.items()]
    return n1, names, cost, lo, hi, integer, rows


def outcomes(
    measures: Sequence[Measure], among: Sequence[int] | None = None
) -> list[tuple[np.ndarray, float]]:
    """Every outcome ω of the measures that may fail (ω_m = 1 if m succeeds, 1 for the sure
    ones) with its probability Π π_m^ω (1 − π_m)^(1−ω); ``among``: only those measures' (e.g.
    the ones a portfolio takes: the others' outcome changes nothing), the rest counted as
    succeeding."""
    unc = [
        i
        for i, m in enumerate(measures)
        if m.success_probability < 1.0 and (among is None or i in among)
    ]
    if len(unc) > MAX_UNCERTAIN:
        raise InputError(
            f"{len(unc)} measures may fail; at most {MAX_UNCERTAIN} are supported "
            "(each doubles the scenarios)"
        )
    out = []
    for om in itertools.product((1, 0), repeat=len(unc)):
        omega = np.ones(len(measures))
        pr = 1.0
        for i, w in zip(unc, om, strict=True):
            omega[i] = w
            pi = measures[i].success_probability
            pr *= pi if w else 1.0 - pi
        out.append((omega, pr))
    return out


def _scenario_loss(
    measures: Sequence[Measure], s: ScenarioLosses, levels: np.ndarray, omega: np.ndarray
) -> float:
    total = float(s.other_loss)
    for k, ch in s.channels.items():
        left_frac = np.ones(len(ch.daily_loss))
        t = np.arange(len(ch.daily_loss))
        stock = float(ch.stock_days)
        for i, m in enumerate(measures):
            if m.commodity != k or levels[i] <= 0:
                continue
            if m.is_stock:
                stock += levels[i] * m.effect
            else:
                avail = t >= ch.start + np.ceil(m.lead_time_days)
                e = m.effect * float(ch.scale.get(m.id, 1.0)) * omega[i] * levels[i]
                left_frac *= np.where(avail, max(0.0, 1.0 - e), 1.0)
        left = float((ch.daily_loss * left_frac).sum())
        total += max(left - ch.loss_per_stock_day * stock, 0.0)
    return total


def evaluate(
    measures: Sequence[Measure],
    scenarios: Sequence[ScenarioLosses],
    levels: Sequence[float],
    *,
    per_scenario: bool = False,
):
    """Expected loss of the portfolio ``levels`` in closed form (module docstring);
    ``per_scenario``: the
    expected loss of each scenario over the outcomes of the measures that may fail."""
    lv = np.asarray(levels, dtype=float)
    per = [
        sum(pr * _scenario_loss(measures, s, lv, omega) for omega, pr in outcomes(measures))
        for s in scenarios
    ]
    arr = np.array(per)
    if per_scenario:
        return arr
    return float(np.array([s.probability for s in scenarios]) @ arr)


#: The assumptions :func:`sensitivity` varies, and the factors it tries.
SENSITIVITY = (
    ("cost", 0.5),
    ("cost", 1.5),
    ("loss", 0.5),
    ("loss", 1.5),
    ("lead_time", 1.5),
    ("success", 0.5),
)


def varied(
    measures: Sequence[Measure],
    scenarios: Sequence[ScenarioLosses],
    what: str,
    factor: float,
) -> tuple[list[Measure], list[ScenarioLosses]]:
    """The inputs with one assumption scaled by ``factor``: ``cost`` (every measure's costs),
    ``loss`` (every scenario's loss, so also the loss a day of cover avoids), ``lead_time``
    (every lead time) or ``success`` (every success probability below 1)."""
    ms, scs = list(measures), list(scenarios)
    if what == "cost":
        ms = [
            replace(m, unit_cost=m.unit_cost * factor, fixed_cost=m.fixed_cost * factor) for m in ms
        ]
    elif what == "lead_time":
        ms = [replace(m, lead_time_days=m.lead_time_days * factor) for m in ms]
    elif what == "success":
        ms = [
            replace(m, success_probability=min(1.0, m.success_probability * factor))
            if m.success_probability < 1
            else m
            for m in ms
        ]
    elif what == "loss":
        scs = [
            replace(
                s,
                other_loss=s.other_loss * factor,
                channels={
                    k: replace(c, daily_loss=c.daily_loss * factor,
                               loss_per_stock_day=c.loss_per_stock_day * factor)
                    for k, c in s.channels.items()
                },
            )
            for s in scs
        ]  # fmt: skip
    else:
        raise InputError(f"unknown assumption {what!r}")
    return ms, scs


def sensitivity(
    model: PortfolioModel, budget: float | None = None, cases=SENSITIVITY
) -> list[dict]:
    """The optimal portfolio when each main assumption is varied (one at a time): its cost,
    expected loss, CVaR and levels."""
    out = []
    for what, factor in cases:
        m = model.varied(what, factor)
        try:
            p = m.solve(budget)
        except InfeasibleProblem:
            out.append({"assumption": what, "factor": factor, "feasible": False})
            continue
        out.append(
            {
                "assumption": what,
                "factor": factor,
                "feasible": True,
                "total_cost": p.total_cost,
                "expected_loss": p.expected_loss,
                "cvar": p.cvar,
                "levels": [float(v) for v in p.levels],
            }
        )
    return out
