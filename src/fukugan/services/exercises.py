"""Use case: conduct a tabletop exercise whose decisions drive the simulation.

:class:`ExerciseService` keeps every exercise in the workspace store (SQLite or PostgreSQL,
migration 0005): the package, the scenario it plays, the conduct state of
:mod:`fukugan.exercises.conduct` and its event log. Each action runs in one transaction on the
exercise's row (locked: ``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR UPDATE`` on PostgreSQL);
a refused action (:class:`~fukugan.exercises.model.ExerciseRefused`: late, twice, wrong role,
wrong state) changes nothing.

Runs: the no-action ``baseline`` when the exercise is created, ``turn-k`` when turn *k* starts
(the scenario re-run through :func:`~fukugan.services.scenario_run.run_scenario` with the
decisions taken so far as responses, :mod:`fukugan.exercises.responses`) and ``final`` (every
decision) when it ends. A run is recorded ``pending`` in the same transaction as the action
that asks for it, then computed and written to ``$FUKUGAN_HOME/exercises/<id>/<label>/`` (the
run directory format of :func:`fukugan.store.rundir.write_run`) with its KPIs; a process that
stops in between leaves it pending, and the next service to open the exercise finishes it (the
runs are deterministic), so an exercise survives a restart mid-turn.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from fukugan.exercises import conduct
from fukugan.exercises.model import Exercise, ExerciseRefused, exercise_from_doc
from fukugan.exercises.rules import inject_texts
from fukugan.hub.policy import Marking, PolicyContext, Principal, can_read
from fukugan.scenarios.exercise import ExercisePackage, load_package
from fukugan.scenarios.playbook import practice_ref, practices_of
from fukugan.services.exercise_package import check_package
from fukugan.services.exercise_runs import ExerciseRuns, Runner, curve_kpis, utc_now
from fukugan.services.scenario_run import run_scenario
from fukugan.store.analytic import AnalyticStore
from fukugan.store.workspace.db import open_workspace
from fukugan.store.workspace.exercises import (
    ExerciseEvent,
    ExercisePlayer,
    ExerciseRow,
)

__all__ = ["NOTE_KINDS", "RATINGS", "ExerciseService"]

#: what evaluators and players record (HSEEP: observations against objectives with a rating,
#: strengths and areas for improvement; lessons; the improvement plan)
NOTE_KINDS = ("observation", "lesson", "improvement")
#: HSEEP ratings: Performed without challenges, with some, with major challenges, Unable
RATINGS = ("P", "S", "M", "U")


class ExerciseService(ExerciseRuns):
    """Exercises in the workspace store (module doc). ``runner``: the scenario runner (tests
    replace it to stop a process mid-turn); ``engine``: an open workspace engine to share."""

    def __init__(
        self,
        store: AnalyticStore | None = None,
        url: str | None = None,
        *,
        runner: Runner | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.store = store or AnalyticStore()
        self._own_engine = engine is None
        if engine is None:
            self.engine, self.sessions = open_workspace(self.store.home, url, immediate=True)
        else:  # share an open, migrated workspace (the hub's, in the server)
            self.engine, self.sessions = engine, sessionmaker(engine, expire_on_commit=False)
        self.runner: Runner = runner or run_scenario
        self._compute_lock = threading.RLock()
        self._best_lock = threading.Lock()
        self._best: dict[str, dict[str, Any]] = {}

    def dispose(self) -> None:
        if self._own_engine:
            self.engine.dispose()

    # -- creating -------------------------------------------------------------------------
    def create(
        self,
        package: str | Path | ExercisePackage,
        *,
        owner_user_id: int | None = None,
        check: bool = True,
    ) -> str:
        """Store a new exercise of ``package`` (validated; with ``check`` also against the
        data) and compute its no-action baseline. Returns its id."""
        pkg = package if isinstance(package, ExercisePackage) else load_package(package)
        if check:
            check_package(pkg, self.store)
        ex = exercise_from_doc(pkg.doc)
        ex_id = "ex-" + secrets.token_hex(6)
        now = utc_now()
        with self.sessions() as s, s.begin():
            s.add(
                ExerciseRow(
                    id=ex_id,
                    name=pkg.name,
                    package_yaml=pkg.text,
                    package_doc=pkg.doc,
                    scenario_doc=pkg.scenario_doc,
                    scenario_path=pkg.scenario.path or "",
                    status="ready",
                    turn=0,
                    state=conduct.initial_state(ex),
                    version=0,
                    owner_user_id=owner_user_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            s.add(self._run_row(ex_id, "baseline", 0, []))
        self.complete(ex_id)
        return ex_id

    def list(self) -> list[dict[str, Any]]:
        with self.sessions() as s:
            rows = s.scalars(select(ExerciseRow).order_by(ExerciseRow.created_at)).all()
            return [{"id": r.id, "name": r.name, "status": r.status, "turn": r.turn} for r in rows]

    def assign(self, ex_id: str, user_id: int, role: str) -> None:
        """Let hub user ``user_id`` play ``role`` (one role per user and exercise)."""
        with self.sessions() as s, s.begin():
            row = self._row(s, ex_id)
            ex = exercise_from_doc(row.package_doc)
            if ex.role(role) is None:
                raise ExerciseRefused(
                    "exercise-refused-unknown-role",
                    role=role,
                    roles=", ".join(r.id for r in ex.roles),
                )
            p = s.get(ExercisePlayer, (ex_id, user_id))
            if p is None:
                s.add(ExercisePlayer(exercise_id=ex_id, user_id=user_id, role=role))
            else:
                p.role = role

    def role_of(self, ex_id: str, user_id: int) -> str | None:
        with self.sessions() as s:
            p = s.get(ExercisePlayer, (ex_id, user_id))
            return p.role if p else None

    # -- conduct ----------------------------------------------------------------------------
    def start(self, ex_id: str, *, user_id: int | None = None) -> dict[str, Any]:
        return self._act(ex_id, lambda ex, st: conduct.start(ex, st, user_id=user_id), user_id)

    def advance(self, ex_id: str, *, user_id: int | None = None) -> dict[str, Any]:
        return self._act(ex_id, lambda ex, st: conduct.advance(ex, st, user_id=user_id), user_id)

    def pause(self, ex_id: str, *, user_id: int | None = None) -> dict[str, Any]:
        return self._act(ex_id, lambda ex, st: conduct.pause(ex, st, user_id=user_id), user_id)

    def resume(self, ex_id: str, *, user_id: int | None = None) -> dict[str, Any]:
        return self._act(ex_id, lambda ex, st: conduct.resume(ex, st, user_id=user_id), user_id)

    def end(self, ex_id: str, *, user_id: int | None = None) -> dict[str, Any]:
        return self._act(ex_id, lambda ex, st: conduct.end(ex, st, user_id=user_id), user_id)

    def release(
        self, ex_id: str, inject_id: str | None = None, *, user_id: int | None = None
    ) -> dict[str, Any]:
        return self._act(
            ex_id, lambda ex, st: conduct.release(ex, st, inject_id, user_id=user_id), user_id
        )

    def fire(self, ex_id: str, inject_id: str, *, user_id: int | None = None) -> dict[str, Any]:
        return self._act(
            ex_id, lambda ex, st: conduct.fire(ex, st, inject_id, user_id=user_id), user_id
        )

    def decide(
        self,
        ex_id: str,
        point: str,
        option: str,
        *,
        role: str | None = None,
        user_id: int | None = None,
        note: str = "",
    ) -> dict[str, Any]:
        """Take a decision as ``role`` (or as the role hub user ``user_id`` plays)."""
        if user_id is not None:
            played = self.role_of(ex_id, user_id)
            if played is None:
                raise ExerciseRefused("exercise-refused-not-a-player", user=user_id)
            if role is not None and role != played:
                raise ExerciseRefused("exercise-refused-not-your-role", role=role, played=played)
            role = played
        if role is None:
            raise ExerciseRefused("exercise-refused-no-role")
        return self._act(
            ex_id,
            lambda ex, st: conduct.decide(ex, st, point, option, role, user_id=user_id, note=note),
            user_id,
        )

    def record(
        self,
        ex_id: str,
        kind: str,
        *,
        role: str,
        user_id: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Record an evaluator's ``observation`` {objective, rating P|S|M|U, strength (bool),
        text}, a ``lesson`` {text, practice?} (``practice``: ``<playbook>/<practice>`` of the
        package's playbooks, which the lesson updates) or an ``improvement`` {issue, action,
        owner, due YYYY-MM-DD}. Observations and improvements: facilitator or evaluator roles."""
        clean = self._note_fields(ex_id, kind, role, fields)

        return self._act(
            ex_id,
            lambda ex, st: conduct.note(ex, st, kind, role, clean, user_id=user_id),
            user_id,
        )

    def _note_fields(self, ex_id: str, kind: str, role: str, f: dict[str, Any]) -> dict:
        with self.sessions() as s:
            ex = exercise_from_doc(self._row(s, ex_id).package_doc)
        r = ex.role(role)
        if kind not in NOTE_KINDS:
            raise ExerciseRefused(
                "exercise-refused-note-kind", kind=kind, kinds=", ".join(NOTE_KINDS)
            )
        if r is None:
            raise ExerciseRefused(
                "exercise-refused-unknown-role", role=role, roles=", ".join(x.id for x in ex.roles)
            )
        if kind in ("observation", "improvement") and r.plays:
            raise ExerciseRefused("exercise-refused-evaluators-only", kind=kind, role=role)

        def text(name: str) -> str:
            v = str(f.get(name, "") or "").strip()
            if not v:
                raise ExerciseRefused("exercise-refused-missing-field", field=name, kind=kind)
            if len(v) > 4000:
                raise ExerciseRefused("exercise-refused-too-long", field=name, limit=4000)
            return v

        if kind == "lesson":
            ref = str(f.get("practice") or "").strip()
            if not ref:
                return {"text": text("text")}
            if ref.split("/")[0] not in ex.playbooks or practice_ref(ref) is None:
                raise ExerciseRefused(
                    "exercise-refused-unknown-practice",
                    practice=ref,
                    playbooks=", ".join(ex.playbooks) or "–",
                )
            return {"text": text("text"), "practice": ref}
        if kind == "observation":
            rating = str(f.get("rating", "")).upper()
            if rating not in RATINGS:
                raise ExerciseRefused("exercise-refused-rating", ratings=", ".join(RATINGS))
            obj = f.get("objective")
            if obj is not None and obj not in {o for o, _ in ex.objectives}:
                raise ExerciseRefused("exercise-refused-unknown-objective", objective=obj)
            return {
                "objective": obj,
                "rating": rating,
                "strength": bool(f.get("strength", False)),
                "text": text("text"),
            }
        due = text("due")
        try:
            date.fromisoformat(due)
        except ValueError:
            raise ExerciseRefused("exercise-refused-due", due=due) from None
        return {
            "issue": text("issue"),
            "action": text("action"),
            "owner": text("owner"),
            "due": due,
        }

    # -- reading ------------------------------------------------------------------------------
    def exercise(self, ex_id: str) -> Exercise:
        with self.sessions() as s:
            return exercise_from_doc(self._row(s, ex_id).package_doc)

    def state(self, ex_id: str) -> dict[str, Any]:
        self.complete(ex_id)
        with self.sessions() as s:
            row = self._row(s, ex_id)
            return {**row.state, "version": row.version}

    def events(self, ex_id: str) -> list[dict[str, Any]]:
        with self.sessions() as s:
            self._row(s, ex_id)
            rows = s.scalars(
                select(ExerciseEvent)
                .where(ExerciseEvent.exercise_id == ex_id)
                .order_by(ExerciseEvent.seq)
            ).all()
            return [
                {
                    "seq": e.seq,
                    "kind": e.kind,
                    "turn": e.turn,
                    "role": e.role,
                    "user_id": e.user_id,
                    "payload": e.payload,
                    "at": e.at.isoformat() if e.at else None,
                }
                for e in rows
            ]

    def view(
        self,
        ex_id: str,
        *,
        role: str | None = None,
        user_id: int | None = None,
        lang: str = "en",
    ) -> dict[str, Any]:
        """What a console shows ``role`` (or the role hub user ``user_id`` plays): the clock,
        the injects it may see (markings: :func:`fukugan.hub.policy.can_read`), its open
        decisions and its KPIs this turn against the no-action baseline."""
        if user_id is not None:
            played = self.role_of(ex_id, user_id)
            if played is None:
                raise ExerciseRefused("exercise-refused-not-a-player", user=user_id)
            role = played
        if role is None:
            raise ExerciseRefused("exercise-refused-no-role")
        runs = {r["label"]: r for r in self.runs(ex_id)}
        with self.sessions() as s:
            row = self._row(s, ex_id)
            ex = exercise_from_doc(row.package_doc)
            st = row.state
            principal, author_org = self._principals(s, row, user_id)
        r = ex.role(role)
        if r is None:
            raise ExerciseRefused(
                "exercise-refused-unknown-role", role=role, roles=", ".join(x.id for x in ex.roles)
            )
        injects, withheld = [], 0
        for iid in conduct.visible_injects(ex, st, role):
            inj = ex.inject(iid)
            if inj.tlp is not None and not (
                r.kind == "facilitator"
                or self._readable(principal, author_org, inj.tlp, inj.clearance)
            ):
                withheld += 1
                continue
            texts = inject_texts(inj, st["injects"][iid]["changes"])
            injects.append(
                {
                    "id": iid,
                    "turn": st["injects"][iid]["turn_released"],
                    "from": inj.sender,
                    "to": list(inj.to),
                    "channel": inj.channel,
                    "tlp": inj.tlp,
                    "subject": texts["subject"].get(lang),
                    "text": texts["text"].get(lang),
                    "expected_action": texts["expected_action"].get(lang),
                    "by_hand": st["injects"][iid]["by_hand"],
                }
            )
        taken = {d["point"]: d for d in st["decisions"]}
        decisions = []
        for dp in ex.decisions:
            if r.plays and dp.role != role:
                continue
            if dp.turn > st["turn"]:
                continue
            d = taken.get(dp.id)
            decisions.append(
                {
                    "id": dp.id,
                    "role": dp.role,
                    "prompt": dp.prompt.get(lang),
                    "turn": dp.turn,
                    "closes": dp.closes,
                    "open": d is None and st["status"] == "running" and st["turn"] <= dp.closes,
                    "taken": d["option"] if d else None,
                    "options": [{"id": o.id, "label": o.label.get(lang)} for o in dp.options],
                }
            )
        current = runs.get(f"turn-{st['turn']}") if st["turn"] else runs.get("baseline")
        if st["status"] == "ended" and "final" in runs:
            current = runs["final"]
        base = runs.get("baseline")
        day = ex.first_day(st["turn"]) if st["turn"] else 0
        if st["status"] == "ended":
            day = ex.effective_day(ex.turns)
        base_values: dict[str, Any] = {}
        if base and base["status"] == "done":  # the baseline on the same day as the turn
            bc = base["curve"]
            base_values = curve_kpis(ex.kpis_for(role), bc, day)
        kpis = []
        for k in ex.kpis_for(role):
            v = (current or {}).get("kpis", {}).get(k.id) if current else None
            b = base_values.get(k.id)
            kpis.append(
                {
                    "id": k.id,
                    "metric": k.metric,
                    "label": k.label.get(lang),
                    "value": v,
                    "baseline": b,
                    "change": (v - b) if v is not None and b is not None else None,
                }
            )
        return {
            "id": ex_id,
            "name": ex.name,
            "title": ex.title.get(lang),
            "status": st["status"],
            "turn": st["turn"],
            "turns": ex.turns,
            "day": day,
            "days_per_turn": ex.days_per_turn,
            "role": role,
            "role_name": r.name.get(lang),
            "injects": injects,
            "withheld": withheld,
            "decisions": decisions,
            "kpis": kpis,
            "practices": practices_of(ex, lang),
            "run": (current or {}).get("status"),
            "version": st["seq"],
        }

    def timeline(self, ex_id: str) -> list[dict[str, Any]]:
        with self.sessions() as s:
            row = self._row(s, ex_id)
            return conduct.timeline(exercise_from_doc(row.package_doc), row.state)

    def _act(self, ex_id: str, fn: Callable, user_id: int | None) -> dict[str, Any]:
        """Apply the pure transition ``fn(exercise, state)`` to the locked row; store the new
        state, its events and the run a new turn (or the end) asks for; then compute it."""
        with self.sessions() as s, s.begin():
            row = self._row(s, ex_id, lock=True)
            ex = exercise_from_doc(row.package_doc)
            old_turn, old_status = row.state["turn"], row.state["status"]
            new, events = fn(ex, row.state)
            row.state = new
            row.status, row.turn = new["status"], new["turn"]
            row.version += 1
            row.updated_at = utc_now()
            for e in events:
                s.add(
                    ExerciseEvent(
                        exercise_id=ex_id,
                        seq=e["seq"],
                        kind=e["kind"],
                        turn=e["turn"],
                        role=e["role"],
                        user_id=e["user_id"],
                        payload=e["payload"],
                        at=utc_now(),
                    )
                )
            snapshot = [dict(d) for d in new["decisions"]]
            if new["turn"] != old_turn:
                s.add(self._run_row(ex_id, f"turn-{new['turn']}", new["turn"], snapshot))
            if new["status"] == "ended" and old_status != "ended":
                s.add(self._run_row(ex_id, "final", ex.turns + 1, snapshot))
        self.complete(ex_id)
        return {"state": new, "events": events}

    def _principals(
        self, s: Session, row: ExerciseRow, user_id: int | None
    ) -> tuple[Principal | None, int | None]:
        from fukugan.hub.models import User

        def principal(uid: int | None) -> Principal | None:
            if uid is None:
                return None
            u = s.get(User, uid)
            if u is None:
                return None
            return Principal(
                user_id=u.id,
                org_id=u.org_id,
                clearance=int(u.clearance),
                active=bool(u.active),
                username=u.username,
                role=u.role,
            )

        owner = principal(row.owner_user_id)
        return principal(user_id), owner.org_id if owner else None

    @staticmethod
    def _readable(
        principal: Principal | None, author_org: int | None, tlp: str, clearance: int
    ) -> bool:
        mark = Marking(
            item_id=0,
            author_org_id=author_org if author_org is not None else -1,
            tlp=tlp,
            required_clearance=clearance,
        )
        return bool(can_read(principal, mark, PolicyContext()))
