"""The workspace store: scenario definitions, runs and uploads (SQLAlchemy + Alembic).

SQLite under ``$FUKUGAN_HOME`` by default, PostgreSQL when ``FUKUGAN_DATABASE_URL`` is set
(:mod:`fukugan.store.workspace.db`). :class:`Workspace` is the one API over it.
"""

from fukugan.store.workspace.db import database_url, migrate, open_workspace
from fukugan.store.workspace.models import Run, ScenarioDef, Upload
from fukugan.store.workspace.repo import Workspace

__all__ = ["Run", "ScenarioDef", "Upload", "Workspace", "database_url", "migrate", "open_workspace"]
