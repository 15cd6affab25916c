"""Fields lead processing writes on a lead: enrichment answers, copy, SDR fields.

Each write bumps the lead's `updated_at`, so the warehouse sync and cursor readers see it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from storage.db.clock import utcnow
from storage.leads.models import Lead, LeadGeneratedField

_IDS_PER_QUERY = 500  # lead ids per IN list (a bulk page holds up to 5,000)

# Lead columns an enrichment answer may fill (service answer key -> Lead column).
LEAD_COLUMNS_FROM_SERVICES = {"companyUrl": ("companyUrl", "website"),
                              "emailFinder": ("email", "email")}

# The generated fields of a lead, each with the kind of processing that writes it: the one
# list of their names (leadgenius-pro-api.md's URL, agent and SDR AI settings). Enrichment
# services answer under their own names, copywriting process N writes `copyrightN`, SDR AI
# writes its field's name (`aiSummary` is Leadmill's own, beside the document's sixteen).
ENRICHMENT_FIELDS = ("companyUrl", "emailFinder", *(f"enrichment{n}" for n in range(1, 11)))
COPYRIGHT_PROCESSES = tuple(range(1, 11))
COPYRIGHT_FIELDS = tuple(f"copyright{n}" for n in COPYRIGHT_PROCESSES)
SDR_MESSAGE_FIELDS = tuple(f"message{n}" for n in range(1, 11))
# The reference's SDR AI fields, in its order (api_reference.md, "SDR AI Settings").
SDR_AI_FIELDS = ("aiLeadScore", "aiQualification", "aiNextAction", "aiColdEmail", "aiInterest",
                 "aiLinkedinConnect", "aiCompetitorAnalysis", "aiEngagementLevel",
                 "aiPurchaseWindow", "aiDecisionMakerRole", "aiSentiment", "aiSocialEngagement",
                 "aiNurturingStage", "aiBudgetEstimation", "aiRiskScore", "aiProductFitScore")
# `aiSummary` is Leadmill's own addition (kept: clients of earlier releases write it).
SDR_FIELDS = (*SDR_MESSAGE_FIELDS, *SDR_AI_FIELDS, "aiSummary")
GENERATED_FIELDS: dict[str, str] = {
    **dict.fromkeys(ENRICHMENT_FIELDS, "enrichment"),
    **dict.fromkeys(COPYRIGHT_FIELDS, "copyright"),
    **dict.fromkeys(SDR_FIELDS, "sdr"),
}
# What a client's own write (PUT /api/leads, /api/enrich-leads/{id}) records as the source.
API_SOURCE = "api"


def find_company_lead(session: Session, company_id: str, lead_id: str) -> Lead | None:
    """A live lead of `company_id`; another company's lead is not found."""
    lead = session.get(Lead, lead_id)
    if lead is None or lead.company_id != company_id or lead.deleted_at is not None:
        return None
    return lead


def generated_fields(session: Session, lead_ids: list[str],
                     fields: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """`{lead_id: {field: value}}` of what processing (or a client) wrote on these leads;
    only `fields` when given."""
    found: dict[str, dict[str, Any]] = {}
    for at in range(0, len(lead_ids), _IDS_PER_QUERY):
        query = select(LeadGeneratedField.lead_id, LeadGeneratedField.field,
                       LeadGeneratedField.value).where(
            col(LeadGeneratedField.lead_id).in_(lead_ids[at:at + _IDS_PER_QUERY]))
        if fields is not None:
            query = query.where(col(LeadGeneratedField.field).in_(fields))
        for lead_id, field, value in session.exec(query).all():
            found.setdefault(lead_id, {})[field] = value
    return found


def save_client_fields(session: Session, lead: Lead, values: dict[str, Any]) -> None:
    """Generated fields a client wrote itself (`GENERATED_FIELDS` names), each under its kind."""
    by_kind: dict[str, dict[str, Any]] = {}
    for field, value in values.items():
        by_kind.setdefault(GENERATED_FIELDS[field], {})[field] = value
    for kind, fields in by_kind.items():
        save_generated_fields(session, lead, kind, fields, API_SOURCE, None)


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
