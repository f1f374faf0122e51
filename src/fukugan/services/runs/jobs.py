"""Runs as jobs: submit, execute in a worker thread (single runs and Monte Carlo sweeps),
cooperative all-or-nothing cancellation, and the run rows as documents."""

from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path
from typing import Any

from fukugan.errors import FukuganError, UnknownItemError
from fukugan.results import headline, jsonable
from fukugan.scenarios.schema import ENGINES, Scenario, ScenarioError
from fukugan.services.runs.base import RunServiceBase
from fukugan.services.runs.common import (
    MAX_SAMPLES,
    RunFinished,
    _Cancelled,
    _discard,
    _iso,
    allowed_engines,
    log,
    max_workers,
    sweep_of,
)
from fukugan.services.scenario_run import run_scenario
from fukugan.store.rundir import write_run
from fukugan.store.workspace import Run, ScenarioDef
from fukugan.store.workspace.repo import visible_to


class JobsMixin(RunServiceBase):
    """Submitting, executing and cancelling runs."""

    def submit(
        self,
        scenario_id: str | None = None,
        *,
        yaml: str | None = None,
        filename: str | None = None,
        engine: str | None = None,
        seed: int | None = None,
        samples: int | None = None,
        workers: int | None = None,
        owner_user_id: int | None = None,
        viewer: int | None = None,
    ) -> dict[str, Any]:
        """Queue a run of a stored scenario, or of a YAML text (validated and stored first).

        ``samples`` (1..:data:`MAX_SAMPLES`): a Monte Carlo sweep of that many draws of the
        scenario's ``uncertainty:`` block (a :class:`ScenarioError` on field ``samples`` when
        it has none) on a local Dask cluster of ``workers`` processes (1..cores, default 2).

        ``owner_user_id``: the run (and a YAML's scenario) is private to that hub user.
        ``viewer``: who asks (default: the owner); the scenario must be visible to them
        (another user's private scenario is "no such scenario"). A run of a private scenario
        is private to the scenario's owner, so a run never shows a scenario to anyone the
        scenario itself is hidden from."""
        viewer = owner_user_id if viewer is None else viewer
        if owner_user_id is not None and viewer != owner_user_id:
            raise ValueError("a run can only be made private to the user who submits it")
        if yaml is not None:
            scenario_id = self.upload_scenario(
                yaml, filename or "scenario.yaml", owner_user_id=owner_user_id
            )["id"]
        if not scenario_id:
            raise ScenarioError("give a scenario id or the scenario's YAML", field="scenario")
        row = self._scenario_row(scenario_id, viewer)
        owner = owner_user_id if owner_user_id is not None else row.owner_user_id
        eng = engine or str(row.doc.get("engine"))
        if eng not in ENGINES:
            raise ScenarioError(
                f"unknown engine {eng!r}; choose one of {', '.join(ENGINES)}", field="engine"
            )
        ok = allowed_engines(row.doc)
        if eng not in ok:
            raise ScenarioError(
                f"scenario {row.name!r} cannot run on the {eng} engine (it runs on "
                f"{', '.join(ok)})",
                field="engine",
            )
        parameters = dict(row.doc.get("parameters") or {})
        if samples is not None:
            parameters["montecarlo"] = self._sweep_request(row, samples, workers)
        elif workers is not None:
            raise ScenarioError(
                "workers applies to Monte Carlo sweeps: give samples too", field="workers"
            )
        run = self.ws.create_run(
            row.id,
            engine=eng,
            seed=int(row.doc.get("seed", 0)) if seed is None else int(seed),
            parameters=parameters,
            owner_user_id=owner,
        )
        run_dir = self.home / "runs" / run.id
        self.ws.update_run(run.id, run_dir=str(run_dir))
        self.pool.submit(self._execute, run.id)
        return self.run(run.id, owner)

    @staticmethod
    def _sweep_request(row: ScenarioDef, samples: int, workers: int | None) -> dict[str, int]:
        if not 1 <= int(samples) <= MAX_SAMPLES:
            raise ScenarioError(
                f"samples must be between 1 and {MAX_SAMPLES}, not {samples}", field="samples"
            )
        if not row.doc.get("uncertainty"):
            raise ScenarioError(
                f"scenario {row.name!r} has no 'uncertainty:' block, so it has nothing to "
                "sample: a Monte Carlo sweep needs its parameters and distributions",
                field="samples",
            )
        w = min(2, max_workers()) if workers is None else int(workers)
        if not 1 <= w <= max_workers():
            raise ScenarioError(
                f"workers must be between 1 and {max_workers()} (this machine's cores), not {w}",
                field="workers",
            )
        return {"samples": int(samples), "workers": w}

    def _stop(self, run_id: str) -> threading.Event:
        with self._lock:
            return self._stops.setdefault(run_id, threading.Event())

    def _execute(self, run_id: str) -> None:
        run = self.ws.get_run(run_id)
        if run is None or run.status != "queued":
            return
        if not self.ws.start_run(run_id):
            return  # cancelled between the read and now: never started
        stop = self._stop(run_id)
        delay = float(os.environ.get("FUKUGAN_RUN_STEP_DELAY", "0") or 0)
        last = [0.0]
        last_label = [""]

        def progress(done: int, total: int, label: str) -> None:
            if stop.is_set():
                raise _Cancelled
            now = time.monotonic()
            new_step = label != last_label[0]
            if done < total and now - last[0] < 0.2 and not (delay and new_step):
                return  # at most 5 writes a second (days of a simulation come faster)
            last[0], last_label[0] = now, label
            frac = min(done / total, 0.99) if total else 0.0
            if not self.ws.report_progress(run_id, frac, label):
                raise _Cancelled  # no longer running: a cancel from any process
            if delay and new_step:  # the test hook pauses once per step, not per day
                time.sleep(delay)
                if stop.is_set():
                    raise _Cancelled

        run_dir = Path(run.run_dir or self.home / "runs" / run_id)
        try:
            row = self.ws.get_scenario(run.scenario_id)
            if row is None:
                raise UnknownItemError(f"no scenario {run.scenario_id!r}")
            sc = self._load(row)
            mc = sweep_of(run)
            if mc:
                summary = self._sweep(sc, run, mc, run_dir, progress)
            else:
                result = run_scenario(
                    sc, self.store, engine=run.engine, progress=progress, seed=run.seed
                )
                progress(1, 1, "write")  # last chance to stop before anything is written
                write_run(result, run_dir)
                metric = str(result.summary.get("headline_metric", "loss"))
                summary = {
                    **headline(result.timeseries, metric=metric),
                    "metric": metric,
                    "unit": result.unit,
                    "n_days": int(result.timeseries["t"].max()) if len(result.timeseries) else 0,
                }
                self.ws.update_run(run_id, parameters=jsonable(result.parameters))
            if not self.ws.finish_run(run_id, summary=jsonable(summary), run_dir=str(run_dir)):
                raise _Cancelled  # the cancel came while the results were being written
        except _Cancelled:
            _discard(run_dir)
            self.ws.end_cancelled(run_id, "cancelled while running")
            log.info("run %s cancelled", run_id)
        except FukuganError as e:
            _discard(run_dir)
            self.ws.fail_run(run_id, str(e))
        except Exception as e:  # noqa: BLE001 - a job must end in a state, never vanish
            log.exception("run %s failed", run_id)
            _discard(run_dir)
            self.ws.fail_run(run_id, f"internal error: {type(e).__name__}: {e}")
        finally:
            with self._lock:
                self._stops.pop(run_id, None)

    def _sweep(
        self, sc: Scenario, run: Run, mc: dict[str, int], run_dir: Path, progress: Any
    ) -> dict[str, Any]:
        """Run a Monte Carlo job on a local Dask cluster and write it as the CLI does; its
        summary (headline figures = means over the samples)."""
        from fukugan.services.montecarlo import run_sweep, write_sweep

        n, workers = int(mc["samples"]), int(mc["workers"])
        sweep = run_sweep(
            sc,
            self.store,
            samples=n,
            engine=run.engine,
            seed=run.seed,
            workers=workers,
            progress=progress,
            # small chunks (about ten per worker, at most 10 samples): progress, and a cancel,
            # between few samples
            chunk_size=min(10, max(1, math.ceil(n / (workers * 10)))),
        )
        progress(1, 1, "write")
        write_sweep(sweep, run_dir)
        tot = sweep.samples
        metric = "profit_loss" if sweep.engine == "exposure" else "loss"
        return {
            "kind": "montecarlo",
            "samples": sweep.n,
            "workers": sweep.workers,
            "total_loss": float(tot["total_loss"].mean()),
            "peak_loss": float(tot["peak_loss"].mean()),
            "metric": metric,
            "unit": sweep.unit,
            "n_days": int(sweep.daily["t"].max()) if len(sweep.daily) else 0,
        }

    def cancel(self, run_id: str, viewer: int | None = None) -> dict[str, Any]:
        """Cancel a queued or running run ``viewer`` may see (another user's private run is
        "no such run"). A queued run ends ``cancelled`` at once; a running one is
        ``cancelling`` until its worker stops at its next progress report. Cancelling a
        cancelled run again changes nothing; a finished one raises :class:`RunFinished`."""
        run = self._row(run_id, viewer)
        status = self.ws.request_cancel(run.id, "cancel requested")
        if status is None:
            now = self.ws.get_run(run.id)
            raise RunFinished(
                f"run {run_id} is {now.status if now else run.status}: only queued or running "
                "runs can be cancelled"
            )
        if status == "cancelling":
            with self._lock:
                stop = self._stops.get(run.id)  # its worker, if it runs in this process
            if stop is not None:
                stop.set()
        return self.run(run.id, viewer)

    def _row(self, run_id: str, viewer: int | None = None) -> Run:
        """The run, if ``viewer`` may see it; else the same error as for a missing run."""
        run = self.ws.get_run(run_id)
        if run is None or not visible_to(run, viewer):
            raise UnknownItemError(f"no run {run_id!r}; see /api/v1/runs")
        return run

    def run_doc(self, run: Run, row: ScenarioDef | None = None) -> dict[str, Any]:
        row = row or self.ws.get_scenario(run.scenario_id)
        return {
            "id": run.id,
            "scenario_id": run.scenario_id,
            "scenario_name": row.name if row else run.scenario_id,
            "engine": run.engine,
            "status": run.status,
            "progress": float(run.progress),
            "message": run.message,
            "seed": run.seed,
            "parameters": run.parameters or {},
            "summary": run.summary,
            "created_at": _iso(run.created_at),
            "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at),
            "private": run.owner_user_id is not None,
            "kind": "montecarlo" if sweep_of(run) else "single",
            "samples": (sweep_of(run) or {}).get("samples"),
            "workers": (sweep_of(run) or {}).get("workers"),
        }

    def run(self, run_id: str, viewer: int | None = None) -> dict[str, Any]:
        return self.run_doc(self._row(run_id, viewer))

    def visible(self, run_id: str, viewer: int | None) -> bool:
        """Whether a run with this id exists and ``viewer`` may see it."""
        return visible_to(self.ws.get_run(run_id), viewer)

    def runs(
        self,
        *,
        limit: int | None = 20,
        offset: int = 0,
        status: str | None = None,
        viewer: int | None = None,
    ) -> dict[str, Any]:
        """Runs ``viewer`` may see (shared ones and ``viewer``'s own), newest first."""
        rows, total = self.ws.list_runs(limit=limit, offset=offset, status=status, viewer=viewer)
        names = {s.id: s for s in self.ws.list_scenarios(viewer=viewer)}
        return {
            "items": [self.run_doc(r, names.get(r.scenario_id)) for r in rows],
            "total": total,
            "limit": limit,
            "offset": offset,
        }
