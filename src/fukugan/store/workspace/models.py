"""Workspace tables: scenario definitions, runs and uploads (SQLAlchemy 2 declarative).

The schema is created and changed only by the Alembic migrations in ``migrations/versions``
(run by :func:`fukugan.store.workspace.db.migrate`); these classes mirror the latest revision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ORIGINS = ("example", "upload")
#: ``cancelling``: a cancel was requested while running; the worker stops at its next progress
#: report and the run ends ``cancelled`` (a plain string column: no migration needed)
RUN_STATUSES = ("queued", "running", "cancelling", "done", "failed", "cancelled")
UPLOAD_STATUSES = ("received", "imported", "failed")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


class ScenarioDef(Base):
    """A scenario the user can run: a bundled example (id = its name) or an uploaded YAML
    (id = ``u-`` + the first 10 hex digits of its SHA-256, so the same file is stored once)."""

    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    origin: Mapped[str] = mapped_column(String(16))  # example | upload
    filename: Mapped[str] = mapped_column(String(255), default="")
    yaml_text: Mapped[str] = mapped_column(Text)
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)  # validated, defaults applied
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # None = shared with every user of the platform; a hub user id = private to that user
    owner_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    runs: Mapped[list[Run]] = relationship(back_populates="scenario")


class Run(Base):
    """One run of a scenario: a job (queued → running → done | failed, or cancelled) and its
    results' directory (written by :func:`fukugan.results.write_run`, or by
    :func:`fukugan.services.montecarlo.write_sweep` for a Monte Carlo sweep)."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), index=True)
    engine: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    run_dir: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    owner_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    scenario: Mapped[ScenarioDef] = relationship(back_populates="runs")


class Upload(Base):
    """A file the user uploaded (a scenario YAML or a data file) and what became of it."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(40))  # scenario | usgs | baci | ...
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="received")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
