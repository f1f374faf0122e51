"""The one result format every simulation engine returns and every interface reads (a leaf
module: the core may import it; writing and reading run directories is
:mod:`fukugan.store.rundir`).

A run is written to a directory::

    RUN_DIR/timeseries.parquet   long table, one row per (t, unit, metric, component)
    RUN_DIR/paths.parquet        propagation paths (may be empty)
    RUN_DIR/summary.json         headline figures + everything needed to reproduce the run

``timeseries`` columns:

========== ===================================================================================
t          int, day since the scenario start (0 = baseline / pre-shock; static engines use 0
           for the baseline and 1 for the shocked equilibrium)
unit_kind  "sector" | "firm" | "region" | "node" | "total"
unit       the unit's id: ``REGION/SECTOR`` for MRIO sectors, an OECD code for national
           tables, a firm id, a BOM node id, ``"all"`` for totals
region     region / country of the unit ('' when not applicable)
metric     "output" (level), "loss" (baseline − level), "demand_unmet", "inventory", "price",
           "profit_loss", ... (engines document what they emit)
component  "total" | "direct" | "indirect" (direct = at the shocked units, indirect =
           propagated; total = direct + indirect)
value      float, in ``summary["unit"]`` (e.g. million USD / day, or a share of baseline)
========== ===================================================================================

``paths`` columns: source (unit where the shock enters), target (unit reached), step (tier /
number of links), weight (the loss at ``target`` attributed to the path, same unit as values),
via (``;``-joined intermediate units, '' for direct links).

``summary`` keys (at least): engine, scenario (the validated scenario as a dict), parameters
(engine parameters after defaults), seed, sources (provenance dicts), unit, total_loss,
peak_loss, peak_day, recovery_day (first day after the peak when total loss < 1 % of its peak,
None if never), direct_loss, indirect_loss, indirect_share, n_days, versions (fukugan, numpy,
...), created_at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fukugan.provenance import Provenance

TIMESERIES_COLUMNS = ("t", "unit_kind", "unit", "region", "metric", "component", "value")
PATHS_COLUMNS = ("source", "target", "step", "weight", "via")


@dataclass
class RunResult:
    """What an engine returns: time series, propagation paths and a summary (see module doc)."""

    engine: str
    scenario: dict[str, Any]
    parameters: dict[str, Any]
    timeseries: pd.DataFrame
    paths: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PATHS_COLUMNS))
    summary: dict[str, Any] = field(default_factory=dict)
    sources: list[Provenance] = field(default_factory=list)
    seed: int | None = None
    unit: str = ""

    def __post_init__(self) -> None:
        missing = [c for c in TIMESERIES_COLUMNS if c not in self.timeseries.columns]
        if missing:
            raise ValueError(f"timeseries lacks columns {missing}")
        missing = [c for c in PATHS_COLUMNS if c not in self.paths.columns]
        if missing:
            raise ValueError(f"paths lacks columns {missing}")


def headline(timeseries: pd.DataFrame, *, metric: str = "loss") -> dict[str, Any]:
    """Total, peak, peak day, recovery day and direct / indirect split of ``metric``.

    >>> ts = pd.DataFrame({"t": [1, 1, 2, 2, 3, 3], "unit_kind": "sector", "unit": "a",
    ...     "region": "", "metric": "loss", "component": ["direct", "indirect"] * 3,
    ...     "value": [4.0, 2.0, 1.0, 1.0, 0.0, 0.0]})
    >>> h = headline(ts)
    >>> h["total_loss"], h["peak_loss"], h["peak_day"], h["recovery_day"], h["indirect_share"]
    (8.0, 6.0, 1, 3, 0.375)
    """
    sel = timeseries[(timeseries["metric"] == metric) & (timeseries["unit_kind"] != "total")]
    parts = sel[sel["component"].isin(["direct", "indirect"])]
    if parts.empty:
        parts = sel[sel["component"] == "total"]
    by_t = parts.groupby("t")["value"].sum().sort_index()
    direct = float(parts.loc[parts["component"] == "direct", "value"].sum())
    indirect = float(parts.loc[parts["component"] == "indirect", "value"].sum())
    total = float(by_t.sum())
    if by_t.empty:
        return {
            "total_loss": 0.0,
            "peak_loss": 0.0,
            "peak_day": None,
            "recovery_day": None,
            "direct_loss": 0.0,
            "indirect_loss": 0.0,
            "indirect_share": math.nan,
        }
    peak_day = int(by_t.idxmax())
    peak = float(by_t.max())
    after = by_t[(by_t.index > peak_day) & (by_t < 0.01 * peak)] if peak > 0 else by_t.iloc[:0]
    return {
        "total_loss": total,
        "peak_loss": peak,
        "peak_day": peak_day,
        "recovery_day": int(after.index[0]) if len(after) else None,
        "direct_loss": direct,
        "indirect_loss": indirect,
        "indirect_share": indirect / (direct + indirect) if direct + indirect > 0 else math.nan,
    }


def jsonable(v: Any) -> Any:
    """``v`` made JSON-safe, recursively: numpy scalars and arrays to Python, NaN, ±inf and
    ``pd.NA`` to ``None``, paths to text (the one conversion every summary and report uses).

    >>> jsonable({"a": np.float64("nan"), "b": [np.int64(2), np.inf], "c": pd.NA})
    {'a': None, 'b': [2, None], 'c': None}
    """
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.ndarray):
        return jsonable(v.tolist())
    if isinstance(v, Path):
        return str(v)
    if v is pd.NA:
        return None
    return v
