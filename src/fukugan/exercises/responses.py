"""Decisions → scenario responses: the scenario each turn is re-run with.

An option lists responses in the scenario format (:mod:`fukugan.scenarios.schema`) plus two
exercise kinds that map onto it exactly (static engine):

* ``export_control_countermeasure`` {commodity?, relief, lead_time_days?, ramp_days?}: a
  share ``relief`` of the cut is lifted (licences granted after negotiation, a WTO case, a
  counter-measure) ``lead_time_days`` after the decision, ramping over ``ramp_days`` — the
  same arithmetic as an ``alternate_sourcing`` of ``max_share = relief`` on that commodity's
  (or every) trade shock, and written as one;
* ``public_support`` {sector | commodity, fraction}: subsidised substitution or recycling —
  a ``substitution`` of ``fraction`` by the supported using industry (or of the commodity).

A decision taken in turn *k* acts from day ``k · days_per_turn`` (the start of the next turn):
each response gets ``start`` = that day (plus its own ``start``, days after the decision),
counted as the engine counts it — from the shock's start for commodity responses, from day 0
for rationing, restoration (firms engine) and sector-wide substitution. Each response gets ``id`` =
``<decision>:<option>:<n>`` so the run's summary names the decision it came from.

>>> doc = {"shocks": [{"type": "quota", "start": 0}], "responses": [{"type": "rationing",
...        "rule": "proportional"}]}
>>> out = scenario_with_responses(doc, [("D1", "sos", 2, [{"type":
...     "export_control_countermeasure", "commodity": "gallium", "relief": 0.5}])], 30)
>>> out["responses"]
[{'type': 'alternate_sourcing', 'commodity': 'gallium', 'max_share': 0.5, 'lead_time_days': 0, 'ramp_days': 0, 'start': 60, 'id': 'D1:sos:1'}]
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["effective_responses", "scenario_with_responses"]

Taken = tuple[str, str, int, Sequence[dict[str, Any]]]  # (point, option, turn, responses)


def _trade_start(doc: dict[str, Any], commodity: str | None) -> int:
    starts = [
        int(s.get("start", 0))
        for s in doc.get("shocks", []) or []
        if s["type"] in ("export_ban", "quota", "sanctions")
        and (commodity is None or s.get("commodity") in (None, commodity))
    ]
    return min(starts) if starts else 0


def effective_responses(
    doc: dict[str, Any], taken: Iterable[Taken], days_per_turn: int
) -> list[dict[str, Any]]:
    """The scenario responses of the decisions ``taken`` (module doc)."""
    out: list[dict[str, Any]] = []
    for point, option, turn, responses in taken:
        day = int(turn) * int(days_per_turn)
        for n, r0 in enumerate(responses, start=1):
            r = copy.deepcopy(dict(r0))
            kind = r["type"]
            own = int(r.pop("start", 0))
            if kind == "export_control_countermeasure":
                r = {
                    "type": "alternate_sourcing",
                    **({"commodity": r["commodity"]} if r.get("commodity") else {}),
                    "max_share": float(r["relief"]),
                    "lead_time_days": int(r.get("lead_time_days", 0)),
                    "ramp_days": int(r.get("ramp_days", 0)),
                }
            elif kind == "public_support":
                r = {
                    "type": "substitution",
                    **({"sector": r["sector"]} if r.get("sector") else {}),
                    **({"commodity": r["commodity"]} if r.get("commodity") else {}),
                    "fraction": float(r["fraction"]),
                }
            if r["type"] in ("rationing", "restoration") or (
                r["type"] == "substitution" and r.get("sector")
            ):
                base = 0
            else:
                base = _trade_start(doc, r.get("commodity"))
            r["start"] = max(0, day + own - base)
            r["id"] = f"{point}:{option}:{n}"
            out.append(r)
    return out


def scenario_with_responses(
    doc: dict[str, Any],
    taken: Iterable[Taken],
    days_per_turn: int,
    *,
    keep_scenario_responses: bool = False,
) -> dict[str, Any]:
    """A copy of scenario ``doc`` whose responses are the decisions' (and, with
    ``keep_scenario_responses``, the scenario's own before them). Rationing: the last rule
    decided replaces any earlier one (the engines take one rule)."""
    new = copy.deepcopy(doc)
    base = list(new.get("responses", []) or []) if keep_scenario_responses else []
    added = effective_responses(doc, taken, days_per_turn)
    if any(r["type"] == "rationing" for r in added):
        base = [r for r in base if r["type"] != "rationing"]
        last = [r for r in added if r["type"] == "rationing"][-1]
        added = [r for r in added if r["type"] != "rationing" or r is last]
    new["responses"] = base + added
    return new
