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

from fukugan.services.runs.catalogue import CatalogueMixin
from fukugan.services.runs.common import (
    EXAMPLES,
    MAX_SAMPLES,
    RunFinished,
    allowed_engines,
    max_workers,
    sweep_of,
)
from fukugan.services.runs.jobs import JobsMixin
from fukugan.services.runs.results import ResultsMixin

__all__ = [
    "EXAMPLES",
    "MAX_SAMPLES",
    "RunFinished",
    "RunService",
    "allowed_engines",
    "max_workers",
    "sweep_of",
]


class RunService(CatalogueMixin, JobsMixin, ResultsMixin):
    """Scenario definitions and runs over one analytic store and one workspace (the parts:
    :mod:`~fukugan.services.runs.catalogue`, :mod:`~fukugan.services.runs.jobs`,
    :mod:`~fukugan.services.runs.results`)."""
