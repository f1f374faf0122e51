"""Engine runs spread over Dask: a local cluster of worker processes, or the cluster at a
scheduler's address, or this process — one helper for the Monte Carlo sweeps
(:mod:`fukugan.services.montecarlo`) and the response plans (:mod:`fukugan.services.planning`).

:func:`map_chunks` scatters the data every task needs once (``shared``: e.g. the prepared
engines, :class:`~fukugan.services.engines.Prepared`), cuts the items into chunks (about four
per worker, so that a slow chunk does not hold the others back), runs ``fn(shared, chunk)`` on
the workers and returns the results in the items' order, whatever the order the chunks finish
in: a run therefore does not depend on the number of workers. ``progress(done, total, label)``
is called as chunks complete; an exception it raises (a job cancelled) or a failing chunk
cancels the chunks not run yet and propagates.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fukugan.errors import InputError

__all__ = [
    "WORKER_ENV",
    "Placement",
    "Workers",
    "dask_where",
    "local_cluster",
    "map_chunks",
    "max_workers",
    "start_workers",
]

#: Environment of local Dask workers: one thread each for BLAS, OpenMP and numba, so that
#: ``workers`` processes use ``workers`` cores. Dask's nanny sets the first three before it
#: spawns a worker, not numba's, whose default is every core: the firm model's parallel loops
#: would run 2 threads in each of 2 workers on 2 cores. (The firm model's results also depend
#: on its thread count in the last bits, through its per-thread partial sums.)
WORKER_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Placement:
    """Where the runs went: ``workers`` (0 in this process), ``scheduler`` ("in-process",
    "LocalCluster" or the address), ``startup`` seconds to start a local cluster (0 otherwise)
    and ``seconds`` from the first task to the last result."""

    workers: int
    scheduler: str
    startup: float
    seconds: float


def local_cluster(workers: int) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` processes with one thread each (and one
    BLAS / OpenMP / numba thread each, :data:`WORKER_ENV`), no dashboard, 2 GiB per worker."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=max(1, workers),
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        # the scheduler's small HTTP server (health, metrics) would still take :8787 on every
        # interface: loopback and a free port instead (air-gapped hosts, parallel test runs)
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        memory_limit="2GiB",
        silence_logs=50,
        env=dict(WORKER_ENV),
    )


def max_workers() -> int:
    """The most Dask worker processes a job may ask for on a local cluster: this machine's
    cores."""
    return max(1, os.cpu_count() or 1)


def _chunks(items: Sequence, size: int) -> list[list]:
    return [list(items[k : k + size]) for k in range(0, len(items), size)]


def map_chunks(
    fn: Callable[[Any, list], list],
    shared: Any,
    items: Sequence,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    client: Any = None,
    progress: Progress | None = None,
    chunk_size: int | None = None,
    label: str = "runs",
) -> tuple[list, Placement]:
    """``fn(shared, chunk)`` over chunks of ``items`` (each call returns one result per item),
    concatenated in the items' order; see the module docstring. ``workers=0`` with no
    ``client`` and no ``scheduler`` runs in this process (chunks of ``chunk_size``, default 10)."""
    step = progress or (lambda done, total, what: None)
    n = len(items)
    if workers == 0 and client is None and scheduler is None:
        t0 = time.perf_counter()
        out: list = []
        for chunk in _chunks(items, max(1, chunk_size or 10)):
            out += fn(shared, chunk)
            step(len(out), n, label)
        return out, Placement(0, "in-process", 0.0, time.perf_counter() - t0)
    from distributed import as_completed

    started = None
    if client is None:
        started = start_workers(workers, scheduler)
        client = started.client
        where, startup = started.name, started.startup
    else:
        where = str(getattr(client, "scheduler", None) and client.scheduler.address)
        startup = 0.0
    try:
        n_workers = len(client.scheduler_info().get("workers", {}))
        t0 = time.perf_counter()
        size = chunk_size or max(1, math.ceil(n / (max(1, n_workers) * 4)))
        remote = client.scatter(shared, broadcast=True)
        step(0, n, label)  # workers ready: a caller may stop here
        chunks = _chunks(items, size)
        futures = [client.submit(fn, remote, c, pure=False) for c in chunks]
        order = {f.key: k for k, f in enumerate(futures)}
        parts: list[list | None] = [None] * len(chunks)
        done = 0
        try:
            for fut in as_completed(futures):
                part = fut.result()
                parts[order[fut.key]] = part
                done += len(part)
                step(done, n, label)
        except BaseException:
            # ``progress`` raised (the caller stops, e.g. a cancelled job) or a chunk failed:
            # drop the chunks not run yet (on a shared cluster too)
            client.cancel(futures)
            raise
        seconds = time.perf_counter() - t0
    finally:
        if started is not None:
            started.close()
    out = [r for part in parts for r in (part or [])]
    return out, Placement(n_workers, where, startup, seconds)


@dataclass
class Workers:
    """Where engine runs go — ``kwargs`` for :func:`map_chunks` (a ``client``, or ``workers=0``:
    this process) — and what was started for them: ``own`` (the client, and the local cluster)
    to close when done, the seconds it took to start, and its ``name`` ("LocalCluster" or the
    scheduler's address) for the run's record."""

    kwargs: dict[str, Any]
    own: tuple = ()
    startup: float = 0.0
    name: str = "in-process"

    @property
    def client(self) -> Any:
        return self.kwargs.get("client")

    def placed(self, p: Placement) -> Placement:
        """``p`` (from :func:`map_chunks` with this client) named as the cluster started here
        is named, with its start-up time."""
        return replace(p, scheduler=self.name, startup=self.startup) if self.own else p

    def close(self) -> None:
        for o in self.own:
            o.close()
        self.own = ()


def start_workers(workers: int, scheduler: str | None) -> Workers:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers``
    processes (:func:`local_cluster`)."""
    from distributed import Client

    t0 = time.perf_counter()
    if scheduler:
        try:
            c = Client(scheduler, timeout="10s")
        except OSError as e:
            raise InputError(f"cannot reach the Dask scheduler {scheduler}: {e}") from None
        return Workers({"client": c}, (c,), time.perf_counter() - t0, scheduler)
    cluster = local_cluster(int(workers))
    c = Client(cluster)
    return Workers({"client": c}, (c, cluster), time.perf_counter() - t0, "LocalCluster")


def dask_where(
    runs: int, workers: int | None, scheduler: str | None, client: Any, *, from_runs: int
) -> Workers:
    """Where ``runs`` engine runs go: the given client; the cluster at ``scheduler``; a local
    cluster of ``workers`` processes (0: this process) — by default of every core once
    ``runs`` ≥ ``from_runs``. One client can then serve several :func:`map_chunks` calls (a
    plan's measuring runs and its re-run); the caller closes what was started."""
    if client is not None:
        return Workers({"client": client})
    if workers is None:
        workers = 0 if runs < from_runs and not scheduler else max_workers()
    if workers == 0 and not scheduler:
        return Workers({"workers": 0})
    return start_workers(int(workers), scheduler)
