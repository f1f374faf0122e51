"""The runs of an exercise: the no-action ``baseline``, one per turn, the ``final`` outcome and
the planner's ``best`` response, each a scenario run written to
``$FUKUGAN_HOME/exercises/<id>/<label>/`` with its KPIs (module doc of
:mod:`fukugan.services.exercises`); and the loss curve the KPIs and the AAR read from a run.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from fukugan.errors import FukuganError
from fukugan.exercises.kpis import curve, kpi_values
from fukugan.exercises.model import ExerciseRefused, exercise_from_doc
from fukugan.results import RunResult
from fukugan.scenarios.schema import scenario_from_dict
from fukugan.services.exercise_package import scenario_doc as _scenario_doc
from fukugan.services.runs.figures import not_computed
from fukugan.store.analytic import AnalyticStore
from fukugan.store.rundir import write_run
from fukugan.store.workspace.exercises import ExerciseRow, ExerciseRun

__all__ = ["ExerciseRuns", "Runner", "curve_kpis", "run_curve", "utc_now"]

Runner = Callable[..., RunResult]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ExerciseRuns:
    """The run half of :class:`~fukugan.services.exercises.ExerciseService` (its base)."""

    store: AnalyticStore
    sessions: Callable[[], Session]
    runner: Runner
    _compute_lock: threading.RLock
    _best_lock: threading.Lock
    _best: dict[str, dict[str, Any]]

    def runs(self, ex_id: str) -> list[dict[str, Any]]:
        """Every run of the exercise (baseline, turns, final) with its KPIs and curve."""
        self.complete(ex_id)
        with self.sessions() as s:
            rows = s.scalars(
                select(ExerciseRun)
                .where(ExerciseRun.exercise_id == ex_id)
                .order_by(ExerciseRun.created_at, ExerciseRun.turn)
            ).all()
            return [
                {
                    "label": r.label,
                    "turn": r.turn,
                    "status": r.status,
                    "decisions": r.decisions,
                    "run_dir": r.run_dir,
                    "kpis": r.kpis or {},
                    "curve": r.curve or {},
                    "message": r.message,
                }
                for r in rows
            ]

    def best_response(
        self,
        ex_id: str,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Any]:
        """The planner's best response (:mod:`fukugan.exercises.best`): every combination of
        options run through the engine, the one with the least production loss kept as the
        exercise's ``best`` run (replacing an earlier one). ``progress(done, total)``."""
        from fukugan.exercises.best import option_combinations

        with self.sessions() as s:
            row = self._row(s, ex_id)
            pkg_doc, sc_doc, sc_path = row.package_doc, row.scenario_doc, row.scenario_path
        ex = exercise_from_doc(pkg_doc)
        combos = option_combinations(ex)
        engine = pkg_doc.get("engine", "static")
        best: tuple[float, list[dict[str, Any]]] | None = None
        for k, combo in enumerate(combos):
            sc = scenario_from_dict(_scenario_doc(pkg_doc, sc_doc, combo), path=sc_path or None)
            total = float(run_curve(self.runner(sc, self.store, engine=engine))["total"])
            # ties (within rounding) keep the earlier combination: the first options listed
            if best is None or total < best[0] - 1e-12 * max(1.0, abs(best[0])):
                best = (total, combo)
            if progress is not None:
                progress(k + 1, len(combos))
        assert best is not None  # a package has at least one decision point
        with self.sessions() as s, s.begin():
            old = s.get(ExerciseRun, (ex_id, "best"), with_for_update=True)
            if old is not None:
                s.delete(old)
                s.flush()
            run = self._run_row(ex_id, "best", ex.turns + 1, best[1])
            run.message = f"best of {len(combos)} combinations of options"
            s.add(run)
        self.complete(ex_id)
        return {"combinations": len(combos), "decisions": best[1], "total": best[0]}

    def start_best_response(self, ex_id: str) -> bool:
        """:meth:`best_response` in a background thread of this process (a web request
        returns at once); ``False`` when one is already running for the exercise. Its progress
        and outcome: :meth:`best_progress`."""
        from fukugan.exercises.best import option_combinations

        ex = self.exercise(ex_id)  # type: ignore[attr-defined]
        total = len(option_combinations(ex))  # refused here, before any thread, if too many
        with self._best_lock:
            st = self._best.get(ex_id)
            if st is not None and st["running"]:
                return False
            st = {"running": True, "done": 0, "total": total, "error": ""}
            self._best[ex_id] = st

        def progress(done: int, n: int) -> None:
            st["done"], st["total"] = done, n

        def work() -> None:
            try:
                self.best_response(ex_id, progress=progress)
            except Exception as e:  # noqa: BLE001 - reported on the pages, never lost
                st["error"] = str(e)
            finally:
                st["running"] = False

        threading.Thread(target=work, name=f"best-{ex_id}", daemon=True).start()
        return True

    def best_progress(self, ex_id: str) -> dict[str, Any] | None:
        """``{running, done, total, error}`` of the last background best response, or None."""
        with self._best_lock:
            st = self._best.get(ex_id)
            return dict(st) if st is not None else None

    # -- runs -------------------------------------------------------------------------------
    def complete(self, ex_id: str) -> None:
        """Compute every pending run of the exercise (after a restart too). One computation at
        a time in this process: two requests never write the same run directory at once."""
        with self._compute_lock:
            self._complete(ex_id)

    def _complete(self, ex_id: str) -> None:
        with self.sessions() as s:
            pending = s.scalars(
                select(ExerciseRun.label)
                .where(ExerciseRun.exercise_id == ex_id, ExerciseRun.status == "pending")
                .order_by(ExerciseRun.created_at, ExerciseRun.turn)
            ).all()
        for label in pending:
            self._compute(ex_id, label)

    def _compute(self, ex_id: str, label: str) -> None:
        with self.sessions() as s:
            row = self._row(s, ex_id)
            run = s.get(ExerciseRun, (ex_id, label))
            pkg_doc, sc_doc, sc_path = row.package_doc, row.scenario_doc, row.scenario_path
            decisions, turn = list(run.decisions), run.turn
        ex = exercise_from_doc(pkg_doc)
        run_dir = self.store.home / "exercises" / ex_id / label
        try:
            sc = scenario_from_dict(_scenario_doc(pkg_doc, sc_doc, decisions), path=sc_path or None)
            result = self.runner(sc, self.store, engine=pkg_doc.get("engine", "static"))
        except FukuganError as e:
            with self.sessions() as s, s.begin():
                r = s.get(ExerciseRun, (ex_id, label))
                if r.status == "pending":
                    r.status, r.message, r.finished_at = "failed", str(e), utc_now()
            return
        write_run(result, run_dir)
        c = run_curve(result)
        # a turn's run: loss so far = before the turn starts; baseline and final: by the end
        day = ex.first_day(turn) if label.startswith("turn-") else ex.effective_day(ex.turns)
        values = curve_kpis(ex.kpis, c, day)
        with self.sessions() as s, s.begin():
            r = s.get(ExerciseRun, (ex_id, label), with_for_update=True)
            if r.status != "pending":  # another process finished it first (same numbers)
                return
            r.status, r.run_dir, r.kpis, r.curve = "done", str(run_dir), values, c
            r.finished_at = utc_now()

    @staticmethod
    def _run_row(ex_id: str, label: str, turn: int, decisions: list) -> ExerciseRun:
        return ExerciseRun(
            exercise_id=ex_id,
            label=label,
            turn=turn,
            status="pending",
            decisions=decisions,
            run_dir="",
            message="",
            created_at=utc_now(),
        )

    # -- internals --------------------------------------------------------------------------

    @staticmethod
    def _row(s: Session, ex_id: str, *, lock: bool = False) -> ExerciseRow:
        row = s.get(ExerciseRow, ex_id, with_for_update=lock) if lock else s.get(ExerciseRow, ex_id)
        if row is None:
            raise ExerciseRefused("exercise-refused-unknown-exercise", exercise=ex_id)
        return row


