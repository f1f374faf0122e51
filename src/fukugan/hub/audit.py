"""Append-only, hash-chained audit log of the hub.

Row ``n`` stores ``hash = SHA-256(prev_hash + canonical_json(row))`` where ``prev_hash`` is the
hash of row ``n-1`` (64 zeros for the first row) and the canonical JSON covers ``seq``, ``ts``,
``actor``, ``action``, ``item_id`` and ``detail`` (sorted keys, no spaces, UTF-8).
:func:`append` is the only writer; nothing updates or deletes rows. :func:`verify_chain`
recomputes the chain and names the first row that does not match (edited, deleted or
reordered rows all break it).

Limits: the chain proves the log was not altered *in the middle*; whoever can write the
database can still truncate the tail or rewrite the whole chain. Anchor the last hash
elsewhere (:func:`head`, e.g. in a signed daily report) to detect that.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from fukugan.hub.models import AuditRow

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x66756B75  # "fuku": the advisory-lock id of the audit chain (PostgreSQL)


def canonical(seq: int, ts: str, actor: str, action: str, item_id: int | None, detail: Any) -> str:
    return json.dumps(
        {
            "seq": seq,
            "ts": ts,
            "actor": actor,
            "action": action,
            "item_id": item_id,
            "detail": detail,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def row_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    item_id: int | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditRow:
    """Add one audit row to ``session`` (committed with the caller's transaction).

    Concurrent writers are serialised so two transactions never read the same last row:
    on PostgreSQL by a transaction-scoped advisory lock (released at commit or rollback), on
    SQLite by the write lock the hub's ``BEGIN IMMEDIATE`` transactions hold from their start
    (:func:`fukugan.store.workspace.db.make_engine`). ``seq`` is the primary key, so any writer
    that got past both would fail rather than fork the chain.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    last = session.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    if seq == 1:  # a random nonce makes the first row's hash this hub's identity
        detail = {**(detail or {}), "hub_nonce": uuid.uuid4().hex}
    ts = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    detail = json.loads(json.dumps(detail or {}, sort_keys=True))  # plain JSON types only
    row = AuditRow(
        seq=seq,
        ts=ts,
        actor=actor,
        action=action,
        item_id=item_id,
        detail=detail,
        prev_hash=prev,
        hash=row_hash(prev, canonical(seq, ts, actor, action, item_id, detail)),
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    first_bad_seq: int | None
    reason: str
    rows: int = 0


def verify_chain(session: Session) -> VerifyResult:
    """Recompute the chain from the first row; the first row that breaks it, and why."""
    prev = GENESIS
    expected_seq = 1
    n = 0
    for row in session.execute(select(AuditRow).order_by(AuditRow.seq)).scalars():
        n += 1
        if row.seq != expected_seq:
            return VerifyResult(
                False, row.seq, f"sequence gap: expected {expected_seq}, found {row.seq}", n
            )
        if row.prev_hash != prev:
            return VerifyResult(False, row.seq, "prev_hash does not match the previous row", n)
        want = row_hash(
            prev, canonical(row.seq, row.ts, row.actor, row.action, row.item_id, row.detail)
        )
        if row.hash != want:
            return VerifyResult(False, row.seq, "hash does not match the row's content", n)
        prev = row.hash
        expected_seq += 1
    return VerifyResult(True, None, f"{n} rows, chain intact", n)


def head(session: Session) -> tuple[int, str]:
    """(last seq, last hash), ``(0, GENESIS)`` for an empty log."""
    last = session.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def genesis_hash(session: Session) -> str:
    """The hash of the log's first row: unique to this hub (the first row carries a random
    ``hub_nonce``) and fixed for good by the chain, so it serves as the hub's identity (e.g.
    the STIX id namespace); ``GENESIS`` for an empty log."""
    first = session.execute(select(AuditRow.hash).where(AuditRow.seq == 1)).scalar_one_or_none()
    return first or GENESIS


def count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(AuditRow)).scalar_one()
