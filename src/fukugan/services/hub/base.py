"""The hub service's state: the workspace database and the login and consortium settings
every part of :class:`fukugan.services.hub.Hub` reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from fukugan.hub import sessions as logins
from fukugan.hub.policy import HubError
from fukugan.store.workspace.db import open_workspace


class HubBase:
    """The workspace connection and settings (the database is migrated at open)."""

    def __init__(
        self,
        home: str | Path | None = None,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_failures: int = logins.MAX_FAILURES,
        failure_window: timedelta = logins.FAILURE_WINDOW,
        session_lifetime: timedelta = logins.SESSION_LIFETIME,
        session_idle: timedelta = logins.SESSION_IDLE,
        consortium_k: int = 5,
    ) -> None:
        if engine is None:
            self.engine, self.sessions = open_workspace(home, url, immediate=True)
        else:
            self.engine, self.sessions = engine, sessionmaker(engine, expire_on_commit=False)
        self.clock = clock
        self.max_failures = max_failures
        self.failure_window = failure_window
        self.session_lifetime = session_lifetime
        self.session_idle = session_idle
        if consortium_k < 2:
            raise HubError("consortium_k must be at least 2")
        self.consortium_k = consortium_k

    def dispose(self) -> None:
        self.engine.dispose()
