"""The analytical store: all-or-nothing writes, provenance kept, orphan files ignored."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from fukugan.provenance import Provenance
from fukugan.store.analytic import AnalyticStore


def _prov(name: str) -> Provenance:
    return Provenance(name, "test source", "2024", "t", "CC0", synthetic=True)


def test_replace_and_read_back(tmp_path):
    s = AnalyticStore(tmp_path)
    s.replace({"a": (pd.DataFrame({"x": [1, 2, 3]}), _prov("a"))})
    assert s.read("a")["x"].tolist() == [1, 2, 3]
    info = s.info("a")
    assert info.rows == 3 and info.provenance.source == "test source"
    assert int(s.query("SELECT count(*) AS n FROM a")["n"].iloc[0]) == 3


def test_failed_write_changes_nothing(tmp_path, checksum):
    s = AnalyticStore(tmp_path)
    s.replace({"a": (pd.DataFrame({"x": [1]}), _prov("a"))})
    before = checksum(tmp_path)

    bad = pd.DataFrame({"x": [object()]})  # pyarrow cannot convert: fails mid-write
    with pytest.raises((TypeError, ValueError, pa.ArrowException)):
        s.replace({"b": (pd.DataFrame({"y": [1]}), _prov("b")), "c": (bad, _prov("c"))})
    assert checksum(tmp_path) == before
    assert [d.name for d in s.datasets()] == ["a"]


def test_orphan_files_are_ignored_and_collected(tmp_path):
    s = AnalyticStore(tmp_path)
    s.replace({"a": (pd.DataFrame({"x": [1]}), _prov("a"))})
    orphan = s.parquet_dir / "a-deadbeef.parquet"  # as if killed before the catalog commit
    orphan.write_bytes(b"garbage")
    assert s.read("a")["x"].tolist() == [1]
    s.replace({"b": (pd.DataFrame({"y": [2]}), _prov("b"))})
    assert not orphan.exists()


def test_missing_dataset_is_a_clear_error(tmp_path):
    from fukugan.errors import NotLoadedError

    with pytest.raises(NotLoadedError, match="fukugan data load"):
        AnalyticStore(tmp_path).read("nothing")


def test_dataset_listing_is_cached_per_catalog_state_and_sees_other_writers(tmp_path):
    """The listing is read once per state of the catalog files; a write by another store
    object (another process alike) is seen at the next call, cached or not."""
    import os

    a, b = AnalyticStore(tmp_path), AnalyticStore(tmp_path)
    prov = Provenance("t", "me", "2024", "n", "CC0")
    a.replace({"t": (pd.DataFrame({"x": [1]}), prov)})
    assert [d.name for d in b.datasets()] == ["t"]  # just written: not cached yet
    assert getattr(b, "_datasets_cache", None) is None
    old = os.stat(b.catalog_path).st_mtime - 60  # as if written a minute ago: now cached
    for f in b.root.glob("catalog.duckdb*"):
        os.utime(f, (old, old))
    first = b.datasets()
    assert b._datasets_cache is not None and b.datasets() == first
    a.replace({"u": (pd.DataFrame({"x": [2]}), Provenance("u", "me", "2024", "n", "CC0"))})
    assert [d.name for d in b.datasets()] == ["t", "u"]
    a.drop("t")
    assert [d.name for d in b.datasets()] == ["u"]
