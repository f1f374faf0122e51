"""Tabletop exercises (机上演習), the pure core: the exercise model and its MSEL
(:mod:`.model`), inject dependency rules (:mod:`.rules`), the turn / clock state machine
(:mod:`.conduct`), decisions mapped to scenario responses (:mod:`.responses`) and KPI
extraction (:mod:`.kpis`). No I/O: the package format is :mod:`fukugan.scenarios.exercise`,
persistence and runs are :mod:`fukugan.services.exercises` (runs: :mod:`fukugan.services.exercise_runs`).
"""

from fukugan.exercises.model import Exercise, ExerciseRefused, exercise_from_doc

__all__ = ["Exercise", "ExerciseRefused", "exercise_from_doc"]
