"""Idempotency keys of command submissions: a client that retries a POST (its connection
dropped before the reply) with the same `Idempotency-Key` gets the command it already created,
not a second one — and no second quota charge.

A key is scoped to the caller's company and remembered for 24 hours with a digest of the
request body; the same key with another body is a client bug, refused rather than guessed at.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from storage.db.clock import utcnow

KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotencyKey(SQLModel, table=True):
    """A command submission's key, the digest of its body and the reply it got."""

    company_id: str = Field(foreign_key="company.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=MAX_KEY_LENGTH)
    request_digest: str
    command_id: str | None = Field(default=None, foreign_key="command.id")
    reply: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, index=True)


@dataclass(frozen=True)
class Remembered:
    """What a key was first used for: replay `reply` when `same_body`, else refuse."""

    same_body: bool
    reply: dict[str, Any]


def key_problem(key: str) -> str | None:
    """Why a header value cannot be a key (None when it can): 1–255 visible ASCII characters."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        return f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters"
    if not all(33 <= ord(char) <= 126 for char in key):
        return "Idempotency-Key must be visible ASCII characters without spaces"
    return None


def request_digest(body: bytes) -> str:
    """SHA-256 of the body as JSON with sorted keys (so key order and spacing don't matter),
    or of the raw bytes when it is not JSON."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def take_key(session: Session, company_id: str, key: str, digest: str) -> Remembered | None:
    """Take `key` for this submission (None), or say what it was first used for.

    The key row is inserted first, in a savepoint: of two requests racing with one key, the
    second's insert waits for the first to commit and then fails on the primary key, so it
    reads the stored reply instead of creating a second command. If the submission is refused
    later, its transaction rolls back and the key with it.
    """
    found = session.get(IdempotencyKey, (company_id, key))
    if found is not None and _expired(found):
        session.delete(found)
        session.flush()
        found = None
    if found is None:
        forget_expired_keys(session)
        try:
            with session.begin_nested():
                session.add(IdempotencyKey(company_id=company_id, key=key,
                                           request_digest=digest))
            return None
        except IntegrityError:
            found = session.exec(select(IdempotencyKey).where(
                IdempotencyKey.company_id == company_id, IdempotencyKey.key == key)).one()
    return Remembered(same_body=found.request_digest == digest, reply=found.reply or {})


def record_key_reply(session: Session, company_id: str, key: str, command_id: str,
                     reply: dict[str, Any]) -> None:
    """The command a taken key created and the reply to give again on a retry."""
    found = session.get(IdempotencyKey, (company_id, key))
    found.command_id, found.reply = command_id, reply
    session.add(found)


def _expired(found: IdempotencyKey) -> bool:
    created = found.created_at if found.created_at.tzinfo else found.created_at.replace(
        tzinfo=utcnow().tzinfo)
    return created < utcnow() - KEY_LIFETIME


def forget_expired_keys(session: Session) -> int:
    """Delete keys past their 24 hours."""
    result = session.exec(  # type: ignore[call-overload]
        delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < utcnow() - KEY_LIFETIME))
    return int(result.rowcount or 0)
