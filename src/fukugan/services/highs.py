"""HiGHS in a process whose standard output is data: the solver's banner kept off fd 1.

A process-wide side effect, so it lives with the services, which call :func:`quiet_highs`
before handing a model to a core solver (:mod:`fukugan.exposure.lp`, :mod:`fukugan.planning`).
"""

from __future__ import annotations

_HIGHS_QUIET = False


def quiet_highs() -> None:
    """Swallow HiGHS's copyright banner, which HiGHS writes to the process's stdout (fd 1) when
    the first ``Highs`` object is constructed — before ``output_flag`` can be switched off — and
    which would corrupt ``fukugan simulate --format json | ...``. The banner is written once per
    process, so one ``Highs`` is constructed here with fd 1 pointing to ``/dev/null``."""
    global _HIGHS_QUIET
    if _HIGHS_QUIET:
        return
    import ctypes
    import os
    import sys

    import highspy

    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # pragma: no cover - no fd 1 (embedded interpreter)
        _HIGHS_QUIET = True
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        try:
            ctypes.CDLL(None).fflush(None)
        except (OSError, AttributeError):  # pragma: no cover - no C library handle
            pass
    finally:
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)
    _HIGHS_QUIET = True
