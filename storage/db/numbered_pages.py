"""Numbered pages (`page`, `pageSize`) with the total they are pages of: the agent API's paging
(openapi.json), beside the cursors of storage.db.keyset.

Offsets can skip or repeat a row added between two pages; the agent API asks for them all the
same, and a caller that must not miss a row pages with `nextToken` where a route offers it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select


def count_rows(session: Session, statement: Any) -> int:
    """How many rows `statement` selects (its order, if any, left out)."""
    return int(session.exec(select(func.count()).select_from(
        statement.order_by(None).subquery())).one())


def numbered_page(session: Session, ordered: Any, page: int, page_size: int
                  ) -> tuple[list[Any], int]:
    """Page `page` (from 1) of the rows of the `ordered` statement, and how many rows it has."""
    rows = session.exec(ordered.offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), count_rows(session, ordered)


def page_count(total: int, page_size: int) -> int:
    return (total + page_size - 1) // page_size
