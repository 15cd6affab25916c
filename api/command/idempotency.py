"""The `Idempotency-Key` header of command submissions (storage/commands/idempotency.py keeps the
keys):
reading it, and answering a retry with the first reply or a conflict."""

from __future__ import annotations

from typing import Any

from litestar import Request

from api.errors import IdempotencyKeyReused, InvalidRequest
from storage.commands.idempotency import Remembered, key_problem

HEADER = "Idempotency-Key"


def idempotency_key(request: Request) -> str | None:
    """The request's key, None without one; INVALID_REQUEST when it cannot be a key."""
    key = request.headers.get(HEADER.lower())
    if key is not None and (problem := key_problem(key)):
        raise InvalidRequest(field=HEADER, issue=problem)
    return key


def replay_or_refuse(first: Remembered) -> dict[str, Any]:
    """The reply the key's first submission got, if this one has the same body."""
    if not first.same_body:
        raise IdempotencyKeyReused(field=HEADER, issue="the key was first used with another "
                                   "request body within the last 24 hours; use a new key")
    return {"success": True, "data": first.reply}
