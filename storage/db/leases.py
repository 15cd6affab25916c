"""Leases: how a process shows it still owns a running command, a processing run or a webhook
delivery, whatever its host name.

A row taken by a process carries a `lease_token` (new for every claim) and a `lease_until`
that the process's heartbeat keeps pushing forward. When the process dies, the lease runs out
and any instance — a restarted container under a new host name, or another API process —
settles the row. Every write of an outcome is conditional on the token, so a process that lost
its lease (it was settled while it stalled) cannot overwrite what its successor recorded.

Works on any table with `id`, `lease_token` and `lease_until` columns (commands, triggered
runs, webhook deliveries): one rule, three tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.db.clock import utcnow


@dataclass(frozen=True)
class Lease:
    """One claim of one row: the token that proves it and when it runs out unless renewed."""

    token: str
    until: datetime

    @classmethod
    def new(cls, seconds: float) -> Lease:
        return cls(uuid.uuid4().hex, utcnow() + timedelta(seconds=seconds))

    def columns(self) -> dict[str, Any]:
        return {"lease_token": self.token, "lease_until": self.until}


def renew_leases(session: Session, model: Any, tokens: Iterable[str], seconds: float) -> int:
    """Push the leases named by `tokens` forward; a lease already settled is not revived."""
    wanted = list(tokens)
    if not wanted:
        return 0
    now = utcnow()
    result = session.exec(  # type: ignore[call-overload]
        update(model)
        .where(col(model.lease_token).in_(wanted), col(model.lease_until) >= now)
        .values(lease_until=now + timedelta(seconds=seconds))
    )
    return int(result.rowcount or 0)


def end_lease(session: Session, model: Any, row_id: str, token: str) -> bool:
    """Give the lease up; False when `token` no longer holds it (the row was settled or taken
    by another process): the caller must then drop the outcome it was about to record.

    In the caller's transaction, so the check and the outcome commit together: the UPDATE
    locks the row (PostgreSQL) or the database (SQLite) until then.
    """
    result = session.exec(  # type: ignore[call-overload]
        update(model)
        .where(col(model.id) == row_id, col(model.lease_token) == token)
        .values(lease_token=None, lease_until=None)
    )
    return result.rowcount == 1


def expired_leases(session: Session, model: Any, now: datetime | None = None
                   ) -> list[tuple[str, str]]:
    """(id, token) of rows whose lease ran out: their process stopped renewing it."""
    rows = session.exec(
        select(model.id, model.lease_token)
        .where(col(model.lease_token).is_not(None), col(model.lease_until) < (now or utcnow()))
    ).all()
    return [(row_id, token) for row_id, token in rows]


def holds_lease(session: Session, model: Any, row_id: str, token: str) -> bool:
    """Whether `token` still holds the row's lease (checked before starting costly work)."""
    return session.exec(select(model.lease_token).where(col(model.id) == row_id)).first() == token


def take_expired(session: Session, model: Any, row_id: str, token: str,
                 now: datetime | None = None) -> bool:
    """Take an expired lease away to settle its row; of instances racing for it, one wins, and
    a lease renewed in the meantime is left alone (its process is alive)."""
    result = session.exec(  # type: ignore[call-overload]
        update(model)
        .where(col(model.id) == row_id, col(model.lease_token) == token,
               col(model.lease_until) < (now or utcnow()))
        .values(lease_token=None, lease_until=None)
    )
    return result.rowcount == 1
