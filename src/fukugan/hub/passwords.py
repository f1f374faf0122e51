"""Passwords (argon2id via argon2-cffi; only the hash is stored). Login rate limiting lives
with the sessions in the database (:mod:`fukugan.hub.sessions`)."""

from __future__ import annotations

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
