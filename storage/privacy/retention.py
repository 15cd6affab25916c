"""Retention: how long the copies Leadmill keeps only for a while stay.

Raw source leads (storage.leads.source_leads: what a research-only run's sources delivered)
and the payloads and attempt logs of webhook events that were delivered or failed for good
(storage.webhooks.outbox) are kept `retention_days` (LEADMILL_RETENTION_DAYS, default 90) and
purged after, by the daily `privacy-retention` flow. Leads themselves are the company's records
and stay until a user deletes or erases them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from storage.db.clock import iso_z, utcnow
from storage.db.engine import session_scope
from storage.leads.source_leads import purge_source_leads_before
from storage.webhooks.outbox import purge_settled_payloads_before


@dataclass(frozen=True)
class RetentionPurge:
    """What one purge removed, and the moment before which everything went."""

    cutoff: str
    retention_days: int
    source_leads: int
    webhook_payloads: int
    webhook_attempts: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def retention_cutoff(retention_days: int, now: datetime | None = None) -> datetime:
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    return (now or utcnow()) - timedelta(days=retention_days)


def purge_expired(engine: Engine, retention_days: int,
                  now: datetime | None = None) -> RetentionPurge:
    """Purge everything older than `retention_days` before `now` (default: now), in one
    transaction: a purge that fails leaves every row as it was."""
    cutoff = retention_cutoff(retention_days, now)
    with session_scope(engine) as session:
        source_leads = purge_source_leads_before(session, cutoff)
        payloads = purge_settled_payloads_before(session, cutoff)
    return RetentionPurge(cutoff=iso_z(cutoff) or "", retention_days=retention_days,
                          source_leads=source_leads, webhook_payloads=payloads.deliveries,
                          webhook_attempts=payloads.attempts)
