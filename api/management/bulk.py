"""Bulk extraction: `GET /api/enrich-leads/list` (leads) and `/api/source-leads/list` (raw
source leads), by company, in pages of up to 5,000 with a `fields` projection."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from sqlmodel import Session, col

from api.errors import InvalidValue, NotFound
from api.guards import authenticated
from api.management.requests import query_cursor, query_int, query_text
from api.security.auth import Caller
from storage.db.page_reader import read_page
from storage.leads.fields import GENERATED_FIELDS
from storage.leads.listing import LeadQuery, page_live
from storage.leads.models import SourceLead
from storage.leads.records import READ_FIELDS
from storage.tenancy.accounts import find_client

DEFAULT_LIMIT, MAX_LIMIT = 1000, 5000
ALL_CLIENTS = {"ALL", "DEFAULT"}
SOURCE_LEAD_FIELDS = {
    "id": "id", "company_id": "company_id", "client_id": "client_id", "source": "source",
    "sourceRecordId": "source_record_id", "runId": "run_id", "fullName": "full_name",
    "firstName": "first_name", "lastName": "last_name", "email": "email", "phone": "phone",
    "title": "title", "companyName": "company_name", "companyDomain": "company_domain",
    "linkedinUrl": "linkedin_url", "location": "location", "raw": "raw",
    "createdAt": "created_at", "updatedAt": "updated_at",
}


def projection(request: Request, known: dict[str, str], *,
               also: dict[str, str] | None = None) -> list[str]:
    """The `fields` asked for (all `known` when absent; `also` only when asked for by name);
    an unknown name is invalid_value naming it."""
    raw = query_text(request, "fields")
    if raw is None:
        return list(known)
    known = {**known, **(also or {})}
    names = list(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise InvalidValue(f"fields names unknown fields: {', '.join(unknown) or '(none)'}",
                           details={"field": "fields", "unknown": unknown,
                                    "known": sorted(known)})
    return names


def _scope(request: Request, session: Session, caller: Caller) -> str | None:
    """The client to filter by (None: every client of the company)."""
    company_id = query_text(request, "companyId", required=True)
    if company_id != caller.company_id:
        # Another tenant's company is "not found", never "forbidden".
        raise NotFound(f"No company {company_id}", details={"field": "companyId"})
    client_id = query_text(request, "clientId")
    if client_id is None or client_id.upper() in ALL_CLIENTS:
        return None
    if find_client(session, caller.company_id, client_id) is None:
        raise NotFound(f"No client {client_id}", details={"field": "clientId"})
    return client_id


class BulkController(Controller):
    path = "/api"
    tags = ["Bulk extraction"]
    guards = [authenticated]

    @get("/enrich-leads/list", summary="Bulk page of a company's leads", sync_to_thread=True)
    def enrich_leads(self, request: Request, session: Session,
                     caller: Caller) -> dict[str, Any]:
        """Leads of `companyId` (required; your own company), all clients or `clientId`
        (ALL/DEFAULT = all), `limit` 1–5000 (default 1000), `nextToken`, `fields`
        (comma-separated projection of the lead's fields and, named there, its generated
        fields such as `aiLeadScore`) → `{items, count, nextToken}`.
        """
        limit = query_int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        cursor = query_cursor(request)
        fields = projection(request, READ_FIELDS, also=GENERATED_FIELDS)
        query = LeadQuery(client_id=_scope(request, session, caller))
        items, next_token = page_live(session, caller.company_id, query, limit, cursor, fields)
        return {"success": True, "items": items, "count": len(items), "nextToken": next_token}

    @get("/source-leads/list", summary="Bulk page of a company's source leads", sync_to_thread=True)
    def source_leads(self, request: Request, session: Session,
                     caller: Caller) -> dict[str, Any]:
        """Raw source leads (research and scrape results) of `companyId`, same parameters as
        `/api/enrich-leads/list` → `{items, count, nextToken}`.
        """
        limit = query_int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        cursor = query_cursor(request)
        fields = projection(request, SOURCE_LEAD_FIELDS)
        client_id = _scope(request, session, caller)
        conditions = [SourceLead.company_id == caller.company_id]
        if client_id is not None:
            conditions.append(col(SourceLead.client_id) == client_id)
        items, next_token = read_page(session, SourceLead,
                                      {name: SOURCE_LEAD_FIELDS[name] for name in fields},
                                      conditions, cursor, limit)
        return {"success": True, "items": items, "count": len(items), "nextToken": next_token}

