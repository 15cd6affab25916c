"""`/api/leads` (list, create, update, delete; one or a batch) and `GET /api/find-lead`.

The same `Lead` rows the command API writes: a command's leads show up here under their
client, and leads created here are found by later commands' dedupe.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from sqlmodel import Session

from api.errors import InvalidValue, MissingRequiredField, NotFound
from api.guards import authenticated
from api.management.lead_bodies import EnrichLeadUpdate, LeadCreate, LeadUpdate
from api.management.lead_operations import (
    company_lead,
    create_leads,
    lead_detail,
    list_leads_page,
    merged_skips,
    refuse_others_leads,
    update_leads,
    validate_each,
)
from api.management.requests import parse_json_object, query_text, validate
from api.security.auth import Caller
from storage.leads.listing import find_live
from storage.leads.records import live_leads, public_lead, soft_delete
from storage.tenancy.accounts import find_client

MAX_BATCH = 1000


def _batch(body: dict[str, Any], key: str) -> list[Any] | None:
    if key not in body:
        return None
    items = body[key]
    if not isinstance(items, list):
        raise InvalidValue(f"{key} must be an array", details={"field": key})
    if not 1 <= len(items) <= MAX_BATCH:
        raise InvalidValue(f"{key} must hold 1 to {MAX_BATCH} items",
                           details={"field": key, "issue": f"got {len(items)}"})
    return items


class LeadController(Controller):
    path = "/api"
    tags = ["Leads"]
    guards = [authenticated]

    @get("/leads", summary="List the company's leads (filters, pages), or get one with ?id=",
         sync_to_thread=True)
    def list_leads(self, request: Request, session: Session, caller: Caller) -> dict[str, Any]:
        """All your company's live leads, newest first, or one client's (`client_id`);
        filters `status`, `campaignId`, `email` (exact, any case), `firstName`, `lastName`
        (any case), `fullName`, `companyName` (any-case substrings); `pageSize` (alias
        `limit`) 1–1000 (default 100) with `page` (1-based) or `nextToken` → `{leads, data,
        total, nextToken, pagination{page, pageSize, totalItems, totalPages}}`; or one lead
        with `?id=` (with its sources and generated fields).
        """
        lead_id = query_text(request, "id")
        if lead_id:
            return {"success": True,
                    "lead": lead_detail(session, company_lead(session, caller, lead_id))}
        leads, paging, total, next_token = list_leads_page(request, session, caller, 100)
        return {"success": True, "leads": leads, "data": leads, "total": total,
                "nextToken": next_token, "pagination": paging.pagination(total, next_token)}

    @post("/leads", status_code=201, summary="Create a lead, or a batch {leads: [...]}",
          sync_to_thread=True)
    def create_leads(self, session: Session, caller: Caller, body: bytes) -> dict[str, Any]:
        """One lead (`{client_id, firstName, lastName, email, companyName, title, linkedinUrl,
        contactName, campaignId, ...generated fields}` → 201 `{lead}`) or a batch
        `{leads: [...]}` → 201 `{created, ids, skipped[]}` with a reason per skipped row.
        """
        # Raw body: it is one lead or a batch, and a batch item's problems are reported per
        # item (skipped, with `leads[i].` field names), so no single model decodes it.
        body = parse_json_object(body)
        raw_items = _batch(body, "leads")
        if raw_items is None:
            item = validate(LeadCreate, body)
            created, skipped = create_leads(session, caller, [item])
            if skipped:
                raise skipped[0]["_error"]
            return {"success": True, "lead": lead_detail(session, created[0])}
        valid, positions, invalid = validate_each(LeadCreate, raw_items)
        created, skipped = create_leads(session, caller, valid, positions)
        return {"success": True, "created": len(created),
                "ids": [lead.id for lead in created],
                "skipped": merged_skips(invalid, skipped, positions)}

    @put("/leads", summary="Update a lead, or a batch {leads: [...]}", sync_to_thread=True)
    def update_leads(self, session: Session, caller: Caller, body: bytes) -> dict[str, Any]:
        """One lead `{id, ...fields, ...generated fields}` → `{lead}`, or a batch
        `{leads: [{id, ...}]}` → `{updated}` (all or nothing).
        """
        # Raw body: one lead or a batch, a batch item's errors named `leads[i].field`.
        body = parse_json_object(body)
        raw_items = _batch(body, "leads")
        items = [validate(LeadUpdate, body)] if raw_items is None else [
            validate(LeadUpdate, raw, prefix=f"leads[{index}].")
            for index, raw in enumerate(raw_items)]
        leads = update_leads(session, caller, [item.id for item in items], items)
        if raw_items is None:
            return {"success": True, "lead": lead_detail(session, leads[0])}
        return {"success": True, "updated": len(leads)}

    @delete("/leads", status_code=200, summary="Delete a lead (?id=) or a batch {ids: [...]}",
            sync_to_thread=True)
    def delete_leads(self, request: Request, session: Session, caller: Caller,
                     body: bytes) -> dict[str, Any]:
        """Soft-deletes `?id=` or a body `{ids: [...]}` → `{deleted}`; another member's lead
        is refused (owner_mismatch, the whole batch) unless you are an owner or admin."""
        # Raw body: it is optional (empty with `?id=`), which a required `data` cannot be.
        lead_id = query_text(request, "id")
        ids = [lead_id] if lead_id else _ids_from(body)
        leads = live_leads(session, caller.company_id, ids)
        if lead_id and not leads:
            raise NotFound(f"No lead {lead_id}", details={"field": "id"})
        refuse_others_leads(caller, leads)
        deleted = soft_delete(leads, session)
        gone = {lead.id for lead in leads}
        return {"success": True, "deleted": deleted,
                "notFound": [value for value in ids if value not in gone]}

    @get("/enrich-leads/{lead_id:str}", summary="One enriched lead: sources, AI fields",
         sync_to_thread=True)
    def get_enriched_lead(self, lead_id: str, session: Session,
                          caller: Caller) -> dict[str, Any]:
        """A lead of your company with its sources and generated fields (AI scores,
        enrichment answers, copy) → `{lead}`; another company's lead is not found."""
        return {"success": True,
                "lead": lead_detail(session, company_lead(session, caller, lead_id))}

    @put("/enrich-leads/{lead_id:str}", summary="Update an enriched lead's AI and other fields",
         sync_to_thread=True)
    def update_enriched_lead(self, lead_id: str, session: Session, caller: Caller,
                             data: EnrichLeadUpdate) -> dict[str, Any]:
        """AI scores, enrichment data and ordinary fields of the lead `{id}` (the body's
        fields as for PUT /api/leads; a body `id` must be the path's) → `{lead}`."""
        if data.id is not None and data.id != lead_id:
            raise InvalidValue("The body's id is not the lead of the path",
                               details={"field": "id", "issue": f"path names {lead_id}"})
        company_lead(session, caller, lead_id)
        lead = update_leads(session, caller, [lead_id], [data])[0]
        return {"success": True, "lead": lead_detail(session, lead)}

    @get("/find-lead", summary="Find leads by email, LinkedIn URL or full name",
         sync_to_thread=True)
    def find_lead(self, request: Request, session: Session, caller: Caller) -> dict[str, Any]:
        """`email`, `linkedinUrl` or `fullName` → `{found, lead, leads}` among your company's
        leads, or one client's (`client_id`; an unknown client is not found)."""
        email = query_text(request, "email")
        linkedin = query_text(request, "linkedinUrl") or query_text(request, "linkedin_url")
        full_name = query_text(request, "fullName") or query_text(request, "full_name")
        client_id = query_text(request, "client_id")
        if not (email or linkedin or full_name):
            raise MissingRequiredField("email, linkedinUrl or fullName is required",
                                       details={"field": "email"})
        if client_id and find_client(session, caller.company_id, client_id) is None:
            raise NotFound(f"No client {client_id}", details={"field": "client_id"})
        leads = find_live(session, caller.company_id, email=email, linkedin=linkedin,
                          full_name=full_name, client_id=client_id)
        found = [public_lead(lead) for lead in leads]
        return {"success": True, "found": bool(found), "lead": found[0] if found else None,
                "leads": found}


def _ids_from(raw: bytes) -> list[str]:
    if not raw.strip():
        raise MissingRequiredField("?id= or a body {\"ids\": [...]} is required",
                                   details={"field": "ids"})
    ids = _batch(parse_json_object(raw), "ids")
    if ids is None:
        raise MissingRequiredField("ids is required", details={"field": "ids"})
    if not all(isinstance(value, str) and value for value in ids):
        raise InvalidValue("ids must be non-empty strings", details={"field": "ids"})
    return list(dict.fromkeys(ids))
