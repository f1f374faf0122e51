"""Hub: login sessions (hub_sessions), failed logins for rate limiting (hub_login_failures), and
an owner on scenarios and runs (``owner_user_id``: NULL = shared, as before; set = private to
that hub user, e.g. a scenario built from a marked intelligence item).

Both live in the database, so every worker process of the server sees the same sessions and
the same lock-outs, and a restart forgets neither.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hub_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("hub_users.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_hub_sessions_user_id", "hub_sessions", ["user_id"])
    op.create_table(
        "hub_login_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_hub_login_failures_key", "hub_login_failures", ["key"])
    for table in ("scenarios", "runs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("owner_user_id", sa.Integer(), nullable=True))
            batch.create_index(f"ix_{table}_owner_user_id", ["owner_user_id"])


def downgrade() -> None:
    for table in ("runs", "scenarios"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_owner_user_id")
            batch.drop_column("owner_user_id")
    op.drop_index("ix_hub_login_failures_key", table_name="hub_login_failures")
    op.drop_table("hub_login_failures")
    op.drop_index("ix_hub_sessions_user_id", table_name="hub_sessions")
    op.drop_table("hub_sessions")
