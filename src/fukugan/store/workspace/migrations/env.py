"""Alembic environment: runs on the connection handed over by
:func:`fukugan.store.workspace.db.migrate` (``config.attributes["connection"]``).

Importing this module outside Alembic (e.g. ``pytest --doctest-modules``) does nothing.
"""

from __future__ import annotations

from alembic import context

from fukugan.store.workspace.models import Base


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - always called through db.migrate
        raise RuntimeError("run the workspace migrations with fukugan.store.workspace.db.migrate")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):  # inside `alembic upgrade`
    run_migrations()
