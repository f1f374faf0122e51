"""Hub tables (SQLAlchemy 2 declarative, on the workspace ``Base``; created by migration 0002).

Organisations, users (role, clearance 0–3 for designated economic-security information
重要経済安保情報, argon2 hash), sharing groups and their member organisations, intelligence
items with their links (countries, commodities, HS codes, industries, firms) and markings
(TLP 2.0, sharing groups, required clearance, RED recipients), and the append-only,
hash-chained audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fukugan.store.workspace.models import Base, utcnow

ORG_KINDS = ("ministry", "agency", "company", "sme", "association")
USERNAME_MAX = 120  # characters; the column width of users.username and audit.actor
ID_MAX = 2**31 - 1  # ids are 32-bit integers in SQLite and PostgreSQL
ROLES = ("admin", "analyst", "contributor", "reader")
WRITER_ROLES = ("admin", "analyst", "contributor")
CLEARANCES = (0, 1, 2, 3)
ITEM_TYPES = (
    "export_control",
    "sanction",
    "supplier_incident",
    "facility_outage",
    "geopolitical_assessment",
    "market_signal",
)
TLP_LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")  # least to most restrictive
LINK_KINDS = ("country", "commodity", "hs", "industry", "firm")


class Organisation(Base):
    __tablename__ = "hub_organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # ORG_KINDS
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="org")


class User(Base):
    __tablename__ = "hub_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("hub_organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # ROLES
    clearance: Mapped[int] = mapped_column(Integer, default=0)  # 0..3
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, never the password
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    org: Mapped[Organisation] = relationship(back_populates="users")


class SharingGroup(Base):
    __tablename__ = "hub_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    members: Mapped[list[GroupMember]] = relationship(cascade="all, delete-orphan")


class GroupMember(Base):
    __tablename__ = "hub_group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("hub_groups.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("hub_organisations.id"), primary_key=True)


class Item(Base):
    __tablename__ = "hub_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(32), index=True)  # ITEM_TYPES
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.5)  # 0..1
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    author_org_id: Mapped[int] = mapped_column(ForeignKey("hub_organisations.id"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("hub_users.id"), nullable=True)
    tlp: Mapped[str] = mapped_column(String(16))  # TLP_LEVELS
    required_clearance: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    links: Mapped[list[ItemLink]] = relationship(cascade="all, delete-orphan")
    groups: Mapped[list[ItemGroup]] = relationship(cascade="all, delete-orphan")
    recipients: Mapped[list[ItemRecipient]] = relationship(cascade="all, delete-orphan")


class ItemLink(Base):
    """A link of an item to the data model: ``kind`` in LINK_KINDS, ``value`` an ISO3 code,
    commodity id, HS code, industry code or firm name."""

    __tablename__ = "hub_item_links"

    item_id: Mapped[int] = mapped_column(ForeignKey("hub_items.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class ItemGroup(Base):
    __tablename__ = "hub_item_groups"

    item_id: Mapped[int] = mapped_column(ForeignKey("hub_items.id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("hub_groups.id"), primary_key=True)


class ItemRecipient(Base):
    __tablename__ = "hub_item_recipients"

    item_id: Mapped[int] = mapped_column(ForeignKey("hub_items.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_users.id"), primary_key=True)


class AuditRow(Base):
    """One audit record. Append-only: the service inserts, never updates or deletes.
    ``hash`` = SHA-256(prev_hash + canonical JSON of seq, ts, actor, action, item_id, detail);
    ``ts`` is stored as ISO-8601 UTC text so the hashed bytes survive any database round trip."""

    __tablename__ = "hub_audit"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(USERNAME_MAX))
    action: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
