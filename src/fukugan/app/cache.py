"""Per-process caches for the read-only GET paths.

The analytic store changes only through imports, which rewrite its DuckDB catalog. A cheap
``stat`` of the catalog file (and its write-ahead log) is the store's *fingerprint*; every cached
value is keyed by it, so an import made by another process (``fukugan data import``) is seen on
the next request, and nothing stale is ever served.

* :class:`CachedStore` memoises the catalog listing and the frames it reads (WGI, USGS, lists,
  …), so services do not re-open DuckDB and re-read Parquet on every call. ``read`` returns a
  copy: services may add columns to what they read.
* :class:`ResultCache` memoises whole service results (presented, JSON-ready dicts), computed
  once per key even when many requests ask at the same moment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from fukugan.store.analytic import AnalyticStore, DatasetInfo

T = TypeVar("T")


def fingerprint(store: AnalyticStore) -> tuple[int, ...]:
    """(mtime, size) of the catalog and its WAL: changes whenever the store is written."""
    out: list[int] = []
    for p in (store.catalog_path, Path(str(store.catalog_path) + ".wal")):
        try:
            st = p.stat()
            out += [st.st_mtime_ns, st.st_size]
        except FileNotFoundError:
            out += [0, 0]
    return tuple(out)


class CachedStore(AnalyticStore):
    """An :class:`AnalyticStore` whose catalog listing and frames are memoised per fingerprint."""

    #: Frames above this many rows are not kept in memory (the IO tables are queried by SQL).
    MAX_ROWS = 2_000_000

    def __init__(self, home: str | Path | None = None) -> None:
        super().__init__(home)
        self._lock = threading.RLock()
        self._fp: tuple[int, ...] | None = None
        self._datasets: list[DatasetInfo] | None = None
        self._frames: dict[str, pd.DataFrame] = {}

    def _fresh(self) -> None:
        fp = fingerprint(self)
        if fp != self._fp:
            self._fp, self._datasets, self._frames = fp, None, {}

    def datasets(self) -> list[DatasetInfo]:
        with self._lock:
            self._fresh()
            if self._datasets is None:
                self._datasets = super().datasets()
            return list(self._datasets)

    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        if columns is not None:
            return super().read(name, columns)
        with self._lock:
            self._fresh()
            frame = self._frames.get(name)
        if frame is None:
            frame = super().read(name)
            if len(frame) <= self.MAX_ROWS:
                with self._lock:
                    self._frames[name] = frame
        return frame.copy()


class ResultCache:
    """A small LRU of computed results, keyed by (key, store fingerprint); thread-safe, and a
    value is computed once even when several threads ask for it at the same time."""

    def __init__(self, store: AnalyticStore, maxsize: int = 512) -> None:
        self.store = store
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        full = (key, fingerprint(self.store))
        with self._lock:
            if full in self._data:
                self._data.move_to_end(full)
                return self._data[full]
            klock = self._key_locks.setdefault(full, threading.Lock())
        with klock:
            with self._lock:
                if full in self._data:
                    return self._data[full]
            value = compute()
            with self._lock:
                self._data[full] = value
                while len(self._data) > self.maxsize:
                    old, _ = self._data.popitem(last=False)
                    self._key_locks.pop(old, None)
                self._key_locks.pop(full, None)
            return value

    def peek(self, key: Hashable) -> Any | None:
        """The cached value for ``key`` under the current fingerprint, or ``None``."""
        full = (key, fingerprint(self.store))
        with self._lock:
            return self._data.get(full)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
