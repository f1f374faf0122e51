"""Parameters of the Inoue & Todo firm model (:mod:`fukugan.dynamics.firms`) and their checks.

The names mirror the options of the authors' reference simulator (``proNet``):

=================  ==========================  =================================================
fukugan            reference                   meaning
=================  ==========================  =================================================
``rationing``      ``-R 0|1|2|3``              ``proportional``, ``proportional_fc_last``,
                                               ``inoue_todo`` (default), ``inoue_todo_fc_last``
``n``              ``-i``                      target inventory, days of input use (15)
``tau``            ``-T``                      inventory adjustment time τ, days (6)
``order_type``     ``-o 0|1|2``                ``normal``, ``initial_target``,
                                               ``no_negative_adjustment``
``inventory``      ``-D 0|1|2``                ``fixed`` targets, or Poisson-distributed with
                                               mean ``n`` per firm (``poisson_firm``) or per
                                               supplier link (``poisson_link``), seeded
=================  ==========================  =================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from fukugan.dynamics.firm_kernels import ORDER_TYPES, RATIONING_RULES
from fukugan.errors import InputError

__all__ = [
    "DEFAULT_RATIONING",
    "INVENTORY_TYPES",
    "ORDER_TYPES",
    "RATIONING_RULES",
    "FirmParams",
    "rule_code",
    "rule_codes",
    "target_days",
]

Rationing = Literal["proportional", "proportional_fc_last", "inoue_todo", "inoue_todo_fc_last"]
#: the authors' rule (Inoue & Todo 2019), the default everywhere a firm-level run is offered
DEFAULT_RATIONING: Rationing = "inoue_todo"
INVENTORY_TYPES = ("fixed", "poisson_firm", "poisson_link")


@dataclass(frozen=True)
class FirmParams:
    """Parameters of the firm model (defaults as the reference simulator: n = 15, τ = 6, the
    authors' ``inoue_todo`` rationing).

    Attributes:
        n: target inventory in days of input use: a number, a mapping input-sector name → days
            (every input sector of the network must be present), or one value per firm (the
            customer's ``n_i``). With ``inventory`` ``poisson_*`` it is the Poisson mean.
        tau: inventory adjustment time τ in days (> 0).
        rationing: one of :data:`RATIONING_RULES` (module doc of :mod:`fukugan.dynamics.firms`).
        order_type: one of :data:`ORDER_TYPES` (the reference's ``-o``).
        inventory: one of :data:`INVENTORY_TYPES` (the reference's ``-D``).
        rationing_from: later switches of the rule, ``(day, rule)`` pairs: ``rule`` applies from
            day ``day`` + 1 on (``day`` days after day 0, as a scenario response's ``start``);
            before the first switch, ``rationing``. The reference simulator has one rule per
            run; a switch is an exercise decision taking effect (the state carries over).
        seed: seed of the Poisson draws.
        record: ``"firms"`` keeps production per firm per day (float32); ``"aggregate"`` only
            sector / region / total aggregates and the total loss per firm.
    """

    n: float | Mapping[str, float] | np.ndarray = 15.0
    tau: float = 6.0
    rationing: Rationing = DEFAULT_RATIONING
    order_type: str = "normal"
    inventory: str = "fixed"
    rationing_from: tuple[tuple[int, Rationing], ...] = ()
    seed: int = 331
    record: Literal["firms", "aggregate"] = "firms"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if isinstance(self.n, np.ndarray):
            d["n"] = f"per-firm array (mean {float(np.mean(self.n)):.3g})"
        elif isinstance(self.n, Mapping):
            d["n"] = dict(self.n)
        return d

    def check(self) -> None:
        """Raise :class:`InputError` naming the bad field."""
        if self.rationing not in RATIONING_RULES:
            raise InputError(
                f"unknown rationing rule {self.rationing!r} ({', '.join(RATIONING_RULES)})",
                field="rationing",
            )
        for k, (day, rule) in enumerate(self.rationing_from):
            if rule not in RATIONING_RULES:
                raise InputError(
                    f"unknown rationing rule {rule!r} ({', '.join(RATIONING_RULES)})",
                    field=f"rationing_from[{k}]",
                )
            if int(day) != day or day < 0:
                raise InputError(
                    f"a rule switches on a day ≥ 0, got {day!r}", field=f"rationing_from[{k}]"
                )
        if not (isinstance(self.tau, int | float) and math.isfinite(self.tau) and self.tau > 0):
            raise InputError(f"tau must be > 0, got {self.tau!r}", field="tau")
        if self.order_type not in ORDER_TYPES:
            raise InputError(
                f"unknown order type {self.order_type!r} ({', '.join(ORDER_TYPES)})",
                field="order_type",
            )
        if self.inventory not in INVENTORY_TYPES:
            raise InputError(
                f"unknown inventory type {self.inventory!r} ({', '.join(INVENTORY_TYPES)})",
                field="inventory",
            )
        if self.record not in ("firms", "aggregate"):
            raise InputError(f"unknown record mode {self.record!r}", field="record")


def rule_code(rule: str) -> int:
    """The reference's ``-R`` number of a rule name."""
    return RATIONING_RULES.index(rule)


def rule_codes(params: FirmParams, n_steps: int) -> np.ndarray:
    """The rule's ``-R`` number for each step ``t = 0..n_steps−1`` (day t + 1).

    >>> p = FirmParams(rationing="inoue_todo", rationing_from=((2, "proportional"),))
    >>> rule_codes(p, 4).tolist()
    [2, 2, 0, 0]
    """
    codes = np.full(int(n_steps), rule_code(params.rationing), dtype=np.int64)
    for day, rule in sorted(params.rationing_from, key=lambda x: int(x[0])):
        codes[int(day) :] = rule_code(rule)
    return codes


def _per_firm_days(
    n: float | Mapping[str, float] | np.ndarray,
    n_firms: int,
    sectors: np.ndarray,
    sector_names: tuple[str, ...],
    supplier_sector: np.ndarray,
    customer: np.ndarray,
) -> np.ndarray:
    """``n`` per link from a number, a per-sector mapping (by the supplier's sector, i.e. the
    input) or a per-firm array (by the customer)."""
    if isinstance(n, Mapping):
        used = np.unique(supplier_sector)
        days = np.full(len(sector_names), np.nan)
        for k, v in n.items():
            if k not in sector_names:
                raise InputError(f"unknown sector {k!r} in n", field="n")
            days[sector_names.index(k)] = float(v)
        missing = [sector_names[s] for s in used if not np.isfinite(days[s])]
        if missing:
            raise InputError(
                f"n has no value for input sector {missing[0]!r} (every input sector needs one)",
                field="n",
            )
        out = days[supplier_sector]
    elif isinstance(n, np.ndarray) or isinstance(n, list | tuple):
        arr = np.asarray(n, dtype=np.float64)
        if arr.shape != (n_firms,):
            raise InputError(
                f"n must have one value per firm ({n_firms}), got shape {arr.shape}", field="n"
            )
        out = arr[customer]
    else:
        out = np.full(customer.size, float(n))
    bad = ~np.isfinite(out) | (out <= 0)
    if bad.any():
        raise InputError(f"inventory days n must be > 0, got {out[bad][0]!r}", field="n")
    return out


def target_days(
    params: FirmParams,
    n_firms: int,
    sectors: np.ndarray,
    sector_names: tuple[str, ...],
    supplier: np.ndarray,
    customer: np.ndarray,
) -> np.ndarray:
    """Target inventory days ``n_ij`` per link. Poisson types draw from a Poisson law with mean
    ``n`` (per firm: one draw per customer, shared by its links; per link: one draw each),
    with ``numpy.random.default_rng(seed)``; a draw of 0 days becomes 1 (a firm holding no
    inventory of an input could never produce)."""
    base = _per_firm_days(params.n, n_firms, sectors, sector_names, sectors[supplier], customer)
    if params.inventory == "fixed":
        return base
    rng = np.random.default_rng(params.seed)
    if params.inventory == "poisson_firm":
        first = np.zeros(n_firms)
        # the mean for a firm: its links' mean days (all equal unless n is per sector)
        cnt = np.bincount(customer, minlength=n_firms)
        np.divide(
            np.bincount(customer, weights=base, minlength=n_firms), cnt, out=first, where=cnt > 0
        )
        draw = rng.poisson(first).astype(np.float64)
        out = draw[customer]
    else:
        out = rng.poisson(base).astype(np.float64)
    return np.maximum(out, 1.0)
