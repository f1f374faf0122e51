"""Hub: members' private supply networks (hub_member_links) and exposure alerts (hub_alerts).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hub_member_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("hub_organisations.id"), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("supplier", sa.String(200), nullable=False),
        sa.Column("supplier_country", sa.String(3), nullable=False),
        sa.Column("product_hs", sa.String(6), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
    )
    op.create_index("ix_hub_member_links_org_id", "hub_member_links", ["org_id"])
    op.create_table(
        "hub_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("hub_users.id"), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("hub_items.id"), nullable=False),
        sa.Column("path_en", sa.Text(), nullable=False),
        sa.Column("path_ja", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("user_id", "item_id", name="uq_hub_alerts_user_item"),
    )
    op.create_index("ix_hub_alerts_user_id", "hub_alerts", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_hub_alerts_user_id", table_name="hub_alerts")
    op.drop_table("hub_alerts")
    op.drop_index("ix_hub_member_links_org_id", table_name="hub_member_links")
    op.drop_table("hub_member_links")
