"""What the lead routes do, shared by `/api/leads`, `/api/enrich-leads/{id}` and the agent API
(`/api/agent/leads`): create (one or a batch, per-item refusals), update (all or nothing),
list with filters and either paging, and the full view of one lead.

Storage does the reading and writing (storage.leads.records, .listing, .fields); this module
turns requests into it and its refusals into the documented errors.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from sqlmodel import Session

from api.errors import AlreadyExists, Conflict, ManagementError, MissingRequiredField, NotFound
from api.management.lead_bodies import LeadColumns, LeadCreate
from api.management.requests import Paging, query_paging, query_text, validate
from api.security.auth import Caller, RecordOwnerMismatch, may_change
from storage.db.clock import utcnow
from storage.leads.fields import generated_fields, save_client_fields
from storage.leads.listing import LeadQuery, count_live, page_live
from storage.leads.models import Lead
from storage.leads.records import (
    READ_FIELDS,
    apply_changes,
    existing_by_identity,
    lead_columns,
    lead_identities,
    live_leads,
    new_or_revived_lead,
    provenance,
    public_lead,
)
from storage.tenancy.accounts import find_client
from storage.workspace.campaign_links import company_campaigns

# List filters: query parameter -> LeadQuery field.
LIST_FILTERS = {"client_id": "client_id", "status": "status", "campaignId": "campaign_id",
                "email": "email", "firstName": "first_name", "lastName": "last_name",
                "fullName": "full_name", "companyName": "company_name"}


class AlreadyExistsLead(AlreadyExists):
    recommendation = "Update the existing lead (PUT /api/leads with its id) instead."

    def __init__(self, key: str, lead_id: str) -> None:
        super().__init__("This person is already a lead of the client",
                         details={"existingId": lead_id, "identity": key})


def skip_entry(index: int, item: LeadColumns | dict[str, Any], error: ManagementError
               ) -> dict[str, Any]:
    email = item.get("email") if isinstance(item, dict) else item.email
    return {"index": index, "email": email, "reason": error.message,
            "errorType": error.error_type, "details": error.details, "_error": error}


def public_skip(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "_error"}


def validate_each(model: type[Any], raw_items: list[Any]) -> tuple[list[Any], list[int],
                                                                    list[dict[str, Any]]]:
    """Batch items as `model`: the valid ones, their positions, and a skip entry for each
    invalid one (its fields named `leads[i].field`)."""
    valid: list[Any] = []
    positions: list[int] = []
    invalid: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_items):
        try:
            valid.append(validate(model, raw, prefix=f"leads[{index}]."))
            positions.append(index)
        except ManagementError as error:
            invalid.append(skip_entry(index, raw if isinstance(raw, dict) else {}, error))
    return valid, positions, invalid


def merged_skips(invalid: list[dict[str, Any]], skipped: list[dict[str, Any]],
                 positions: list[int]) -> list[dict[str, Any]]:
    """Refusals of validation and of creation, by position in the request."""
    for entry in skipped:
        entry["index"] = positions[entry["index"]]
    return [public_skip(entry) for entry in
            sorted(invalid + skipped, key=lambda entry: entry["index"])]


def _identity_or_error(key: str | None, field: str | None) -> str:
    if key is None:
        raise MissingRequiredField(
            "A lead needs an email, a linkedinUrl, a phone or a name at a company",
            details={"field": field, "issue": "no identity"})
    return key


def _campaign_or_error(known: dict[str, Any], item: LeadColumns, field: str) -> None:
    if item.campaignId is not None and item.campaignId not in known:
        raise NotFound(f"No campaign {item.campaignId}",
                       details={"field": field, "issue": "not a campaign of your company"})


def create_leads(session: Session, caller: Caller, items: list[LeadCreate],
                 positions: list[int] | None = None,
                 ) -> tuple[list[Lead], list[dict[str, Any]]]:
    """Create leads owned by the caller; returns the created leads and, per refused item, why
    (a batch's refusals name the field `leads[<position in the request>].<field>`)."""
    company_id = caller.company_id
    now = utcnow()
    created: list[Lead] = []
    skipped: list[dict[str, Any]] = []
    by_client: dict[str, list[tuple[int, LeadCreate, dict[str, Any], str]]] = {}
    campaigns = company_campaigns(session, company_id,
                                  [item.campaignId for item in items if item.campaignId])
    columns = [item.columns() for item in items]
    for index, (item, values, identity) in enumerate(
            zip(items, columns, lead_identities(columns), strict=True)):
        prefix = "" if positions is None else f"leads[{positions[index]}]."
        try:
            if find_client(session, company_id, item.client_id) is None:
                raise NotFound(f"No client {item.client_id}",
                               details={"field": f"{prefix}client_id"})
            _campaign_or_error(campaigns, item, f"{prefix}campaignId")
            key = _identity_or_error(identity, prefix.rstrip(".") or None)
        except ManagementError as error:
            skipped.append(skip_entry(index, item, error))
            continue
        by_client.setdefault(item.client_id, []).append((index, item, values, key))
    for client_id, entries in by_client.items():
        existing = existing_by_identity(session, company_id, client_id,
                                        [key for *_, key in entries])
        for index, item, values, key in entries:
            record = existing.get(key)
            if record is not None and record.deleted_at is None:
                skipped.append(skip_entry(index, item, AlreadyExistsLead(key, record.id)))
                continue
            lead = new_or_revived_lead(record, company_id, client_id, key, values, now,
                                       caller.user_id)
            existing[key] = lead
            session.add(lead)
            created.append(lead)
            if item.generated():
                save_client_fields(session, lead, item.generated())
    session.flush()
    return created, sorted(skipped, key=lambda entry: entry["index"])


def refuse_others_leads(caller: Caller, leads: list[Lead]) -> None:
    """Owner-based isolation: all or nothing, like the rest of a batch."""
    foreign = [lead.id for lead in leads if not may_change(caller, lead.owner)]
    if foreign:
        raise RecordOwnerMismatch("lead", foreign)


def update_leads(session: Session, caller: Caller, ids: list[str],
                 items: list[LeadColumns]) -> list[Lead]:
    """Update every lead `ids[i]` with `items[i]`, or none: an unknown id, another member's
    lead, a campaign not the company's or an identity clash refuses the whole batch."""
    company_id = caller.company_id
    found = {lead.id: lead for lead in live_leads(session, company_id, ids)}
    missing = [lead_id for lead_id in ids if lead_id not in found]
    if missing:
        raise NotFound("No such lead" if len(missing) == 1 else "Some leads do not exist",
                       details={"field": "id", "ids": missing})
    refuse_others_leads(caller, list(found.values()))
    campaigns = company_campaigns(session, company_id,
                                  [item.campaignId for item in items if item.campaignId])
    for item in items:
        _campaign_or_error(campaigns, item, "campaignId")
    now = utcnow()
    for lead_id, item in zip(ids, items, strict=True):
        apply_changes(found[lead_id], item.columns(), now)
    changed = [found[lead_id] for lead_id in ids]
    for lead, key in zip(changed, lead_identities([lead_columns(lead) for lead in changed]),
                         strict=True):
        if key is not None and key != lead.dedupe_key:
            clash = existing_by_identity(session, company_id, lead.site_id, [key]).get(key)
            if clash is not None and clash.id != lead.id:
                raise Conflict("Another lead of the client is this person",
                               details={"id": lead.id, "existingId": clash.id})
            lead.dedupe_key = key
        session.add(lead)
    for lead, item in zip(changed, items, strict=True):
        if item.generated():
            save_client_fields(session, lead, item.generated())
    session.flush()
    return changed


def lead_detail(session: Session, lead: Lead) -> dict[str, Any]:
    """One lead with its sources and generated fields: each generated field at the top level
    (where the document's EnrichLead has it) and all of them under `generatedFields`."""
    generated = generated_fields(session, [lead.id]).get(lead.id, {})
    return {**generated, **public_lead(lead), "sources": provenance(session, lead.id),
            "generatedFields": generated}


def company_lead(session: Session, caller: Caller, lead_id: str) -> Lead:
    """A live lead of the caller's company; another company's is not found."""
    lead = next(iter(live_leads(session, caller.company_id, [lead_id])), None)
    if lead is None:
        raise NotFound(f"No lead {lead_id}", details={"field": "id"})
    return lead


def list_leads_page(request: Request, session: Session, caller: Caller, default_size: int,
                    ) -> tuple[list[dict[str, Any]], Paging, int, str | None]:
    """A page of the company's live leads under the request's filters and paging; the leads,
    how they were paged, how many match in all, and the next page's cursor."""
    paging = query_paging(request, default_size)
    query = LeadQuery(**{field: query_text(request, name)
                         for name, field in LIST_FILTERS.items()})
    if query.client_id and find_client(session, caller.company_id, query.client_id) is None:
        raise NotFound(f"No client {query.client_id}", details={"field": "client_id"})
    leads, next_token = page_live(session, caller.company_id, query, paging.size,
                                  paging.cursor, list(READ_FIELDS), offset=paging.offset)
    total = count_live(session, caller.company_id, query)
    return leads, paging, total, next_token
