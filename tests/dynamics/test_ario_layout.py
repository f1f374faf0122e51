"""fukugan.dynamics.ario is a package of small modules (params, system, events, kernels, loop,
rows) whose public names stay importable from ``fukugan.dynamics.ario``."""

from __future__ import annotations

import inspect
from pathlib import Path

import fukugan.dynamics.ario as ario

PUBLIC = (
    "ARIOEvent",
    "ARIOParams",
    "ARIOState",
    "ARIOSystem",
    "ARIOTrajectory",
    "RECOVERY_FUNCTIONS",
    "NUMBA_MIN_INDUSTRIES",
    "prepare_system",
    "run_system",
    "simulate_ario",
    "to_run_rows",
)


def test_public_api_is_importable_from_the_package():
    for name in PUBLIC:
        assert hasattr(ario, name), name
        assert name in ario.__all__, name
    assert ario.simulate_ario.__module__ == "fukugan.dynamics.ario.loop"


def test_modules_and_the_step_stay_small():
    here = Path(ario.__file__).parent
    for p in here.glob("*.py"):
        assert len(p.read_text(encoding="utf-8").splitlines()) < 600, p.name
    from fukugan.dynamics.ario.loop import _Loop

    for fn in (ario.run_system, _Loop.step, _Loop.events, _Loop.orders):
        assert len(inspect.getsource(fn).splitlines()) < 80, fn.__qualname__
