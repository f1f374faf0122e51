"""What each engine computes, so no interface shows a figure an engine did not compute.

The headline of every run is computed the same way from its time series
(:func:`fukugan.results.headline`), but not every engine fills every part of it: ARIO
(Hallegatte's adaptive regional input-output model, via boario) gives each sector's loss of
output without splitting it into a direct and an indirect part and traces no propagation
paths, so its "indirect share" would read 0 % and its paths "0 / 0"; the risk-exposure LP
(Simchi-Levi et al.) measures each node's time to recover / survive and its performance
impact, where an "indirect share through the input-output links" means nothing.
:func:`mask` turns those figures into ``None`` (shown as "not computed by this engine"), in
the API, the pages, Compare and the briefings alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Headline figures (and ``"paths"``, ``"split"``: the direct / indirect split by sector;
#: ``"daily"``: a loss per day — the exposure LP records each outage's loss over its time to
#: recover on the day the node is back) an engine does not compute. Engines not listed compute all of them.
NOT_COMPUTED: dict[str, frozenset[str]] = {
    "ario": frozenset({"direct_loss", "indirect_loss", "indirect_share", "paths", "split"}),
    "exposure": frozenset({"indirect_share", "recovery_day", "daily"}),
}


def not_computed(engine: str | None) -> frozenset[str]:
    """The figures ``engine`` does not compute (empty for engines that compute them all)."""
    return NOT_COMPUTED.get(str(engine or ""), frozenset())


def mask(engine: str | None, summary: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``summary`` with the figures ``engine`` does not compute set to ``None``.

    >>> mask("ario", {"total_loss": 5.0, "indirect_share": 0.0})
    {'total_loss': 5.0, 'indirect_share': None}
    >>> mask("static", {"indirect_share": 0.4})
    {'indirect_share': 0.4}
    """
    if summary is None:
        return None
    gone = not_computed(engine)
    return {k: (None if k in gone else v) for k, v in summary.items()}


def day_span(days: Iterable[int]) -> dict[str, int] | None:
    """The days a run's totals sum over: first, last and how many (``None`` without any).

    >>> day_span([1, 2, 3, 30])
    {'first': 1, 'last': 30, 'count': 4}
    """
    ds = sorted({int(d) for d in days})
    return {"first": ds[0], "last": ds[-1], "count": len(ds)} if ds else None


def total_unit(unit: str) -> str:
    """The unit of a total over the horizon of a daily series: ``"million USD per day"`` summed
    over days is ``"million USD"``.

    >>> total_unit("million USD per day"), total_unit("units per week; margins in USD")
    ('million USD', 'units per week; margins in USD')
    """
    u = str(unit or "")
    return u[: -len(" per day")] if u.endswith(" per day") else u
