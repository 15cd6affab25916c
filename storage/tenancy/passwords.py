"""Password hashing with Argon2id (memory-hard): only the hash is ever stored."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8

# argon2-cffi's defaults (RFC 9106 "low memory": t=3, m=64 MiB, p=4): ~60 ms per hash here.
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a user without a password (or no user: None) can never
    log in, yet costs the same Argon2 verification, so timing does not tell which usernames
    exist."""
    try:
        return _hasher.verify(password_hash or _stand_in_hash(), password) and \
            bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def _stand_in_hash() -> str:
    """A hash of a random password with the same parameters as real ones, made once."""
    return _hasher.hash(secrets.token_urlsafe(32))
