r"""Time-to-recover (TTR) and time-to-survive (TTS) linear programs and the risk exposure index.

Sources
-------
* Simchi-Levi, D., Schmidt, W. & Wei, Y. (2014), "From superstorms to factory fires: managing
  unpredictable supply-chain disruptions", *Harvard Business Review* 92(1/2):96–101 — the
  concepts: a node's **time to recover** TTR (how long it takes to restore the node to full
  function after a disruption), its **performance impact** PI (the lost profit or units when the
  node is down for its TTR and the rest of the network responds optimally), the **risk exposure
  index** REI(n) = PI(n) / max_m PI(m) (so the most exposed node scores 1), and the **time to
  survive** TTS (how long the network can match supply with demand with the node down); nodes
  with TTS < TTR need mitigation.
* Simchi-Levi, D., Schmidt, W., Wei, Y., Zhang, P.Y., Combs, K., Ge, Y., Gusikhin, O.,
  Sanders, M. & Zhang, D. (2015), "Identifying risks and mitigating disruptions in the automotive
  supply chain", *Interfaces* 45(5):375–390, doi:10.1287/inte.2015.0804 (author's manuscript:
  MIT DSpace hdl:1721.1/101782) — the risk-exposure index built on the TTR model, the TTS
  model, and the multi-tier linear programs of its mathematical appendix. The programs below
  follow that appendix and keep its notation (u, y, l, s, d, f, r, c, t). The paper's full text
  was not available offline (only its abstract and front matter): section titles and equation
  numbers are therefore not quoted, and the constraint set was checked against a public
  re-implementation that transcribes the appendix constraint by constraint
  (databricks-industry-solutions *supply-chain-stress-test*, ``scripts/utils.py``).

The multi-tier TTR model (one LP per disrupted node n with TTR t⁽ⁿ⁾)
------------------------------------------------------------------------
Disruption horizon collapsed to one period of length t = t⁽ⁿ⁾ (the paper's formulation:
capacities and demand scale with t, inventories do not). Variables, all ≥ 0:
u_i production of node i over the horizon, y_a flow on supply arc a = (i → j) (a BOM input or an
alternative), l_j lost sales of node j::

    PI(n) = min  Σ_j w_j l_j                     w_j = f_j (profit), 1 (units) or revenue_j
    s.t.  r_kj u_j − Σ_{a ∈ P_jk} y_a ≤ 0        ∀ BOM requirement (j, k)   "bom[j<-k]"
          Σ_{a out of i} y_a − u_i − l_i ≤ s_i − d_i t   ∀ i            "inventory[i]"
          u_i ≤ c_i t                            ∀ i                        "capacity[i]"
          u_n = 0                                (the disrupted node)       "disrupted[n]"
          y_a ≤ ĉ_a t                            ∀ capped alternative arc   "arc[i->j]"
          l_i ≤ d_i t

The "inventory" row is the paper's flow balance Σ_j y_ij − u_i ≤ s_i for suppliers and its demand
constraint u_j + s_j + l_j ≥ d_j t for end products, merged (so a node may both sell and supply).
Generalisations of the paper, each reducing to it on its networks: per-arc caps ĉ_a on
alternative sources; the paper's plant-level shared capacity Σ_{k ∈ A_α} u_k ≤ c_α t is
modelled per node (one node per plant). By default the disrupted node keeps its on-hand inventory
(the paper's model); ``inventory_lost=True`` sets s_n = 0 (e.g. a fire destroys the stock).

The multi-tier TTS model (one LP per disrupted node n)
-------------------------------------------------------
Same constraints with no lost sales (l ≡ 0) and t a variable::

    TTS(n) = max t
    s.t.  r_kj u_j − Σ_{a ∈ P_jk} y_a ≤ 0
          Σ_{a out of i} y_a − u_i + d_i t ≤ s_i
          u_i − c_i t ≤ 0,   y_a − ĉ_a t ≤ 0,   u_n = 0,   t ≥ 0

TTS(n) = ∞ when the network can serve demand indefinitely without n (the LP is unbounded).

Solver
------
HiGHS through ``highspy`` directly. The constraint matrix is assembled once per network from
index arrays (``scipy.sparse``, no Python loop over nodes); one :class:`highspy.Highs` instance per
model is kept and, for each disrupted node, only the column and row bounds change, so every solve
after the first is warm-started from the previous basis.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from fukugan.errors import InputError
from fukugan.results import PATHS_COLUMNS, TIMESERIES_COLUMNS, RunResult, headline
from fukugan.supply_network import SupplyNetwork

__all__ = [
    "ExposureModel",
    "TTRResult",
    "risk_exposure",
    "time_to_recover_impact",
    "time_to_survive",
    "to_run_result",
    "to_run_rows",
]

Objective = Literal["profit", "units", "revenue"]
_TOL = 1e-9


@dataclass
class TTRResult:
    """The optimum of the TTR LP for one disrupted node (see the module docstring).

    ``pi`` is the performance impact in the objective's unit (margin units for "profit",
    product units for "units"); ``lost_units`` and ``lost_profit`` are per end product;
    ``binding`` maps each binding constraint's name to its shadow price (the drop in PI per extra
    unit of its right-hand side over the horizon: one more unit of inventory, capacity, ...).
    """

    node: str
    ttr: float
    objective: str
    pi: float
    lost_units: dict[str, float]
    lost_profit: dict[str, float]
    binding: dict[str, float] = field(default_factory=dict)
    #: production u_i over the horizon of one optimal plan (optima need not be unique)
    production: dict[str, float] = field(default_factory=dict)
    inventory_lost: bool = False

    @property
    def direct(self) -> float:
        """Lost profit of the disrupted node's own products."""
        return self.lost_profit.get(self.node, 0.0)

    @property
    def indirect(self) -> float:
        """Lost profit of every other product (propagated through the BOM)."""
        return sum(v for k, v in self.lost_profit.items() if k != self.node)


