from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import settings

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# ``--hypothesis-profile=fast`` (``make test-fast``): fewer examples per property for the inner
# loop; ``make test`` keeps hypothesis' defaults (or each test's own settings).
settings.register_profile("fast", max_examples=15, deadline=None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what a fast inner loop leaves out, from what a test uses: ``postgres`` for the
    PostgreSQL side of a backend-parametrised test (a ``"postgresql"`` parameter) or the
    ``pg_cluster`` fixture; ``e2e`` for browser tests (the ``e2e`` fixture), ``*_e2e.py`` files
    and the schemathesis runs. ``slow`` is set by hand on tests that take over about a second."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "pg_cluster" in names or "postgresql" in params.values():
            item.add_marker(pytest.mark.postgres)
        name = item.path.name
        if "e2e" in names or name.endswith("_e2e.py") or "schemathesis" in name:
            item.add_marker(pytest.mark.e2e)


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
def _bundled_template(tmp_path_factory) -> Path:
    """One store with the bundled data, loaded once per session (``fukugan data load``)."""
    from fukugan.services.datasets import load_bundled
    from fukugan.store.analytic import AnalyticStore

    home = tmp_path_factory.mktemp("bundled-template")
    load_bundled(AnalyticStore(home))
    return home


@pytest.fixture(scope="session")
def loaded_copy(_bundled_template):
    """``loaded_copy(home)``: ``home`` then holds the bundled data exactly as ``fukugan data
    load`` leaves it, as a copy of the session's one load (the 1.26 M-row trade extract is
    loaded once, not per module; the store's catalog names its files relative to the store)."""
    import shutil

    def copy(home: Path) -> Path:
        shutil.copytree(_bundled_template / "analytic", Path(home) / "analytic")
        return Path(home)

    return copy


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


class E2E:
    """What the browser end-to-end tests share: Debian's chromium (installed once when missing,
    else the test is skipped with the reason), ``fukugan serve`` on a free loopback port over
    a temp store, and the screenshot directory."""

    root = Path(__file__).resolve().parents[1]
    chromium = Path("/usr/bin/chromium")
    chromium_args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ]

    @classmethod
    def artifacts(cls) -> Path:
        """Where screenshots go: ``build/test-artifacts/e2e`` or ``$FUKUGAN_TEST_ARTIFACTS/e2e``."""
        import os

        base = os.environ.get("FUKUGAN_TEST_ARTIFACTS", cls.root / "build" / "test-artifacts")
        path = Path(base) / "e2e"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def ensure_chromium(self) -> None:
        import subprocess

        if not self.chromium.exists():
            script = self.root / "scripts" / "install-browser-deps.sh"
            subprocess.run(["bash", str(script)], check=False, timeout=900)
        if not self.chromium.exists():
            pytest.skip(
                "Debian's chromium is not installed at /usr/bin/chromium and could not be "
                "installed (scripts/install-browser-deps.sh needs root and apt-get)"
            )

    def launch(self, playwright):
        """Headless chromium with the flags this machine needs (docs/PITFALLS.md)."""
        return playwright.chromium.launch(
            executable_path=str(self.chromium), args=self.chromium_args, headless=True
        )

    def serve(self, home: Path, *, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()):
        """Start ``fukugan serve`` over ``home`` on a free port; returns ``(process, base_url)``
        once ``/api/v1/health`` says the data is loaded (fails the test after 60 s). Server
        output goes to ``home/serve.log`` (a pipe nobody reads could fill and block it)."""
        import os
        import socket
        import subprocess
        import sys
        import time

        import httpx

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        full_env = {**os.environ, "FUKUGAN_HOME": str(home), **(env or {})}
        for name in drop:
            full_env.pop(name, None)
        home.mkdir(parents=True, exist_ok=True)
        log = home / "serve.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "fukugan"),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/v1/health", timeout=1).json()["data_loaded"]:
                    return proc, base
            except (httpx.HTTPError, ValueError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"fukugan serve did not start: {log.read_text(errors='replace')}")
            time.sleep(0.2)

    @staticmethod
    def stop(proc) -> None:
        import subprocess

        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def e2e() -> E2E:
    """Shared helpers of the browser end-to-end tests (see :class:`E2E`)."""
    return E2E()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub(request, tmp_path_factory):
    """A :class:`fukugan.services.hub.Hub` on a fresh SQLite file and on a fresh database of the
    throwaway PostgreSQL cluster, with the test module's fixed clock (its ``NOW``)."""
    from fukugan.services.hub import Hub

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hub') / 'workspace.sqlite'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    now = request.module.NOW
    h = Hub(url=url, clock=lambda: now)
    h.backend = request.param
    h.reset = lambda: reset_hub(h)  # empty every hub table, for property tests' examples
    yield h
    h.dispose()


#: Every hub table, children before parents (foreign keys)
HUB_TABLES = (
    "hub_alerts",
    "hub_member_links",
    "hub_sessions",
    "hub_login_failures",
    "hub_item_links",
    "hub_item_recipients",
    "hub_item_groups",
    "hub_items",
    "hub_group_members",
    "hub_groups",
    "hub_users",
    "hub_organisations",
    "hub_audit",
)


def reset_hub(hub) -> None:  # noqa: ANN001 - fukugan.services.hub.Hub
    from sqlalchemy import text

    with hub.engine.begin() as c:
        for table in HUB_TABLES:
            c.execute(text(f"DELETE FROM {table}"))
