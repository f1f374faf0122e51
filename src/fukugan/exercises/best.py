"""The planner's best response of an exercise: the one option per decision point, each taken in
the turn the point opens, whose scenario run has the least production loss over the horizon.

The option space of a package is small (a few points of two to four options), so the best
response is found exactly by enumerating every combination through the engine — the same
check the response planner's portfolio is held to (enumeration through the engines,
:mod:`fukugan.planning.portfolio`). Options carry no cost in a package: the comparison is
loss against loss. :func:`option_combinations` lists the combinations; the services run them.

>>> from fukugan.exercises.model import exercise_from_doc
>>> ex = exercise_from_doc({"name": "x", "title": {"en": "x", "ja": "x"},
...     "description": {"en": "x", "ja": "x"}, "clock": {"turns": 2, "days_per_turn": 5},
...     "objectives": [], "roles": [{"id": "g", "kind": "government",
...     "name": {"en": "g", "ja": "g"}}], "injects": [], "kpis": [],
...     "decisions": [{"id": "D1", "turn": 1, "role": "g", "prompt": {"en": "p", "ja": "p"},
...       "options": [{"id": "a", "label": {"en": "a", "ja": "a"}},
...                   {"id": "b", "label": {"en": "b", "ja": "b"}}]},
...      {"id": "D2", "turn": 2, "role": "g", "prompt": {"en": "p", "ja": "p"},
...       "options": [{"id": "c", "label": {"en": "c", "ja": "c"}}]}]})
>>> [[(d["point"], d["option"], d["turn"]) for d in c] for c in option_combinations(ex)]
[[('D1', 'a', 1), ('D2', 'c', 2)], [('D1', 'b', 1), ('D2', 'c', 2)]]
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from fukugan.exercises.model import Exercise, ExerciseRefused

__all__ = ["MAX_COMBINATIONS", "option_combinations"]

#: the most combinations enumerated (each is one engine run)
MAX_COMBINATIONS = 512


def option_combinations(ex: Exercise, limit: int = MAX_COMBINATIONS) -> list[list[dict[str, Any]]]:
    """Every combination of one option per decision point, each decided in its opening turn,
    as decision records (``point``, ``option``, ``turn``); refused beyond ``limit``."""
    n = math.prod(len(dp.options) for dp in ex.decisions)
    if n > limit:
        raise ExerciseRefused("exercise-refused-best-too-many", n=n, limit=limit)
    return [
        [
            {"point": dp.id, "option": o.id, "turn": dp.turn}
            for dp, o in zip(ex.decisions, combo, strict=True)
        ]
        for combo in itertools.product(*(dp.options for dp in ex.decisions))
    ]
