"""Use case: scenario runs as jobs (submit, execute in the background, read results).

A run is a row in the workspace store (:mod:`fukugan.store.workspace`): ``queued`` when
submitted, ``running`` while a worker thread executes it (the engine's progress callback writes
``progress`` and ``message`` to the row), then ``done`` with its results written by
:func:`fukugan.results.write_run` to ``$FUKUGAN_HOME/runs/<run id>/``, or ``failed``
with the reason. Runs survive a page reload (the row) and a server restart: on start-up a run
still marked ``running`` is marked ``failed`` (its process is gone) and queued runs are
resubmitted.

Monte Carlo sweeps (``samples``, for scenarios with an ``uncertainty:`` block) are runs too: the
worker thread runs :func:`fukugan.services.montecarlo.run_sweep` on a local Dask cluster of
``workers`` processes (progress as samples complete) and writes the run directory with
:func:`~fukugan.services.montecarlo.write_sweep`, exactly as ``fukugan simulate --samples``
does; the run's details then carry the distributions (mean, sd, 5 / 50 / 95 % quantiles of the
loss by sector and of the total and peak loss). The sweep is recorded in the run's parameters
(``montecarlo: {samples, workers}``).

Cancellation (:meth:`RunService.cancel`) is cooperative and all-or-nothing: a queued run ends
``cancelled`` at once and is never started; a running one becomes ``cancelling`` and its worker
stops at its next progress report (a single run between the engine's steps, a sweep between
chunks of samples, its Dask futures cancelled), removes anything it wrote and ends
``cancelled``. The database row is the signal (every progress write is conditional on the run
still being ``running``), so a cancel reaches a worker in any process of the server.

Private runs: a scenario or run may belong to one hub user (``owner_user_id``; e.g. the
one-click run of an exposure alert). Every read takes the ``viewer`` (the hub user asking, or
``None``): lists show shared rows and the viewer's own, and another user's private row is
"no such run / scenario", exactly like a missing one (no existence oracle).

Workers are threads of the server process: the engines spend their time in numpy / numba /
HiGHS, which release the GIL, so requests keep being answered while a run computes.
``FUKUGAN_RUN_STEP_DELAY`` (seconds, default 0) pauses once at each step (resolve, simulate,
write; not at every simulated day), to make the
progress visible in demonstrations and browser tests.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from fukugan.errors import FukuganError, InputError, NotLoadedError, UnknownItemError
from fukugan.results import headline, jsonable
from fukugan.scenarios.schema import (
    ENGINES,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
)
from fukugan.services.scenario_run import run_scenario
from fukugan.store.analytic import AnalyticStore
from fukugan.store.rundir import read_run, write_run
from fukugan.store.workspace import Run, ScenarioDef, Workspace
from fukugan.store.workspace.repo import as_utc, sha256_text, visible_to

__all__ = ["EXAMPLES", "MAX_SAMPLES", "RunFinished", "RunService", "allowed_engines"]

EXAMPLES = Path(__file__).resolve().parents[1] / "scenarios" / "examples"
INTERRUPTED = "interrupted: the server stopped while this run was running; run it again"
MAX_UPLOAD = 1_000_000
MAX_SAMPLES = 1000
ENDED = ("done", "failed", "cancelled")
log = logging.getLogger("fukugan.runs")


class RunFinished(InputError):
    """A cancel asked of a run that has already ended (done or failed)."""


class _Cancelled(Exception):  # noqa: N818 - a signal, not an error
    """Raised in a worker thread to stop a run whose cancel was requested."""


def _discard(run_dir: Path) -> None:
    """Remove a run's results and any half-written ``.tmp`` directory (all-or-nothing)."""
    for d in (run_dir, run_dir.with_name(run_dir.name + ".tmp")):
        if d.exists():
            shutil.rmtree(d, ignore_errors=True)


def max_workers() -> int:
    """The most Dask worker processes a sweep job may ask for: this machine's cores."""
    return max(1, os.cpu_count() or 1)


def sweep_of(run: Run) -> dict[str, int] | None:
    """``{samples, workers}`` of a Monte Carlo run, ``None`` for a single run."""
    mc = (run.parameters or {}).get("montecarlo")
    return mc if isinstance(mc, dict) and mc.get("samples") else None


