"""The analytical store: Parquet files with a DuckDB catalog over them.

Layout under ``home`` (``$FUKUGAN_HOME`` or the platform's user data dir)::

    analytic/catalog.duckdb        one row per dataset: file, provenance, rows, load time
    analytic/parquet/NAME-UUID.parquet

Writes are all-or-nothing, also under ``kill -9``: new data is written to fresh files under new
names, and only a single DuckDB transaction on the catalog makes them current. Files that no
catalog row points at (a crash between the two steps) are ignored by readers and removed on the
next write. The catalog itself is created under a temporary name and renamed into place, so a
crash while it is being created never leaves a half-made catalog.

Writers take an exclusive lock (``analytic/write.lock``, ``flock``; released by the kernel when a
process dies) for the whole write, so that one writer's garbage collection never removes another
writer's not-yet-committed files. A reader that meets the catalog locked by a writer's commit
waits for it (up to :data:`LOCK_WAIT` seconds) instead of failing.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import platformdirs
import pyarrow as pa
import pyarrow.parquet as pq

from fukugan.errors import FukuganError, NotLoadedError
from fukugan.provenance import Provenance

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: writers are not serialised
    fcntl = None  # type: ignore[assignment]

#: Seconds a reader or writer waits for another process's hold on the catalog.
LOCK_WAIT = 30.0

_CATALOG_DDL = """
CREATE TABLE IF NOT EXISTS datasets (
    name VARCHAR PRIMARY KEY,
    file VARCHAR NOT NULL,
    provenance VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
)
"""


def default_home() -> Path:
    """``$FUKUGAN_HOME`` if set, else the platform's user data directory for fukugan."""
    env = os.environ.get("FUKUGAN_HOME")
    return Path(env) if env else Path(platformdirs.user_data_dir("fukugan", appauthor=False))


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    file: Path
    provenance: Provenance
    rows: int
    loaded_at: datetime


#: the catalog's listing is cached once its files are this old (:meth:`AnalyticStore.datasets`)
CATALOG_SETTLED_NS = 2_000_000_000


