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


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, a busy timeout and foreign keys (the jobs
    write from worker threads while requests read)."""
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
    home: str | Path | None = None, url: str | None = None
) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory of the workspace, migrated to the latest revision."""
    engine = make_engine(url or database_url(home))
    migrate(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)
