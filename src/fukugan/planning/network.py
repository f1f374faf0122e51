r"""Response plans on a multi-tier BOM network: the time-to-recover LP as the recourse.

A manufacturer's plan (which buffer stocks and second sources protect its end products best per
unit of cost) against node outages of its supply network. The scenarios are outages of nodes
for a time to recover (TTR) t, possibly sampled (Monte Carlo); the loss of an outage is the
performance impact of the time-to-recover LP of Simchi-Levi et al. (2015, *Interfaces*
45(5):375–390; :mod:`fukugan.exposure.lp`): the lost profit (or units) of the end products when
node n is down for t periods and the rest of the network responds optimally. That LP is linear
in the stocks and capacities, so the measures enter it directly and the two-stage program of
:mod:`fukugan.planning.stochastic` is written with the TTR LP itself as the second stage — exact,
no response curve to approximate (the issue's "LP written directly where an engine is linear").

First stage, as in :mod:`fukugan.planning.portfolio`: the level x_m of each measure m on node k
— a **stockpile** of D days of cover of k's gross requirement g_k (its end products' demand
exploded through the BOM, :meth:`fukugan.supply_network.SupplyNetwork.gross_requirement`;
continuous, integer or binary), e_m = g_k / period_days units per day of cover; a **second
source** of k's output (binary), e_m = σ_m g_k units per period from L_m periods after the
outage's start; a **substitution R&D** measure is a second source that succeeds with probability
π_m (the scenarios split into its outcomes ω_m). Fixed costs of non-binary measures through
z_m ≥ x_m / max_m, binary.

Second stage, each scenario s, each of its outages o (node n down for t periods; its own block
of the TTR LP with columns u (production), y (supply arcs) and l (lost sales))::

    bom[r]:       r_q u_j − Σ_{a ∈ P_r} y_a − Σ_{m on input k of r} y_{m,r} ≤ 0
    inventory[i]: Σ_{a out of i} y_a − u_i − l_i − Σ_{stock m on i} e_m x_m ≤ s_i − d_i t
    second[m]:    Σ_r y_{m,r} − e_m ω_m (t − L_m)⁺ x_m ≤ 0
    u_i ≤ c_i t,  u_n = 0,  y_a ≤ ĉ_a t,  l_i ≤ d_i t;   loss_s = Σ_o Σ_j w_j l_{o,j}

with the TTR LP's own rows and bounds (:meth:`fukugan.exposure.lp.ExposureModel.ttr_bounds`);
with ``inventory_lost`` the disrupted node's stock — the buffer too — is lost. These are the
responses ``stockpile_release`` / ``alternate_sourcing`` with ``facility:`` of the exposure
engine (:func:`fukugan.services.engines.exposure.responded_network`), so the plan's predicted
loss equals the engine's re-run of the portfolio (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from fukugan.errors import InputError
from fukugan.exposure.lp import ExposureModel
from fukugan.planning.portfolio import (
    INF,
    Measure,
    PortfolioModel,
    first_stage,
    varied,
)
from fukugan.planning.stochastic import Recourse, TwoStageProblem
from fukugan.supply_network import SupplyNetwork

__all__ = ["NETWORK_KINDS", "NetworkPortfolioModel", "NetworkScenario", "Outage"]

#: Kinds of measure a network plan takes (the flow measures on a commodity do not apply).
NETWORK_KINDS = ("stockpile", "second_source", "substitution_rd")


@dataclass(frozen=True)
class Outage:
    """Node ``node`` down for ``periods`` network periods (its time to recover)."""

    node: str
    periods: float


@dataclass(frozen=True)
class NetworkScenario:
    """A scenario: its outages, each solved as its own TTR LP, their losses summed."""

    name: str
    probability: float
    outages: tuple[Outage, ...]


class NetworkPortfolioModel(PortfolioModel):
    """The planning program of ``measures`` (``Measure.commodity`` is the node each acts on)
    against outages of ``network`` (module docstring). Same interface as
    :class:`~fukugan.planning.portfolio.PortfolioModel`: solve, frontier, marginal values,
    metrics (RP, EEV, VSS, EVPI) and sensitivity.

    >>> from fukugan.supply_network import SupplyNetwork
    >>> net = SupplyNetwork(["S", "P"], inventory={"S": 0, "P": 0},
    ...     capacity={"S": 10, "P": 10}, bom=[("P", "S", 1)], demand={"P": 5}, margin={"P": 2})
    >>> buffer = Measure("buf", "stockpile", "S", "continuous", 10.0, unit_cost=0.5, effect=5.0)
    >>> m = NetworkPortfolioModel(net, [buffer], [NetworkScenario("S out", 1.0,
    ...     (Outage("S", 4),))])
    >>> p = m.solve()
    >>> float(p.levels[0]), round(p.expected_loss, 9), round(m.evaluate([0.0]), 9)
    (4.0, 0.0, 40.0)
    """

    def __init__(
        self,
        network: SupplyNetwork,
        measures: Sequence[Measure],
        scenarios: Sequence[NetworkScenario],
        *,
        period_days: float = 1.0,
        objective: str = "profit",
        inventory_lost: bool = False,
        loss_scale: float = 1.0,
        alpha: float = 0.9,
        beta: float = 0.0,
        mip_rel_gap: float = 1e-4,
        threads: int | None = None,
    ) -> None:
        self.network = network
        self.exposure = ExposureModel(network)
        self._a_ttr = self.exposure.a_ttr.tocoo()  # every outage's block starts from it
        self.period_days = float(period_days)
        self.objective = objective
        self.inventory_lost = bool(inventory_lost)
        self.loss_scale = float(loss_scale)
        self.measures = tuple(measures)
        self.scenarios = tuple(scenarios)
        self._check()
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.mip_rel_gap = mip_rel_gap
        self.threads = threads
        self.problem, self._base_of = self._build()
        self._model = None

    def _check(self) -> None:
        net = self.network
        if not self.measures:
            raise InputError("no measures")
        if not self.scenarios:
            raise InputError("no scenarios")
        ids = [m.id for m in self.measures]
        if len(set(ids)) != len(ids):
            raise InputError("measure ids must be unique")
        for m in self.measures:
            if m.kind not in NETWORK_KINDS:
                raise InputError(
                    f"measure {m.id!r}: a {m.kind} measure acts on a commodity; on a BOM "
                    f"network: {', '.join(NETWORK_KINDS)}"
                )
            if m.commodity not in net.index:
                raise InputError(f"measure {m.id!r}: unknown node {m.commodity!r}")
            if m.unit_cost < 0 or m.fixed_cost < 0:
                raise InputError(f"measure {m.id!r}: costs cannot be negative")
            if not 0 <= m.min_level <= m.max_level:
                raise InputError(f"measure {m.id!r}: need 0 ≤ min_level ≤ max_level")
            if not m.is_stock and m.domain != "binary":
                raise InputError(f"measure {m.id!r}: a second source is binary")
        for s in self.scenarios:
            for o in s.outages:
                if o.node not in net.index:
                    raise InputError(f"scenario {s.name!r}: unknown node {o.node!r}")
                if not o.periods > 0:
                    raise InputError(f"scenario {s.name!r}: the outage of {o.node} has no TTR")

    # -- assembly ------------------------------------------------------------------------------

    def _build(self) -> tuple[TwoStageProblem, np.ndarray]:
        n1, names, cost, lo, hi, integer, rows = first_stage(self.measures)
        return self._problem(
            n1, names, cost, lo, hi, integer, rows,
            lambda s, prob, omega: self._recourse(s, prob, omega, n1),
        )  # fmt: skip

    def _recourse(self, s: NetworkScenario, prob: float, omega: np.ndarray, n1: int) -> Recourse:
        """Scenario ``s``'s TTR LPs with the measures in them (module docstring), one block per
        outage."""
        ex, net = self.exposure, self.network
        N, E, R = ex.N, ex.E, ex.R
        w = ex._weights(self.objective) * self.loss_scale
        period = self.period_days
        base = self._a_ttr
        Ws, Ts, q, rhi, yhi = [], [], [], [], []
        for o in s.outages:
            n = net.index[o.node]
            t = float(o.periods)
            col_hi, row_hi = ex.ttr_bounds(n, t, inventory_lost=self.inventory_lost)
            t_r, t_c, t_v = [], [], []
            extra_r, extra_c, extra_v = [], [], []  # entries of the new columns
            n_rows, n_cols = R + N, 2 * N + E
            for i, m in enumerate(self.measures):
                k = net.index[m.commodity]
                if m.is_stock:
                    if self.inventory_lost and k == n:
                        continue  # the disrupted node's stock is lost, the buffer too
                    t_r.append(R + k)
                    t_c.append(i)
                    t_v.append(-m.effect)
                    continue
                avail = max(t - m.lead_time_days / period, 0.0) * omega[i]
                row = n_rows
                n_rows += 1
                for r, b in enumerate(net.bom):
                    if b.input != m.commodity:
                        continue
                    extra_r += [r, row]
                    extra_c += [n_cols, n_cols]
                    extra_v += [-1.0, 1.0]
                    n_cols += 1
                if avail > 0:
                    t_r.append(row)
                    t_c.append(i)
                    t_v.append(-m.effect * avail)
            W = sp.csr_matrix(
                (
                    np.concatenate([base.data, extra_v]),
                    (np.concatenate([base.row, extra_r]), np.concatenate([base.col, extra_c])),
                ),
                shape=(n_rows, n_cols),
            )
            Ws.append(W)
            Ts.append(sp.csr_matrix((t_v, (t_r, t_c)), shape=(n_rows, n1)))
            rhi += [*row_hi, *np.zeros(n_rows - R - N)]  # second[m] ≤ 0
            q += [*np.zeros(N + E), *w, *np.zeros(n_cols - 2 * N - E)]
            yhi += [*col_hi, *np.full(n_cols - 2 * N - E, INF)]
        W = sp.block_diag(Ws, format="csr")
        T = sp.vstack(Ts, format="csr")
        m2 = W.shape[0]
        return Recourse(
            probability=prob,
            q=np.array(q, dtype=float),
            T=T,
            W=W,
            row_lower=np.full(m2, -INF),
            row_upper=np.array(rhi, dtype=float),
            y_lower=np.zeros(W.shape[1]),
            y_upper=np.array(yhi, dtype=float),
            constant=0.0,
            name=s.name,
        )

    # -- what the base model computes in closed form -----------------------------------------

    def scenario_losses(self, levels: Sequence[float]) -> np.ndarray:
        """Each scenario's expected loss (over the outcomes of the measures that may fail) with
        the measures fixed at ``levels``: the TTR LPs solved."""
        return self.fixed(levels).scenario_loss

    def evaluate(self, levels: Sequence[float]) -> float:
        p = np.array([s.probability for s in self.scenarios])
        return float(p @ self.scenario_losses(levels))

    def mean_value_scenario(self) -> NetworkScenario:
        """The mean-value scenario: every node's expected time down, Σ_s p_s Σ_{o ∈ s} t_o (a
        scenario without an outage of the node counts 0) — the TTR LP's data (capacities and
        demand over the outage) are linear in t."""
        mean: dict[str, float] = {}
        for s in self.scenarios:
            for o in s.outages:
                mean[o.node] = mean.get(o.node, 0.0) + s.probability * o.periods
        return NetworkScenario(
            "mean value", 1.0, tuple(Outage(n, t) for n, t in mean.items() if t > 0)
        )

    def _like(self, scenarios: Sequence[NetworkScenario]) -> NetworkPortfolioModel:
        return self._with(scenarios=scenarios, beta=0.0)

    def _with(self, **change) -> NetworkPortfolioModel:
        args = {
            "measures": self.measures,
            "scenarios": self.scenarios,
            "period_days": self.period_days,
            "objective": self.objective,
            "inventory_lost": self.inventory_lost,
            "loss_scale": self.loss_scale,
            "alpha": self.alpha,
            "beta": self.beta,
            "mip_rel_gap": self.mip_rel_gap,
            "threads": self.threads,
            **change,
        }
        return NetworkPortfolioModel(self.network, **args)

    def varied(self, what: str, factor: float) -> NetworkPortfolioModel:
        """The model with one assumption scaled: ``loss`` scales the margins (the loss of
        every outage), the others as :func:`fukugan.planning.portfolio.varied`."""
        if what == "loss":
            return self._with(loss_scale=self.loss_scale * factor)
        ms, _ = varied(self.measures, [], what, factor)
        return self._with(measures=tuple(ms))
