"""Inject dependency rules: whether an inject fires, is held or changes, given the decisions
taken so far.

A dependency's condition holds when decision point ``decision`` was taken (``taken: true``) —
with option ``option`` if one is named, else with any option — or was not (``taken: false``).
Evaluated when the inject falls due (the turn it is scheduled for), on the decisions taken by
then:

* any ``fire`` dependency whose condition fails → the inject is **suppressed** (it does not
  reach the players unless the facilitator fires it by hand);
* else any ``hold`` dependency whose condition holds (or ``manual: true``) → **held** for the
  facilitator to fire by hand;
* else **due** (released at once, or scheduled for the facilitator to release when the package
  says ``auto_release: false``);
* every ``change`` dependency whose condition holds replaces the subject, text and / or
  expected action, in order (the last one wins), whatever the status.

>>> from fukugan.exercises.model import Dependency, Inject, Text
>>> inj = Inject("I5", 3, "METI", ("gov",), "news", Text("s", "s"), Text("t", "t"),
...              dependencies=(Dependency("D1", "fire", taken=True, option="release"),))
>>> evaluate(inj, [{"point": "D1", "option": "release"}]).status
'due'
>>> evaluate(inj, [{"point": "D1", "option": "wait"}]).status
'suppressed'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fukugan.exercises.model import Dependency, Inject, Text

__all__ = ["Evaluation", "condition_holds", "evaluate", "inject_texts"]


@dataclass(frozen=True)
class Evaluation:
    """``status``: due | held | suppressed; ``changes``: indexes of the applied ``change``
    dependencies, in order."""

    status: str
    changes: tuple[int, ...] = ()


def condition_holds(dep: Dependency, decisions: Iterable[Mapping[str, Any]]) -> bool:
    """Whether ``dep``'s condition holds for ``decisions`` (dicts with ``point``, ``option``)."""
    taken = any(
        d["point"] == dep.decision and (dep.option is None or d["option"] == dep.option)
        for d in decisions
    )
    return taken == dep.taken


def evaluate(inject: Inject, decisions: Iterable[Mapping[str, Any]]) -> Evaluation:
    """The status of ``inject`` when it falls due, given the decisions taken (module doc)."""
    decisions = list(decisions)
    changes = tuple(
        k
        for k, dep in enumerate(inject.dependencies)
        if dep.effect == "change" and condition_holds(dep, decisions)
    )
    fires = [d for d in inject.dependencies if d.effect == "fire"]
    if any(not condition_holds(d, decisions) for d in fires):
        return Evaluation("suppressed", changes)
    holds = [d for d in inject.dependencies if d.effect == "hold"]
    if inject.manual or any(condition_holds(d, decisions) for d in holds):
        return Evaluation("held", changes)
    return Evaluation("due", changes)


def inject_texts(inject: Inject, changes: Iterable[int]) -> dict[str, Text]:
    """Subject, text and expected action of ``inject`` after the applied ``changes``."""
    out = {
        "subject": inject.subject,
        "text": inject.text,
        "expected_action": inject.expected_action,
    }
    for k in changes:
        dep = inject.dependencies[k]
        for name in ("subject", "text", "expected_action"):
            v = getattr(dep, name)
            if v is not None:
                out[name] = v
    return out
