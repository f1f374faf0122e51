"""ARIO trajectories as rows of the shared timeseries format (:mod:`fukugan.results`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fukugan.dynamics.ario.loop import ARIOTrajectory
from fukugan.errors import InputError

__all__ = ["to_run_rows"]


def to_run_rows(
    trajectory: ARIOTrajectory,
    *,
    metrics: Sequence[str] = ("output", "loss", "demand_unmet"),
    totals: bool = True,
) -> pd.DataFrame:
    """Rows of the shared timeseries format (:mod:`fukugan.results`).

    One row per (day t, industry ``REGION/SECTOR``, metric): ``output`` = production,
    ``loss`` = baseline daily output x₀ − production, ``demand_unmet`` = final demand for the
    industry's product that it could not deliver (BoARIO's ``final_demand_undist``, by supplier).
    ``component`` is "direct" for industries hit by an event, "indirect" otherwise. With
    ``totals``, rows ``unit_kind="total"``, ``unit="all"`` carry per day the sum over industries
    ("total") and its direct / indirect parts. Values in daily MRIO units. Days after a crash
    (NaN) are left out.
    """
    tr = trajectory
    n_days, nm = tr.production.shape
    days = np.arange(n_days)
    keep = ~np.isnan(tr.production).any(axis=1)
    unit = np.array([f"{r}/{s}" for r in tr.regions for s in tr.sectors], dtype=object)
    region = np.repeat(np.array(tr.regions, dtype=object), len(tr.sectors))
    comp = np.where(tr.direct, "direct", "indirect").astype(object)
    values = {
        "output": tr.production,
        "loss": tr.x0[np.newaxis, :] - tr.production,
        "demand_unmet": tr.final_demand_undist,
    }
    frames = []
    for metric in metrics:
        if metric not in values:
            raise InputError(f"unknown metric {metric!r} (one of {sorted(values)})")
        v = values[metric][keep]
        tt = days[keep]
        frames.append(
            pd.DataFrame(
                {
                    "t": np.repeat(tt, nm),
                    "unit_kind": "sector",
                    "unit": np.tile(unit, tt.size),
                    "region": np.tile(region, tt.size),
                    "metric": metric,
                    "component": np.tile(comp, tt.size),
                    "value": v.reshape(-1),
                }
            )
        )
        if totals:
            d = np.where(tr.direct[np.newaxis, :], v, 0.0).sum(axis=1)
            ind = np.where(tr.direct[np.newaxis, :], 0.0, v).sum(axis=1)
            for c, vals in (("total", d + ind), ("direct", d), ("indirect", ind)):
                frames.append(
                    pd.DataFrame(
                        {
                            "t": tt,
                            "unit_kind": "total",
                            "unit": "all",
                            "region": "",
                            "metric": metric,
                            "component": c,
                            "value": vals,
                        }
                    )
                )
    res = pd.concat(frames, ignore_index=True)
    res["t"] = res["t"].astype(np.int64)
    return res
