"""ARIO events during a run (BoARIO ``EventTracker``): capital destroyed and recovered or
rebuilt (industries' and households' capital), arbitrary production-capacity losses."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from fukugan.dynamics.ario.params import (
    EVENT_ARBITRARY_PRECISION,
    RECOVERY_FUNCTIONS,
    ARIOEvent,
)
from fukugan.dynamics.ario.system import ARIOSystem, label
from fukugan.errors import InputError


@dataclass
class _Tracker:
    """One event during the run (BoARIO ``EventTracker``)."""

    event: ARIOEvent
    idx: np.ndarray  # affected industries
    dmg0: np.ndarray  # wide (nm), converted to the model's monetary unit
    dmg: np.ndarray | None  # current damage (wide)
    precision: int
    status: str = "pending"
    recovery: Callable[[float, np.ndarray, int], np.ndarray] | None = None
    reb_remaining: np.ndarray | None = None  # nm × len(idx): remaining rebuilding stock
    reb_rate: float = 0.0  # temporal_units_by_step / rebuild_tau
    tau: int = 1  # recovery_tau (arbitrary events: 1 when the event gives none)
    house_remaining: np.ndarray | None = None  # nm × affected final demands: households' stock
    arb0: np.ndarray | None = None  # arbitrary event: initial capacity share lost (wide)
    arb: np.ndarray | None = None  # ... current (None once recovered)


def _households_stock(system: ARIOSystem, ev: ARIOEvent, what: str, emf: int) -> np.ndarray | None:
    """Households' rebuilding stock of a rebuild event (BoARIO ``EventTracker`` with
    ``households_impact``): demand (s, c) = share_s · impact_c (converted to the model's unit,
    unlike the industries' part) · rebuilding_factor, addressed to sector s of every region r as
    Y[(r, s), c] / Σ_r' Y[(r', s), c] (0 when that is 0). nm × affected final demands, or None."""
    hh = ev.households_impact
    if not hh:
        return None
    m, n, n_fd = system.n_regions, system.n_sectors, system.n_fd
    thin: dict[int, float] = {}
    for key, value in hh.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InputError(
                f"{what}: households_impact keys must be (region, final demand category), "
                f"got {key!r}",
                field="households_impact",
            )
        if str(key[0]) not in system.regions:
            raise InputError(f"{what}: unknown region {key[0]!r}", field="households_impact")
        if str(key[1]) not in system.fd_categories:
            raise InputError(
                f"{what}: unknown final demand category {key[1]!r} (one of "
                f"{', '.join(system.fd_categories)})",
                field="households_impact",
            )
        v = float(value)
        if not math.isfinite(v) or v < 0:
            raise InputError(
                f"{what}: households' capital lost must be a non-negative number",
                field="households_impact",
            )
        col = system.regions.index(str(key[0])) * n_fd + system.fd_categories.index(str(key[1]))
        if v != 0:  # BoARIO fails on a null household impact (NaN in its distribution)
            thin[col] = thin.get(col, 0.0) + v
    if not thin:
        return None
    cols = np.array(sorted(thin), dtype=np.int64)
    raw = np.array([thin[c] for c in cols])
    p = system.params
    conv = raw * (emf / p.monetary_factor) if emf != p.monetary_factor else raw
    assert ev.rebuilding_sectors is not None
    rem = np.zeros((m * n, cols.size))
    yy = system.y_annual.reshape(m, n, m * n_fd)
    for s_name, share in ev.rebuilding_sectors.items():
        s = system.sectors.index(s_name)
        demand = (share * conv) * ev.rebuilding_factor
        col = yy[:, s, :][:, cols]  # m × affected final demands
        tot = np.zeros(cols.size)
        for r in range(m):
            tot = tot + col[r]
        with np.errstate(divide="ignore", invalid="ignore"):
            dist = np.nan_to_num(col / tot)
        rem[np.arange(m) * n + s, :] = demand * dist
    return rem


def _arbitrary_tracker(
    system: ARIOSystem, ev: ARIOEvent, what: str, idx: np.ndarray, raw: np.ndarray
) -> _Tracker:
    """The tracker of an arbitrary production-capacity event (BoARIO ``EventArbitraryProd``)."""
    over = np.flatnonzero(raw > 1.0)
    if over.size:
        i = int(idx[over[0]])
        raise InputError(
            f"{what}: capacity lost at {label(system.regions, system.sectors, i)} "
            f"({raw[over[0]]:g}) is more than 100 % (an arbitrary event's impact is a share)",
            field="impact",
        )
    if ev.event_monetary_factor is not None or ev.rebuilding_sectors or ev.rebuild_tau:
        raise InputError(
            f"{what}: an arbitrary event destroys no capital (no event_monetary_factor, "
            "rebuild_tau or rebuilding_sectors)",
            field="event_type",
        )
    tau = 1 if ev.recovery_tau is None else ev.recovery_tau
    if not isinstance(tau, (int, np.integer)) or tau <= 0:
        raise InputError(f"{what}: recovery_tau must be a positive integer", field="recovery_tau")
    if ev.recovery_function not in RECOVERY_FUNCTIONS:
        raise InputError(
            f"{what}: unknown recovery_function {ev.recovery_function!r} "
            f"(one of {sorted(RECOVERY_FUNCTIONS)})",
            field="recovery_function",
        )
    arb0 = np.zeros(system.x0.size)
    arb0[idx] = raw
    return _Tracker(
        event=ev,
        idx=idx,
        dmg0=np.zeros(system.x0.size),
        dmg=None,
        precision=EVENT_ARBITRARY_PRECISION,
        recovery=RECOVERY_FUNCTIONS[ev.recovery_function],
        arb0=arb0,
        arb=arb0.copy(),
        tau=int(tau),
    )


def _prepare_events(system: ARIOSystem, events: Sequence[ARIOEvent]) -> list[_Tracker]:
    p = system.params
    nm = system.n_regions * system.n_sectors
    m, n = system.n_regions, system.n_sectors
    trackers = []
    for k, ev in enumerate(events):
        what = f"event {ev.name or k + 1}"
        if not isinstance(ev.occurrence, (int, np.integer)) or ev.occurrence < 1:
            raise InputError(f"{what}: occurrence must be a day ≥ 1", field="occurrence")
        if not isinstance(ev.duration, (int, np.integer)) or ev.duration < 1:
            raise InputError(f"{what}: duration must be ≥ 1 day", field="duration")
        if not ev.impact:
            raise InputError(f"{what}: empty impact", field="impact")
        thin: dict[int, float] = {}
        for key, value in ev.impact.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise InputError(
                    f"{what}: impact keys must be (region, sector), got {key!r}", field="impact"
                )
            i = system.index_of(str(key[0]), str(key[1]), what=what)
            v = float(value)
            if not math.isfinite(v) or v < 0:
                raise InputError(
                    f"{what}: impact on {key[0]}/{key[1]} must be a non-negative number",
                    field="impact",
                )
            if v != 0:  # BoARIO drops null impacts
                thin[i] = thin.get(i, 0.0) + v
        if not thin:
            raise InputError(f"{what}: all impacts are zero", field="impact")
        idx = np.array(sorted(thin), dtype=np.int64)
        raw = np.array([thin[i] for i in idx])
        if ev.event_type == "arbitrary":
            trackers.append(_arbitrary_tracker(system, ev, what, idx, raw))
            continue
        emf = p.monetary_factor if ev.event_monetary_factor is None else ev.event_monetary_factor
        if emf <= 0:
            raise InputError(f"{what}: event_monetary_factor must be positive", field="impact")
        dmg_thin = raw * (emf / p.monetary_factor) if emf != p.monetary_factor else raw.copy()
        dmg0 = np.zeros(nm)
        dmg0[idx] = dmg_thin
        over = np.flatnonzero(dmg0 > system.capital)
        if over.size:
            i = int(over[0])
            raise InputError(
                f"{what}: impact on {label(system.regions, system.sectors, i)} "
                f"({dmg0[i]:g}) exceeds its productive capital ({system.capital[i]:g})",
                field="impact",
            )
        tr = _Tracker(
            event=ev,
            idx=idx,
            dmg0=dmg0,
            dmg=dmg0.copy(),
            precision=int(math.log10(emf)) + 1,
        )
        if ev.event_type == "recovery":
            if not isinstance(ev.recovery_tau, (int, np.integer)) or ev.recovery_tau <= 0:
                raise InputError(
                    f"{what}: recovery_tau must be a positive integer", field="recovery_tau"
                )
            if ev.recovery_function not in RECOVERY_FUNCTIONS:
                raise InputError(
                    f"{what}: unknown recovery_function {ev.recovery_function!r} "
                    f"(one of {sorted(RECOVERY_FUNCTIONS)})",
                    field="recovery_function",
                )
            tr.recovery = RECOVERY_FUNCTIONS[ev.recovery_function]
        elif ev.event_type == "rebuild":
            tau = ev.rebuild_tau if ev.rebuild_tau else p.rebuild_tau
            if not isinstance(tau, (int, np.integer)) or tau < 1:
                raise InputError(
                    f"{what}: rebuild_tau must be a positive integer", field="rebuild_tau"
                )
            rs = ev.rebuilding_sectors
            if not rs:
                raise InputError(
                    f"{what}: rebuilding_sectors are required", field="rebuilding_sectors"
                )
            for s in rs:
                if s not in system.sectors:
                    raise InputError(
                        f"{what}: unknown rebuilding sector {s!r}", field="rebuilding_sectors"
                    )
            shares = np.array([float(v) for v in rs.values()])
            if not np.isclose(shares.sum(), 1.0) or (shares < 0).any():
                raise InputError(
                    f"{what}: rebuilding shares must be non-negative and sum to 1",
                    field="rebuilding_sectors",
                )
            # BoARIO: demand (s, j) = share_s · impact_j (unconverted) · rebuilding_factor, split
            # among supplier regions r as Z[(r,s), j] / Σ_r' Z[(r',s), j] (0 when that is 0)
            rem = np.zeros((nm, idx.size))
            zz = system.z_annual.reshape(m, n, nm)
            for s_name, share in rs.items():
                s = system.sectors.index(s_name)
                demand = (share * raw) * ev.rebuilding_factor
                col = zz[:, s, :][:, idx]  # m × n_aff
                tot = np.zeros(idx.size)
                for r in range(m):  # Python's sum(), in region order, as pandas' transform
                    tot = tot + col[r]
                with np.errstate(divide="ignore", invalid="ignore"):
                    dist = np.nan_to_num(col / tot)
                rem[np.arange(m) * n + s, :] = demand * dist
            tr.reb_remaining = rem
            tr.reb_rate = p.temporal_units_by_step / tau
            tr.house_remaining = _households_stock(system, ev, what, emf)
        else:
            raise InputError(f"{what}: unknown event_type {ev.event_type!r}", field="event_type")
        trackers.append(tr)
    return trackers


# --------------------------------------------------------------------------------------------
# the events' part of a step
# --------------------------------------------------------------------------------------------
def update_status(trackers: Sequence[_Tracker], t: int) -> None:
    """``Simulation._check_happening_events``: pending → happening on the occurrence day, then
    rebuilding / recovering once ``occurrence + duration`` is reached."""
    for tr in trackers:
        if tr.status == "pending" and (t - 1) <= tr.event.occurrence <= t:
            tr.status = "happening"
    for tr in trackers:
        if tr.status == "happening" and t >= tr.event.occurrence + tr.event.duration:
            tr.status = "rebuilding" if tr.event.event_type == "rebuild" else "recovering"


def arbitrary_loss(trackers: Sequence[_Tracker]) -> np.ndarray | None:
    """``Simulation.update_prod_cap_delta_arb``: the largest capacity share lost by an active
    arbitrary event, by industry (None when there is none)."""
    cur = [
        tr.arb
        for tr in trackers
        if tr.arb0 is not None and tr.status in ("happening", "recovering") and tr.arb is not None
    ]
    return np.maximum.reduce(cur) if cur else None


def rebuilding_blocks(
    rebuilding: Sequence[_Tracker],
) -> list[tuple[_Tracker, bool, np.ndarray]]:
    """This step's rebuilding demand of each rebuilding event: (event, households?, block), the
    industries' columns first, then the households' (BoARIO's column order)."""
    blocks = []
    for tr in rebuilding:
        for house, remaining in ((False, tr.reb_remaining), (True, tr.house_remaining)):
            if remaining is not None:
                blocks.append((tr, house, remaining * tr.reb_rate))
    return blocks


def receive_rebuilding(
    blocks: Sequence[tuple[_Tracker, bool, np.ndarray]],
    rebuilding: Sequence[_Tracker],
    demand_tot: np.ndarray,
    production: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Deliver each rebuilding demand its share x_i / D_i of production and lower the events'
    stocks (``EventTracker.receive_indus_rebuilding`` / ``receive_house_rebuilding``, rounded
    to ``log10(event_monetary_factor) + 1`` decimals). Returns (delivered, demand left), totals
    by supplier."""
    nm = production.size
    reb_prod_tot = np.zeros(nm)
    new_reb_tot = np.zeros(nm)
    shares_ok = (demand_tot != 0)[:, np.newaxis]
    for tr, house, block in blocks:
        share = np.zeros_like(block)
        np.divide(block, demand_tot[:, np.newaxis], out=share, where=shares_ok)
        delivered = share * production[:, np.newaxis]
        reb_prod_tot = reb_prod_tot + np.einsum("ij->i", delivered)
        new_reb_tot = new_reb_tot + np.einsum("ij->i", block - delivered)
        if house:
            assert tr.house_remaining is not None
            rem = np.round(tr.house_remaining - delivered, tr.precision)
            rem[rem < 0] = 0.0
            tr.house_remaining = rem if rem.any() else None
        else:
            assert tr.reb_remaining is not None
            rem = np.round(tr.reb_remaining - delivered, tr.precision)
            rem[rem < 0] = 0.0
            if not rem.any():
                tr.reb_remaining = None
                tr.dmg = None
            else:
                tr.reb_remaining = rem
                dmg = np.zeros(nm)
                dmg[tr.idx] = rem.sum(axis=0) / tr.event.rebuilding_factor
                tr.dmg = dmg
    for tr in rebuilding:  # rebuilt: its industries' and households' capital
        if tr.reb_remaining is None and tr.house_remaining is None:
            tr.status = "finished"
    return reb_prod_tot, new_reb_tot


def recover(trackers: Sequence[_Tracker], t: int) -> None:
    """``EventTracker.recover``: recovering capital (rounded to ``log10(emf) + 1`` decimals) and
    arbitrary losses (rounded to 6) follow their recovery function; finished at 0."""
    for tr in trackers:
        if tr.status != "recovering":
            continue
        assert tr.recovery is not None
        elapsed = t - (tr.event.occurrence + tr.event.duration)
        if tr.arb0 is not None:  # arbitrary event
            if tr.arb is not None:
                arb = tr.recovery(elapsed, tr.arb0, tr.tau).round(tr.precision)
                tr.arb = arb if arb.any() else None
            if tr.arb is None:
                tr.status = "finished"
            continue
        assert tr.event.recovery_tau is not None
        if tr.dmg is not None:
            dmg = tr.recovery(elapsed, tr.dmg0, tr.event.recovery_tau).round(tr.precision)
            tr.dmg = dmg if dmg.any() else None
        if tr.dmg is None:
            tr.status = "finished"