class AnalyticStore:
    """DuckDB catalog over Parquet files.

    >>> import tempfile, pandas as pd
    >>> from fukugan.provenance import Provenance
    >>> s = AnalyticStore(tempfile.mkdtemp())
    >>> s.replace({"t": (pd.DataFrame({"a": [1, 2]}), Provenance("t", "me", "2024", "n", "CC0"))})
    >>> s.read("t")["a"].tolist()
    [1, 2]
    >>> int(s.query("SELECT sum(a) AS s FROM t")["s"].iloc[0])
    3
    """

    def __init__(self, home: str | Path | None = None) -> None:
        self.home = Path(home) if home is not None else default_home()
        self.root = self.home / "analytic"
        self.parquet_dir = self.root / "parquet"
        self.catalog_path = self.root / "catalog.duckdb"

    # -- catalog ---------------------------------------------------------------------------
    @contextmanager
    def _catalog(self, read_only: bool = False):
        if read_only and not self.catalog_path.exists():
            con = duckdb.connect(":memory:")
            con.execute(_CATALOG_DDL)
        else:
            if not read_only and not self.catalog_path.exists():
                self._create_catalog()
            con = self._connect_catalog(read_only)
            if not self._has_table(con):  # a catalog made by an older version, killed early
                if read_only:
                    con.close()
                    con = duckdb.connect(":memory:")
                con.execute(_CATALOG_DDL)
        try:
            yield con
        finally:
            con.close()

    @staticmethod
    def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
        return bool(
            con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'datasets'"
            ).fetchone()[0]
        )

    def _connect_catalog(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        """Open the catalog, waiting while another process holds it (a commit takes ms)."""
        deadline = time.monotonic() + LOCK_WAIT
        pause = 0.01
        while True:
            try:
                return duckdb.connect(str(self.catalog_path), read_only=read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise FukuganError(
                        f"cannot open the store catalog {self.catalog_path}: {exc}"
                    ) from None
                if time.monotonic() > deadline:
                    raise FukuganError(
                        f"the store at {self.home} is busy (another fukugan process holds "
                        f"{self.catalog_path.name}); try again"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    def _create_catalog(self) -> None:
        """Create an empty catalog under a temporary name, then rename it into place."""
        self.parquet_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"catalog.duckdb.{uuid.uuid4().hex}.tmp"
        con = duckdb.connect(str(tmp))
        try:
            con.execute(_CATALOG_DDL)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.catalog_path)

    @contextmanager
    def _write_lock(self):
        """Exclusive for writers (one at a time); released by the kernel if the process dies."""
        self.parquet_dir.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a+b") as fh:
            if fcntl is not None:
                deadline = time.monotonic() + LOCK_WAIT
                while True:
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise FukuganError(
                                f"the store at {self.home} is busy (another fukugan process is "
                                "writing to it); try again when it has finished"
                            ) from None
                        time.sleep(0.05)
            try:
                yield
            finally:
                self._datasets_cache = None
                if fcntl is not None:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _catalog_state(self) -> tuple:
        """What identifies the catalog's content: the files' inode, size and modification time
        (the database and its write-ahead log), ``()`` when there is none."""
        out = []
        for f in (self.catalog_path, self.catalog_path.with_name(self.catalog_path.name + ".wal")):
            try:
                st = f.stat()
            except OSError:
                continue
            out.append((f.name, st.st_ino, st.st_size, st.st_mtime_ns))
        return tuple(out)

    def datasets(self) -> list[DatasetInfo]:
        """Every dataset in the store, with its provenance. Read once per state of the catalog
        files (a scenario run asks ~20 times; opening the catalog takes ~13 ms), so a write by
        this or any other process is seen at the next call."""
        state = self._catalog_state()
        cached = getattr(self, "_datasets_cache", None)
        if state and cached is not None and cached[0] == state:
            return list(cached[1])
        with self._catalog(read_only=True) as con:
            rows = con.execute(
                "SELECT name, file, provenance, rows, loaded_at FROM datasets ORDER BY name"
            ).fetchall()
        out = [
            DatasetInfo(n, self.parquet_dir / f, Provenance.from_json(p), r, t)
            for n, f, p, r, t in rows
        ]
        # kept only when the files were last written well before now: a later write then has
        # a later mtime even at the kernel's coarse timestamp resolution (a few ms)
        settled = (
            max(m for *_, m in state) < time.time_ns() - CATALOG_SETTLED_NS if state else False
        )
        if settled and state == self._catalog_state():
            self._datasets_cache = (state, tuple(out))
        return out

    def info(self, name: str) -> DatasetInfo:
        for d in self.datasets():
            if d.name == name:
                return d
        raise NotLoadedError(
            f"dataset {name!r} is not loaded; run `fukugan data load` (or import it) first"
        )

    def has(self, name: str) -> bool:
        return any(d.name == name for d in self.datasets())

    # -- writes ----------------------------------------------------------------------------
    def replace(self, datasets: Mapping[str, tuple[pd.DataFrame | pa.Table, Provenance]]) -> None:
        """Make ``datasets`` current, all of them or none (one catalog transaction)."""
        with self._write_lock():
            self._replace(datasets)

    def _replace(self, datasets: Mapping[str, tuple[pd.DataFrame | pa.Table, Provenance]]) -> None:
        written: list[Path] = []
        committed = False
        try:
            entries = []
            for name, (frame, prov) in datasets.items():
                table = (
                    frame
                    if isinstance(frame, pa.Table)
                    else pa.Table.from_pandas(frame, preserve_index=False)
                )
                fname = f"{name}-{uuid.uuid4().hex}.parquet"
                tmp = self.parquet_dir / (fname + ".tmp")
                written.append(tmp)
                pq.write_table(table, tmp)
                with open(tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                os.replace(tmp, self.parquet_dir / fname)
                written.append(self.parquet_dir / fname)
                entries.append((name, fname, prov.to_json(), table.num_rows))
            now = datetime.now(UTC).replace(tzinfo=None)
            with self._catalog() as con:
                con.execute("BEGIN TRANSACTION")
                try:
                    for name, fname, prov, nrows in entries:
                        con.execute("DELETE FROM datasets WHERE name = ?", [name])
                        con.execute(
                            "INSERT INTO datasets VALUES (?, ?, ?, ?, ?)",
                            [name, fname, prov, nrows, now],
                        )
                    con.execute("COMMIT")
                except BaseException:
                    try:
                        con.execute("ROLLBACK")
                    except duckdb.Error:
                        pass  # the failed statement already ended the transaction
                    raise
                committed = True
                con.execute("CHECKPOINT")  # folds the WAL in; the commit is durable without it
        except BaseException:
            if not committed:  # once committed, the new files are the store's: keep them
                for p in written:
                    p.unlink(missing_ok=True)
            raise
        self._collect_garbage()

    def drop(self, name: str) -> None:
        with self._write_lock():
            with self._catalog() as con:
                con.execute("DELETE FROM datasets WHERE name = ?", [name])
                con.execute("CHECKPOINT")
            self._collect_garbage()

    def _collect_garbage(self) -> None:
        """Remove files no catalog row points at (call with the write lock held)."""
        live = {d.file.name for d in self.datasets()}
        for p in self.parquet_dir.glob("*.parquet*"):
            if p.name not in live:
                p.unlink(missing_ok=True)
        for p in self.root.glob("catalog.duckdb.*.tmp*"):  # a catalog creation that was killed
            p.unlink(missing_ok=True)

    # -- reads -----------------------------------------------------------------------------
    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """A dataset as a pandas DataFrame."""
        return pq.read_table(self.info(name).file, columns=columns).to_pandas()

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with one view per dataset (read-only over Parquet)."""
        con = duckdb.connect(":memory:")
        for d in self.datasets():
            path = str(d.file).replace("'", "''")
            con.execute(f"CREATE VIEW \"{d.name}\" AS SELECT * FROM read_parquet('{path}')")
        return con

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL over the datasets (each is a view named after it)."""
        con = self.connect()
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()
