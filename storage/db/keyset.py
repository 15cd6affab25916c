"""Keyset pagination over `(created_at, id)`, newest first, with opaque cursors.

A page ends at a row; the next page starts strictly after it in `(created_at DESC, id DESC)`
order. Rows added meanwhile are newer, so they sort before every cursor: paging never skips or
repeats a record (offsets would).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col


def encode_cursor(created_at: datetime, record_id: str) -> str:
    raw = json.dumps({"c": created_at.isoformat(), "i": record_id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime, str]:
    """The position a cursor names; ValueError when it is not one of ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        at = datetime.fromisoformat(data["c"])
        return (at if at.tzinfo else at.replace(tzinfo=UTC)), str(data["i"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError("not a valid cursor") from exc


def newest_first_after(statement: Any, model: Any, cursor: str | None) -> Any:
    """`statement` ordered newest first, starting after `cursor` when given."""
    created, record_id = col(model.created_at), col(model.id)
    if cursor:
        at, last_id = decode_cursor(cursor)
        statement = statement.where(or_(created < at, and_(created == at, record_id < last_id)))
    return statement.order_by(created.desc(), record_id.desc())


def page_of(rows: list[Any], limit: int) -> tuple[list[Any], str | None]:
    """Rows fetched with `limit + 1`: the page, and the cursor of the next one (None at the end)."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(page[-1].created_at, page[-1].id)
