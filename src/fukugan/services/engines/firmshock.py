"""A firm-model shock that follows a scenario's time profile (used by the firms adapter).

:class:`~fukugan.dynamics.firms.FirmShock` knows fixed recovery paths (step, linear,
exponential from the first day). A scenario's shock can also ramp up, hold its full depth for
``duration`` days and only then recover (:func:`fukugan.scenarios.schema.intensity`), so the
adapter passes the profile itself: δ_i(t) = δ_i · profile[t − 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fukugan.dynamics.firms import FirmShock

__all__ = ["ProfiledFirmShock", "Restoration", "restored"]


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


@dataclass(frozen=True)
class Restoration:
    """A restoration response resolved on the network: from day ``start + 1`` on, the firms
    where ``mask`` is true get back a share ``fraction`` of the capacity the shocks take."""

    mask: np.ndarray
    fraction: float
    start: int


@dataclass
class _Restored(ProfiledFirmShock):
    keep: Sequence[tuple[np.ndarray, int]] = ()  # (1 − fraction·mask over index, first day)

    def delta_at(self, t: int) -> np.ndarray:
        d = super().delta_at(t)
        for k, first in self.keep:
            if t >= first:
                d = d * k
        return d


def restored(shock: ProfiledFirmShock, restorations: Sequence[Restoration]) -> ProfiledFirmShock:
    """``shock`` with every restoration applied: δ_i(t) · Π (1 − fraction · [i selected]) over
    the restorations in force on day t (a restoration scales the capacity the shock takes; it
    never adds capacity a firm did not lose).

    >>> s = ProfiledFirmShock(np.array([0, 2]), 0.8, recovery="none", profile=np.ones(4))
    >>> r = restored(s, [Restoration(np.array([True, False, False]), 0.5, 2)])
    >>> r.delta_at(2).tolist(), r.delta_at(3).tolist()
    ([0.8, 0.8], [0.4, 0.8])
    """
    if not restorations:
        return shock
    keep = [
        (1.0 - float(r.fraction) * np.asarray(r.mask, dtype=bool)[shock.index], int(r.start) + 1)
        for r in restorations
    ]
    return _Restored(
        shock.index,
        shock.delta,
        start=shock.start,
        recovery=shock.recovery,
        label=shock.label,
        profile=shock.profile,
        keep=keep,
    )