def allowed_engines(doc: dict[str, Any]) -> list[str]:
    """Engines that can run a scenario, its own first (from its data and shocks: national IO
    tables → static, and ario for capacity shocks without ramps; MRIO → ario; firm network →
    firms; BOM network → exposure)."""
    data = doc.get("data") or {}
    out: list[str] = []
    if "oecd_iot" in data:
        out.append("static")
        shocks = doc.get("shocks") or []
        if shocks and all(
            s.get("type") in ("outage", "blackout") and not s.get("ramp") for s in shocks
        ):
            out.append("ario")
    if "mrio" in data:
        out.append("ario")
    if "firm_network" in data:
        out.append("firms")
    if "bom" in data:
        out.append("exposure")
    own = str(doc.get("engine", ""))
    ordered = [own] + [e for e in out if e != own] if own else out
    return [e for e in dict.fromkeys(ordered) if e in ENGINES]


def _iso(dt: datetime | None) -> str | None:
    dt = as_utc(dt)
    return dt.isoformat(timespec="seconds") if dt else None


def _labels(lang: str) -> dict[str, str]:
    from fukugan.data.oecd_iot import industry_labels

    lab = industry_labels()
    return dict(zip(lab["code"], lab["label_ja" if lang == "ja" else "label_en"], strict=True))


def _source(p: dict[str, Any]) -> dict[str, Any]:
    from fukugan.provenance import Provenance

    prov = Provenance(**{k: p.get(k, "") for k in ("dataset", "source", "year", "unit", "licence")})
    return {
        "dataset": p.get("dataset", ""),
        "source": p.get("source", ""),
        "year": str(p.get("year", "")),
        "unit": p.get("unit", ""),
        "licence": p.get("licence", ""),
        "url": p.get("url", ""),
        "synthetic": bool(p.get("synthetic", False)),
        "citation": prov.citation(),
    }


