"""Raw leads of research-only runs (leadgenius-pro-api.md's SourceLeads), written in bulk."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from storage.db.clock import utcnow
from storage.leads.models import SourceLead


def store_source_leads(session: Session, *, company_id: str, client_id: str, run_id: str,
                       rows: list[dict[str, Any]]) -> int:
    """Insert one SourceLead per row (SourceLead fields plus `raw`); a run stores its leads
    once: rows of a run that already has leads are not added again (a retried task)."""
    if not rows or count_source_leads(session, company_id, run_id):
        return 0
    now = utcnow()
    session.add_all([SourceLead(id=str(uuid.uuid4()), company_id=company_id,
                                client_id=client_id, run_id=run_id, created_at=now,
                                updated_at=now, **row) for row in rows])
    session.flush()
    return len(rows)


def count_source_leads(session: Session, company_id: str, run_id: str) -> int:
    return session.exec(select(func.count()).select_from(SourceLead).where(
        SourceLead.company_id == company_id, SourceLead.run_id == run_id)).one()


def purge_source_leads_before(session: Session, cutoff: datetime) -> int:
    """Delete every raw source lead (of every company) stored before `cutoff`: retention
    (storage.privacy.retention). Returns how many went."""
    table = SourceLead.__table__
    result = session.connection().execute(table.delete().where(table.c.created_at < cutoff))
    return result.rowcount or 0