def curve_kpis(kpis: Any, c: dict[str, Any], day: int) -> dict[str, float | int | None]:
    """The KPIs ``kpis`` of a run from its curve ``c`` (:func:`run_curve`) on scenario day
    ``day``."""
    return kpi_values(
        kpis,
        np.asarray(c["daily"], dtype=float),
        c["sector_loss"],
        c["shortage"],
        day,
        lost_units=c.get("lost_units") or {},
        tts_days=c.get("tts_days") or {},
    )


def run_curve(result: RunResult) -> dict[str, Any]:
    """The loss curve of a run as the KPIs and the after-action report use it: daily total
    loss (days 1..T, summed over the sectors as :func:`fukugan.results.headline` sums them),
    loss by sector over the horizon, peak import cut by sector, and the curve's figures.

    The engine's own headline metric is read (``profit_loss`` for the exposure engine). An
    engine without a loss per day (:func:`fukugan.services.runs.figures.not_computed`
    ``"daily"``: the exposure engine records each outage's loss on the day its node is back)
    has ``per_day`` false and no day of recovery; its lost units by end product and time to
    survive by disrupted node (days; None when unbounded) come with it."""
    gone = not_computed(result.engine)
    metric = str(result.summary.get("headline_metric") or "loss")
    ts = result.timeseries
    sel = ts[
        (ts["metric"] == metric)
        & (ts["unit_kind"] != "total")
        & (ts["component"].isin(["direct", "indirect"]))
    ]
    by_t = sel.groupby("t")["value"].sum().sort_index()
    T = int(result.summary.get("n_days") or (int(by_t.index.max()) if len(by_t) else 0))
    daily = np.zeros(T)
    for t, v in by_t.items():
        if 1 <= int(t) <= T:
            daily[int(t) - 1] = float(v)
    sector = sel.groupby("unit")["value"].sum()
    c = curve(daily)
    units = ts[(ts["metric"] == "lost_units") & (ts["unit_kind"] != "total")]
    tts = {
        str(d["node"]): (None if not math.isfinite(float(d["tts_days"])) else float(d["tts_days"]))
        for d in result.summary.get("disruptions") or []
        if "tts_days" in d
    }
    return {
        "daily": daily.tolist(),
        "per_day": "daily" not in gone,
        "total": float(by_t.sum()),
        "peak": c["peak"],
        "peak_day": c["peak_day"],
        "recovery_day": None if "recovery_day" in gone else c["recovery_day"],
        "lost_units": {str(k): float(v) for k, v in units.groupby("unit")["value"].sum().items()},
        "tts_days": tts,
        "sector_loss": {str(k): float(v) for k, v in sector.items()},
        "shortage": {
            str(k): float(v) for k, v in (result.summary.get("import_cut_peak") or {}).items()
        },
        "unit": str(result.summary.get("loss_unit") or result.unit),
    }
