"""Shares of supply by country group (the group's members are given: they are read from a
group file by :mod:`fukugan.data.groups`, the bundled like-minded group by default)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from fukugan import checks as v
from fukugan.errors import InputError


def share_outside(
    values_by_iso3: pd.Series, group: Iterable[str], *, home: str | None = None
) -> float:
    """Share of the total that comes from countries outside ``group``.

    ``share_outside = sum_{c not in G} x_c / sum_c x_c``. ``group`` is a set of ISO3 codes; ``home`` (if given) counts as inside (domestic supply is not foreign
    dependence). Rows whose label is not in the group -- including "Other countries" style
    residual rows -- count as outside.

    >>> s = pd.Series({"CHN": 60.0, "AUS": 30.0, "USA": 10.0})
    >>> share_outside(s, {"AUS", "USA", "JPN"})
    0.6
    >>> share_outside(s, {"USA", "JPN"}, home="AUS")
    0.6
    """
    x = v.series(values_by_iso3, "values_by_iso3")
    if isinstance(group, str):
        raise InputError(f"group: expected ISO3 codes, got the name {group!r} (resolve it first)")
    members = set(v.codes(group, "group"))
    if home is not None:
        members.add(str(home))
    total = float(x.sum())
    if total <= 0:
        raise InputError("values_by_iso3: all values are zero, so the share is undefined")
    outside = float(x[~x.index.isin(list(members))].sum())
    return min(1.0, max(0.0, outside / total))
