"""The webhook outbox: deliveries waiting in the operational DB until a receiver accepts them.

An event is written here in the same database as the command it reports on, before anyone tries
to send it. Senders *lease* due rows (an atomic UPDATE sets `lease_owner`, a fresh
`lease_token` and `lease_until`), renew the lease while they send, and record the attempt only
while that token still holds the row: an outcome that arrives after the lease ran out (and the
row was perhaps claimed and delivered by another sender) is dropped, so it can never set a
delivered event back to pending. A process killed mid-send leaves a lease that simply runs
out, so the row becomes due again for any instance, whatever its name: nothing is lost. A
delivered row is never claimed again: nothing is sent after a success.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, inspect, or_, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db.clock import utcnow
from storage.db.engine import session_scope
from storage.db.leases import end_lease
from storage.webhooks.models import WebhookAttempt, WebhookDelivery

# Columns added after the first release of the table, with the SQL that adds each to an
# existing database (create_all creates missing tables, never missing columns).
_ADDED_COLUMNS = {
    "max_attempts": "INTEGER NOT NULL DEFAULT 6",
    "next_attempt_at": "TIMESTAMP",
    "lease_owner": "VARCHAR",
    "lease_token": "VARCHAR",
    "lease_until": "TIMESTAMP",
    "updated_at": "TIMESTAMP",
    "payload_purged_at": "TIMESTAMP",
}


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    latency_ms: int
    error: str | None
    started_at: datetime

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def upgrade_outbox_schema(engine: Engine) -> None:
    """Add the outbox columns to a `webhookdelivery` table made by an older Leadmill."""
    present = {column["name"] for column in inspect(engine).get_columns("webhookdelivery")}
    missing = [name for name in _ADDED_COLUMNS if name not in present]
    if not missing:
        return
    with engine.begin() as connection:
        for name in missing:
            connection.execute(text(f"ALTER TABLE webhookdelivery ADD COLUMN {name} "
                                    f"{_ADDED_COLUMNS[name]}"))


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


def enqueue_delivery(
    session: Session, *, command_id: str, event: str, url: str, payload: dict[str, Any]
) -> WebhookDelivery:
    """Record `event` for delivery, due now; an event already recorded for the command is kept
    as it is (a retried task or a second crash reconciliation adds nothing)."""
    existing = session.exec(
        select(WebhookDelivery).where(WebhookDelivery.command_id == command_id,
                                      WebhookDelivery.event == event)
    ).first()
    if existing is not None:
        return existing
    now = utcnow()
    delivery = WebhookDelivery(id=new_event_id(), command_id=command_id, event=event, url=url,
                               payload=payload, next_attempt_at=now, created_at=now,
                               updated_at=now)
    try:
        with session.begin_nested():
            session.add(delivery)
    except IntegrityError:  # another writer recorded it between our read and our insert
        return session.exec(
            select(WebhookDelivery).where(WebhookDelivery.command_id == command_id,
                                          WebhookDelivery.event == event)
        ).one()
    return delivery


def _due_condition(now: datetime) -> Any:
    return (
        (col(WebhookDelivery.status) == "pending")
        & or_(col(WebhookDelivery.next_attempt_at).is_(None),
              col(WebhookDelivery.next_attempt_at) <= now)
        & or_(col(WebhookDelivery.lease_until).is_(None), col(WebhookDelivery.lease_until) < now)
    )


def claim_due_deliveries(
    engine: Engine, owner: str, limit: int, lease_seconds: float
) -> list[WebhookDelivery]:
    """Lease up to `limit` due deliveries to `owner`, oldest due first.

    One UPDATE takes them; its WHERE repeats the due test, so of two dispatchers racing for a
    row exactly one gets it.
    """
    now = utcnow()
    token = uuid.uuid4().hex
    due_ids = (
        select(WebhookDelivery.id)
        .where(_due_condition(now))
        .order_by(col(WebhookDelivery.next_attempt_at))
        .limit(limit)
        .scalar_subquery()
    )
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(due_ids), _due_condition(now))
            .values(lease_owner=owner, lease_token=token,
                    lease_until=now + timedelta(seconds=lease_seconds))
        )
    with session_scope(engine) as session:
        return list(session.exec(
            select(WebhookDelivery).where(WebhookDelivery.lease_token == token)
        ).all())


# What `record_attempt` answers when the sender no longer held the lease.
DROPPED = "dropped"


def record_attempt(
    engine: Engine,
    delivery: WebhookDelivery,
    outcome: AttemptOutcome,
    retry_at: datetime | None,
) -> str:
    """Store an attempt and the delivery's new state; returns that state, or `DROPPED` (and
    stores nothing) when `delivery.lease_token` no longer holds the row.

    `retry_at` is when to try again after a failure; None (or no attempts left) fails it.
    """
    with session_scope(engine) as session:
        # The check and the outcome commit together: this UPDATE locks the row (PostgreSQL)
        # or the database (SQLite) until the transaction ends.
        if delivery.lease_token is None or not end_lease(
                session, WebhookDelivery, delivery.id, delivery.lease_token):
            return DROPPED
        current = session.get(WebhookDelivery, delivery.id)
        number = current.attempts + 1
        session.add(WebhookAttempt(id=uuid.uuid4().hex, delivery_id=delivery.id, number=number,
                                   started_at=outcome.started_at, status_code=outcome.status_code,
                                   latency_ms=outcome.latency_ms, error=outcome.error,
                                   succeeded=outcome.succeeded))
        current.attempts = number
        current.last_status_code = outcome.status_code
        current.last_error = None if outcome.succeeded else (
            outcome.error or f"HTTP {outcome.status_code}")
        current.lease_owner = current.lease_token = current.lease_until = None
        current.updated_at = utcnow()
        if outcome.succeeded:
            current.status, current.delivered_at, current.next_attempt_at = (
                "delivered", utcnow(), None)
        elif retry_at is not None and number < current.max_attempts:
            current.status, current.next_attempt_at = "pending", retry_at
        else:
            current.status, current.next_attempt_at = "failed", None
        session.add(current)
        return current.status


def next_due_at(session: Session) -> datetime | None:
    """When the earliest pending delivery falls due (its lease end, if leased)."""
    due = session.exec(
        select(func.min(func.coalesce(WebhookDelivery.lease_until,
                                      WebhookDelivery.next_attempt_at)))
        .where(WebhookDelivery.status == "pending")
    ).one()
    return due


def command_deliveries(session: Session, command_id: str) -> Sequence[WebhookDelivery]:
    return session.exec(
        select(WebhookDelivery).where(WebhookDelivery.command_id == command_id)
        .order_by(col(WebhookDelivery.created_at))
    ).all()


def delivery_attempts(session: Session, delivery_id: str) -> Sequence[WebhookAttempt]:
    return session.exec(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(col(WebhookAttempt.number))
    ).all()


def schedule_redelivery(session: Session, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed delivery once more, now, with the same event id and body."""
    delivery.status = "pending"
    delivery.max_attempts = delivery.attempts + 1
    delivery.next_attempt_at = utcnow()
    delivery.lease_owner = delivery.lease_token = delivery.lease_until = None
    delivery.updated_at = utcnow()
    session.add(delivery)
    return delivery


