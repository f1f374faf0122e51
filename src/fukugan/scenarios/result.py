"""The one result format every simulation engine returns and every interface reads.

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

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fukugan.data.provenance import Provenance

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


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, Path):
        return str(v)
    return v


def write_run(result: RunResult, run_dir: str | Path) -> Path:
    """Write a run (Parquet + JSON summary) atomically: to ``run_dir``.tmp, then renamed."""
    import fukugan

    run_dir = Path(run_dir)
    tmp = run_dir.with_name(run_dir.name + ".tmp")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    result.timeseries.loc[:, list(TIMESERIES_COLUMNS)].to_parquet(tmp / "timeseries.parquet")
    result.paths.loc[:, list(PATHS_COLUMNS)].to_parquet(tmp / "paths.parquet")
    summary = {
        **headline(result.timeseries),
        **result.summary,
        "engine": result.engine,
        "scenario": result.scenario,
        "parameters": result.parameters,
        "seed": result.seed,
        "unit": result.unit,
        "sources": [asdict(p) for p in result.sources],
        "versions": {
            "fukugan": fukugan.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (tmp / "summary.json").write_text(
        json.dumps(_jsonable(summary), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    if run_dir.exists():
        import shutil

        shutil.rmtree(run_dir)
    tmp.rename(run_dir)
    return run_dir


def read_run(run_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """``(timeseries, paths, summary)`` of a run written by :func:`write_run`."""
    run_dir = Path(run_dir)
    return (
        pd.read_parquet(run_dir / "timeseries.parquet"),
        pd.read_parquet(run_dir / "paths.parquet"),
        json.loads((run_dir / "summary.json").read_text(encoding="utf-8")),
    )
