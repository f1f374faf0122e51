r"""Two-stage stochastic linear and mixed-integer programs, solved as their extensive form.

The problem (Birge & Louveaux 2011, *Introduction to Stochastic Programming*, 2nd ed., §2.1)::

    min   λ · ( c′x + Σ_s p_s (q_s′y_s + k_s) )  +  β · CVaR_α( r_s(x, y_s) )
    s.t.  l₁ ≤ A x ≤ u₁,   b′x ≤ B                     first stage (x integer where flagged)
          l_s ≤ T_s x + W_s y_s ≤ u_s                  second stage, each scenario s
          x_lo ≤ x ≤ x_hi,   y_lo,s ≤ y_s ≤ y_hi,s

with the scenario *outcome* r_s = e′x + f_s′y_s + k_s (by default the scenario's total cost,
e = c, f_s = q_s) whose conditional value-at-risk is taken, and the optional budget row b′x ≤ B.
λ is the mean weight (1 by default) and β the CVaR weight (0: risk neutral).

CVaR is linearised after Rockafellar & Uryasev (2000, *J. Risk* 2(3):21–41; 2002, *J. Banking
& Finance* 26:1443–1471): CVaR_α(r) = min_η η + 1/(1−α) Σ_s p_s (r_s − η)⁺, so one free
variable η (at the optimum the α-quantile, VaR_α) and one excess z_s ≥ r_s − η, z_s ≥ 0 per
scenario enter the program and it stays linear. This is the upper tail (the costly outcomes)
and the same transformation as mpi-sppy's ``mpisppy.utils.cvar`` with ``cvar_mean_weight`` = λ
and ``cvar_weight`` = β, which the tests reproduce on the farmer problem.

Measures of the value of stochastic modelling (Birge & Louveaux §4.1), for the risk-neutral
objective: RP is the recourse problem's optimum; EV solves the mean-value problem (every
scenario's data replaced by its expectation) and EEV is the expected objective of the EV
first-stage decision x̄ (the recourse solved in each scenario with x fixed at x̄); WS is the
expected optimum when each scenario is known in advance (wait-and-see). For a minimisation
VSS = EEV − RP ≥ 0 and EVPI = RP − WS ≥ 0.

Modelling layer: HiGHS through ``highspy`` directly. The extensive form is block-angular and is
assembled from index arrays into one column-wise sparse matrix (no per-coefficient Python calls,
which is where algebraic layers such as Pyomo spend their time at 200 scenarios × 40 measures),
and one :class:`highspy.Highs` object is kept per problem so that a frontier changes only the
budget row's bound and a marginal-value study only column bounds, each re-solve warm-started.
linopy or Pyomo would add a dependency and a model-building pass for no modelling gain here:
the program is linear and its structure fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
import scipy.sparse as sp

from fukugan.errors import InputError

__all__ = [
    "InfeasibleProblem",
    "Recourse",
    "Solution",
    "StochasticMetrics",
    "TwoStageModel",
    "TwoStageProblem",
    "stochastic_metrics",
    "var_cvar",
]

INF = highspy.kHighsInf


class InfeasibleProblem(InputError):
    """The program has no feasible solution (e.g. a budget below the measures one must take)."""


@dataclass(frozen=True)
class Recourse:
    """One scenario's second stage: ``l ≤ T x + W y ≤ u``, cost ``q′y + constant``.

    ``outcome`` is the vector f of the scenario outcome r = e′x + f′y + constant whose CVaR is
    taken (default: ``q``, so the outcome is the scenario's total cost with e = c)."""

    probability: float
    q: np.ndarray
    T: sp.spmatrix
    W: sp.spmatrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    y_lower: np.ndarray
    y_upper: np.ndarray
    constant: float = 0.0
    outcome: np.ndarray | None = None
    name: str = ""


@dataclass(frozen=True)
class TwoStageProblem:
    """First-stage data and the scenarios (see the module docstring for the notation)."""

    c: np.ndarray
    x_lower: np.ndarray
    x_upper: np.ndarray
    scenarios: Sequence[Recourse]
    x_integer: np.ndarray | None = None
    A: sp.spmatrix | None = None
    row_lower: np.ndarray | None = None
    row_upper: np.ndarray | None = None
    budget_weights: np.ndarray | None = None
    outcome_x: np.ndarray | None = None  # e; default c
    x_names: tuple[str, ...] = ()

    @property
    def n1(self) -> int:
        return len(self.c)

    def check(self) -> None:
        """Shapes, probabilities and bounds (raises :class:`InputError`)."""
        n1 = self.n1
        for name in ("x_lower", "x_upper"):
            if len(getattr(self, name)) != n1:
                raise InputError(f"{name} has {len(getattr(self, name))} entries, c has {n1}")
        if np.any(np.asarray(self.x_lower) > np.asarray(self.x_upper)):
            raise InputError("a first-stage lower bound exceeds its upper bound")
        if not self.scenarios:
            raise InputError("no scenarios")
        p = np.array([s.probability for s in self.scenarios], dtype=float)
        if np.any(p < 0) or not np.isclose(p.sum(), 1.0, atol=1e-9):
            raise InputError(f"scenario probabilities must be ≥ 0 and sum to 1 (sum {p.sum():g})")
        for s in self.scenarios:
            m2, n2 = s.W.shape
            if s.T.shape != (m2, n1) or len(s.q) != n2:
                raise InputError(f"scenario {s.name!r}: T, W and q have inconsistent shapes")


@dataclass
class Solution:
    """A solved program: the first-stage decision and what it gives in each scenario."""

    status: str
    objective: float
    x: np.ndarray
    first_stage_cost: float  # c′x
    scenario_cost: np.ndarray  # q_s′y_s + k_s
    outcomes: np.ndarray  # r_s
    probabilities: np.ndarray
    var: float
    cvar: float
    alpha: float | None
    y: list[np.ndarray] = field(default_factory=list, repr=False)
    mip_gap: float = 0.0

    @property
    def expected_cost(self) -> float:
        """c′x + Σ p_s (q_s′y_s + k_s): the risk-neutral objective at this solution."""
        return float(self.first_stage_cost + self.probabilities @ self.scenario_cost)

    @property
    def expected_outcome(self) -> float:
        return float(self.probabilities @ self.outcomes)


def var_cvar(values: Sequence[float], probabilities: Sequence[float], alpha: float):
    """(VaR_α, CVaR_α) of a discrete distribution of costs (upper tail), exactly.

    VaR_α is the smallest value v with P(X ≤ v) ≥ α; CVaR_α = VaR + E[(X − VaR)⁺] / (1 − α),
    the Rockafellar–Uryasev minimum (mpi-sppy's closed-form check):

    >>> var_cvar([10, 20, 30, 40], [0.25] * 4, 0.6)
    (30.0, 36.25)
    """
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must lie strictly between 0 and 1, not {alpha}")
    v = np.asarray(values, dtype=float)
    p = np.asarray(probabilities, dtype=float)
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(p[order])
    k = int(np.searchsorted(cum, alpha - 1e-12))
    var = float(v[order][min(k, len(v) - 1)])
    cvar = var + float(p @ np.maximum(v - var, 0.0)) / (1.0 - alpha)
    return var, cvar


class TwoStageModel:
    """The extensive form of a :class:`TwoStageProblem` in one HiGHS model, re-solvable with
    another budget or other first-stage bounds (warm-started).

    ``alpha`` and ``beta``: CVaR level and weight (β = 0 or ``alpha=None``: risk neutral);
    ``mean_weight``: λ. ``mip_rel_gap`` is HiGHS's relative MIP gap; ``threads`` its thread cap.
    """

    def __init__(
        self,
        problem: TwoStageProblem,
        *,
        alpha: float | None = None,
        beta: float = 0.0,
        mean_weight: float = 1.0,
        mip_rel_gap: float = 1e-4,
        time_limit: float | None = None,
        threads: int | None = None,
    ) -> None:
        problem.check()
        if alpha is not None and not 0.0 < alpha < 1.0:
            raise InputError(f"alpha must lie strictly between 0 and 1, not {alpha}")
        if beta < 0 or mean_weight < 0:
            raise InputError("the CVaR and mean weights cannot be negative")
        self.problem = problem
        self.alpha = alpha
        self.beta = float(beta) if alpha is not None else 0.0
        self.mean_weight = float(mean_weight)
        self._build()
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        if threads is not None:
            h.setOptionValue("threads", int(threads))
        h.passModel(self._lp)
        self._h = h
        self._x_lower = np.asarray(problem.x_lower, dtype=float).copy()
        self._x_upper = np.asarray(problem.x_upper, dtype=float).copy()

    # -- assembly ------------------------------------------------------------------------------

    def _build(self) -> None:
        pb = self.problem
        n1 = pb.n1
        S = len(pb.scenarios)
        p = np.array([s.probability for s in pb.scenarios], dtype=float)
        n2 = [len(s.q) for s in pb.scenarios]
        y_off = n1 + np.concatenate([[0], np.cumsum(n2)[:-1]]).astype(int)
        n_y = int(sum(n2))
        risk = self.beta > 0
        eta = n1 + n_y
        z_off = eta + 1
        ncol = n1 + n_y + (1 + S if risk else 0)

        lam = self.mean_weight
        cost = np.zeros(ncol)
        cost[:n1] = lam * np.asarray(pb.c, dtype=float)
        lo = np.zeros(ncol)
        hi = np.zeros(ncol)
        lo[:n1], hi[:n1] = pb.x_lower, pb.x_upper
        for s, sc in enumerate(pb.scenarios):
            sl = slice(y_off[s], y_off[s] + n2[s])
            cost[sl] = lam * sc.probability * np.asarray(sc.q, dtype=float)
            lo[sl], hi[sl] = sc.y_lower, sc.y_upper
        offset = lam * float(sum(sc.probability * sc.constant for sc in pb.scenarios))
        if risk:
            cost[eta] = self.beta
            cost[z_off:] = self.beta * p / (1.0 - self.alpha)
            lo[eta], hi[eta] = -INF, INF
            lo[z_off:], hi[z_off:] = 0.0, INF

        rows, cols, vals = [], [], []
        rlo: list[np.ndarray] = []
        rhi: list[np.ndarray] = []
        r0 = 0

        def add(block: sp.spmatrix, row0: int, col0: int) -> None:
            b = sp.coo_matrix(block)
            rows.append(b.row + row0)
            cols.append(b.col + col0)
            vals.append(b.data)

        if pb.A is not None and pb.A.shape[0]:
            add(pb.A, r0, 0)
            rlo.append(np.asarray(pb.row_lower, dtype=float))
            rhi.append(np.asarray(pb.row_upper, dtype=float))
            r0 += pb.A.shape[0]
        self._budget_row = None
        if pb.budget_weights is not None:
            add(sp.coo_matrix(np.asarray(pb.budget_weights, dtype=float)[None, :]), r0, 0)
            rlo.append(np.array([-INF]))
            rhi.append(np.array([INF]))
            self._budget_row = r0
            r0 += 1
        for s, sc in enumerate(pb.scenarios):
            m2 = sc.W.shape[0]
            add(sc.T, r0, 0)
            add(sc.W, r0, y_off[s])
            rlo.append(np.asarray(sc.row_lower, dtype=float))
            rhi.append(np.asarray(sc.row_upper, dtype=float))
            r0 += m2
        e = np.asarray(pb.c if pb.outcome_x is None else pb.outcome_x, dtype=float)
        if risk:
            # z_s − e′x − f_s′y_s + η ≥ k_s   (z_s ≥ r_s − η)
            for s, sc in enumerate(pb.scenarios):
                f = np.asarray(sc.q if sc.outcome is None else sc.outcome, dtype=float)
                nz_e = np.flatnonzero(e)
                nz_f = np.flatnonzero(f)
                rows.append(np.full(len(nz_e) + len(nz_f) + 2, r0))
                cols.append(np.concatenate([nz_e, y_off[s] + nz_f, [eta, z_off + s]]))
                vals.append(np.concatenate([-e[nz_e], -f[nz_f], [1.0, 1.0]]))
                rlo.append(np.array([sc.constant]))
                rhi.append(np.array([INF]))
                r0 += 1
        a = sp.csc_matrix(
            (
                np.concatenate(vals) if vals else np.zeros(0),
                (
                    np.concatenate(rows) if rows else np.zeros(0, int),
                    np.concatenate(cols) if cols else np.zeros(0, int),
                ),
            ),
            shape=(r0, ncol),
        )
        a.sum_duplicates()
        a.sort_indices()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = ncol, r0
        lp.col_cost_ = cost
        lp.col_lower_, lp.col_upper_ = lo, hi
        lp.row_lower_ = np.concatenate(rlo) if rlo else np.zeros(0)
        lp.row_upper_ = np.concatenate(rhi) if rhi else np.zeros(0)
        lp.offset_ = offset
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(np.float64)
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = ncol, r0
        integer = pb.x_integer
        self.is_mip = integer is not None and bool(np.any(integer))
        if self.is_mip:
            kinds = [highspy.HighsVarType.kContinuous] * ncol
            for j in np.flatnonzero(integer):
                kinds[j] = highspy.HighsVarType.kInteger
            lp.integrality_ = kinds
        self._lp = lp
        self._y_off = y_off
        self._n2 = n2
        self._p = p
        self._e = e

    # -- solving -------------------------------------------------------------------------------

    def solve(
        self,
        *,
        budget: float | None = None,
        x_lower: np.ndarray | None = None,
        x_upper: np.ndarray | None = None,
    ) -> Solution:
        """Solve with the budget row b′x ≤ ``budget`` (None: no budget) and first-stage bounds
        (None: the problem's). Raises :class:`InfeasibleProblem` if there is no solution."""
        h = self._h
        pb = self.problem
        if self._budget_row is not None:
            h.changeRowBounds(self._budget_row, -INF, INF if budget is None else float(budget))
        elif budget is not None:
            raise InputError("this problem has no budget weights")
        lo = self._x_lower if x_lower is None else np.asarray(x_lower, dtype=float)
        hi = self._x_upper if x_upper is None else np.asarray(x_upper, dtype=float)
        idx = np.arange(pb.n1, dtype=np.int32)
        h.changeColsBounds(pb.n1, idx, lo, hi)
        h.run()
        status = h.getModelStatus()
        ok = status == highspy.HighsModelStatus.kOptimal
        if not ok and status not in (
            highspy.HighsModelStatus.kTimeLimit,
            highspy.HighsModelStatus.kSolutionLimit,
            highspy.HighsModelStatus.kInterrupt,
        ):
            what = h.modelStatusToString(status)
            if budget is not None:
                what += f" with a budget of {budget:g}"
            raise InfeasibleProblem(f"the planning problem has no solution ({what})")
        sol = h.getSolution()
        if not sol.value_valid:
            raise InfeasibleProblem(
                f"the solver stopped without a solution ({h.modelStatusToString(status)})"
            )
        col = np.asarray(sol.col_value)
        x = col[: pb.n1].copy()
        if pb.x_integer is not None:
            x[np.asarray(pb.x_integer, dtype=bool)] = np.round(x[np.asarray(pb.x_integer, bool)])
        ys, costs, outs = [], [], []
        for s, sc in enumerate(pb.scenarios):
            y = col[self._y_off[s] : self._y_off[s] + self._n2[s]].copy()
            ys.append(y)
            costs.append(float(np.asarray(sc.q) @ y + sc.constant))
            f = np.asarray(sc.q if sc.outcome is None else sc.outcome, dtype=float)
            outs.append(float(self._e @ x + f @ y + sc.constant))
        outcomes = np.array(outs)
        alpha = self.alpha
        var, cvar = var_cvar(outcomes, self._p, alpha) if alpha is not None else (np.nan, np.nan)
        info = h.getInfo()
        return Solution(
            status=h.modelStatusToString(status),
            objective=float(info.objective_function_value),
            x=x,
            first_stage_cost=float(np.asarray(pb.c) @ x),
            scenario_cost=np.array(costs),
            outcomes=outcomes,
            probabilities=self._p.copy(),
            var=var,
            cvar=cvar,
            alpha=alpha,
            y=ys,
            mip_gap=float(info.mip_gap) if self.is_mip else 0.0,
        )


@dataclass(frozen=True)
class StochasticMetrics:
    """RP, EV, EEV, WS and the derived VSS = EEV − RP and EVPI = RP − WS (minimisation)."""

    rp: float
    ev: float
    eev: float
    ws: float
    x_rp: np.ndarray
    x_ev: np.ndarray

    @property
    def vss(self) -> float:
        return self.eev - self.rp

    @property
    def evpi(self) -> float:
        return self.rp - self.ws


def mean_value_problem(problem: TwoStageProblem) -> TwoStageProblem:
    """Every scenario's data replaced by its probability-weighted mean (one scenario)."""
    scs = problem.scenarios
    shapes = {(s.W.shape, s.T.shape) for s in scs}
    if len(shapes) != 1:
        raise InputError("the mean-value problem needs scenarios of one shape")
    p = [s.probability for s in scs]

    def mean(get):
        return sum(pi * get(s) for pi, s in zip(p, scs, strict=True))

    def mean_bound(get):
        arr = np.array([np.asarray(get(s), dtype=float) for s in scs])
        with np.errstate(invalid="ignore"):
            out = np.einsum("s,s...->...", np.asarray(p), np.where(np.isinf(arr), 0.0, arr))
        infs = np.isinf(arr)
        out = np.where(infs.any(axis=0), arr[0], out)
        return out

    s0 = scs[0]
    outcome = None
    if any(s.outcome is not None for s in scs):
        outcome = mean(lambda s: np.asarray(s.q if s.outcome is None else s.outcome, float))
    ev = Recourse(
        probability=1.0,
        q=mean(lambda s: np.asarray(s.q, dtype=float)),
        T=sp.csr_matrix(mean(lambda s: sp.csr_matrix(s.T))),
        W=sp.csr_matrix(mean(lambda s: sp.csr_matrix(s.W))),
        row_lower=mean_bound(lambda s: s.row_lower),
        row_upper=mean_bound(lambda s: s.row_upper),
        y_lower=mean_bound(lambda s: s.y_lower),
        y_upper=mean_bound(lambda s: s.y_upper),
        constant=float(mean(lambda s: s.constant)),
        outcome=outcome,
        name="mean value",
    )
    del s0
    return replace(problem, scenarios=[ev])


def stochastic_metrics(
    problem: TwoStageProblem, *, budget: float | None = None, mip_rel_gap: float = 1e-6
) -> StochasticMetrics:
    """RP, EV, EEV, WS of the risk-neutral problem (module docstring), under ``budget``."""
    rp = TwoStageModel(problem, mip_rel_gap=mip_rel_gap).solve(budget=budget)
    ev = TwoStageModel(mean_value_problem(problem), mip_rel_gap=mip_rel_gap).solve(budget=budget)
    try:
        fixed = TwoStageModel(problem, mip_rel_gap=mip_rel_gap).solve(
            budget=budget, x_lower=ev.x, x_upper=ev.x
        )
        eev = fixed.expected_cost
    except InfeasibleProblem:
        eev = float("inf")  # the EV decision has no feasible recourse in some scenario
    ws = 0.0
    for sc in problem.scenarios:
        one = replace(problem, scenarios=[replace(sc, probability=1.0)])
        ws += (
            sc.probability
            * TwoStageModel(one, mip_rel_gap=mip_rel_gap).solve(budget=budget).expected_cost
        )
    return StochasticMetrics(
        rp=rp.expected_cost, ev=ev.expected_cost, eev=eev, ws=ws, x_rp=rp.x, x_ev=ev.x
    )
