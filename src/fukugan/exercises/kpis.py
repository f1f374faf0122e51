"""KPI extraction from a run's arrays (the services read the run and hand them over).

Definitions (the loss curve ``daily[t]`` is the total loss on day t + 1, summed over the
sectors, in the run's unit — million USD per day for the static engine):

* ``production_loss``: Σ daily over the horizon (the projection of the current turn's run);
* ``loss_to_date``: Σ daily over the days before ``day`` (what has happened);
* ``peak_loss``: max daily;
* ``days_to_recovery``: the first day after the peak on which the loss is below 1 % of the
  peak (None if never: the same rule as :func:`fukugan.results.headline`);
* ``sector_loss``: Σ over the horizon of the loss of sector ``sector``;
* ``shortage``: the peak share of sector ``sector``'s imported supply lost (0.05 = 5 %);
* ``lost_units``: units of end product ``facility`` not made (of every end product without
  one) — exposure engine;
* ``time_to_survive``: days the network meets demand with node ``facility`` down (the TTS LP
  of Simchi-Levi et al. 2015; None when it can do so indefinitely) — exposure engine.

Not every engine computes every metric (:data:`fukugan.scenarios.exercise.ENGINE_METRICS`):
the time-to-recover LP of the exposure engine gives each outage's loss as one figure recorded
on the day the node is back, not a loss per day, so it has no loss so far, peak day or day of
recovery; only the static engine cuts imports. A package asking an engine for a metric it does
not compute is refused.

>>> import numpy as np
>>> c = curve(np.array([0.0, 4.0, 2.0, 0.01, 0.0]))
>>> c["total"], c["peak"], c["peak_day"], c["recovery_day"]
(6.01, 4.0, 2, 4)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fukugan.exercises.model import Kpi

__all__ = ["curve", "kpi_values"]


def curve(daily: np.ndarray) -> dict[str, Any]:
    """Total, peak, peak day and recovery day of a daily loss curve (days count from 1)."""
    d = np.asarray(daily, dtype=float)
    if d.size == 0:
        return {"total": 0.0, "peak": 0.0, "peak_day": None, "recovery_day": None}
    k = int(np.argmax(d))
    peak = float(d[k])
    rec = None
    if peak > 0:
        after = np.flatnonzero((np.arange(d.size) > k) & (d < 0.01 * peak))
        rec = int(after[0]) + 1 if after.size else None
    return {"total": float(d.sum()), "peak": peak, "peak_day": k + 1, "recovery_day": rec}


def kpi_values(
    kpis: Sequence[Kpi],
    daily: np.ndarray,
    sector_loss: Mapping[str, float],
    shortage: Mapping[str, float],
    day: int,
    *,
    lost_units: Mapping[str, float] | None = None,
    tts_days: Mapping[str, float | None] | None = None,
) -> dict[str, float | int | None]:
    """The value of each KPI (module doc) for one run, ``day`` = the current scenario day;
    ``lost_units`` by end product and ``tts_days`` by disrupted node (exposure engine)."""
    c = curve(daily)
    out: dict[str, float | int | None] = {}
    for k in kpis:
        if k.metric == "production_loss":
            v: float | int | None = c["total"]
        elif k.metric == "loss_to_date":
            v = float(np.asarray(daily, dtype=float)[: max(0, int(day))].sum())
        elif k.metric == "peak_loss":
            v = c["peak"]
        elif k.metric == "days_to_recovery":
            v = None if c["recovery_day"] is None else int(c["recovery_day"])  # a day number
        elif k.metric == "sector_loss":
            v = float(sector_loss.get(str(k.sector or k.facility), 0.0))
        elif k.metric == "shortage":
            v = float(shortage.get(str(k.sector), 0.0))
        elif k.metric == "lost_units":
            units = lost_units or {}
            v = float(units.get(str(k.facility), 0.0) if k.facility else sum(units.values()))
        elif k.metric == "time_to_survive":
            tts = (tts_days or {}).get(str(k.facility))
            v = None if tts is None else float(tts)
        else:  # validated away by the package format
            raise ValueError(f"unknown KPI metric {k.metric!r}")
        out[k.id] = v
    return out
