"""Inbound webhooks of the webhook workbench: endpoints, their secrets, and the leads they add.

A secret is generated once and only its SHA-256 is stored; calls present it in the URL and are
checked in constant time. A call's body hash is recorded with the call, so replaying the same
body adds and changes nothing. Leads are written by identity (`dedupe_key`, the same keys as
the lead store's), so a person already known to the client is updated, never duplicated.

A person the client holds only as a deleted lead is skipped (deleted stays deleted: only
`POST /api/leads` brings a lead back), and so is a person on the company's or the client's
suppression entries (`storage.privacy.suppressions`): neither is stored, both are counted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from storage.db.clock import utcnow
from storage.leads.models import Lead
from storage.webhooks.models import InboundWebhook, InboundWebhookCall

if TYPE_CHECKING:  # a type only: privacy's erasure imports this package
    from storage.privacy.suppressions import SuppressionCheck


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_inbound_webhook(session: Session, *, company_id: str, client_id: str, name: str,
                           platform: str, description: str | None,
                           platform_config: dict[str, Any], created_by: str | None
                           ) -> tuple[InboundWebhook, str]:
    """A new endpoint and its secret (returned this once, never stored in clear)."""
    secret = secrets.token_urlsafe(24)
    webhook = InboundWebhook(id=f"whk_{uuid.uuid4().hex[:16]}", company_id=company_id,
                             client_id=client_id, name=name, platform=platform,
                             description=description, platform_config=platform_config,
                             secret_hash=hash_secret(secret), created_by=created_by)
    session.add(webhook)
    return webhook, secret


def company_webhook(session: Session, company_id: str, webhook_id: str) -> InboundWebhook | None:
    """The company's endpoint `webhook_id`; another company's is None, as if it did not exist."""
    webhook = session.get(InboundWebhook, webhook_id)
    return webhook if webhook is not None and webhook.company_id == company_id else None


def rotate_secret(session: Session, webhook: InboundWebhook) -> str:
    """A new secret for `webhook` (returned this once); the old URL stops working at commit."""
    secret = secrets.token_urlsafe(24)
    webhook.secret_hash, webhook.updated_at = hash_secret(secret), utcnow()
    session.add(webhook)
    return secret


def delete_inbound_webhook(session: Session, webhook: InboundWebhook) -> None:
    """The endpoint and its call log; the leads it brought in stay with their client."""
    for call in session.exec(select(InboundWebhookCall).where(
            InboundWebhookCall.webhook_id == webhook.id)).all():
        session.delete(call)
    session.flush()  # the calls reference the webhook: they go first
    session.delete(webhook)


def list_inbound_webhooks(session: Session, company_id: str,
                          client_id: str | None = None) -> Sequence[InboundWebhook]:
    query = select(InboundWebhook).where(InboundWebhook.company_id == company_id)
    if client_id:
        query = query.where(InboundWebhook.client_id == client_id)
    return session.exec(query.order_by(col(InboundWebhook.created_at))).all()


def authenticated_webhook(session: Session, webhook_id: str, secret: str) -> InboundWebhook | None:
    """The endpoint when `secret` is its secret; None for an unknown id or a wrong secret."""
    webhook = session.get(InboundWebhook, webhook_id)
    presented = hash_secret(secret)
    if webhook is None or not hmac.compare_digest(webhook.secret_hash, presented):
        return None
    return webhook


def seen_call(session: Session, webhook_id: str, body_sha256: str) -> InboundWebhookCall | None:
    return session.exec(select(InboundWebhookCall).where(
        InboundWebhookCall.webhook_id == webhook_id,
        InboundWebhookCall.body_sha256 == body_sha256)).first()


@dataclass
class InboundWrite:
    """What one call did: leads added and updated, and people skipped as `deleted` (the client
    holds them only as deleted leads) or `suppressed`."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    suppressed: int = 0


def upsert_inbound_leads(session: Session, webhook: InboundWebhook, rows: list[dict[str, Any]],
                         suppression: SuppressionCheck | None = None) -> InboundWrite:
    """Write mapped rows as leads of the webhook's client, except deleted and suppressed
    people (`suppression`: the entries of the webhook's company and client)."""
    keys = [row["dedupe_key"] for row in rows]
    existing: dict[str, Lead] = {}
    for lead in session.exec(select(Lead).where(
            Lead.company_id == webhook.company_id, Lead.site_id == webhook.client_id,
            col(Lead.dedupe_key).in_(keys))).all():
        held = existing.get(lead.dedupe_key)  # a live lead of the key over a deleted one
        if held is None or (held.deleted_at is not None and lead.deleted_at is None):
            existing[lead.dedupe_key] = lead
    # A company domain stands for the website when the tool sends no website.
    suppressed = (suppression.suppressed([{**row, "website": row.get("website")
                                           or row.get("company_domain")} for row in rows])
                  if suppression is not None else [False] * len(rows))
    result = InboundWrite()
    now = utcnow()
    source = f"webhook:{webhook.platform}"
    for row, is_suppressed in zip(rows, suppressed, strict=True):
        values = {k: v for k, v in row.items() if k != "dedupe_key"}
        lead = existing.get(row["dedupe_key"])
        if lead is not None and lead.deleted_at is not None:
            result.deleted += 1
            continue
        if is_suppressed:
            result.suppressed += 1
            continue
        if lead is None:
            lead = Lead(id=str(uuid.uuid4()), company_id=webhook.company_id,
                        site_id=webhook.client_id, dedupe_key=row["dedupe_key"],
                        source=source, source_record_id=webhook.id, created_at=now,
                        updated_at=now, **values)
            result.added += 1
        else:
            changed = {k: v for k, v in values.items() if getattr(lead, k) != v}
            if not changed:
                continue
            for name, value in changed.items():
                setattr(lead, name, value)
            lead.updated_at = now
            result.updated += 1
        session.add(lead)
    return result


def record_call(session: Session, webhook_id: str, body_sha256: str, added: int,
                updated: int) -> InboundWebhookCall:
    call = InboundWebhookCall(id=uuid.uuid4().hex, webhook_id=webhook_id,
                              body_sha256=body_sha256, leads_added=added, leads_updated=updated)
    session.add(call)
    return call
