"""Passwords (argon2id via argon2-cffi; only the hash is stored) and a login-attempt limiter."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)

MIN_LENGTH = 8


def hash_password(password: str) -> str:
    """The argon2id hash (``$argon2id$...``, salted) of ``password``."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"password shorter than {MIN_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False on mismatch or a malformed hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


class LoginLimiter:
    """``max_failures`` failed logins of one user within ``window`` seconds lock the user until
    the oldest of those failures leaves the window. A success clears the user's failures.
    In-memory and thread-safe (one process); the key is the user name as typed."""

    def __init__(
        self,
        max_failures: int = 5,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> list[float]:
        cutoff = self.clock() - self.window
        recent = [t for t in self._failures.get(key, []) if t > cutoff]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def is_locked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key)) >= self.max_failures

    def record_failure(self, key: str) -> bool:
        """Record a failure; True when the user is now locked."""
        with self._lock:
            recent = self._recent(key)
            recent.append(self.clock())
            self._failures[key] = recent
            return len(recent) >= self.max_failures

    def record_success(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
