"""``fukugan firms run DIR``: the firm model on a network in the reference simulator's file
format (:mod:`fukugan.data.pronet`), with options mirroring the reference's.

=====================  =========  ==========================================================
option                 reference  meaning
=====================  =========  ==========================================================
``rationing``          ``-R``     a rule name or its number 0..3 (default ``inoue_todo``)
``days``               ``-t``     steps to simulate (default 60)
``inventory_days``     ``-i``     target inventory n (15)
``tau``                ``-T``     adjustment time τ (6)
``recovery_days``      ``-c``     δ falls by δ₀/C after each step (default: no recovery)
``recovery_type``      ``-b``     fukugan's paths over ``recovery_days``: ``linear`` (the
                                  reference's ``-c``), ``step``, ``exponential``
``stop_days``          ``-S``     fukugan's reading of a forced stop: the shocked firms
                                  produce nothing for that many steps from their start,
                                  then their δ applies (and recovers) from there
``seed``               ``-r``     seed of the Poisson inventory targets (331)
``order_type``         ``-o``     0 / 1 / 2 or the names of :data:`ORDER_TYPES`
``inventory``          ``-D``     0 / 1 / 2 or ``fixed``, ``poisson_firm``, ``poisson_link``
=====================  =========  ==========================================================

The result has one row for the initial state (step −1) and one per step: step, total output,
value added, final consumption — the reference's ``pact``, ``va`` and ``fc`` files side by side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fukugan.errors import InputError
from fukugan.services.report import Report

__all__ = ["check_pronet", "reference_shocks", "run_pronet"]


def _choice(value: str | int, names: tuple[str, ...], what: str) -> str:
    s = str(value).strip()
    if s.isdigit() and int(s) < len(names):
        return names[int(s)]
    if s in names:
        return s
    raise InputError(
        f"unknown {what} {value!r}; choose one of: "
        + ", ".join(f"{i} / {n}" for i, n in enumerate(names)),
        field=what,
    )


def reference_shocks(
    delta: np.ndarray,
    start: np.ndarray,
    *,
    recovery_days: float | None = None,
    recovery_type: str = "linear",
    stop_days: int = 0,
) -> list:
    """The firm-model shocks of a ``delta.txt`` (δ per firm, start step per firm): one
    :class:`FirmShock` per start step (reference step s = fukugan day s + 1)."""
    from fukugan.dynamics.firms import FirmShock

    if recovery_type not in ("linear", "step", "exponential"):
        raise InputError(
            f"unknown recovery type {recovery_type!r} (linear, step, exponential)",
            field="recovery_type",
        )
    if recovery_days is not None and not recovery_days > 0:
        raise InputError(f"recovery days must be > 0, got {recovery_days!r}", field="recovery")
    if stop_days < 0:
        raise InputError(f"stop days must be ≥ 0, got {stop_days!r}", field="stop_days")
    shocks = []
    for s in np.unique(start[delta > 0]):
        idx = np.flatnonzero((delta > 0) & (start == s))
        day = int(s) + 1
        if stop_days:
            shocks.append(
                FirmShock(
                    idx,
                    1.0,
                    start=day,
                    recovery="step",
                    recovery_days=float(stop_days),
                    label=f"forced stop from step {int(s)}",
                )
            )
        shocks.append(
            FirmShock(
                idx,
                delta[idx],
                start=day + int(stop_days),
                recovery=recovery_type if recovery_days else "none",
                recovery_days=float(recovery_days or 1.0),
                label=f"delta.txt, from step {int(s) + int(stop_days)}",
            )
        )
    return shocks


def run_pronet(
    directory: str | Path,
    *,
    rationing: str | int = "inoue_todo",
    days: int = 60,
    inventory_days: float = 15.0,
    tau: float = 6.0,
    recovery_days: float | None = None,
    recovery_type: str = "linear",
    stop_days: int = 0,
    seed: int = 331,
    order_type: str | int = "normal",
    inventory: str | int = "fixed",
) -> Report:
    """Read ``directory`` and simulate (module doc); all errors are :class:`InputError`."""
    from fukugan.data.pronet import read_pronet
    from fukugan.dynamics.firm_params import INVENTORY_TYPES
    from fukugan.dynamics.firms import ORDER_TYPES, RATIONING_RULES, FirmParams, simulate_firms

    rule = _choice(rationing, RATIONING_RULES, "rationing")
    otype = _choice(order_type, ORDER_TYPES, "order type")
    inv = _choice(inventory, INVENTORY_TYPES, "inventory")
    if int(days) != days or days < 0:
        raise InputError(f"days must be an integer ≥ 0, got {days!r}", field="days")
    data = read_pronet(directory)
    shocks = reference_shocks(
        data.delta,
        data.start,
        recovery_days=recovery_days,
        recovery_type=recovery_type,
        stop_days=int(stop_days),
    )
    params = FirmParams(
        n=float(inventory_days),
        tau=float(tau),
        rationing=rule,  # type: ignore[arg-type]
        order_type=otype,
        inventory=inv,
        seed=int(seed),
        record="aggregate",
    )
    tr = simulate_firms(data.network, shocks, params, int(days))
    table = pd.DataFrame(
        {
            "step": np.arange(-1, int(days)),
            "total-output": tr.total_output,
            "value-added": tr.value_added,
            "final-consumption": tr.final_consumption,
        }
    )
    base = float(tr.total_output[0])
    loss = float((base - tr.total_output[1:]).sum())
    net = data.network
    return Report(
        title="firms-run-title",
        title_args={"dir": str(directory), "rule": rule},
        table=table,
        summary={
            "firms": net.n_firms,
            "links": net.n_links,
            "firms-hit": int(tr.hit.sum()),
            "rationing": rule,
            "cumulative-output-loss": loss,
            "output-loss-share": loss / (base * max(int(days), 1)),
        },
        sources=[data.provenance],
        notes=["firms-run-note"],
    )


def check_pronet(directory: str | Path) -> Report:
    """``fukugan data import firm-network --format pronet DIR``: validate a directory in the
    reference format (all-or-nothing, :mod:`fukugan.data.pronet`) and describe it; a scenario
    then names it as ``data.firm_network: {pronet: DIR}`` (nothing is copied into the store:
    firm networks are read from their files at each run)."""
    from fukugan.data.pronet import read_pronet

    data = read_pronet(directory)
    net = data.network
    d = net.describe()
    table = pd.DataFrame(
        {
            "sector": list(net.sector_names),
            "firms": np.bincount(net.sectors, minlength=len(net.sector_names)),
            "baseline-output": np.bincount(
                net.sectors, weights=net.baseline_production(), minlength=len(net.sector_names)
            ),
        }
    )
    return Report(
        title="firm-network-import-title",
        title_args={"dir": str(directory)},
        table=table,
        summary={
            "firms": net.n_firms,
            "links": net.n_links,
            "components": d.get("components"),
            "firms-hit": int((data.delta > 0).sum()),
        },
        sources=[data.provenance],
        notes=["firm-network-import-note"],
    )
