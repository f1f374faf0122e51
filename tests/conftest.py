from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty FUKUGAN_HOME for one test."""
    h = tmp_path / "home"
    monkeypatch.setenv("FUKUGAN_HOME", str(h))
    return h


@pytest.fixture
def checksum():
    """``checksum(path)``: SHA-256 over a directory tree, to prove a store did not change."""
    return tree_checksum


def tree_checksum(root: Path) -> str:
    """SHA-256 over every file (path and bytes) under ``root``: proves a store is unchanged."""
    h = hashlib.sha256()
    if root.exists():
        for p in sorted(root.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(root)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the session (initdb + pg_ctl in a temp dir, free
    loopback port), stopped afterwards. Installs Debian's ``postgresql`` when the binaries are
    missing (scripts/install-postgres.sh); skips only when that is impossible."""
    import subprocess

    from fukugan.store.workspace.pgtemp import TempCluster, find_bindir

    if find_bindir() is None:
        script = Path(__file__).resolve().parents[1] / "scripts" / "install-postgres.sh"
        subprocess.run(["bash", str(script)], check=False, timeout=900)
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed and could not be "
            "installed (scripts/install-postgres.sh needs root and apt-get)"
        )
    cluster = TempCluster(bindir).start()
    yield cluster
    cluster.stop()