class ExposureModel:
    """The TTR and TTS LPs of one network, built once and re-solved per disrupted node.

    >>> from fukugan.supply_network import SupplyNetwork
    >>> net = SupplyNetwork(["S", "P"], inventory={"S": 0, "P": 0},
    ...     capacity={"S": 10, "P": 10}, bom=[("P", "S", 1)], demand={"P": 5}, margin={"P": 2})
    >>> m = ExposureModel(net)
    >>> m.ttr("S", 3).pi, m.tts("S")
    (30.0, 0.0)
    """

    def __init__(self, network: SupplyNetwork) -> None:
        net = network
        self.net = net
        N = len(net.nodes)
        idx = net.index
        R = len(net.bom)
        req_node = np.array([idx[r.node] for r in net.bom], dtype=np.int64)
        req_q = np.array([r.quantity for r in net.bom], dtype=np.float64)
        # supply arcs: the primary input of every BOM row, then every alternative
        arc_src = [idx[r.input] for r in net.bom] + [idx[a.alternative] for a in net.alternatives]
        arc_req = list(range(R)) + [net.requirement[(a.node, a.input)] for a in net.alternatives]
        arc_cap = [math.inf] * R + [a.capacity for a in net.alternatives]
        self.arc_src = np.array(arc_src, dtype=np.int64)
        self.arc_req = np.array(arc_req, dtype=np.int64)
        self.arc_dst = req_node[self.arc_req] if R else np.zeros(0, dtype=np.int64)
        self.arc_cap = np.array(arc_cap, dtype=np.float64)
        E = len(self.arc_src)
        self.N, self.R, self.E = N, R, E
        self.req_node, self.req_q = req_node, req_q

        # -- TTR: columns [u (N) | y (E) | l (N)], rows [bom (R) | inventory (N)] -------------
        ar_e = np.arange(E)
        ar_n = np.arange(N)
        rows = np.concatenate([np.arange(R), self.arc_req, R + self.arc_src, R + ar_n, R + ar_n])
        cols = np.concatenate([req_node, N + ar_e, N + ar_e, ar_n, N + E + ar_n])
        vals = np.concatenate([req_q, -np.ones(E), np.ones(E), -np.ones(N), -np.ones(N)])
        a_ttr = sp.csc_matrix((vals, (rows, cols)), shape=(R + N, 2 * N + E))
        self.a_ttr = a_ttr  # the response plans write the same program with measures in it
        self._ttr_h = _highs(
            a_ttr,
            cost=np.zeros(2 * N + E),
            col_lo=np.zeros(2 * N + E),
            col_hi=np.full(2 * N + E, np.inf),
            row_lo=np.full(R + N, -np.inf),
            row_hi=np.concatenate([np.zeros(R), net.s]),
        )
        self._ttr_cost: str | None = None

        # -- TTS: columns [u (N) | y (E) | t], rows [bom | inventory | capacity | arc cap] ----
        fin_c = np.flatnonzero(np.isfinite(net.c))
        fin_a = np.flatnonzero(np.isfinite(self.arc_cap))
        nc, na = len(fin_c), len(fin_a)
        t_col = N + E
        # node → its capacity row u_i − c_i t ≤ 0 (nodes of unlimited capacity have none)
        self._tts_cap_row = {int(j): R + N + k for k, j in enumerate(fin_c)}
        rows = np.concatenate(
            [
                np.arange(R), self.arc_req, R + self.arc_src, R + ar_n, R + ar_n,
                R + N + np.arange(nc), R + N + np.arange(nc),
                R + N + nc + np.arange(na), R + N + nc + np.arange(na),
            ]
        )  # fmt: skip
        cols = np.concatenate(
            [
                req_node, N + ar_e, N + ar_e, ar_n, np.full(N, t_col),
                fin_c, np.full(nc, t_col),
                N + fin_a, np.full(na, t_col),
            ]
        )  # fmt: skip
        vals = np.concatenate(
            [
                req_q, -np.ones(E), np.ones(E), -np.ones(N), net.d,
                np.ones(nc), -net.c[fin_c],
                np.ones(na), -self.arc_cap[fin_a],
            ]
        )  # fmt: skip
        keep = vals != 0
        a_tts = sp.csc_matrix(
            (vals[keep], (rows[keep], cols[keep])), shape=(R + N + nc + na, N + E + 1)
        )
        cost = np.zeros(N + E + 1)
        cost[t_col] = -1.0
        self._tts_h = _highs(
            a_tts,
            cost=cost,
            col_lo=np.zeros(N + E + 1),
            col_hi=np.full(N + E + 1, np.inf),
            row_lo=np.full(R + N + nc + na, -np.inf),
            row_hi=np.concatenate([np.zeros(R), net.s, np.zeros(nc + na)]),
        )

    # -- TTR -------------------------------------------------------------------------------
    def _weights(self, objective: str) -> np.ndarray:
        net = self.net
        if objective == "profit":
            return net.f
        if objective == "units":
            return np.ones(self.N)
        if objective == "revenue":
            missing = [n for n in net.products if net.rev[net.index[n]] == 0]
            if missing:
                raise InputError(f"objective 'revenue' needs a revenue for {missing[0]!r}")
            return net.rev
        raise InputError(f"unknown objective {objective!r} (profit, units or revenue)")

    def ttr(
        self,
        node: str | None,
        ttr: float,
        *,
        objective: Objective = "profit",
        inventory_lost: bool = False,
        restored: float = 0.0,
    ) -> TTRResult:
        """Solve the TTR LP with ``node`` down for ``ttr`` periods (module docstring).

        ``node=None`` solves the undisrupted network over the same horizon (the baseline: zero
        when the network can meet demand in normal operation). ``restored``: units the node
        can still make over the horizon (a partial restoration during the outage: the bound
        u_n ≤ restored replaces u_n = 0).
        """
        net, N, E, R = self.net, self.N, self.E, self.R
        n = None if node is None else _node_index(net, node)
        t = _num_ttr(ttr, node or "(baseline)")
        h = self._ttr_h
        if self._ttr_cost != objective:
            w = self._weights(objective)
            h.changeColsCost(N, np.arange(N + E, 2 * N + E, dtype=np.int32), w)
            self._ttr_cost = objective
        col_hi, row_hi = self.ttr_bounds(n, t, inventory_lost=inventory_lost, restored=restored)
        ncol = 2 * N + E
        h.changeColsBounds(ncol, np.arange(ncol, dtype=np.int32), np.zeros(ncol), col_hi)
        h.changeRowsBounds(N, np.arange(R, R + N, dtype=np.int32), np.full(N, -np.inf), row_hi[R:])
        _run(h, f"TTR LP for node {node!r}")
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        u, lost = x[:N], np.clip(x[N + E :], 0.0, None)
        lost[lost < 1e-9 * max(1.0, float(net.d.max(initial=0)) * t)] = 0.0
        products = net.products
        lost_units = {p: float(lost[net.index[p]]) for p in products}
        lost_profit = {p: float(lost[net.index[p]] * net.f[net.index[p]]) for p in products}
        w = self._weights(objective)
        pi = float(lost @ w)
        binding = self._ttr_binding(sol, col_hi, n) if pi > 0 else {}
        return TTRResult(
            node=node or "",
            ttr=t,
            objective=objective,
            pi=pi,
            lost_units=lost_units,
            lost_profit=lost_profit,
            binding=binding,
            production={net.nodes[i]: float(u[i]) for i in np.flatnonzero(u > _TOL)},
            inventory_lost=inventory_lost,
        )

    def ttr_bounds(
        self, n: int | None, t: float, *, inventory_lost: bool = False, restored: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Column upper bounds [u | y | l] and row upper bounds [bom | inventory] of the TTR LP
        (:attr:`a_ttr`, all lower bounds 0 and −∞) with node index ``n`` down for ``t``
        periods (``None``: the undisrupted network), able to make ``restored`` units over
        them (at most its capacity c_n t)."""
        net = self.net
        col_hi = np.concatenate([_scale(net.c, t), _scale(self.arc_cap, t), net.d * t])
        s = net.s.copy()
        if n is not None:
            col_hi[n] = min(max(float(restored), 0.0), float(col_hi[n]))
            if inventory_lost:
                s[n] = 0.0
        return col_hi, np.concatenate([np.zeros(self.R), s - net.d * t])

    def _ttr_binding(self, sol: highspy.HighsSolution, col_hi: np.ndarray, n: int | None) -> dict:
        net, N, R = self.net, self.N, self.R
        out: dict[str, float] = {}
        row_dual = -np.asarray(sol.row_dual)
        for r in np.flatnonzero(np.abs(row_dual) > 1e-7):
            if r < R:
                b = net.bom[r]
                out[f"bom[{b.node}<-{b.input}]"] = float(row_dual[r])
            else:
                out[f"inventory[{net.nodes[r - R]}]"] = float(row_dual[r])
        m = N + self.E  # u and y columns (the bounds on l are not constraints of interest)
        col_dual = -np.asarray(sol.col_dual)[:m]
        x, hi = np.asarray(sol.col_value)[:m], col_hi[:m]
        with np.errstate(invalid="ignore"):
            at_upper = np.isfinite(hi) & (x >= hi - 1e-9 * np.maximum(1.0, np.abs(hi)))
        for j in np.flatnonzero((np.abs(col_dual) > 1e-7) & at_upper):
            if j < N:
                name = f"disrupted[{net.nodes[j]}]" if j == n else f"capacity[{net.nodes[j]}]"
            else:
                a = j - N
                name = f"arc[{net.nodes[self.arc_src[a]]}->{net.nodes[self.arc_dst[a]]}]"
            out[name] = float(col_dual[j])
        return dict(sorted(out.items(), key=lambda kv: -abs(kv[1])))

    # -- TTS -------------------------------------------------------------------------------
    def tts(self, node: str, *, inventory_lost: bool = False, restored_rate: float = 0.0) -> float:
        """Solve the TTS LP with ``node`` down: periods of demand the network can still meet.
        ``restored_rate``: units per period the node still makes (a partial restoration at its
        average over the outage: u_n ≤ restored_rate · t replaces u_n = 0)."""
        net, N, E, R = self.net, self.N, self.E, self.R
        n = _node_index(net, node)
        h = self._tts_h
        col_hi = np.full(N + E + 1, np.inf)
        rate = min(max(float(restored_rate), 0.0), float(net.c[n]))
        cap_row = self._tts_cap_row.get(n)
        rated = rate > 0.0 and cap_row is not None
        if rated:
            h.changeCoeff(cap_row, N + E, -rate)  # u_n − ρ t ≤ 0, put back below
        elif not math.isinf(rate):  # down (an unlimited node restored stays unbounded)
            col_hi[n] = 0.0
        h.changeColsBounds(
            N + E + 1, np.arange(N + E + 1, dtype=np.int32), np.zeros(N + E + 1), col_hi
        )
        s = net.s.copy()
        if inventory_lost:
            s[n] = 0.0
        h.changeRowsBounds(N, np.arange(R, R + N, dtype=np.int32), np.full(N, -np.inf), s)
        try:
            status = _run(h, f"TTS LP for node {node!r}", allow_unbounded=True)
            t = float(np.asarray(h.getSolution().col_value)[N + E])
        finally:
            if rated:
                h.changeCoeff(cap_row, N + E, -float(net.c[n]))
        if status != highspy.HighsModelStatus.kOptimal:
            return math.inf
        return max(0.0, t)


def _highs(
    a: sp.csc_matrix,
    *,
    cost: np.ndarray,
    col_lo: np.ndarray,
    col_hi: np.ndarray,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = col_lo, col_hi
    lp.row_lower_, lp.row_upper_ = row_lo, row_hi
    a = a.tocsc()
    a.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = a.shape[1], a.shape[0]
    h.passModel(lp)
    return h


def _run(h: highspy.Highs, what: str, *, allow_unbounded: bool = False):
    h.run()
    status = h.getModelStatus()
    ok = {highspy.HighsModelStatus.kOptimal}
    if allow_unbounded:
        ok |= {highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible}
    if status not in ok:  # pragma: no cover - the LPs are feasible and bounded by construction
        raise RuntimeError(f"HiGHS: {what} ended with {h.modelStatusToString(status)}")
    return status


def _scale(cap: np.ndarray, t: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(cap), np.inf, cap * t)


def _node_index(net: SupplyNetwork, node: str) -> int:
    if node not in net.index:
        raise InputError(f"unknown node {node!r}")
    return net.index[node]


def _num_ttr(ttr: object, node: str) -> float:
    try:
        t = float(ttr)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"ttr of node {node!r}: not a number: {ttr!r}") from None
    if not math.isfinite(t) or t < 0:
        raise InputError(f"ttr of node {node!r}: must be a finite number >= 0, got {ttr!r}")
    return t


def _ttr_for(network: SupplyNetwork, nodes: Iterable[str], ttr) -> dict[str, float]:
    if ttr is None:
        ttr = network.ttr
    if isinstance(ttr, Mapping):
        for k in ttr:
            _node_index(network, k)
        out = {}
        for n in nodes:
            if n not in ttr:
                raise InputError(f"missing ttr for node {n!r}")
            out[n] = _num_ttr(ttr[n], n)
        return out
    return {n: _num_ttr(ttr, n) for n in nodes}


# -- public API ------------------------------------------------------------------------------
def time_to_recover_impact(
    network: SupplyNetwork,
    node: str,
    ttr: float | None = None,
    *,
    objective: Objective = "profit",
    inventory_lost: bool = False,
) -> TTRResult:
    """Performance impact PI(node) of ``node`` down for ``ttr`` periods (default: its TTR in
    the network). Simchi-Levi et al. (2015), appendix, TTR model; see the module docstring.

    >>> from fukugan.data.bom_example import example_network
    >>> r = time_to_recover_impact(example_network(), "CHIP")
    >>> r.pi, r.lost_units
    (1200.0, {'SEDAN': 600.0, 'SUV': 0.0})
    """
    t = _ttr_for(network, [node], {node: ttr} if ttr is not None else None)[node]
    return ExposureModel(network).ttr(node, t, objective=objective, inventory_lost=inventory_lost)


def time_to_survive(network: SupplyNetwork, node: str, *, inventory_lost: bool = False) -> float:
    """TTS(node): periods of full demand the network can serve with ``node`` down
    (``math.inf`` if indefinitely). Simchi-Levi et al. (2015), appendix, TTS model.

    >>> from fukugan.data.bom_example import example_network
    >>> time_to_survive(example_network(), "STEEL"), time_to_survive(example_network(), "HARN_B")
    (3.0, inf)
    """
    return ExposureModel(network).tts(node, inventory_lost=inventory_lost)


def risk_exposure(
    network: SupplyNetwork,
    ttr: Mapping[str, float] | float | None = None,
    *,
    nodes: Iterable[str] | None = None,
    objective: Objective = "profit",
    inventory_lost: bool = False,
    net_of_baseline: bool = False,
) -> pd.DataFrame:
    """The risk exposure table: one TTR and one TTS LP per node.

    Columns: node, ttr, pi, rei = PI / max_m PI(m) (0 everywhere if every PI is 0), tts,
    tts_lt_ttr (the vulnerable nodes, TTS < TTR), rank (1 = highest PI; ties share the best
    rank), lost_units (total over products), direct, indirect (lost profit at the node's own
    products / elsewhere), baseline (the undisrupted network's impact over the same horizon;
    0 when it meets demand in normal operation). Sorted by rank. ``ttr`` is a per-node
    mapping, one number for all nodes, or ``None`` for the network's own ``ttr``.

    PI is the TTR LP's optimum, as in Simchi-Levi et al. (2015); on a network that cannot meet
    demand even undisrupted, that includes the normal shortfall (``baseline``), and
    ``net_of_baseline=True`` subtracts it (PI(n) − baseline) before REI and ranks are computed.
    """
    nodes = list(network.nodes if nodes is None else nodes)
    for n in nodes:
        _node_index(network, n)
    t = _ttr_for(network, nodes, ttr)
    model = ExposureModel(network)
    base: dict[float, float] = {}
    recs = []
    for n in nodes:
        r = model.ttr(n, t[n], objective=objective, inventory_lost=inventory_lost)
        tts = model.tts(n, inventory_lost=inventory_lost)
        if t[n] not in base:
            base[t[n]] = model.ttr(None, t[n], objective=objective).pi
        pi = max(0.0, r.pi - base[t[n]]) if net_of_baseline else r.pi
        recs.append(
            {
                "node": n,
                "ttr": t[n],
                "pi": pi,
                "tts": tts,
                "tts_lt_ttr": bool(tts < t[n]),
                "lost_units": float(sum(r.lost_units.values())),
                "direct": r.direct,
                "indirect": r.indirect,
                "baseline": base[t[n]],
            }
        )
    extra = ["lost_units", "direct", "indirect", "baseline"]
    df = pd.DataFrame.from_records(recs, columns=["node", "ttr", "pi", "tts", "tts_lt_ttr", *extra])
    top = float(df["pi"].max()) if len(df) else 0.0
    df["rei"] = df["pi"] / top if top > 0 else 0.0
    df["rank"] = df["pi"].rank(method="min", ascending=False).astype("int64")
    df = df.sort_values(["rank", "node"], kind="stable").reset_index(drop=True)
    return df[["node", "ttr", "pi", "rei", "tts", "tts_lt_ttr", "rank", *extra]]


def to_run_rows(
    network: SupplyNetwork, result: TTRResult, *, max_paths: int = 100
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(timeseries, paths)`` of one disruption in the shared run format
    (:mod:`fukugan.results`).

    Time series: for every end product, metrics "profit_loss" (margin × lost units) and
    "lost_units" at t = the disruption length (``ceil(ttr)``: the LP aggregates the whole
    horizon, so the value is the loss over the disruption, not per period), unit_kind "node",
    component "direct" for the disrupted node's own product and "indirect" otherwise; plus one
    unit_kind "total" row per metric (component "total").

    Paths: for every product with a loss, the BOM supply paths from the disrupted node to it (at
    most ``max_paths`` per product); the product's profit loss is split equally between them
    (weight). Step = number of links, via = the intermediate nodes joined by ';'.
    """
    t = int(math.ceil(result.ttr))
    recs = []
    for metric, values in (("profit_loss", result.lost_profit), ("lost_units", result.lost_units)):
        for p, v in values.items():
            comp = "direct" if p == result.node else "indirect"
            recs.append((t, "node", p, "", metric, comp, float(v)))
        recs.append((t, "total", "all", "", metric, "total", float(sum(values.values()))))
    ts = pd.DataFrame.from_records(recs, columns=list(TIMESERIES_COLUMNS))
    ts["t"] = ts["t"].astype("int64")
    prec = []
    for p, loss in result.lost_profit.items():
        if loss <= 0:
            continue
        found = network.paths(result.node, p, limit=max_paths)
        for path in found:
            prec.append((result.node, p, len(path) - 1, loss / len(found), ";".join(path[1:-1])))
    paths = pd.DataFrame.from_records(prec, columns=list(PATHS_COLUMNS))
    paths["step"] = paths["step"].astype("int64")
    paths["weight"] = paths["weight"].astype("float64")
    return ts, paths


def to_run_result(
    network: SupplyNetwork,
    result: TTRResult,
    *,
    scenario: dict | None = None,
    max_paths: int = 100,
) -> RunResult:
    """A :class:`~fukugan.results.RunResult` for one TTR disruption (engine
    "exposure"); headline figures are computed on "profit_loss"."""
    ts, paths = to_run_rows(network, result, max_paths=max_paths)
    summary = headline(ts, metric="profit_loss")
    summary.update(
        {
            "pi": result.pi,
            "objective": result.objective,
            "binding": result.binding,
            "n_days": int(math.ceil(result.ttr)),
        }
    )
    return RunResult(
        engine="exposure",
        scenario=scenario or {"disrupted": result.node, "ttr": result.ttr},
        parameters={
            "node": result.node,
            "ttr": result.ttr,
            "objective": result.objective,
            "inventory_lost": result.inventory_lost,
        },
        timeseries=ts,
        paths=paths,
        summary=summary,
        unit="margin units over the disruption (profit_loss); product units (lost_units)",
    )
