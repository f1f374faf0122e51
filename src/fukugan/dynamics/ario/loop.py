"""The ARIO step loop (BoARIO ``Simulation.loop`` / ``next_step``): state, trajectory, run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from fukugan.dynamics.ario.events import (
    _prepare_events,
    _Tracker,
    arbitrary_loss,
    rebuilding_blocks,
    receive_rebuilding,
    recover,
    update_status,
)
from fukugan.dynamics.ario.kernels import allclose, kernels_for
from fukugan.dynamics.ario.params import ARIOEvent, ARIOParams
from fukugan.dynamics.ario.system import ARIOSystem, label, prepare_system
from fukugan.errors import InputError

__all__ = ["ARIOState", "ARIOTrajectory", "run_system", "simulate_ario"]


@dataclass
class ARIOState:
    """The dynamic variables of the model after a step (BoARIO's ``ARIOPsiModel`` attributes).

    ``production`` x, ``overprod`` α, ``inputs_stock`` S (n × nm), ``orders`` O (nm × nm,
    intermediate demand for the next step) and its row sums ``orders_tot``, ``rebuild_residual``
    (rebuilding demand left after the last deliveries, by supplier), ``t`` the next day.
    """

    production: np.ndarray
    overprod: np.ndarray
    inputs_stock: np.ndarray
    orders: np.ndarray
    orders_tot: np.ndarray
    rebuild_residual: np.ndarray
    t: int = 0

    @classmethod
    def initial(cls, system: ARIOSystem) -> ARIOState:
        nm = system.x0.size
        orders = system.z0.copy()
        return cls(
            production=system.x0.copy(),
            overprod=np.full(nm, system.params.alpha_base, dtype=np.float64),
            inputs_stock=system.stock0.copy(),
            orders=orders,
            orders_tot=np.einsum("ij->i", orders),
            rebuild_residual=np.zeros(nm),
        )


@dataclass
class ARIOTrajectory:
    """Per day t (row) and industry (column, region-major), in daily MRIO units.

    BoARIO's records, same timing: ``production`` (``production_realised``), ``production_cap``
    (``production_capacity``), ``intermediate_demand`` (orders received, placed the day before),
    ``final_demand``, ``rebuild_demand`` (asked at t), ``rebuild_prod`` (delivered at t),
    ``final_demand_unmet`` (by consuming region × product, BoARIO's ``final_demand_unmet``),
    ``final_demand_undist`` (by supplying industry), ``productive_capital_lost``
    (``productive_capital_to_recover``, yearly units), ``overproduction`` α; inventories at the
    start of the day: ``inventory_total`` (Σ of the finite inventories an industry holds) and,
    when recorded, ``inputs_stock`` (t × n × nm, BoARIO's ``inputs_stocks``). ``x0`` the daily
    baseline output; ``direct`` marks the industries hit by an event; ``crashed_at`` the day
    BoARIO's negative-inventory check stopped the run (later rows are NaN).
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    x0: np.ndarray
    y0_tot: np.ndarray
    direct: np.ndarray
    production: np.ndarray
    production_cap: np.ndarray
    intermediate_demand: np.ndarray
    final_demand: np.ndarray
    rebuild_demand: np.ndarray
    rebuild_prod: np.ndarray
    final_demand_unmet: np.ndarray
    final_demand_undist: np.ndarray
    productive_capital_lost: np.ndarray
    overproduction: np.ndarray
    inventory_total: np.ndarray
    inputs_stock: np.ndarray | None = None
    crashed_at: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    final_state: ARIOState | None = None

    @property
    def n_days(self) -> int:
        return self.production.shape[0]

    @property
    def industries(self) -> pd.MultiIndex:
        return pd.MultiIndex.from_product([self.regions, self.sectors], names=["region", "sector"])

    def frame(self, name: str) -> pd.DataFrame:
        """One recorded quantity as a DataFrame (rows = day, columns = (region, sector))."""
        arr = getattr(self, name)
        return pd.DataFrame(
            arr, index=pd.RangeIndex(arr.shape[0], name="step"), columns=self.industries
        )


def simulate_ario(
    Z: object,
    Y: object,
    x: object,
    va: object | None,
    regions: Sequence[str],
    sectors: Sequence[str],
    events: Sequence[ARIOEvent],
    params: ARIOParams | None = None,
    n_days: int = 365,
    progress: Callable[[int, int], None] | None = None,
    *,
    productive_capital: object | None = None,
    record_stocks: bool = False,
    kernels: Literal["auto", "numba", "numpy"] = "auto",
    fd_categories: Sequence[str] | None = None,
) -> ARIOTrajectory:
    """Run ARIO for ``n_days`` daily steps (t = 0 … n_days − 1), as BoARIO's ``Simulation.loop``.

    See the module docstring for the equations and :func:`prepare_system` for the inputs.
    ``progress(done, total)`` is called after each step. ``record_stocks`` keeps the full
    inventory matrices (n_days × n × nm floats). ``kernels``: the two O((nm)²) operations in
    numba ("auto": from :data:`NUMBA_MIN_INDUSTRIES` industries on) or in numpy. Raises
    :class:`~fukugan.errors.InputError` on bad input (before the first step).
    """
    system = prepare_system(
        Z,
        Y,
        x,
        va,
        regions,
        sectors,
        params,
        productive_capital=productive_capital,
        fd_categories=fd_categories,
    )
    return run_system(
        system, events, n_days, progress=progress, record_stocks=record_stocks, kernels=kernels
    )


def run_system(
    system: ARIOSystem,
    events: Sequence[ARIOEvent],
    n_days: int,
    *,
    progress: Callable[[int, int], None] | None = None,
    record_stocks: bool = False,
    state: ARIOState | None = None,
    kernels: Literal["auto", "numba", "numpy"] = "auto",
) -> ARIOTrajectory:
    """Run a prepared system (see :func:`simulate_ario`): one :class:`_Loop` step per day, in
    BoARIO's order (events, overproduction, production, distribution, orders)."""
    if not isinstance(n_days, (int, np.integer)) or n_days < 1:
        raise InputError("n_days must be a positive integer", field="n_days")
    run = _Loop(system, _prepare_events(system, events), n_days, state, record_stocks, kernels)
    st = run.st
    crashed_at = None
    # BoARIO computes 0 · inf and inf − inf where inventories are infinite, and ignores them
    with np.errstate(invalid="ignore"):
        for t in range(st.t, st.t + n_days):
            if not run.step(t):
                crashed_at = t
                break
            if progress is not None:
                progress(t - st.t + 1, n_days)
    return run.trajectory(crashed_at)


_RECORDS = (
    "production",
    "production_cap",
    "intermediate_demand",
    "final_demand",
    "rebuild_demand",
    "rebuild_prod",
    "final_demand_unmet",
    "final_demand_undist",
    "productive_capital_lost",
    "overproduction",
    "inventory_total",
)


class _Loop:
    """One run: the constant arrays, the work buffers and the records; :meth:`step` is one day
    (``Simulation.next_step``), with BoARIO's operations in BoARIO's order."""

    def __init__(
        self,
        system: ARIOSystem,
        trackers: list[_Tracker],
        n_days: int,
        state: ARIOState | None,
        record_stocks: bool,
        kernels: str,
    ) -> None:
        p = self.p = system.params
        self.system = system
        self.trackers = trackers
        self.arb_trackers = [tr for tr in trackers if tr.arb0 is not None]
        m, n = self.m, self.n = system.n_regions, system.n_sectors
        nm = self.nm = m * n
        self.n_days = n_days
        self.kern = kernels_for(m, n, kernels, system.z0)
        self.st = state if state is not None else ARIOState.initial(system)
        self.fd_tot = np.einsum("ij->i", system.y0)
        self.inv_fin = np.nan_to_num(system.inv_duration, posinf=0.0)[:, np.newaxis]
        self.overprod_tau = p.temporal_units_by_step / p.alpha_tau
        self.restoration = system.restoration[:, np.newaxis]
        self.finite_goal_needed = bool(np.isinf(system.inv_duration).any())
        self.out = {k: np.full((n_days, nm), np.nan) for k in _RECORDS}
        self.stocks_rec = np.full((n_days, n, nm), np.nan) if record_stocks else None
        self.direct = np.zeros(nm, dtype=bool)
        for tr in trackers:
            self.direct[tr.idx] = True
        self.capital_nz = system.capital != 0
        self.x0_nz = system.x0 != 0
        self.x0_all_nz = bool(self.x0_nz.all())
        # the rebuilding demand left by the last deliveries (BoARIO keeps it in entire_demand)
        self.reb_demand_tot = self.st.rebuild_residual.copy()
        self.any_rebuild_cols = bool(self.reb_demand_tot.any())
        self.prev_active: list[np.ndarray | None] = [None]  # never equal to a first list
        self.arb_prev: np.ndarray | None = None  # the arbitrary losses of the previous step
        self.lost = self.delta = self.one_minus_delta = np.zeros(nm)
        self.delivered_share = np.full((n_days, nm), np.nan)
        self.scarcity = np.zeros(nm)
        self.tmp = np.empty(nm)
        self.stock_add, self.stock_use, self.gap = (np.empty((n, nm)) for _ in range(3))
        self.constraints, self.goal, self.use_opt = (np.empty((n, nm)) for _ in range(3))
        self.scratch = (np.empty((n, nm)), np.empty((n, nm)))

    # ---- one day --------------------------------------------------------------------------
    def step(self, t: int) -> bool:
        """Day ``t``; False when BoARIO's negative-inventory check stops the run."""
        row = t - self.st.t
        rebuilding, blocks = self.events(t)
        self.record_inventories(row)
        demand_tot = self.st.orders_tot + self.fd_tot
        if self.any_rebuild_cols:
            demand_tot += self.reb_demand_tot
        alpha = self.overproduction(t, row, demand_tot)
        cap, production = self.production(row, demand_tot, alpha)
        if not self.distribute(row, demand_tot, production):
            return False
        if blocks:
            reb_prod_tot, self.reb_demand_tot = receive_rebuilding(
                blocks, rebuilding, demand_tot, production
            )
        if self.any_rebuild_cols:
            self.out["rebuild_prod"][row] = reb_prod_tot if blocks else 0.0
        recover(self.trackers, t)
        self.orders(cap, demand_tot)
        return True

    def events(self, t: int) -> tuple[list[_Tracker], list[tuple[_Tracker, bool, np.ndarray]]]:
        """Statuses, capacity lost Δ = max(capital lost / K, arbitrary loss), rebuilding
        demand (``Simulation._check_happening_events``)."""
        system, nm = self.system, self.nm
        update_status(self.trackers, t)
        active = [
            tr.dmg
            for tr in self.trackers
            if tr.status in ("happening", "rebuilding", "recovering") and tr.dmg is not None
        ]
        if len(active) != len(self.prev_active) or any(
            a is not b for a, b in zip(active, self.prev_active, strict=False)
        ):  # Simulation.update_productive_capital_lost, when a damage changed
            self.prev_active = active
            lost = np.add.reduce(np.array(active)) if active else np.zeros(nm)
            capital = system.capital
            if (lost > capital).any():
                i = int(np.argmax(lost > capital))
                raise InputError(
                    f"day {t}: capital destroyed by the events at "
                    f"{label(system.regions, system.sectors, i)} ({lost[i]:g}) exceeds its "
                    f"productive capital ({capital[i]:g})",
                    field="impact",
                )
            self.lost = lost
            self.delta = np.zeros(nm)
            np.divide(lost, capital, where=self.capital_nz, out=self.delta)
            self.one_minus_delta = 1 - self.delta
        if self.arb_trackers:
            arb_now = arbitrary_loss(self.arb_trackers)
            # BoARIO 0.7.2 applies it one step late (arbitrary_lag = 1)
            arb_used = arb_now if self.p.arbitrary_lag == 0 else self.arb_prev
            self.arb_prev = arb_now
            # ARIOBaseModel.update_prod_delta: capacity lost = max(capital, arbitrary)
            self.one_minus_delta = 1 - (
                self.delta if arb_used is None else np.maximum(self.delta, arb_used)
            )
        rebuilding = [tr for tr in self.trackers if tr.status == "rebuilding"]
        blocks = rebuilding_blocks(rebuilding)
        if rebuilding:
            self.any_rebuild_cols = True
            reb_demand_tot = np.zeros(nm)
            for _, _, block in blocks:
                reb_demand_tot = reb_demand_tot + np.einsum("ij->i", block)
            self.reb_demand_tot = reb_demand_tot
        return rebuilding, blocks

    def record_inventories(self, row: int) -> None:
        stock = self.st.inputs_stock
        if self.stocks_rec is not None:
            self.stocks_rec[row] = stock
        if self.finite_goal_needed:
            self.out["inventory_total"][row] = np.where(np.isfinite(stock), stock, 0.0).sum(axis=0)
        elif self.stocks_rec is None:  # else summed after the loop
            stock.sum(axis=0, out=self.out["inventory_total"][row])

    def overproduction(self, t: int, row: int, demand_tot: np.ndarray) -> np.ndarray:
        """``ARIOBaseModel.calc_overproduction`` (from t = 2, as BoARIO)."""
        p, st, out = self.p, self.st, self.out
        alpha = st.overprod
        if t > 1:
            scarcity = self.scarcity
            np.subtract(demand_tot, st.production, out=self.tmp)
            if demand_tot.all():
                np.divide(self.tmp, demand_tot, out=scarcity)
            else:
                scarcity[:] = 0.0
                np.divide(self.tmp, demand_tot, out=scarcity, where=demand_tot != 0)
            # (α^max − α)·σ·τ + (α^b − α)·[σ = 0]·τ; the second term is ±0 where σ ≠ 0
            chg = p.alpha_max - alpha
            chg *= scarcity
            chg *= self.overprod_tau
            if not scarcity.all():
                chg += (p.alpha_base - alpha) * (scarcity == 0) * self.overprod_tau
            alpha = alpha + chg
            np.maximum(alpha, 1.0, out=alpha)
            st.overprod = alpha
        out["overproduction"][row] = alpha
        out["intermediate_demand"][row] = st.orders_tot
        if self.any_rebuild_cols:
            out["rebuild_demand"][row] = self.reb_demand_tot
        return alpha

    def production(
        self, row: int, demand_tot: np.ndarray, alpha: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``calc_production``: capacity, optimal production, inventory constraints (ψ)."""
        system, st, n, nm = self.system, self.st, self.n, self.nm
        cap = system.x0 * self.one_minus_delta
        cap *= alpha
        prod_opt = np.fmin(demand_tot, cap)
        constraints = self.constraints
        np.multiply(prod_opt, system.tech, out=self.use_opt)
        if self.p.model_type == "psi":
            np.multiply(self.use_opt, self.p.psi_param, out=constraints)
            constraints *= self.inv_fin
        else:
            np.multiply(self.use_opt, self.inv_fin, out=constraints)
        thr = system.threshold_not_input
        limited = st.inputs_stock < constraints
        limited &= thr
        if limited.any():
            ratio = np.ones((n, nm))
            np.divide(st.inputs_stock, constraints, out=ratio, where=thr & (constraints != 0))
            ratio[ratio > 1] = 1
            production = np.min(prod_opt[np.newaxis, :] * ratio, axis=0)
        else:
            production = prod_opt
        self.out["production"][row] = production
        self.out["production_cap"][row] = cap
        self.out["productive_capital_lost"][row] = self.lost
        st.production = production
        return cap, production

    def distribute(self, row: int, demand_tot: np.ndarray, production: np.ndarray) -> bool:
        """``distribute_production``: restocking and inventories (False on a negative
        inventory, BoARIO's crash); the share ρ_i = x_i / D_i every demand on i receives (the
        final demand not met, (1 − ρ)·Y₀, is summed after the loop)."""
        st = self.st
        self.kern.restock(st.orders, demand_tot, production, self.m, self.n, self.stock_add)
        np.multiply(production, self.system.tech, out=self.stock_use)
        if not allclose(self.stock_add, self.stock_use, *self.scratch):
            new_stock = st.inputs_stock - self.stock_use
            new_stock += self.stock_add
            st.inputs_stock = new_stock
            if new_stock.min() < 0:  # BoARIO: RuntimeError → the loop stops ("crashed")
                return False
        served = self.delivered_share[row]
        if demand_tot.all():
            np.divide(production, demand_tot, out=served)
        else:
            served[:] = 0.0
            np.divide(production, demand_tot, out=served, where=demand_tot != 0)
        return True

    def orders(self, cap: np.ndarray, demand_tot: np.ndarray) -> None:
        """``calc_orders``: inventory goal and gap, orders to suppliers (alt / noalt)."""
        system, st, p = self.system, self.st, self.p
        if self.any_rebuild_cols:  # demand changed with the rebuilding deliveries
            demand_tot2 = st.orders_tot + self.fd_tot + self.reb_demand_tot
            np.multiply(np.fmin(demand_tot2, cap), system.tech, out=self.use_opt)
        goal, gap = self.goal, self.gap
        # 0 · inf = NaN where an infinite input is not used (as BoARIO)
        np.multiply(self.use_opt, system.inv_duration[:, np.newaxis], out=goal)
        if allclose(st.inputs_stock, goal, *self.scratch):
            gap[...] = 0.0
        else:
            if self.finite_goal_needed:
                gap[...] = 0.0
                fin = np.isfinite(goal)
                gap[fin] = goal[fin] - st.inputs_stock[np.isfinite(st.inputs_stock)]
                if np.isnan(gap).any():
                    raise InputError("NaN in the inventory gap (inconsistent inventories)")
            else:  # all finite: no NaN possible
                np.subtract(goal, st.inputs_stock, out=gap)
            np.maximum(gap, 0.0, out=gap)
            if p.model_type == "psi":
                np.multiply(self.restoration, gap, out=gap)
        gap += self.stock_use  # = production · A^S, as BoARIO recomputes it
        m, n = self.m, self.n
        if p.order_type == "alt":
            if self.x0_all_nz:
                cap_ratio = cap / system.x0
            else:
                cap_ratio = np.ones(self.nm)
                np.divide(cap, system.x0, out=cap_ratio, where=self.x0_nz)
            self.kern.orders_alt(system.z0, cap_ratio, gap, m, n, st.orders, st.orders_tot)
        else:
            assert system.z_distrib is not None
            self.kern.orders_noalt(system.z_distrib, gap, m, n, st.orders, st.orders_tot)

    # ---- after the last day ----------------------------------------------------------------
    def trajectory(self, crashed_at: int | None) -> ARIOTrajectory:
        st, out, system = self.st, self.out, self.system
        m, n, nm, n_days = self.m, self.n, self.nm, self.n_days
        done = n_days if crashed_at is None else crashed_at - st.t + 1
        if self.stocks_rec is not None and not self.finite_goal_needed:
            self.stocks_rec[:done].sum(axis=1, out=out["inventory_total"][:done])
        out["final_demand"][:done] = self.fd_tot
        for k in ("rebuild_demand", "rebuild_prod"):  # zero until the first rebuilding day
            rec = out[k][:done]
            rec[np.isnan(rec)] = 0.0
        if crashed_at is not None:
            out["rebuild_prod"][done - 1] = np.nan
        # final demand not met (BoARIO records it after distribution: NaN on a crash's day)
        unserved = 1.0 - self.delivered_share
        out["final_demand_undist"][:] = unserved * self.fd_tot
        # final demand by (supplier region, product, consumer region)
        y_by_region = (system.y0.reshape(nm, m, system.n_fd).sum(axis=2)).reshape(m, n, m)
        out["final_demand_unmet"][:] = np.einsum(
            "tas,asb->tbs", unserved.reshape(n_days, m, n), y_by_region
        ).reshape(n_days, nm)
        st.t = st.t + done
        st.rebuild_residual = self.reb_demand_tot
        return ARIOTrajectory(
            regions=system.regions,
            sectors=system.sectors,
            x0=system.x0.copy(),
            y0_tot=self.fd_tot,
            direct=self.direct,
            inputs_stock=self.stocks_rec,
            crashed_at=crashed_at,
            params=self.p.as_dict(),
            final_state=st,
            **out,
        )
