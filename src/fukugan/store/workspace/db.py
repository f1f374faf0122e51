"""Engine, sessions and migrations of the workspace database.

SQLite by default (``$FUKUGAN_HOME/workspace.sqlite``); PostgreSQL (or any SQLAlchemy URL) when
``FUKUGAN_DATABASE_URL`` is set, e.g. ``postgresql+psycopg://user@127.0.0.1:5432/fukugan``.
:func:`open_workspace` brings the schema to the latest Alembic revision (``upgrade head``)
before returning, so a new release migrates an existing workspace on its first start.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from fukugan.store.analytic import default_home

MIGRATIONS = Path(__file__).with_name("migrations")
ENV_URL = "FUKUGAN_DATABASE_URL"
_migrate_lock = threading.Lock()


def database_url(home: str | Path | None = None) -> str:
    """``$FUKUGAN_DATABASE_URL``, else the SQLite file under ``home`` (default
    ``$FUKUGAN_HOME``)."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    h = Path(home) if home is not None else default_home()
    h.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{h / 'workspace.sqlite'}"


def make_engine(url: str, *, immediate: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, a busy timeout and foreign keys (the jobs
    write from worker threads while requests read).

    ``immediate``: SQLite transactions start with ``BEGIN IMMEDIATE`` (take the write lock at
    the start, waiting up to the busy timeout) instead of pysqlite's deferred ``BEGIN``. Needed
    where a transaction reads and then writes what it read (the hub's audit chain reads the last
    hash, then appends): under WAL a deferred transaction whose snapshot went stale fails with
    ``SQLITE_BUSY`` at its first write instead of waiting (SQLAlchemy's pysqlite "serializable
    isolation / savepoints" recipe)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=True
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            if immediate:
                dbapi_conn.isolation_level = None  # pysqlite emits no BEGIN of its own

        if immediate:

            @event.listens_for(engine, "begin")
            def _begin(conn) -> None:  # noqa: ANN001 - Connection
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config():  # noqa: ANN201 - alembic.config.Config (imported lazily)
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """``alembic upgrade <revision>`` on ``engine`` (idempotent)."""
    from alembic import command

    cfg = alembic_config()
    with _migrate_lock, engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """``alembic downgrade <revision>`` (for tests of the migrations)."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def open_workspace(
    home: str | Path | None = None, url: str | None = None, *, immediate: bool = False
) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory of the workspace, migrated to the latest revision
    (``immediate``: see :func:`make_engine`)."""
    engine = make_engine(url or database_url(home), immediate=immediate)
    migrate(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)
