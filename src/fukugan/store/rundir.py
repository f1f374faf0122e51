"""Run directories on disk: written all-or-nothing, read back as the result format of
:mod:`fukugan.results` (one engine run) or a Monte Carlo sweep's files.

A writer fills ``RUN_DIR.tmp`` and only a complete directory is renamed into place
(:func:`atomic_run_dir`), so a reader never sees half a run and a crash leaves at most a
``.tmp`` directory that the next write of the same run replaces.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fukugan.results import PATHS_COLUMNS, TIMESERIES_COLUMNS, RunResult, headline, jsonable


def tmp_dir_of(run_dir: Path) -> Path:
    """The staging directory :func:`atomic_run_dir` writes before the rename."""
    return run_dir.with_name(run_dir.name + ".tmp")


def fresh_dir(parent: Path, name: str) -> Path:
    """``parent/<name>-<UTC timestamp>``, with ``-2``, ``-3``… appended until neither it nor
    its temporary twin (:func:`tmp_dir_of`) exists: a path no run or plan has taken."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    base = Path(parent) / f"{name}-{stamp}"
    p, k = base, 1
    while p.exists() or tmp_dir_of(p).exists():
        k += 1
        p = base.with_name(f"{base.name}-{k}")
    return p


@contextmanager
def atomic_run_dir(run_dir: str | Path) -> Iterator[Path]:
    """Yield an empty staging directory; on success it replaces ``run_dir`` (rename), on an
    exception it is removed and ``run_dir`` is left as it was."""
    run_dir = Path(run_dir)
    tmp = tmp_dir_of(run_dir)
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if run_dir.exists():
        shutil.rmtree(run_dir)
    tmp.rename(run_dir)


def write_summary(directory: Path, summary: dict[str, Any]) -> None:
    """``summary.json`` (UTF-8, non-ASCII kept readable, JSON-safe values)."""
    (directory / "summary.json").write_text(
        json.dumps(jsonable(summary), ensure_ascii=False, indent=2), encoding="utf-8"
    )


def versions(**extra: str) -> dict[str, str]:
    """Versions recorded with every run (fukugan, numpy, and what the writer adds)."""
    import fukugan

    return {"fukugan": fukugan.__version__, "numpy": np.__version__, **extra}


def now_utc() -> str:
    """Creation time stamp of a run, ISO 8601 in UTC to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_run(result: RunResult, run_dir: str | Path) -> Path:
    """Write a run (Parquet + JSON summary) atomically: to ``run_dir``.tmp, then renamed."""
    run_dir = Path(run_dir)
    with atomic_run_dir(run_dir) as tmp:
        result.timeseries.loc[:, list(TIMESERIES_COLUMNS)].to_parquet(tmp / "timeseries.parquet")
        result.paths.loc[:, list(PATHS_COLUMNS)].to_parquet(tmp / "paths.parquet")
        write_summary(
            tmp,
            {
                **headline(result.timeseries),
                **result.summary,
                "engine": result.engine,
                "scenario": result.scenario,
                "parameters": result.parameters,
                "seed": result.seed,
                "unit": result.unit,
                "sources": [asdict(p) for p in result.sources],
                "versions": versions(pandas=pd.__version__),
                "created_at": now_utc(),
            },
        )
    return run_dir


def read_run(run_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """``(timeseries, paths, summary)`` of a run written by :func:`write_run`."""
    run_dir = Path(run_dir)
    return (
        pd.read_parquet(run_dir / "timeseries.parquet"),
        pd.read_parquet(run_dir / "paths.parquet"),
        json.loads((run_dir / "summary.json").read_text(encoding="utf-8")),
    )
