"""Capacity shocks of the firm model: which firms lose what share δ of their capacity, from which
day, and how they recover (pure numpy; used by :func:`fukugan.dynamics.firms.simulate_firms`).

The reference simulator's recovery option ``-c C`` (δ falls by δ₀/C after each day's production)
is ``recovery="linear", recovery_days=C``: ``δ(t) = δ₀ · max(0, 1 − (t − start)/C)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from fukugan.errors import InputError
from fukugan.firm_network import FirmNetwork

__all__ = ["FirmShock", "Recovery"]

Recovery = Literal["none", "step", "linear", "exponential"]


@dataclass
class FirmShock:
    """Capacity losses δ for hit firms, with a recovery path.

    ``δ_i(t)`` for day ``t ≥ start`` (``s = t − start`` days into the shock, ``T`` the firm's
    ``recovery_days``); zero before ``start``:

    * ``"none"``: ``δ0`` for ever;
    * ``"step"``: ``δ0`` while ``s < T``, then 0 (e.g. a blackout of ``T`` days);
    * ``"linear"``: ``δ0 · max(0, 1 − s/T)``;
    * ``"exponential"``: ``δ0 · exp(−ln(100) · s/T)`` while ``s < T`` (99 % recovered after
      ``T`` days), then 0.

    Build with :meth:`firms`, :meth:`by_ids`, :meth:`by_mask`, :meth:`by_region` or
    :meth:`by_sector`; unknown firms, regions or sectors raise :class:`InputError`. Several
    shocks may hit the same firm: capacities multiply, ``1 − δ = Π (1 − δ_k)``.
    """

    index: np.ndarray
    delta: np.ndarray
    start: int = 1
    recovery: Recovery = "linear"
    recovery_days: float | np.ndarray = 30.0
    label: str = ""

    def __post_init__(self) -> None:
        self.index = np.asarray(self.index, dtype=np.int64).ravel()
        self.delta = np.broadcast_to(
            np.asarray(self.delta, dtype=np.float64), self.index.shape
        ).copy()
        self.recovery_days = np.broadcast_to(
            np.asarray(self.recovery_days, dtype=np.float64), self.index.shape
        ).copy()
        if self.recovery not in ("none", "step", "linear", "exponential"):
            raise InputError(
                f"unknown recovery {self.recovery!r} (none, step, linear, exponential)",
                field="recovery",
            )
        bad = np.flatnonzero(~np.isfinite(self.delta) | (self.delta < 0) | (self.delta > 1))
        if bad.size:
            raise InputError(
                f"capacity loss δ = {self.delta[bad[0]]!r} outside 0..1 (hit firm #{bad[0]})",
                field="delta",
            )
        bad = np.flatnonzero(~np.isfinite(self.recovery_days) | (self.recovery_days <= 0))
        if bad.size and self.recovery != "none":
            raise InputError(
                f"recovery_days {self.recovery_days[bad[0]]!r} must be > 0", field="recovery_days"
            )
        if int(self.start) != self.start or self.start < 1:
            raise InputError(f"start day {self.start!r} must be an integer ≥ 1", field="start")
        if len(np.unique(self.index)) != len(self.index):
            raise InputError("a firm is listed twice in one shock", field="firms")

    # -- constructors --
    @classmethod
    def firms(
        cls, index: Sequence[int] | np.ndarray, delta: float | np.ndarray, **kw: Any
    ) -> FirmShock:
        """Hit firms by index (0-based)."""
        return cls(np.asarray(index), delta, **kw)

    @classmethod
    def by_ids(cls, network: FirmNetwork, deltas: Mapping[str, float], **kw: Any) -> FirmShock:
        """Hit firms by id: ``{firm_id: δ}``; an unknown id raises :class:`InputError`."""
        ids = pd.Index(network.ids())
        keys = [str(k) for k in deltas]
        pos = ids.get_indexer(keys)
        bad = np.flatnonzero(pos < 0)
        if bad.size:
            raise InputError(f"unknown firm {keys[bad[0]]!r} in the shock", field="firms")
        return cls(pos, np.array([float(deltas[k]) for k in deltas]), **kw)

    @classmethod
    def by_mask(cls, mask: np.ndarray, delta: float, **kw: Any) -> FirmShock:
        """Hit every firm where ``mask`` is true with the same δ."""
        return cls(np.flatnonzero(np.asarray(mask, dtype=bool)), delta, **kw)

    @classmethod
    def by_region(
        cls, network: FirmNetwork, regions: str | Sequence[str], delta: float, **kw: Any
    ) -> FirmShock:
        """Hit every firm in the named region(s); an unknown region raises :class:`InputError`."""
        names = [regions] if isinstance(regions, str) else list(regions)
        if network.regions is None:
            raise InputError("the network has no regions", field="regions")
        codes = _codes(names, network.region_names, "region")
        kw.setdefault("label", "region " + ", ".join(names))
        return cls.by_mask(np.isin(network.regions, codes), delta, **kw)

    @classmethod
    def by_sector(
        cls, network: FirmNetwork, sectors: str | Sequence[str], delta: float, **kw: Any
    ) -> FirmShock:
        """Hit every firm in the named sector(s); an unknown sector raises :class:`InputError`."""
        names = [sectors] if isinstance(sectors, str) else list(sectors)
        codes = _codes(names, network.sector_names, "sector")
        kw.setdefault("label", "sector " + ", ".join(names))
        return cls.by_mask(np.isin(network.sectors, codes), delta, **kw)

    # -- evaluation --
    def delta_at(self, t: int) -> np.ndarray:
        """δ of each hit firm on day ``t``."""
        s = float(t - self.start)
        if s < 0:
            return np.zeros_like(self.delta)
        T = self.recovery_days
        if self.recovery == "none":
            return self.delta.copy()
        if self.recovery == "step":
            return np.where(s < T, self.delta, 0.0)
        if self.recovery == "linear":
            return self.delta * np.clip(1.0 - s / T, 0.0, 1.0)
        return np.where(s < T, self.delta * np.exp(-math.log(100.0) * s / T), 0.0)

    def describe(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "firms_hit": int(len(self.index)),
            "delta_mean": float(self.delta.mean()) if len(self.delta) else 0.0,
            "start": int(self.start),
            "recovery": self.recovery,
            "recovery_days_mean": float(self.recovery_days.mean()) if len(self.index) else 0.0,
        }


def _codes(names: Sequence[str], known: Sequence[str], what: str) -> np.ndarray:
    lookup = {n: k for k, n in enumerate(known)}
    out = []
    for n in names:
        if str(n) not in lookup:
            raise InputError(
                f"unknown {what} {n!r} in this network (known: {', '.join(list(known)[:10])}"
                f"{', ...' if len(known) > 10 else ''})",
                field=what,
            )
        out.append(lookup[str(n)])
    return np.asarray(out, dtype=np.int32)
