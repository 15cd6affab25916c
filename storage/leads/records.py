"""Leads as the lead-management API reads and writes them: the same `Lead` rows the pipeline
writes, named the way leadgenius-pro-api.md names them.

Writes are soft (`deleted_at`) and bump `updated_at`, which the warehouse sync follows.
Identity is `storage.leads.identity` (the one "same person" rule): creating a person a client
already has is refused (or skipped in a batch); creating one whose record was deleted re-creates
it (`new_or_revived_lead`): the only way a deleted lead comes back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.schema import CreateIndex
from sqlmodel import Session, col, select

from storage.db.clock import iso_z, utcnow
from storage.leads.identity import identity_keys
from storage.leads.models import Lead, LeadSource

# API field → Lead column, for the fields a client may write.
WRITABLE_FIELDS = {
    "firstName": "first_name", "lastName": "last_name", "fullName": "name", "email": "email",
    "phone": "phone", "companyName": "company", "companyDomain": "company_domain",
    "title": "position", "linkedinUrl": "linkedin", "notes": "notes", "industry": "industry",
    "website": "website", "location": "location", "city": "city", "region": "region",
    "country": "country", "companySize": "company_size", "revenue": "revenue",
    "status": "status", "contactName": "contact_name", "campaignId": "campaign_id",
}
# Every field a lead is read with (projections are checked against these).
READ_FIELDS = {
    "id": "id", "client_id": "site_id", "company_id": "company_id", **WRITABLE_FIELDS,
    "score": "score", "verified": "verified", "matchReasons": "match_reasons",
    "source": "source", "commandId": "command_id", "owner": "owner", "createdAt": "created_at",
    "updatedAt": "updated_at",
}


def _value(column: str, value: Any) -> Any:
    return iso_z(value) if isinstance(value, datetime) else value


def public_lead(row: Any, fields: Iterable[str] = READ_FIELDS) -> dict[str, Any]:
    """A Lead (or a row of its columns) under the API's names."""
    return {name: _value(READ_FIELDS[name], getattr(row, READ_FIELDS[name])) for name in fields}


def lead_identities(values: list[dict[str, Any]]) -> list[str | None]:
    """The identity of each lead being written (columns), None where nothing identifies it."""
    return identity_keys(values)


def lead_identity(values: dict[str, Any]) -> str | None:
    """The identity of one lead being written (columns), or None when nothing identifies it."""
    return identity_keys([values])[0]


def lead_columns(lead: Lead) -> dict[str, Any]:
    """The identity columns of a stored lead."""
    return {"email": lead.email, "linkedin": lead.linkedin, "phone": lead.phone,
            "name": lead.name, "first_name": lead.first_name, "last_name": lead.last_name,
            "company": lead.company, "website": lead.website}


def _display_name(values: dict[str, Any]) -> str:
    joined = " ".join(part for part in (values.get("first_name"), values.get("last_name"))
                      if part)
    return values.get("name") or joined or values.get("email") or values.get("linkedin") or ""


def existing_by_identity(session: Session, company_id: str, client_id: str,
                         keys: list[str]) -> dict[str, Lead]:
    if not keys:
        return {}
    rows = session.exec(select(Lead).where(Lead.company_id == company_id,
                                           Lead.site_id == client_id,
                                           col(Lead.dedupe_key).in_(keys))).all()
    return {lead.dedupe_key: lead for lead in rows}


def new_or_revived_lead(existing: Lead | None, company_id: str, client_id: str, key: str,
                        values: dict[str, Any], now: datetime, owner: str | None) -> Lead:
    """A new lead, or the deleted record of the same person re-created with `values` (its id
    kept, nothing else of what it held: the fields not given, the score and the source start
    afresh, as for a new lead); either way `owner` (the creating user) owns it.

    This is the only way a deleted lead comes back: commands, imports and inbound webhooks
    skip deleted people (storage/leads/persist.py, storage/webhooks/inbound.py)."""
    values = {**values, "name": _display_name(values), "owner": owner}
    fresh = Lead(id=existing.id if existing is not None else str(uuid.uuid4()),
                 company_id=company_id, site_id=client_id, dedupe_key=key, source="api",
                 created_at=now, updated_at=now, **values)
    if existing is None:
        return fresh
    for column in (*WRITABLE_FIELDS.values(), "name", "owner", "score", "match_reasons",
                   "verified", "source", "source_record_id", "command_id", "revenue_usd"):
        setattr(existing, column, getattr(fresh, column))
    existing.deleted_at = None
    existing.updated_at = now
    return existing


def apply_changes(lead: Lead, changes: dict[str, Any], now: datetime) -> None:
    """Write `changes` (columns) on `lead` (its identity: `lead_identities` of
    `lead_columns`)."""
    for column, value in changes.items():
        setattr(lead, column, value)
    if {"first_name", "last_name"} & changes.keys() and "name" not in changes:
        lead.name = _display_name({"first_name": lead.first_name, "last_name": lead.last_name,
                                   "email": lead.email})
    lead.updated_at = now


def live_leads(session: Session, company_id: str, ids: list[str]) -> list[Lead]:
    if not ids:
        return []
    return list(session.exec(select(Lead).where(Lead.company_id == company_id,
                                                col(Lead.id).in_(ids),
                                                col(Lead.deleted_at).is_(None))).all())


def soft_delete(leads: Iterable[Lead], session: Session) -> int:
    now = utcnow()
    count = 0
    for lead in leads:
        lead.deleted_at = now
        lead.updated_at = now
        session.add(lead)
        count += 1
    return count


def soft_delete_client_leads(session: Session, company_id: str, client_id: str) -> int:
    """Purge: every live lead of a client, deleted in one statement."""
    now = utcnow()
    table = Lead.__table__
    result = session.connection().execute(
        table.update()
        .where(table.c.company_id == company_id, table.c.site_id == client_id,
               table.c.deleted_at.is_(None))
        .values(deleted_at=now, updated_at=now))
    return result.rowcount or 0


def provenance(session: Session, lead_id: str) -> list[dict[str, Any]]:
    rows = session.exec(select(LeadSource).where(LeadSource.lead_id == lead_id)
                        .order_by(col(LeadSource.found_at))).all()
    return [{"source": row.source, "sourceRecordId": row.source_record_id,
             "commandId": row.command_id, "fields": list(row.fields),
             "foundAt": iso_z(row.found_at)} for row in rows]


def ensure_lead_page_indexes(engine: Any) -> None:
    """Create the Lead page indexes on a database made before they existed (create_all adds
    indexes only with new tables)."""
    # IF NOT EXISTS rather than checkfirst: SQLite's reflection skips expression indexes
    # (lower(email)), so checkfirst would try to create that one again on every start.
    with engine.begin() as connection:
        for index in Lead.__table__.indexes:
            connection.execute(CreateIndex(index, if_not_exists=True))
