"""Process settings for the parallel kernels, made by the services before a kernel first runs
(the core does not touch the environment)."""

from __future__ import annotations

import os


def passive_openmp() -> None:
    """Let OpenMP threads wait passively between parallel regions (``OMP_WAIT_POLICY=PASSIVE``).

    The firm-level model has two parallel regions per simulated day; on a machine whose cores are
    shared with other work, spinning threads (the GNU default) slow a run down several-fold.
    libgomp reads the variable when numba first loads it, so this must run before the first
    parallel kernel; an explicit setting by the user wins.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