class RunService:
    """Scenario definitions and runs over one analytic store and one workspace."""

    def __init__(
        self,
        store: AnalyticStore,
        workspace: Workspace | None = None,
        *,
        workers: int = 2,
        resume: bool = True,
    ) -> None:
        self.store = store
        self.home = Path(store.home)
        self.ws = workspace or Workspace(self.home)
        self.pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="fukugan-run")
        self._results: dict[str, tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._stops: dict[str, threading.Event] = {}  # run id -> cancel requested (this process)
        self.sync_examples()
        if resume:
            self.recover()

    # -- lifecycle ---------------------------------------------------------------------------
    def sync_examples(self) -> None:
        """Store the bundled example scenarios (id = name), refreshed when a file changed."""
        for path in sorted(EXAMPLES.glob("*.yaml")):
            text = path.read_text(encoding="utf-8-sig")
            sc = parse_scenario(text, path=str(path))
            self.ws.put_scenario(
                id=sc.name,
                name=sc.name,
                origin="example",
                yaml_text=text,
                doc=jsonable(sc.doc),
                filename=path.name,
            )

    def recover(self) -> None:
        """After a restart: runs left ``running`` failed, ``queued`` ones resubmitted."""
        for rid in self.ws.fail_interrupted(INTERRUPTED):
            log.warning("run %s was interrupted by a server stop", rid)
        for run in self.ws.queued_runs():
            self.pool.submit(self._execute, run.id)

    def shutdown(self, wait: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=True)

    # -- scenarios ---------------------------------------------------------------------------
    def _scenario_row(self, scenario_id: str, viewer: int | None = None) -> ScenarioDef:
        row = self.ws.get_scenario(scenario_id)
        if row is None or not visible_to(row, viewer):
            raise UnknownItemError(f"no scenario {scenario_id!r}; see /api/v1/scenarios")
        return row

    def scenario_doc(self, row: ScenarioDef, *, full: bool = False) -> dict[str, Any]:
        doc = row.doc
        desc = doc.get("description") or {}
        out: dict[str, Any] = {
            "id": row.id,
            "name": row.name,
            "origin": row.origin,
            "filename": row.filename,
            "description": {
                "en": str(desc.get("en") or "").strip(),
                "ja": str(desc.get("ja") or desc.get("en") or "").strip(),
            },
            "engine": str(doc.get("engine")),
            "engines": allowed_engines(doc),
            "home": str(doc.get("home", "JPN")),
            "horizon_days": int(doc.get("horizon_days", 365)),
            "seed": int(doc.get("seed", 0)),
            "shocks": [str(s.get("type")) for s in doc.get("shocks") or []],
            "data": sorted((doc.get("data") or {}).keys()),
            "uncertainty": [str(u.get("param")) for u in doc.get("uncertainty") or []],
            "created_at": _iso(row.created_at),
            "private": row.owner_user_id is not None,
        }
        if full:
            out["yaml"] = row.yaml_text
            out["scenario"] = doc
        return out

    def scenarios(self, viewer: int | None = None) -> list[dict[str, Any]]:
        """The scenarios ``viewer`` may see: shared ones and ``viewer``'s private ones."""
        return [self.scenario_doc(r) for r in self.ws.list_scenarios(viewer=viewer)]

    def scenario(self, scenario_id: str, viewer: int | None = None) -> dict[str, Any]:
        return self.scenario_doc(self._scenario_row(scenario_id, viewer), full=True)

    def upload_scenario(
        self,
        data: bytes | str,
        filename: str = "scenario.yaml",
        *,
        owner_user_id: int | None = None,
    ) -> dict[str, Any]:
        """Validate an uploaded scenario YAML and store it (id ``u-`` + SHA-256 prefix; the
        same file uploaded twice is stored once). A bad file raises :class:`ScenarioError`
        naming the file, line and field, and is recorded as a failed upload.

        ``owner_user_id``: store it private to that hub user. Its id then hashes the owner
        with the text, so the same file uploaded by two users (or shared and private) gives
        distinct rows and an id says nothing about what others uploaded."""
        filename = Path(filename or "scenario.yaml").name[:200] or "scenario.yaml"
        raw = data.encode("utf-8") if isinstance(data, str) else data
        try:
            if len(raw) > MAX_UPLOAD:
                raise ScenarioError(
                    f"file too large ({len(raw):,} bytes; at most {MAX_UPLOAD:,})", path=filename
                )
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as e:
                raise ScenarioError(f"not UTF-8 text ({e.reason})", path=filename) from None
            sc = parse_scenario(text, path=filename)
        except ScenarioError as e:
            self.ws.add_upload(
                filename=filename, kind="scenario", data=raw, status="failed", error=str(e)
            )
            raise
        key = text if owner_user_id is None else f"owner:{owner_user_id}\n{text}"
        sid = "u-" + sha256_text(key)[:10]
        self.ws.add_upload(filename=filename, kind="scenario", data=raw, status="imported")
        row = self.ws.put_scenario(
            id=sid,
            name=sc.name,
            origin="upload",
            yaml_text=text,
            doc=jsonable(sc.doc),
            filename=filename,
            owner_user_id=owner_user_id,
        )
        return self.scenario_doc(row, full=True)

    def _load(self, row: ScenarioDef) -> Scenario:
        if row.origin == "example" and (EXAMPLES / row.filename).is_file():
            return load_scenario(EXAMPLES / row.filename)  # relative data paths resolve
        return parse_scenario(row.yaml_text, path=row.filename or f"{row.name}.yaml")

    # -- runs --------------------------------------------------------------------------------
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

    # -- results -----------------------------------------------------------------------------
    def _result(
        self, run_id: str, viewer: int | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
        run = self._row(run_id, viewer)  # visibility first: the cache is shared by all users
        with self._lock:
            if run_id in self._results:
                return self._results[run_id]
        if run.status != "done":
            raise NotLoadedError(f"run {run_id} is {run.status}; results exist once it is done")
        if sweep_of(run):
            raise InputError(
                f"run {run_id} is a Monte Carlo sweep: its distributions are in "
                f"/api/v1/runs/{run_id} (time series: by=total only; no paths)"
            )
        res = read_run(run.run_dir)
        with self._lock:
            if len(self._results) > 32:
                self._results.pop(next(iter(self._results)))
            self._results[run_id] = res
        return res

    def details(
        self, run_id: str, lang: str = "en", top: int = 15, *, viewer: int | None = None
    ) -> dict[str, Any]:
        """The run with its headline, losses by sector, reproducibility data and sources."""
        doc = self.run(run_id, viewer)
        if doc["status"] != "done":
            return doc
        if doc["kind"] == "montecarlo":
            return self._sweep_details(doc, lang, top)
        ts, paths, summary = self._result(run_id, viewer)
        metric = str(summary.get("headline_metric", "loss"))
        labels = {**_labels(lang), **(summary.get("unit_labels") or {})}
        loss = ts[(ts["metric"] == metric) & (ts["unit_kind"] != "total")]
        by = loss.pivot_table(
            index="unit", columns="component", values="value", aggfunc="sum", fill_value=0.0
        )
        for c in ("direct", "indirect"):
            if c not in by:
                by[c] = by["total"] if c == "direct" and "total" in by else 0.0
        by["sum"] = by["direct"] + by["indirect"]
        by = by.sort_values("sum", ascending=False, kind="stable")
        total = float(by["sum"].sum())
        doc["by_sector"] = [
            {
                "unit": str(u),
                "label": str(labels.get(u, u)),
                "total": float(r["sum"]),
                "direct": float(r["direct"]),
                "indirect": float(r["indirect"]),
                "share": float(r["sum"]) / total if total else None,
            }
            for u, r in by.head(top).iterrows()
        ]
        doc["n_sectors"] = int(len(by))
        doc["n_paths"] = int(len(paths))
        sc = summary.get("scenario") or {}
        doc["reproducibility"] = {
            "engine": summary.get("engine"),
            "seed": summary.get("seed"),
            "parameters": summary.get("parameters") or {},
            "horizon_days": sc.get("horizon_days"),
            "versions": summary.get("versions") or {},
            "created_at": summary.get("created_at"),
            "scenario": sc,
        }
        doc["notes"] = [str(n) for n in summary.get("notes") or []]
        doc["applied"] = [str(n) for n in summary.get("applied") or []]  # what the engine did
        doc["sources"] = [_source(p) for p in summary.get("sources") or []]
        doc["unit"] = summary.get("unit", "")
        return doc

    def _sweep_files(self, run_id: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
        """``(by_sector, daily, summary)`` of a finished sweep run (cached like runs)."""
        import json

        key = f"mc:{run_id}"
        with self._lock:
            if key in self._results:
                return self._results[key]
        run = self.ws.get_run(run_id)
        d = Path(run.run_dir)
        res = (
            pd.read_parquet(d / "by_sector.parquet"),
            pd.read_parquet(d / "daily.parquet"),
            json.loads((d / "summary.json").read_text(encoding="utf-8")),
        )
        with self._lock:
            if len(self._results) > 32:
                self._results.pop(next(iter(self._results)))
            self._results[key] = res
        return res

    def _sweep_details(self, doc: dict[str, Any], lang: str, top: int) -> dict[str, Any]:
        """A finished sweep: the distributions (mean, sd, 5 / 50 / 95 % quantiles) of the
        loss by sector over the horizon and of the total and peak loss."""
        by, _, summary = self._sweep_files(doc["id"])
        labels = _labels(lang)
        stats = ("mean", "sd", "q05", "q50", "q95")
        doc["distribution"] = {
            "samples": int(summary.get("samples", 0)),
            "workers": int(summary.get("workers", 0)),
            "seed": int(summary.get("seed", doc["seed"])),
            "unit": str(summary.get("unit", "")),
            "seeding": str(summary.get("seeding", "")),
            "total_loss": {k: float(summary["total_loss"][k]) for k in stats},
            "peak_loss": {k: float(summary["peak_loss"][k]) for k in stats},
            "by_sector": [
                {
                    "unit": str(r.unit),
                    "label": str(labels.get(r.unit, r.unit)),
                    **{k: float(getattr(r, k)) for k in stats},
                }
                for r in by.head(top).itertuples()
            ],
            "n_sectors": int(len(by)),
            "uncertainty": list((summary.get("scenario") or {}).get("uncertainty") or []),
        }
        sc = summary.get("scenario") or {}
        doc["reproducibility"] = {
            "engine": summary.get("engine"),
            "seed": summary.get("seed"),
            "parameters": doc["parameters"],
            "horizon_days": sc.get("horizon_days"),
            "versions": summary.get("versions") or {},
            "created_at": summary.get("created_at"),
            "scenario": sc,
        }
        doc["sources"] = [_source(p) for p in summary.get("sources") or []]
        doc["unit"] = summary.get("unit", "")
        return doc

    def sweep_daily(self, run_id: str, *, viewer: int | None = None) -> dict[str, Any]:
        """Loss per day of a finished sweep across its samples: mean and 5 / 50 / 95 %."""
        run = self._row(run_id, viewer)
        if run.status != "done" or not sweep_of(run):
            raise NotLoadedError(f"run {run_id} is not a finished Monte Carlo sweep")
        _, daily, summary = self._sweep_files(run_id)
        return {
            "run_id": run_id,
            "metric": "loss",
            "by": "total",
            "unit": str(summary.get("unit", "")),
            "t": [int(t) for t in daily["t"]],
            "metrics": ["loss"],
            "series": {k: [float(v) for v in daily[k]] for k in ("mean", "q05", "q50", "q95")},
        }

    def timeseries(
        self,
        run_id: str,
        metric: str = "loss",
        by: str = "total",
        *,
        viewer: int | None = None,
    ) -> dict[str, Any]:
        """Losses over time: ``by=total`` gives the total, direct and indirect series summed
        over units; ``by=sector`` one total series per unit (largest first). A sweep:
        ``by=total`` only, the mean and 5 / 50 / 95 % quantiles of the loss per day."""
        if by == "total" and sweep_of(self._row(run_id, viewer)):
            return self.sweep_daily(run_id, viewer=viewer)
        ts, _, summary = self._result(run_id, viewer)
        sel = ts[(ts["metric"] == metric) & (ts["unit_kind"] != "total")]
        days = sorted(int(t) for t in ts["t"].unique())
        out: dict[str, Any] = {
            "run_id": run_id,
            "metric": metric,
            "by": by,
            "unit": summary.get("unit", ""),
            "t": days,
            "metrics": sorted(str(m) for m in ts["metric"].unique()),
        }
        if by == "sector":
            parts = sel[sel["component"].isin(["direct", "indirect"])]
            if parts.empty:
                parts = sel[sel["component"] == "total"]
            piv = parts.pivot_table(index="unit", columns="t", values="value", aggfunc="sum")
            piv = piv.reindex(columns=days, fill_value=0.0).fillna(0.0)
            order = piv.sum(axis=1).sort_values(ascending=False, kind="stable").index
            out["series"] = [
                {"unit": str(u), "values": [float(v) for v in piv.loc[u]]} for u in order
            ]
            return out
        series: dict[str, list[float]] = {}
        for comp in ("direct", "indirect"):
            s = sel[sel["component"] == comp].groupby("t")["value"].sum()
            series[comp] = [float(s.get(t, 0.0)) for t in days]
        if not any(series["direct"]) and not any(series["indirect"]):
            s = sel[sel["component"] == "total"].groupby("t")["value"].sum()
            series["total"] = [float(s.get(t, 0.0)) for t in days]
        else:
            series["total"] = [
                d + i for d, i in zip(series["direct"], series["indirect"], strict=True)
            ]
        out["series"] = series
        return out

    def paths(
        self,
        run_id: str,
        *,
        limit: int | None = 20,
        offset: int = 0,
        viewer: int | None = None,
    ) -> dict[str, Any]:
        _, paths, _ = self._result(run_id, viewer)
        p = paths.sort_values("weight", ascending=False, kind="stable")
        end = None if limit is None else offset + limit
        rows = [
            {
                "source": str(r.source),
                "target": str(r.target),
                "step": int(r.step),
                "weight": float(r.weight),
                "via": [v for v in str(r.via).split(";") if v],
            }
            for r in p.iloc[offset:end].itertuples()
        ]
        return {
            "run_id": run_id,
            "items": rows,
            "total": int(len(p)),
            "limit": limit,
            "offset": offset,
        }

    def compare(self, a: str, b: str, *, viewer: int | None = None) -> dict[str, Any]:
        """Two finished single runs side by side: total loss curves on one time axis and the
        differences of their headline figures (b − a)."""
        ra, rb = self.run(a, viewer), self.run(b, viewer)
        for r in (ra, rb):
            if r["kind"] == "montecarlo":
                raise InputError(f"run {r['id']} is a Monte Carlo sweep; compare single runs")
        ta, tb = self.timeseries(a, viewer=viewer), self.timeseries(b, viewer=viewer)
        days = sorted(set(ta["t"]) | set(tb["t"]))

        def on(days_: list[int], doc: dict[str, Any]) -> list[float | None]:
            m = dict(zip(doc["t"], doc["series"]["total"], strict=True))
            return [m.get(t) for t in days_]

        keys = ("total_loss", "peak_loss", "peak_day", "recovery_day", "indirect_share")
        deltas: dict[str, float | None] = {}
        for k in keys:
            va, vb = (ra["summary"] or {}).get(k), (rb["summary"] or {}).get(k)
            ok = all(isinstance(v, (int, float)) and math.isfinite(v) for v in (va, vb))
            deltas[k] = float(vb - va) if ok else None
        return {
            "a": ra,
            "b": rb,
            "t": days,
            "series": {"a": on(days, ta), "b": on(days, tb)},
            "deltas": deltas,
            "same_unit": ta["unit"] == tb["unit"],
        }
