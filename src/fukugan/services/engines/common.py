"""Pieces every engine adapter shares: the prepared inputs, refusals, and sectors and regions of
a national table.

* :class:`Prepared`: what ``prepare`` resolves from the data and ``simulate`` re-runs (picklable,
  scattered once to every Monte Carlo worker).
* which engine applies which field of a shock or response, and the refusal of the others:
  :mod:`.fields`.
* :func:`national_table`, :func:`check_sector` and :func:`region_shares`: an OECD national
  table and its industries (static and ARIO engines). Regions on a national table: a region's
  output share by industry is given in the scenario (``regions:``, with its source); an outage
  or blackout of the region takes δ_j = δ × share_j.
* :func:`scenario_file`: a file named in the scenario, relative to the scenario's folder (firms and
  exposure engines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fukugan.errors import FukuganError
from fukugan.provenance import Provenance
from fukugan.scenarios.schema import Scenario
from fukugan.store.analytic import AnalyticStore

__all__ = [
    "EngineNotAvailable",
    "Prepared",
    "check_sector",
    "national_table",
    "region_shares",
    "scenario_file",
]


class EngineNotAvailable(FukuganError):
    """The engine's module has not landed in this build."""


#: ``progress(day, n_days)``, called after each simulated day by the day-stepping engines
DayProgress = Callable[[int, int], None]


@dataclass
class Prepared:
    """Engine inputs resolved from the data (picklable, shared by Monte Carlo samples)."""

    engine: str
    arrays: dict[str, Any]
    resolved: list[dict[str, Any]]
    sources: list[Provenance]
    #: ``(English, Japanese)`` notes on choices the adapter made from the data
    notes: list[tuple[str, str]] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)


def region_shares(sc: Scenario, name: str, industries: tuple[str, ...]) -> np.ndarray:
    reg = sc.doc["regions"][name]
    share = reg["share"]
    if isinstance(share, dict):
        for k in share:
            if k not in industries:
                raise sc.error(f"unknown industry {k!r}", ("regions", name, "share", k))
        default = float(reg.get("default_share", 0.0))
        return np.array([float(share.get(s, default)) for s in industries])
    return np.full(len(industries), float(share))


def check_sector(sc: Scenario, where: tuple, code: str, industries: tuple[str, ...]) -> int:
    if code not in industries:
        import difflib

        close = difflib.get_close_matches(code, industries, n=3, cutoff=0.5)
        hint = f"; close: {', '.join(close)}" if close else ""
        raise sc.error(f"unknown industry {code!r} in this table{hint}", where)
    return industries.index(code)


def national_table(sc: Scenario, store: AnalyticStore) -> tuple[Any, str, int]:
    """(table, country, year): the OECD national table named by ``data.oecd_iot``; a table that is
    unknown or not loaded is an error on that line of the scenario."""
    from fukugan.errors import NotLoadedError, UnknownItemError
    from fukugan.services.io import load_table

    oecd = sc.doc["data"]["oecd_iot"]
    country, year = oecd["country"], int(oecd["year"])
    try:
        t = load_table(store, country, year)
    except (UnknownItemError, NotLoadedError) as e:
        raise sc.error(str(e), ("data", "oecd_iot")) from None
    return t, country, year


def scenario_file(sc: Scenario, p: str) -> Path:
    """A file named in the scenario: as given if absolute, else relative to the scenario file's
    folder (the working directory for a scenario not read from a file)."""
    base = Path(sc.path).parent if sc.path else Path.cwd()
    return Path(p) if Path(p).is_absolute() else base / p
