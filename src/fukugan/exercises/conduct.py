"""The conduct of an exercise as a pure state machine: start, advance turn by turn, pause,
resume, release scheduled injects, fire held ones by hand, take decisions, end.

The state is a plain JSON-able dict (the services persist it in the workspace store)::

    {"status": "ready" | "running" | "paused" | "ended",
     "turn": 0,                      # 0 before the start, then 1 .. exercise.turns
     "injects": {id: {"status": "pending" | "scheduled" | "released" | "held" | "suppressed",
                      "turn_released": int | None, "changes": [int], "by_hand": bool}},
     "decisions": [{"point", "option", "role", "user_id", "turn", "seq"}],
     "seq": int}                     # events emitted so far

Every action returns ``(new_state, events)`` and never changes the state it was given; a
refused action raises :class:`~fukugan.exercises.model.ExerciseRefused` (nothing changed).
Events are dicts ``{"seq", "kind", "turn", "role", "user_id", "payload"}``: the timeline of
the after-action report.

Clock: turn *k* covers scenario days ``(k − 1)·days_per_turn`` to ``k·days_per_turn``; a
decision taken in turn *k* acts from day ``k·days_per_turn`` (:meth:`Exercise.effective_day`).
"""

from __future__ import annotations

import copy
from typing import Any

from fukugan.exercises.model import Exercise, ExerciseRefused
from fukugan.exercises.rules import evaluate

__all__ = [
    "advance",
    "decide",
    "end",
    "fire",
    "initial_state",
    "note",
    "pause",
    "release",
    "resume",
    "start",
    "timeline",
    "visible_injects",
]

State = dict[str, Any]
Events = list[dict[str, Any]]


def initial_state(ex: Exercise) -> State:
    """The state of an exercise that has not started."""
    return {
        "status": "ready",
        "turn": 0,
        "injects": {
            i.id: {"status": "pending", "turn_released": None, "changes": [], "by_hand": False}
            for i in ex.injects
        },
        "decisions": [],
        "seq": 0,
    }


class _Tx:
    """A copy of the state plus the events of one action."""

    def __init__(self, state: State, role: str | None, user_id: int | None) -> None:
        self.state = copy.deepcopy(state)
        self.events: Events = []
        self.role = role
        self.user_id = user_id

    def emit(self, kind: str, **payload: Any) -> None:
        self.state["seq"] += 1
        self.events.append(
            {
                "seq": self.state["seq"],
                "kind": kind,
                "turn": self.state["turn"],
                "role": self.role,
                "user_id": self.user_id,
                "payload": payload,
            }
        )

    def done(self) -> tuple[State, Events]:
        return self.state, self.events


def _need(state: State, *statuses: str) -> None:
    if state["status"] not in statuses:
        key = {
            "ready": "exercise-refused-not-started",
            "paused": "exercise-refused-paused",
            "ended": "exercise-refused-ended",
        }.get(state["status"], "exercise-refused-state")
        raise ExerciseRefused(key, status=state["status"])


def _enter_turn(ex: Exercise, tx: _Tx, turn: int) -> None:
    tx.state["turn"] = turn
    tx.emit("turn", turn=turn, day=ex.first_day(turn))
    for inj in ex.injects:
        st = tx.state["injects"][inj.id]
        if inj.turn != turn or st["status"] != "pending":
            continue
        ev = evaluate(inj, tx.state["decisions"])
        st["changes"] = list(ev.changes)
        if ev.status == "due":
            if ex.auto_release:
                st["status"] = "released"
                st["turn_released"] = turn
                tx.emit("inject_released", inject=inj.id, changes=list(ev.changes))
            else:
                st["status"] = "scheduled"
                tx.emit("inject_scheduled", inject=inj.id, changes=list(ev.changes))
        else:
            st["status"] = ev.status
            tx.emit(f"inject_{ev.status}", inject=inj.id, changes=list(ev.changes))


def start(ex: Exercise, state: State, *, user_id: int | None = None) -> tuple[State, Events]:
    """Start the exercise: turn 1, its injects fall due."""
    _need(state, "ready")
    tx = _Tx(state, "facilitator", user_id)
    tx.state["status"] = "running"
    tx.emit("started")
    _enter_turn(ex, tx, 1)
    return tx.done()


def advance(ex: Exercise, state: State, *, user_id: int | None = None) -> tuple[State, Events]:
    """Move to the next turn (refused on the last turn: end the exercise instead)."""
    _need(state, "running")
    if state["turn"] >= ex.turns:
        raise ExerciseRefused("exercise-refused-last-turn", turns=ex.turns)
    tx = _Tx(state, "facilitator", user_id)
    _enter_turn(ex, tx, state["turn"] + 1)
    return tx.done()


def pause(ex: Exercise, state: State, *, user_id: int | None = None) -> tuple[State, Events]:
    _need(state, "running")
    tx = _Tx(state, "facilitator", user_id)
    tx.state["status"] = "paused"
    tx.emit("paused")
    return tx.done()


def resume(ex: Exercise, state: State, *, user_id: int | None = None) -> tuple[State, Events]:
    _need(state, "paused")
    tx = _Tx(state, "facilitator", user_id)
    tx.state["status"] = "running"
    tx.emit("resumed")
    return tx.done()


def end(ex: Exercise, state: State, *, user_id: int | None = None) -> tuple[State, Events]:
    _need(state, "running", "paused")
    tx = _Tx(state, "facilitator", user_id)
    tx.state["status"] = "ended"
    tx.emit("ended")
    return tx.done()


