"""Exercise tables (SQLAlchemy 2 declarative on the workspace ``Base``; created by migration
0005): exercises, their event log, the simulation run of each turn and the players."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fukugan.store.workspace.models import Base, utcnow

__all__ = ["ExerciseEvent", "ExercisePlayer", "ExerciseRow", "ExerciseRun"]


class ExerciseRow(Base):
    """An exercise: its package (YAML as given and validated doc), the scenario it plays and
    the conduct state of :mod:`fukugan.exercises.conduct` (``version`` counts the changes)."""

    __tablename__ = "exercises"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    package_yaml: Mapped[str] = mapped_column(Text)
    package_doc: Mapped[dict[str, Any]] = mapped_column(JSON)
    scenario_doc: Mapped[dict[str, Any]] = mapped_column(JSON)
    scenario_path: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="ready")
    turn: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=0)
    owner_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExerciseEvent(Base):
    """One event of the conduct (started, turn, inject_released, decision, observation, ...)."""

    __tablename__ = "exercise_events"
    __table_args__ = (UniqueConstraint("exercise_id", "seq", name="uq_exercise_events_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    exercise_id: Mapped[str] = mapped_column(ForeignKey("exercises.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    turn: Mapped[int] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(80), nullable=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExerciseRun(Base):
    """The simulation run of one turn (``turn-3``), of the no-action ``baseline`` or of the
    ``final`` outcome: ``pending`` until its run directory and KPIs are written."""

    __tablename__ = "exercise_runs"

    exercise_id: Mapped[str] = mapped_column(ForeignKey("exercises.id"), primary_key=True)
    label: Mapped[str] = mapped_column(String(32), primary_key=True)
    turn: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decisions: Mapped[list[Any]] = mapped_column(JSON)
    run_dir: Mapped[str] = mapped_column(Text, default="")
    kpis: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    curve: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ExercisePlayer(Base):
    """A hub user playing a role of an exercise."""

    __tablename__ = "exercise_players"

    exercise_id: Mapped[str] = mapped_column(ForeignKey("exercises.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(80))
