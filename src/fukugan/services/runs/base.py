"""The run service's state (store, workspace, worker pool) and its lifecycle: example
scenarios synchronised at start, interrupted runs recovered, the pool shut down."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from fukugan.results import jsonable
from fukugan.scenarios.schema import parse_scenario
from fukugan.services.runs.common import EXAMPLES, INTERRUPTED, log
from fukugan.store.analytic import AnalyticStore
from fukugan.store.workspace import Workspace


class RunServiceBase:
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
