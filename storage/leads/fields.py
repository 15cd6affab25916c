"""Fields lead processing writes on a lead: enrichment answers, copy, SDR fields.

Each write bumps the lead's `updated_at`, so the warehouse sync and cursor readers see it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from storage.db.clock import utcnow
from storage.leads.models import Lead, LeadGeneratedField

# Lead columns an enrichment answer may fill (service answer key -> Lead column).
LEAD_COLUMNS_FROM_SERVICES = {"companyUrl": ("companyUrl", "website"),
                              "emailFinder": ("email", "email")}


def find_company_lead(session: Session, company_id: str, lead_id: str) -> Lead | None:
    """A live lead of `company_id`; another company's lead is not found."""
    lead = session.get(Lead, lead_id)
    if lead is None or lead.company_id != company_id or lead.deleted_at is not None:
        return None
    return lead


def generated_fields(session: Session, lead_ids: list[str]) -> dict[str, dict[str, Any]]:
    """`{lead_id: {field: value}}` of what processing wrote on these leads."""
    if not lead_ids:
        return {}
    rows = session.exec(
        select(LeadGeneratedField).where(col(LeadGeneratedField.lead_id).in_(lead_ids))
    ).all()
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        found.setdefault(row.lead_id, {})[row.field] = row.value
    return found


def filled_fields(session: Session, lead: Lead) -> set[str]:
    """Fields of the lead that hold a value (generated ones, and the service-filled columns)."""
    filled = {field for field, value in generated_fields(session, [lead.id]).get(lead.id, {})
              .items() if value not in (None, "", [], {})}
    for service, (_answer_key, column) in LEAD_COLUMNS_FROM_SERVICES.items():
        if getattr(lead, column):
            filled.add(service)
    return filled


def save_generated_fields(session: Session, lead: Lead, kind: str, values: dict[str, Any],
                          source: str, run_id: str | None) -> None:
    """Upsert `values` as generated fields of `lead` and bump its `updated_at`."""
    now = utcnow()
    existing = {row.field: row for row in session.exec(
        select(LeadGeneratedField).where(LeadGeneratedField.lead_id == lead.id,
                                         col(LeadGeneratedField.field).in_(list(values)))
    ).all()}
    for field, value in values.items():
        row = existing.get(field) or LeadGeneratedField(
            id=str(uuid.uuid4()), lead_id=lead.id, company_id=lead.company_id, kind=kind,
            field=field, source=source, created_at=now)
        row.value, row.source, row.run_id, row.updated_at = value, source, run_id, now
        session.add(row)
    lead.updated_at = now
    session.add(lead)
