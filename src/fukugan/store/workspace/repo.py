"""CRUD over the workspace tables. Every method opens its own short session, so the object is
shared safely by request handlers and job threads; rows are returned detached (read-only
snapshots)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from fukugan.store.workspace.db import open_workspace
from fukugan.store.workspace.models import Run, ScenarioDef, Upload, utcnow

ACTIVE = ("queued", "running")
CANCELLED = ("cancelling", "cancelled")


def visible_to(row: ScenarioDef | Run | None, viewer: int | None) -> bool:
    """Whether hub user ``viewer`` (``None``: anonymous) may see a scenario or run: shared rows
    (no owner) to everyone, a private row only to its owner."""
    return row is not None and (row.owner_user_id is None or row.owner_user_id == viewer)


def _visible(model: type[ScenarioDef] | type[Run], viewer: int | None):  # noqa: ANN202
    """The SQL condition of :func:`visible_to` (a bound parameter, never text)."""
    if viewer is None:
        return model.owner_user_id.is_(None)
    return or_(model.owner_user_id.is_(None), model.owner_user_id == viewer)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_run_id() -> str:
    """A fresh run id: UTC time (sortable) and 6 random hex digits, e.g. ``20261120T101500-3fa2b1``."""
    return f"{utcnow().strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"


class Workspace:
    """Scenario definitions, runs and uploads in the workspace database."""

    def __init__(
        self,
        home: str | Path | None = None,
        url: str | None = None,
        *,
        engine: Engine | None = None,
    ) -> None:
        if engine is None:
            self.engine, self.sessions = open_workspace(home, url)
        else:
            self.engine, self.sessions = engine, sessionmaker(engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    def dispose(self) -> None:
        self.engine.dispose()

    # -- scenarios ---------------------------------------------------------------------------
    def put_scenario(
        self,
        *,
        id: str,
        name: str,
        origin: str,
        yaml_text: str,
        doc: dict[str, Any],
        filename: str = "",
        owner_user_id: int | None = None,
    ) -> ScenarioDef:
        """Insert or update the scenario ``id`` (examples are refreshed on every start).
        ``owner_user_id``: the hub user the scenario is private to (``None``: shared); set at
        insert only, so an update never changes who may see a row."""
        with self.session() as s, s.begin():
            row = s.get(ScenarioDef, id)
            sha = sha256_text(yaml_text)
            if row is None:
                row = ScenarioDef(
                    id=id,
                    name=name,
                    origin=origin,
                    filename=filename,
                    yaml_text=yaml_text,
                    doc=doc,
                    sha256=sha,
                    created_at=utcnow(),
                    owner_user_id=owner_user_id,
                )
                s.add(row)
            elif row.sha256 != sha or row.doc != doc:
                row.name, row.yaml_text, row.doc, row.sha256 = name, yaml_text, doc, sha
                row.filename = filename or row.filename
            return row

    def get_scenario(self, id: str) -> ScenarioDef | None:
        with self.session() as s:
            return s.get(ScenarioDef, id)

    def list_scenarios(
        self, origin: str | None = None, *, viewer: int | None = None
    ) -> list[ScenarioDef]:
        """Scenarios ``viewer`` may see: the shared ones and ``viewer``'s own."""
        q = (
            select(ScenarioDef)
            .where(_visible(ScenarioDef, viewer))
            .order_by(ScenarioDef.origin, ScenarioDef.name, ScenarioDef.id)
        )
        if origin:
            q = q.where(ScenarioDef.origin == origin)
        with self.session() as s:
            return list(s.scalars(q))

    def delete_scenario(self, id: str) -> bool:
        with self.session() as s, s.begin():
            row = s.get(ScenarioDef, id)
            if row is None:
                return False
            s.delete(row)
            return True

    # -- runs --------------------------------------------------------------------------------
    def create_run(
        self,
        scenario_id: str,
        *,
        engine: str,
        seed: int,
        parameters: dict[str, Any] | None = None,
        run_dir: str = "",
        id: str | None = None,
        owner_user_id: int | None = None,
    ) -> Run:
        run = Run(
            id=id or new_run_id(),
            scenario_id=scenario_id,
            engine=engine,
            status="queued",
            progress=0.0,
            message="",
            seed=seed,
            parameters=parameters or {},
            run_dir=run_dir,
            created_at=utcnow(),
            owner_user_id=owner_user_id,
        )
        with self.session() as s, s.begin():
            s.add(run)
        return run

    def get_run(self, id: str) -> Run | None:
        with self.session() as s:
            return s.get(Run, id)

    def list_runs(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        status: str | None = None,
        scenario_id: str | None = None,
        viewer: int | None = None,
    ) -> tuple[list[Run], int]:
        """Runs ``viewer`` may see (shared ones and ``viewer``'s own) newest first, and how many
        match before pagination."""
        q = select(Run).where(_visible(Run, viewer))
        if status:
            q = q.where(Run.status == status)
        if scenario_id:
            q = q.where(Run.scenario_id == scenario_id)
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            q = q.order_by(Run.created_at.desc(), Run.id.desc()).offset(offset)
            if limit is not None:
                q = q.limit(limit)
            return list(s.scalars(q)), int(total)

    def update_run(self, id: str, **values: Any) -> None:
        with self.session() as s, s.begin():
            s.execute(update(Run).where(Run.id == id).values(**values))

    def _update_if(self, id: str, statuses: Iterable[str], **values: Any) -> bool:
        """Update the run only while its status is one of ``statuses`` (one statement, so a
        worker and a cancel request never both win); whether it was updated."""
        with self.session() as s, s.begin():
            res = s.execute(
                update(Run).where(Run.id == id, Run.status.in_(list(statuses))).values(**values)
            )
            return bool(res.rowcount)

    def start_run(self, id: str) -> bool:
        """``queued`` → ``running``; ``False`` when the run is no longer queued (cancelled)."""
        return self._update_if(id, ("queued",), status="running", started_at=utcnow(), progress=0.0)

    def report_progress(self, id: str, progress: float, message: str) -> bool:
        """Progress of a running run; ``False`` when it is no longer ``running`` (a cancel was
        requested): the worker stops there."""
        return self._update_if(id, ("running",), progress=progress, message=message)

    def finish_run(self, id: str, *, summary: dict[str, Any], run_dir: str) -> bool:
        """``running`` → ``done``; ``False`` when a cancel came first (the caller then removes
        the results it wrote)."""
        return self._update_if(
            id,
            ("running",),
            status="done",
            progress=1.0,
            message="",
            summary=summary,
            run_dir=run_dir,
            finished_at=utcnow(),
        )

    def fail_run(self, id: str, message: str) -> None:
        """The run failed; a run whose cancel was requested ends ``cancelled`` instead."""
        if not self._update_if(
            id, ("queued", "running"), status="failed", message=message, finished_at=utcnow()
        ):
            self.end_cancelled(id)

    def request_cancel(self, id: str, message: str = "") -> str | None:
        """Cancel a run: a queued one ends ``cancelled`` at once (its worker never starts it),
        a running one becomes ``cancelling`` (its worker stops at its next progress report and
        ends it ``cancelled``). The new status, or ``None`` when the run had already ended."""
        if self._update_if(
            id, ("queued",), status="cancelled", message=message, finished_at=utcnow()
        ):
            return "cancelled"
        if self._update_if(id, ("running",), status="cancelling", message=message):
            return "cancelling"
        run = self.get_run(id)
        return run.status if run is not None and run.status in CANCELLED else None

    def end_cancelled(self, id: str, message: str = "cancelled") -> bool:
        """A cancelled run's worker has stopped: ``cancelling`` (or still active) →
        ``cancelled``."""
        return self._update_if(
            id,
            (*ACTIVE, "cancelling"),
            status="cancelled",
            message=message,
            finished_at=utcnow(),
        )

    def fail_interrupted(self, message: str) -> list[str]:
        """Mark every run still ``running`` failed (the process running it is gone), and every
        run left ``cancelling`` cancelled (its worker is gone too, nothing was written)."""
        with self.session() as s, s.begin():
            ids = list(s.scalars(select(Run.id).where(Run.status == "running")))
            if ids:
                s.execute(
                    update(Run)
                    .where(Run.id.in_(ids))
                    .values(status="failed", message=message, finished_at=utcnow())
                )
            s.execute(
                update(Run)
                .where(Run.status == "cancelling")
                .values(status="cancelled", finished_at=utcnow())
            )
            return ids

    def queued_runs(self) -> list[Run]:
        with self.session() as s:
            q = select(Run).where(Run.status == "queued").order_by(Run.created_at)
            return list(s.scalars(q))

    def delete_run(self, id: str) -> bool:
        with self.session() as s, s.begin():
            row = s.get(Run, id)
            if row is None:
                return False
            s.delete(row)
            return True

    # -- uploads -----------------------------------------------------------------------------
    def add_upload(
        self,
        *,
        filename: str,
        kind: str,
        data: bytes,
        status: str = "received",
        error: str = "",
    ) -> Upload:
        up = Upload(
            filename=filename,
            kind=kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            status=status,
            error=error,
            created_at=utcnow(),
        )
        with self.session() as s, s.begin():
            s.add(up)
        return up

    def set_upload_status(self, id: int, status: str, error: str = "") -> None:
        with self.session() as s, s.begin():
            s.execute(update(Upload).where(Upload.id == id).values(status=status, error=error))

    def get_upload(self, id: int) -> Upload | None:
        with self.session() as s:
            return s.get(Upload, id)

    def list_uploads(self, kinds: Iterable[str] | None = None) -> list[Upload]:
        q = select(Upload).order_by(Upload.created_at.desc(), Upload.id.desc())
        if kinds is not None:
            q = q.where(Upload.kind.in_(list(kinds)))
        with self.session() as s:
            return list(s.scalars(q))


def as_utc(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns: read them as UTC."""
    from datetime import UTC

    if dt is None or dt.tzinfo is not None:
        return dt
    return dt.replace(tzinfo=UTC)
