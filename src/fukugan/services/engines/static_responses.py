"""How the static engine's responses act on an import shortfall: substitution and alternate
sourcing scale the lost fraction φ(t) down, a stockpile covers the shortfall in order until its
days of cover are drawn, and a rationing rule shares the rest among the users of the input
(``proportional``, ``small_first``, ``priority``)."""

from __future__ import annotations

import numpy as np

from fukugan.scenarios.schema import Scenario
from fukugan.services.engines.common import Prepared

__all__ = ["allocate_shortfall", "draw_stock", "response_factor"]


def allocate_shortfall(
    demand: np.ndarray, phi: np.ndarray, rule: str, priority: np.ndarray | None
) -> np.ndarray:
    """Shortfall of each user (T × n) when supply Σd falls by fraction φ(t), under ``rule``.

    >>> d = np.array([1.0, 3.0])
    >>> allocate_shortfall(d, np.array([0.5]), "proportional", None).tolist()
    [[0.5, 1.5]]
    >>> allocate_shortfall(d, np.array([0.5]), "small_first", None).tolist()
    [[0.0, 2.0]]
    >>> allocate_shortfall(d, np.array([0.5]), "priority", np.array([False, True])).tolist()
    [[1.0, 1.0]]
    """
    if rule == "proportional":
        return phi[:, None] * demand[None, :]
    if rule == "small_first":
        order = np.argsort(demand, kind="stable")
    else:  # priority first, then the others in proportion... served by size within each group
        pr = priority if priority is not None else np.zeros(len(demand), dtype=bool)
        order = np.lexsort((demand, ~pr))  # priority users first
    d_sorted = demand[order]
    avail = (1.0 - phi)[:, None] * demand.sum()
    before = np.concatenate([[0.0], np.cumsum(d_sorted)[:-1]])
    served = np.clip(avail - before[None, :], 0.0, d_sorted[None, :])
    short_sorted = d_sorted[None, :] - served
    out = np.empty_like(short_sorted)
    out[:, order] = short_sorted
    return out


def response_factor(
    sc: Scenario, prep: Prepared, shock_res: dict, T: int, intens: np.ndarray
) -> tuple[np.ndarray, float | None, int]:
    """(factor on φ(t) from substitution and alternate sourcing, stock in days or None, first
    day index the stock is drawn on). A response's ``start`` counts from the shock's start."""
    cid = shock_res.get("commodity")
    rc = prep.arrays["response_commodity"]
    factor = np.ones(T)
    stock = None
    begin_stock: float | None = None
    shock = sc.doc["shocks"][shock_res["index"]]
    start = float(shock.get("start", 0))
    t = np.arange(T, dtype=float)
    for i, r in enumerate(sc.doc["responses"]):
        if r["type"] == "rationing" or r.get("sector"):
            continue
        if r.get("commodity") and rc.get(i) != cid:
            continue
        if r["type"] == "substitution":
            on = (t >= start + float(r.get("start", 0))).astype(float)
            factor = factor * (1.0 - float(r["fraction"]) * on)
        elif r["type"] == "alternate_sourcing":
            begin = start + float(r.get("start", 0)) + float(r["lead_time_days"])
            ramp = float(r.get("ramp_days", 0))
            prog = (
                (t >= begin).astype(float) if ramp <= 0 else np.clip((t - begin + 1) / ramp, 0, 1)
            )
            factor = factor * (1.0 - float(r["max_share"]) * prog)
        elif r["type"] == "stockpile_release":
            stock = (stock or 0.0) + float(r["days_of_cover"])
            begin = max(begin_stock or 0.0, start + float(r.get("start", 0)))
            begin_stock = begin
    return factor, stock, int(begin_stock or 0)


def draw_stock(short: np.ndarray, stock: float, begin: int = 0) -> np.ndarray:
    """Shortfall left after a stock of ``stock`` days of normal supply covers it, in order,
    from day index ``begin`` on (the shortfall before it is not covered).

    >>> draw_stock(np.array([0.5, 0.5, 0.5]), 0.75).tolist()
    [0.0, 0.25, 0.5]
    >>> draw_stock(np.array([0.5, 0.5, 0.5]), 0.75, begin=1).tolist()
    [0.5, 0.0, 0.25]
    """
    out = short.copy()
    tail = short[begin:]
    cum = np.cumsum(tail)
    covered = np.minimum(cum, stock)
    draw = np.diff(np.concatenate([[0.0], covered]))
    out[begin:] = tail - draw
    return out
