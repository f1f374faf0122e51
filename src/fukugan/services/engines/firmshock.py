"""A firm-model shock that follows a scenario's time profile (used by the firms adapter).

:class:`~fukugan.dynamics.firms.FirmShock` knows fixed recovery paths (step, linear,
exponential from the first day). A scenario's shock can also ramp up, hold its full depth for
``duration`` days and only then recover (:func:`fukugan.scenarios.schema.intensity`), so the
adapter passes the profile itself: δ_i(t) = δ_i · profile[t − 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fukugan.dynamics.firms import FirmShock

__all__ = ["ProfiledFirmShock"]


@dataclass
class ProfiledFirmShock(FirmShock):
    """A :class:`FirmShock` with δ(t) = δ · ``profile[t − 1]`` for days t = 1..len(profile)
    (0 afterwards).

    >>> s = ProfiledFirmShock(np.array([0, 2]), 0.5, recovery="none",
    ...                       profile=np.array([1.0, 0.5, 0.0]))
    >>> s.delta_at(1).tolist(), s.delta_at(2).tolist(), s.delta_at(9).tolist()
    ([0.5, 0.5], [0.25, 0.25], [0.0, 0.0])
    """

    profile: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        super().__post_init__()
        self.profile = np.asarray(self.profile, dtype=np.float64)

    def delta_at(self, t: int) -> np.ndarray:
        """δ of each hit firm on day ``t``."""
        k = int(t) - 1
        f = float(self.profile[k]) if 0 <= k < len(self.profile) else 0.0
        return self.delta * f

    def describe(self) -> dict[str, Any]:
        d = super().describe()
        active = np.flatnonzero(self.profile > 0)
        d["recovery"] = "scenario profile"
        d.pop("recovery_days_mean", None)
        d["active_days"] = int(active.size)
        d["first_day"] = int(active[0]) + 1 if active.size else None
        d["last_day"] = int(active[-1]) + 1 if active.size else None
        return d
