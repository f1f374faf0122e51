"""Memory figures measured inside a benchmark worker process (Linux ``/proc``; portable
fallbacks). The peak is ``VmHWM``: after fork/exec, ``ru_maxrss`` keeps the parent's RSS at fork
time as a floor, so it overstates a worker's own peak."""

from __future__ import annotations

import resource
import sys


def _status_mib(field: str) -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def peak_rss_mib() -> float:
    """This process's peak resident set size in MiB (``VmHWM``; ``ru_maxrss`` elsewhere)."""
    peak = _status_mib("VmHWM")
    if peak is not None:
        return peak
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024.0 if sys.platform != "darwin" else r / 2**20


def rss_mib() -> float:
    """This process's current resident set size in MiB (NaN where ``/proc`` is missing)."""
    rss = _status_mib("VmRSS")
    return rss if rss is not None else float("nan")