def release(
    ex: Exercise, state: State, inject_id: str | None = None, *, user_id: int | None = None
) -> tuple[State, Events]:
    """Release a scheduled inject (``None``: every scheduled inject due by now)."""
    _need(state, "running")
    if inject_id is not None:
        st = _inject_state(ex, state, inject_id)
        if st["status"] != "scheduled":
            raise ExerciseRefused(
                "exercise-refused-not-scheduled", inject=inject_id, status=st["status"]
            )
        ids = [inject_id]
    else:
        ids = [i.id for i in ex.injects if state["injects"][i.id]["status"] == "scheduled"]
    tx = _Tx(state, "facilitator", user_id)
    for k in ids:
        st = tx.state["injects"][k]
        st["status"] = "released"
        st["turn_released"] = state["turn"]
        tx.emit("inject_released", inject=k, changes=list(st["changes"]))
    return tx.done()


def fire(
    ex: Exercise, state: State, inject_id: str, *, user_id: int | None = None
) -> tuple[State, Events]:
    """Fire an inject by hand: a held, suppressed, scheduled or not yet due one."""
    _need(state, "running", "paused")
    st = _inject_state(ex, state, inject_id)
    if st["status"] == "released":
        raise ExerciseRefused("exercise-refused-already-released", inject=inject_id)
    tx = _Tx(state, "facilitator", user_id)
    st = tx.state["injects"][inject_id]
    if st["status"] == "pending":  # fired early: its texts follow the decisions so far
        st["changes"] = list(evaluate(ex.inject(inject_id), state["decisions"]).changes)
    previous = st["status"]
    st.update(status="released", turn_released=state["turn"], by_hand=True)
    tx.emit("inject_fired", inject=inject_id, previous=previous, changes=list(st["changes"]))
    return tx.done()


def decide(
    ex: Exercise,
    state: State,
    point_id: str,
    option_id: str,
    role: str,
    *,
    user_id: int | None = None,
    note: str = "",
) -> tuple[State, Events]:
    """Take decision ``point_id`` with ``option_id`` as ``role``. Refused when the exercise is
    not running, the point is unknown, not yet open or closed (late), already taken (twice),
    the role is not the point's, or the option is unknown."""
    _need(state, "running")
    dp = ex.decision(point_id)
    if dp is None:
        raise ExerciseRefused("exercise-refused-unknown-decision", point=point_id)
    if role != dp.role:
        raise ExerciseRefused(
            "exercise-refused-wrong-role", point=point_id, role=role, owner=dp.role
        )
    done = next((d for d in state["decisions"] if d["point"] == point_id), None)
    if done is not None:
        raise ExerciseRefused(
            "exercise-refused-twice", point=point_id, option=done["option"], turn=done["turn"]
        )
    if state["turn"] < dp.turn:
        raise ExerciseRefused("exercise-refused-not-open", point=point_id, turn=dp.turn)
    if state["turn"] > dp.closes:
        raise ExerciseRefused("exercise-refused-late", point=point_id, closes=dp.closes)
    if dp.option(option_id) is None:
        raise ExerciseRefused(
            "exercise-refused-unknown-option",
            point=point_id,
            option=option_id,
            options=", ".join(o.id for o in dp.options),
        )
    tx = _Tx(state, role, user_id)
    tx.state["decisions"].append(
        {
            "point": point_id,
            "option": option_id,
            "role": role,
            "user_id": user_id,
            "turn": state["turn"],
            "seq": state["seq"] + 1,
        }
    )
    tx.emit("decision", point=point_id, option=option_id, note=note)
    return tx.done()


def note(
    ex: Exercise,
    state: State,
    kind: str,
    role: str,
    payload: dict[str, Any],
    *,
    user_id: int | None = None,
) -> tuple[State, Events]:
    """Record an observation, lesson or improvement item (an event of ``kind``; the services
    check its fields), once the exercise has started — also after it ended."""
    _need(state, "running", "paused", "ended")
    tx = _Tx(state, role, user_id)
    tx.emit(kind, **payload)
    return tx.done()


def _inject_state(ex: Exercise, state: State, inject_id: str) -> dict[str, Any]:
    if ex.inject(inject_id) is None:
        raise ExerciseRefused("exercise-refused-unknown-inject", inject=inject_id)
    return state["injects"][inject_id]


def visible_injects(ex: Exercise, state: State, role: str) -> list[str]:
    """Ids of the released injects ``role`` sees (the facilitator and evaluators see all), in
    MSEL order. Markings (clearance, sharing groups) are applied on top by the services."""
    r = ex.role(role)
    every = r is not None and not r.plays
    return [
        i.id
        for i in ex.injects
        if state["injects"][i.id]["status"] == "released" and (every or role in i.to)
    ]


def timeline(ex: Exercise, state: State) -> list[dict[str, Any]]:
    """The facilitator's preview: every inject and decision point by turn, with its status now
    and, for injects not yet due, the status they would have on the decisions taken so far."""
    rows: list[dict[str, Any]] = []
    for inj in ex.injects:
        st = state["injects"][inj.id]
        projected = None
        if st["status"] == "pending":
            projected = evaluate(inj, state["decisions"]).status
        rows.append(
            {
                "kind": "inject",
                "id": inj.id,
                "turn": inj.turn,
                "status": st["status"],
                "projected": projected,
            }
        )
    for dp in ex.decisions:
        taken = next((d for d in state["decisions"] if d["point"] == dp.id), None)
        status = (
            "taken"
            if taken
            else (
                "open"
                if dp.turn <= state["turn"] <= dp.closes
                else ("closed" if state["turn"] > dp.closes else "upcoming")
            )
        )
        rows.append(
            {
                "kind": "decision",
                "id": dp.id,
                "turn": dp.turn,
                "status": status,
                "option": taken["option"] if taken else None,
            }
        )
    rows.sort(key=lambda r: (r["turn"], r["kind"] != "inject"))
    return rows
