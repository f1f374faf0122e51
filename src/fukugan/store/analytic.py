"""The analytical store: Parquet files with a DuckDB catalog over them.

Layout under ``home`` (``$FUKUGAN_HOME`` or the platform's user data dir)::

    analytic/catalog.duckdb        one row per dataset: file, provenance, rows, load time
    analytic/parquet/NAME-UUID.parquet

Writes are all-or-nothing, also under ``kill -9``: new data is written to fresh files under new
names, and only a single DuckDB transaction on the catalog makes them current. Files that no
catalog row points at (a crash between the two steps) are ignored by readers and removed on the
next write.
"""

from __future__ import annotations

import os
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

from fukugan.data.provenance import Provenance
from fukugan.errors import NotLoadedError

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


class AnalyticStore:
    """DuckDB catalog over Parquet files.

    >>> import tempfile, pandas as pd
    >>> from fukugan.data.provenance import Provenance
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
            self.parquet_dir.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(self.catalog_path), read_only=read_only)
            if not read_only:
                con.execute(_CATALOG_DDL)
        try:
            yield con
        finally:
            con.close()

    def datasets(self) -> list[DatasetInfo]:
        """Every dataset in the store, with its provenance."""
        with self._catalog(read_only=True) as con:
            rows = con.execute(
                "SELECT name, file, provenance, rows, loaded_at FROM datasets ORDER BY name"
            ).fetchall()
        return [
            DatasetInfo(n, self.parquet_dir / f, Provenance.from_json(p), r, t)
            for n, f, p, r, t in rows
        ]

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
        self.parquet_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
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
                    con.execute("ROLLBACK")
                    raise
                con.execute("CHECKPOINT")
        except BaseException:
            for p in written:
                p.unlink(missing_ok=True)
            raise
        self._collect_garbage()

    def drop(self, name: str) -> None:
        with self._catalog() as con:
            con.execute("DELETE FROM datasets WHERE name = ?", [name])
            con.execute("CHECKPOINT")
        self._collect_garbage()

    def _collect_garbage(self) -> None:
        live = {d.file.name for d in self.datasets()}
        for p in self.parquet_dir.glob("*.parquet*"):
            if p.name not in live:
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
            con.execute(f'CREATE VIEW "{d.name}" AS SELECT * FROM read_parquet(\'{path}\')')
        return con

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL over the datasets (each is a view named after it)."""
        con = self.connect()
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()
