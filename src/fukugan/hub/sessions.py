"""Login sessions with CSRF tokens, and login rate limiting, kept in the workspace database.

Sessions follow the OWASP Session Management and CSRF Prevention cheat sheets:

- the session id is 32 random bytes (:func:`secrets.token_urlsafe`), sent to the browser in an
  ``HttpOnly``, ``SameSite=Strict`` cookie; the database stores only its SHA-256, so a copy of
  the database does not let anyone log in;
- each session has its own CSRF token (synchronizer token pattern): every state-changing request
  must send it back (form field or ``X-CSRF-Token`` header); it is compared in constant time;
- a session ends at ``expires_at`` (absolute lifetime), after ``idle`` without a request, at
  logout, or when its user is deactivated.

Rate limiting: every failed login is a row of ``hub_login_failures`` under the user name as
typed and under the client address. ``max_failures`` failures of one key within ``window`` lock
that key until the oldest leaves the window. In the database, so all server processes share
the count and a restart does not reset it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from fukugan.store.workspace.models import Base

SESSION_LIFETIME = timedelta(hours=8)
SESSION_IDLE = timedelta(hours=1)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


class SessionRow(Base):
    __tablename__ = "hub_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailure(Base):
    __tablename__ = "hub_login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class LoginSession:
    """What a successful login hands to the client: the secret session ``token`` (cookie) and
    the session's ``csrf_token`` (to echo on every write)."""

    token: str
    csrf_token: str
    user_id: int
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def create(
    s: Session, user_id: int, now: datetime, lifetime: timedelta = SESSION_LIFETIME
) -> LoginSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    s.add(
        SessionRow(
            token_hash=token_hash(token),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            last_seen=now,
            expires_at=now + lifetime,
            revoked=False,
        )
    )
    s.flush()
    return LoginSession(token, csrf, user_id, now + lifetime)


def live(
    s: Session, token: str, now: datetime, idle: timedelta = SESSION_IDLE
) -> SessionRow | None:
    """The live session of ``token`` (touching its ``last_seen``), else ``None``."""
    if not token or len(token) > 200:
        return None
    row = s.get(SessionRow, token_hash(token))
    if row is None or row.revoked:
        return None
    if _aware(row.expires_at) <= now or _aware(row.last_seen) + idle <= now:
        row.revoked = True
        return None
    row.last_seen = now
    return row


def csrf_ok(row: SessionRow | None, csrf: str | None) -> bool:
    """Constant-time check of the CSRF token sent with a write against the session's."""
    if row is None or not csrf:
        return False
    return hmac.compare_digest(row.csrf_token.encode(), csrf.encode())


def revoke(s: Session, token: str) -> bool:
    row = s.get(SessionRow, token_hash(token)) if token else None
    if row is None or row.revoked:
        return False
    row.revoked = True
    return True


def revoke_user(s: Session, user_id: int) -> int:
    rows = s.execute(
        select(SessionRow).where(SessionRow.user_id == user_id, SessionRow.revoked.is_(False))
    ).scalars()
    n = 0
    for row in rows:
        row.revoked = True
        n += 1
    return n


def failures(s: Session, key: str, now: datetime, window: timedelta = FAILURE_WINDOW) -> int:
    return s.execute(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == key, LoginFailure.at > now - window)
    ).scalar_one()


def locked(
    s: Session,
    keys: list[str],
    now: datetime,
    *,
    max_failures: int = MAX_FAILURES,
    window: timedelta = FAILURE_WINDOW,
) -> bool:
    return any(failures(s, k, now, window) >= max_failures for k in keys)


def record_failure(s: Session, keys: list[str], now: datetime) -> None:
    for k in keys:
        s.add(LoginFailure(key=k[:200], at=now))
    s.flush()


def clear_failures(s: Session, key: str) -> None:
    s.execute(delete(LoginFailure).where(LoginFailure.key == key))
