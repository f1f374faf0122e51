"""Intelligence-sharing hub: organisations, users, sharing groups, items with links and
markings (TLP 2.0, groups, clearance, RED recipients), hash-chained audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hub_organisations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "hub_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(120), nullable=False, unique=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("hub_organisations.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("clearance", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_hub_users_org_id", "hub_users", ["org_id"])
    op.create_table(
        "hub_groups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "hub_group_members",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("hub_groups.id"), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("hub_organisations.id"), primary_key=True),
    )
    op.create_table(
        "hub_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("valid_from", TZ, nullable=True),
        sa.Column("valid_to", TZ, nullable=True),
        sa.Column(
            "author_org_id", sa.Integer(), sa.ForeignKey("hub_organisations.id"), nullable=False
        ),
        sa.Column("author_user_id", sa.Integer(), sa.ForeignKey("hub_users.id"), nullable=True),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("required_clearance", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_hub_items_type", "hub_items", ["type"])
    op.create_index("ix_hub_items_author_org_id", "hub_items", ["author_org_id"])
    op.create_table(
        "hub_item_links",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("hub_items.id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(200), primary_key=True),
    )
    op.create_index("ix_hub_item_links_value", "hub_item_links", ["value"])
    op.create_table(
        "hub_item_groups",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("hub_items.id"), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("hub_groups.id"), primary_key=True),
    )
    op.create_table(
        "hub_item_recipients",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("hub_items.id"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("hub_users.id"), primary_key=True),
    )
    op.create_table(
        "hub_audit",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("ts", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_hub_audit_item_id", "hub_audit", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_hub_audit_item_id", "hub_audit")
    op.drop_table("hub_audit")
    op.drop_table("hub_item_recipients")
    op.drop_table("hub_item_groups")
    op.drop_index("ix_hub_item_links_value", "hub_item_links")
    op.drop_table("hub_item_links")
    op.drop_index("ix_hub_items_author_org_id", "hub_items")
    op.drop_index("ix_hub_items_type", "hub_items")
    op.drop_table("hub_items")
    op.drop_table("hub_group_members")
    op.drop_table("hub_groups")
    op.drop_index("ix_hub_users_org_id", "hub_users")
    op.drop_table("hub_users")
    op.drop_table("hub_organisations")