@dataclass(frozen=True)
class PurgedPayloads:
    deliveries: int  # payloads emptied
    attempts: int  # attempt-log rows deleted


def purge_settled_payloads_before(session: Session, cutoff: datetime) -> PurgedPayloads:
    """Retention (storage.privacy.retention): empty the payload and delete the attempt log of
    every delivered or failed event settled before `cutoff`. The delivery row stays (its
    status, counts and times: the command's status shows them, and its (command, event) key
    keeps a retried task from recording the event again) with `payload_purged_at` set; a
    pending event is never touched, and a purged one cannot be redelivered."""
    settled = func.coalesce(WebhookDelivery.delivered_at, WebhookDelivery.updated_at,
                            WebhookDelivery.created_at)
    expired = (select(WebhookDelivery.id)
               .where(col(WebhookDelivery.status).in_(("delivered", "failed")),
                      col(WebhookDelivery.payload_purged_at).is_(None), settled < cutoff))
    ids = list(session.exec(expired).all())
    attempts = 0
    now = utcnow()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        attempts += session.exec(delete(WebhookAttempt).where(  # type: ignore[call-overload]
            col(WebhookAttempt.delivery_id).in_(chunk))).rowcount or 0
        session.exec(update(WebhookDelivery)  # type: ignore[call-overload]
                     .where(col(WebhookDelivery.id).in_(chunk))
                     .values(payload={}, payload_purged_at=now, updated_at=now))
    return PurgedPayloads(len(ids), attempts)
