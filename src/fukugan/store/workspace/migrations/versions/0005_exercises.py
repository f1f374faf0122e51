"""Tabletop exercises: one row per exercise (its package, the scenario it plays and the
conduct state), its event log (the after-action timeline), one row per simulation run of a
turn (pending until its run is written, so a restart mid-turn finishes it) and the hub users
playing its roles.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "exercises",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("package_yaml", sa.Text(), nullable=False),
        sa.Column("package_doc", sa.JSON(), nullable=False),
        sa.Column("scenario_doc", sa.JSON(), nullable=False),
        sa.Column("scenario_path", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_exercises_created_at", "exercises", ["created_at"])
    op.create_table(
        "exercise_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("exercise_id", sa.String(32), sa.ForeignKey("exercises.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(80), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.UniqueConstraint("exercise_id", "seq", name="uq_exercise_events_seq"),
    )
    op.create_index("ix_exercise_events_exercise_id", "exercise_events", ["exercise_id"])
    op.create_table(
        "exercise_runs",
        sa.Column("exercise_id", sa.String(32), sa.ForeignKey("exercises.id"), primary_key=True),
        sa.Column("label", sa.String(32), primary_key=True),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("run_dir", sa.Text(), nullable=False),
        sa.Column("kpis", sa.JSON(), nullable=True),
        sa.Column("curve", sa.JSON(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
    )
    op.create_table(
        "exercise_players",
        sa.Column("exercise_id", sa.String(32), sa.ForeignKey("exercises.id"), primary_key=True),
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("role", sa.String(80), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exercise_players")
    op.drop_table("exercise_runs")
    op.drop_index("ix_exercise_events_exercise_id", table_name="exercise_events")
    op.drop_table("exercise_events")
    op.drop_index("ix_exercises_created_at", table_name="exercises")
    op.drop_table("exercises")
