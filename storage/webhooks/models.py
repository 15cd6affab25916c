"""Webhook deliveries with their attempts, and inbound webhook endpoints with their calls.

Timestamps are aware UTC datetimes (`storage.db.clock.utcnow`); deletes of clients and leads are
soft (`deleted_at`) so the warehouse can follow them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db.clock import utcnow


class WebhookDelivery(SQLModel, table=True):
    """One event to deliver to a command's webhook, and how its attempts went.

    The table is the durable outbox: the webhook dispatcher claims pending rows whose
    `next_attempt_at` has come (a lease: `lease_owner` until `lease_until`), so a delivery
    whose process died is picked up again once its lease runs out.
    """

    __table_args__ = (
        UniqueConstraint("command_id", "event", name="uq_webhook_command_event"),
        Index("ix_webhook_due", "status", "next_attempt_at"),
    )

    id: str = Field(primary_key=True, description="The event id, sent with every attempt.")
    command_id: str = Field(foreign_key="command.id", index=True)
    event: str
    url: str
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", description="pending | delivered | failed")
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
    max_attempts: int = Field(default=6, description="The first attempt plus 5 retries.")
    next_attempt_at: datetime | None = Field(default=None, description="When it is due next.")
    lease_owner: str | None = None
    lease_token: str | None = None
    lease_until: datetime | None = None
    updated_at: datetime | None = None
    payload_purged_at: datetime | None = Field(
        default=None, description="When retention (storage.privacy.retention) emptied the "
        "payload and the attempt log of this delivered or failed event.")


class WebhookAttempt(SQLModel, table=True):
    """One POST of a webhook delivery: when, what came back, how long it took."""

    id: str = Field(primary_key=True)
    delivery_id: str = Field(foreign_key="webhookdelivery.id", index=True)
    number: int = Field(description="1 for the first attempt.")
    started_at: datetime = Field(default_factory=utcnow)
    status_code: int | None = None
    latency_ms: int = 0
    error: str | None = None
    succeeded: bool = False


class InboundWebhook(SQLModel, table=True):
    """An inbound webhook of the webhook workbench: an outreach tool posts leads of a client
    here. Only the SHA-256 of its secret is kept; the secret is shown once, in `webhookUrl`."""

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    client_id: str = Field(description="The client's client_id (siteId) the leads go to.")
    name: str
    platform: str = Field(description="heyreach | woodpecker | lemlist | generic")
    description: str | None = None
    platform_config: dict[str, Any] = Field(default_factory=dict,
                                            sa_column=Column(JSON, nullable=False))
    secret_hash: str
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class InboundWebhookCall(SQLModel, table=True):
    """One accepted call of an inbound webhook; the body's hash makes a replay a no-op."""

    __table_args__ = (
        UniqueConstraint("webhook_id", "body_sha256", name="uq_inbound_call_body"),
    )

    id: str = Field(primary_key=True)
    webhook_id: str = Field(foreign_key="inboundwebhook.id", index=True)
    body_sha256: str
    leads_added: int = 0
    leads_updated: int = 0
    received_at: datetime = Field(default_factory=utcnow)
