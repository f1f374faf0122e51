"""Outputs of the firm model: the trajectory :func:`fukugan.dynamics.firms.simulate_firms`
returns and its conversion to the shared result format (:mod:`fukugan.results`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from fukugan.dynamics.firm_params import FirmParams
from fukugan.dynamics.firm_shocks import FirmShock
from fukugan.errors import InputError
from fukugan.firm_network import FirmNetwork

__all__ = ["ENGINE", "FirmTrajectory", "propagation_paths", "to_run_result", "to_run_rows"]

ENGINE = "firms"


@dataclass
class FirmTrajectory:
    """What :func:`simulate_firms` returns (day 0 = the baseline).

    Attributes:
        network: the simulated network.
        params: the parameters used.
        shocks: the shocks applied.
        n_days: number of simulated days ``T``.
        baseline: ``P_ini`` per firm (float64).
        hit: bool per firm, directly hit by a shock (δ > 0 on some day).
        production: float32 ``(T + 1) × n_firms`` (``record="firms"``), else ``None``.
        firm_loss: float64 per firm, ``Σ_t (P_ini − P(t))`` over days 1..T.
        sector_output: float64 ``(T + 1) × n_sectors × 2``: production summed by sector for
            [indirect (not hit), direct (hit)] firms.
        region_output: the same by region (``None`` if the network has no regions).
        sector_baseline / region_baseline: ``n × 2`` baselines of the same groups.
        value_added: Σ_i v_i P_i per day (``v_i = (P_ini_i − Σ_j A_ij) / P_ini_i``).
        final_consumption: final demand served per day (``Σ_i C*_i``).
        snapshots: per-firm arrays after the requested days (``production``, ``demand``,
            ``inventory_limit``, ``delta``; ``delivered`` per link).
        state: the state at the end of the last day: per link (CSR order) ``inventory``,
            ``orders`` and ``delivered``; per firm ``demand``, ``production``, ``capacity``,
            ``delta`` and ``final_consumption``.
    """

    network: FirmNetwork
    params: FirmParams
    shocks: list[FirmShock]
    n_days: int
    baseline: np.ndarray
    hit: np.ndarray
    production: np.ndarray | None
    firm_loss: np.ndarray
    sector_output: np.ndarray
    sector_baseline: np.ndarray
    region_output: np.ndarray | None
    region_baseline: np.ndarray | None
    notes: list[str] = field(default_factory=list)
    value_added: np.ndarray | None = None
    final_consumption: np.ndarray | None = None
    snapshots: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)
    state: dict[str, np.ndarray] = field(default_factory=dict)

    def inventory(self, firm: int, sector: str) -> float:
        """Inventory of ``sector`` inputs held by firm index ``firm`` at the end of the run
        (the sum over its links from that sector's suppliers)."""
        net = self.network
        code = net.sector_names.index(sector)
        links = np.arange(net.indptr[firm], net.indptr[firm + 1])
        mine = links[net.sectors[net.suppliers[links]] == code]
        if mine.size == 0:
            raise InputError(f"firm {net.firm_id(firm)} buys no {sector!r} inputs")
        return float(self.state["inventory"][mine].sum())

    @property
    def total_output(self) -> np.ndarray:
        """Total production per day (``T + 1``)."""
        return self.sector_output.sum(axis=(1, 2))

    @property
    def total_loss(self) -> float:
        """``Σ_t Σ_i (P_ini_i − P_i(t))`` over days 1..T."""
        return float(self.firm_loss.sum())


# -- results in the shared format ---------------------------------------------------------------
_COMP = ("indirect", "direct")


def _group_rows(
    days: np.ndarray, output: np.ndarray, base: np.ndarray, names: Sequence[str], kind: str
) -> pd.DataFrame:
    T, G, _ = output.shape
    loss = base[None, :, :] - output
    frames = []
    for metric, arr in (("output", output), ("loss", loss)):
        for c in (0, 1):
            present = base[:, c] > 0
            g = np.flatnonzero(present)
            if g.size == 0:
                continue
            frames.append(
                pd.DataFrame(
                    {
                        "t": np.repeat(days, g.size),
                        "unit_kind": kind,
                        "unit": np.tile(np.asarray(names, dtype=object)[g], T),
                        "region": "",
                        "metric": metric,
                        "component": _COMP[c],
                        "value": arr[:, g, c].ravel(),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else _empty_rows()


def _empty_rows() -> pd.DataFrame:
    from fukugan.results import TIMESERIES_COLUMNS

    return pd.DataFrame({c: [] for c in TIMESERIES_COLUMNS})


def to_run_rows(
    traj: FirmTrajectory,
    *,
    level: Literal["sector", "region"] = "sector",
    firms: Sequence[str] | np.ndarray | None = None,
    totals: bool = True,
) -> pd.DataFrame:
    """Time-series rows in the shared format (:mod:`fukugan.results`).

    Metrics ``"output"`` (production per day) and ``"loss"`` (``P_ini − P``), component
    ``"direct"`` for directly hit firms and ``"indirect"`` for the others, aggregated to
    ``level`` (``unit_kind`` "sector" or "region"). ``totals`` adds ``unit_kind="total"`` rows
    (unit "all", component "total"). ``firms`` (ids) adds firm-level rows for that selection
    (``unit_kind="firm"``, needs ``record="firms"``); they repeat part of the aggregate, so
    compute headline figures from one level only (as :func:`to_run_result` does).
    """
    net = traj.network
    days = np.arange(traj.n_days + 1)
    if level == "sector":
        frames = [
            _group_rows(days, traj.sector_output, traj.sector_baseline, net.sector_names, "sector")
        ]
    elif level == "region":
        if traj.region_output is None:
            raise InputError("the network has no regions", field="level")
        frames = [
            _group_rows(days, traj.region_output, traj.region_baseline, net.region_names, "region")
        ]
    else:
        raise InputError(f"unknown level {level!r} (sector, region)", field="level")
    if totals:
        out = traj.total_output
        base = float(traj.baseline.sum())
        for metric, arr in (("output", out), ("loss", base - out)):
            frames.append(
                pd.DataFrame(
                    {
                        "t": days,
                        "unit_kind": "total",
                        "unit": "all",
                        "region": "",
                        "metric": metric,
                        "component": "total",
                        "value": arr,
                    }
                )
            )
    if firms is not None:
        if traj.production is None:
            raise InputError("firm-level rows need record='firms'", field="firms")
        ids = pd.Index(net.ids())
        keys = [str(f) for f in firms]
        pos = ids.get_indexer(keys)
        bad = np.flatnonzero(pos < 0)
        if bad.size:
            raise InputError(f"unknown firm {keys[bad[0]]!r}", field="firms")
        prod = traj.production[:, pos].astype(np.float64)
        loss = traj.baseline[pos][None, :] - prod
        reg = (
            np.asarray(net.region_names, dtype=object)[net.regions[pos]]
            if net.regions is not None
            else np.full(len(pos), "", dtype=object)
        )
        comp = np.where(traj.hit[pos], "direct", "indirect").astype(object)
        T = len(days)
        for metric, arr in (("output", prod), ("loss", loss)):
            frames.append(
                pd.DataFrame(
                    {
                        "t": np.repeat(days, len(pos)),
                        "unit_kind": "firm",
                        "unit": np.tile(np.asarray(keys, dtype=object), T),
                        "region": np.tile(reg, T),
                        "metric": metric,
                        "component": np.tile(comp, T),
                        "value": arr.ravel(),
                    }
                )
            )
    res = pd.concat(frames, ignore_index=True)
    res["t"] = res["t"].astype(np.int64)
    res["value"] = res["value"].astype(np.float64)
    return res


def propagation_paths(
    traj: FirmTrajectory,
    *,
    top: int = 20,
    max_depth: int = 4,
    direction: Literal["upstream", "downstream", "both"] = "upstream",
    max_visits: int = 200_000,
) -> pd.DataFrame:
    """Paths by which the shock reached the most affected *indirectly* hit firms.

    For each of the ``top`` indirect firms with the largest total loss, a breadth-first search
    over the supplier graph (``"upstream"``: supplier of supplier ...; ``"downstream"``: over
    customers, i.e. lost demand; ``"both"``) up to ``max_depth`` links, passing only through
    firms that lost output, finds the directly hit firms that can have caused the loss. One row
    per (source hit firm, target): ``step`` = links on the shortest path, ``via`` = the
    intermediate firms (source side first), ``weight`` = the target's total loss shared among
    its sources in proportion to their own (direct) total losses.
    """
    from fukugan.results import PATHS_COLUMNS

    net = traj.network
    loss = traj.firm_loss
    affected = loss > 1e-9 * np.maximum(traj.baseline, 1e-300)
    cand = np.flatnonzero(~traj.hit & affected)
    rows: list[dict[str, Any]] = []
    if cand.size == 0 or not traj.hit.any():
        return pd.DataFrame(columns=list(PATHS_COLUMNS))
    targets = cand[np.argsort(-loss[cand], kind="stable")[:top]]
    graphs = []
    if direction in ("upstream", "both"):
        graphs.append((net.indptr, net.suppliers))
    if direction in ("downstream", "both"):
        order = np.argsort(net.suppliers, kind="stable")
        cust = net.customer_of_link()[order]
        ip = np.zeros(net.n_firms + 1, dtype=np.int64)
        np.cumsum(np.bincount(net.suppliers, minlength=net.n_firms), out=ip[1:])
        graphs.append((ip, cust))
    if not graphs:
        raise InputError(f"unknown direction {direction!r}", field="direction")
    for tgt in targets:
        parent: dict[int, int] = {int(tgt): -1}
        depth: dict[int, int] = {int(tgt): 0}
        frontier = np.array([tgt], dtype=np.int64)
        sources: list[int] = []
        for d in range(1, max_depth + 1):
            nbrs, pars = [], []
            for ip, adj in graphs:
                starts, ends = ip[frontier], ip[frontier + 1]
                cnt = ends - starts
                if cnt.sum() == 0:
                    continue
                idx = np.repeat(starts - np.cumsum(cnt) + cnt, cnt) + np.arange(cnt.sum())
                nbrs.append(adj[idx].astype(np.int64))
                pars.append(np.repeat(frontier, cnt))
            if not nbrs:
                break
            nb = np.concatenate(nbrs)
            pa = np.concatenate(pars)
            keep = affected[nb]
            nb, pa = nb[keep], pa[keep]
            nb, first = np.unique(nb, return_index=True)
            pa = pa[first]
            new = np.array([x not in parent for x in nb.tolist()], dtype=bool)
            nb, pa = nb[new], pa[new]
            for x, p in zip(nb.tolist(), pa.tolist(), strict=True):
                parent[x] = p
                depth[x] = d
            is_src = traj.hit[nb]
            sources.extend(nb[is_src].tolist())
            frontier = nb[~is_src]
            if frontier.size == 0 or len(parent) > max_visits:
                break
        if not sources:
            continue
        w = loss[sources]
        w = w / w.sum() if w.sum() > 0 else np.full(len(sources), 1.0 / len(sources))
        for src, share in zip(sources, w, strict=True):
            chain = []
            x = parent[src]
            while x != int(tgt):
                chain.append(x)
                x = parent[x]
            rows.append(
                {
                    "source": net.firm_id(src),
                    "target": net.firm_id(int(tgt)),
                    "step": depth[src],
                    "weight": float(loss[tgt] * share),
                    "via": ";".join(net.firm_id(c) for c in chain),
                }
            )
    return pd.DataFrame(rows, columns=list(PATHS_COLUMNS))


def to_run_result(
    traj: FirmTrajectory,
    *,
    scenario: dict[str, Any] | None = None,
    level: Literal["sector", "region"] = "sector",
    firms: Sequence[str] | None = None,
    paths: bool = True,
    seed: int | None = None,
) -> Any:
    """A :class:`fukugan.results.RunResult` (timeseries, paths, summary).

    The headline figures (total / peak loss, recovery day, direct vs indirect) are computed from
    the ``level`` aggregate only, so optional firm rows are not counted twice.
    """
    from fukugan.results import RunResult, headline

    agg = to_run_rows(traj, level=level, totals=True)
    ts = to_run_rows(traj, level=level, firms=firms, totals=True) if firms is not None else agg
    summary = {
        **headline(agg),
        "n_days": traj.n_days,
        "network": traj.network.describe(),
        "shocks": [s.describe() for s in traj.shocks],
        "firms_hit": int(traj.hit.sum()),
        "notes": list(traj.notes),
    }
    return RunResult(
        engine=ENGINE,
        scenario=scenario or {},
        parameters={**traj.params.as_dict(), "n_days": traj.n_days},
        timeseries=ts,
        paths=propagation_paths(traj)
        if paths
        else pd.DataFrame(columns=["source", "target", "step", "weight", "via"]),
        summary=summary,
        seed=seed,
        unit=traj.network.unit,
    )
