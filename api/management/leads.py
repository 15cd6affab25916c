"""`/api/leads` (list, create, update, delete; one or a batch) and `GET /api/find-lead`.

The same `Lead` rows the command API writes: a command's leads show up here under their
client, and leads created here are found by later commands' dedupe.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session

from api.errors import (
    AlreadyExists,
    Conflict,
    InvalidValue,
    ManagementError,
    MissingRequiredField,
    NotFound,
)
from api.guards import authenticated
from api.management.requests import (
    parse_json_object,
    query_cursor,
    query_int,
    query_text,
    validate,
)
from api.security.auth import Caller, RecordOwnerMismatch, may_change
from storage.db.clock import utcnow
from storage.leads.fields import generated_fields
from storage.leads.records import (
    READ_FIELDS,
    WRITABLE_FIELDS,
    apply_changes,
    count_live,
    existing_by_identity,
    find_live,
    lead_columns,
    lead_identities,
    live_leads,
    new_or_revived_lead,
    page_live,
    provenance,
    public_lead,
    soft_delete,
)
from storage.tenancy.accounts import find_client

MAX_BATCH = 1000
TEXT = 2000


class LeadFields(BaseModel):
    """The writable fields of a lead, under the document's names."""

    model_config = ConfigDict(extra="ignore")
    firstName: str | None = Field(default=None, max_length=200)  # noqa: N815 - documented names
    lastName: str | None = Field(default=None, max_length=200)  # noqa: N815
    fullName: str | None = Field(default=None, max_length=400)  # noqa: N815
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    companyName: str | None = Field(default=None, max_length=300)  # noqa: N815
    companyDomain: str | None = Field(default=None, max_length=300)  # noqa: N815
    title: str | None = Field(default=None, max_length=300)
    linkedinUrl: str | None = Field(default=None, max_length=TEXT)  # noqa: N815
    notes: str | None = Field(default=None, max_length=20_000)
    industry: str | None = Field(default=None, max_length=300)
    website: str | None = Field(default=None, max_length=TEXT)
    location: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=200)
    companySize: str | None = Field(default=None, max_length=100)  # noqa: N815
    revenue: str | None = Field(default=None, max_length=100)
    status: str | None = Field(default=None, min_length=1, max_length=50)

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and value.strip() and "@" not in value:
            raise ValueError("email must contain @")
        return value.strip() if value else value

    def columns(self) -> dict[str, Any]:
        """The fields the request set, as Lead columns."""
        return {WRITABLE_FIELDS[name]: value
                for name, value in self.model_dump(exclude_unset=True).items()
                if name in WRITABLE_FIELDS}


class LeadCreate(LeadFields):
    client_id: str = Field(min_length=1, max_length=120)


class LeadUpdate(LeadFields):
    id: str = Field(min_length=1, max_length=120)


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


def _identity_or_error(key: str | None, field: str) -> str:
    if key is None:
        raise MissingRequiredField(
            "A lead needs an email, a linkedinUrl, a phone or a name at a company",
            details={"field": field, "issue": "no identity"})
    return key


def _create(session: Session, caller: Caller, items: list[LeadCreate], prefix: str,
            ) -> tuple[list[Any], list[dict[str, Any]]]:
    """Create leads owned by the caller; returns the created leads and, per refused item, why."""
    company_id = caller.company_id
    now = utcnow()
    created: list[Any] = []
    skipped: list[dict[str, Any]] = []
    by_client: dict[str, list[tuple[int, LeadCreate, dict[str, Any], str]]] = {}
    columns = [item.columns() for item in items]
    for index, (item, values, identity) in enumerate(
            zip(items, columns, lead_identities(columns), strict=True)):
        try:
            if find_client(session, company_id, item.client_id) is None:
                raise NotFound(f"No client {item.client_id}",
                               details={"field": f"{prefix}{index}.client_id"})
            key = _identity_or_error(identity, f"{prefix}{index}")
        except ManagementError as error:
            skipped.append(_skip(index, item, error))
            continue
        by_client.setdefault(item.client_id, []).append((index, item, values, key))
    for client_id, entries in by_client.items():
        existing = existing_by_identity(session, company_id, client_id,
                                        [key for *_, key in entries])
        for index, item, values, key in entries:
            record = existing.get(key)
            if record is not None and record.deleted_at is None:
                skipped.append(_skip(index, item, AlreadyExistsLead(key, record.id)))
                continue
            lead = new_or_revived_lead(record, company_id, client_id, key, values, now,
                                       caller.user_id)
            existing[key] = lead
            session.add(lead)
            created.append(lead)
    session.flush()
    return created, sorted(skipped, key=lambda entry: entry["index"])


class AlreadyExistsLead(AlreadyExists):
    recommendation = "Update the existing lead (PUT /api/leads with its id) instead."

    def __init__(self, key: str, lead_id: str) -> None:
        super().__init__("This person is already a lead of the client",
                         details={"existingId": lead_id, "identity": key})


def _skip(index: int, item: LeadCreate | dict[str, Any], error: ManagementError
          ) -> dict[str, Any]:
    email = item.get("email") if isinstance(item, dict) else item.email
    return {"index": index, "email": email, "reason": error.message,
            "errorType": error.error_type, "details": error.details, "_error": error}


def _refuse_others_leads(caller: Caller, leads: list[Any]) -> None:
    """Owner-based isolation: all or nothing, like the rest of a batch."""
    foreign = [lead.id for lead in leads if not may_change(caller, lead.owner)]
    if foreign:
        raise RecordOwnerMismatch("lead", foreign)


def _update(session: Session, caller: Caller, items: list[LeadUpdate]) -> list[Any]:
    """Update every lead or none: an unknown id, another member's lead or an identity clash
    refuses the whole batch."""
    company_id = caller.company_id
    ids = [item.id for item in items]
    found = {lead.id: lead for lead in live_leads(session, company_id, ids)}
    missing = [lead_id for lead_id in ids if lead_id not in found]
    if missing:
        raise NotFound("No such lead" if len(missing) == 1 else "Some leads do not exist",
                       details={"field": "id", "ids": missing})
    _refuse_others_leads(caller, list(found.values()))
    now = utcnow()
    for item in items:
        apply_changes(found[item.id], item.columns(), now)
    changed = [found[item.id] for item in items]
    for item, lead, key in zip(items, changed, lead_identities(
            [lead_columns(lead) for lead in changed]), strict=True):
        if key is not None and key != lead.dedupe_key:
            clash = existing_by_identity(session, company_id, lead.site_id, [key]).get(key)
            if clash is not None and clash.id != lead.id:
                raise Conflict("Another lead of the client is this person",
                               details={"id": item.id, "existingId": clash.id})
            lead.dedupe_key = key
        session.add(lead)
    session.flush()
    return [found[lead_id] for lead_id in ids]


class LeadController(Controller):
    path = "/api"
    tags = ["Leads"]
    guards = [authenticated]

    @get("/leads", summary="List a client's leads (cursor pages), or get one with ?id=",
         sync_to_thread=True)
    def list_leads(self, request: Request, session: Session, caller: Caller) -> dict[str, Any]:
        """`client_id` (required), `limit` 1–1000 (default 100), `nextToken` → `{leads, total,
        nextToken}`, newest first; or one lead with `?id=` (with its sources and
        generated fields).
        """
        lead_id = query_text(request, "id")
        client_id = None if lead_id else query_text(request, "client_id", required=True)
        limit = query_int(request, "limit", 100, 1, 1000)
        cursor = query_cursor(request)
        if lead_id:
            lead = next(iter(live_leads(session, caller.company_id, [lead_id])), None)
            if lead is None:
                raise NotFound(f"No lead {lead_id}", details={"field": "id"})
            generated = generated_fields(session, [lead.id]).get(lead.id, {})
            return {"success": True, "lead": {**public_lead(lead),
                                              "sources": provenance(session, lead.id),
                                              "generatedFields": generated}}
        if find_client(session, caller.company_id, client_id) is None:
            raise NotFound(f"No client {client_id}", details={"field": "client_id"})
        leads, next_token = page_live(session, caller.company_id, client_id, limit, cursor,
                                      list(READ_FIELDS))
        total = count_live(session, caller.company_id, client_id)
        return {"success": True, "leads": leads, "total": total, "nextToken": next_token}

    @post("/leads", status_code=201, summary="Create a lead, or a batch {leads: [...]}",
          sync_to_thread=True)
    def create_leads(self, session: Session, caller: Caller, body: bytes) -> dict[str, Any]:
        """One lead (`{client_id, firstName, lastName, email, companyName, title, linkedinUrl,
        ...}` → 201 `{lead}`) or a batch `{leads: [...]}` → 201 `{created, skipped[]}`
        with a reason per skipped row.
        """
        # Raw body: it is one lead or a batch, and a batch item's problems are reported per
        # item (skipped, with `leads[i].` field names), so no single model decodes it.
        body = parse_json_object(body)
        raw_items = _batch(body, "leads")
        if raw_items is None:
            item = validate(LeadCreate, body)
            created, skipped = _create(session, caller, [item], "")
            if skipped:
                raise skipped[0]["_error"]
            return {"success": True, "lead": public_lead(created[0])}
        valid: list[LeadCreate] = []
        positions: list[int] = []
        invalid: list[dict[str, Any]] = []
        for index, raw in enumerate(raw_items):
            try:
                valid.append(validate(LeadCreate, raw, prefix=f"leads[{index}]."))
                positions.append(index)
            except ManagementError as error:
                invalid.append(_skip(index, raw if isinstance(raw, dict) else {}, error))
        created, skipped = _create(session, caller, valid, "leads[")
        for entry in skipped:
            entry["index"] = positions[entry["index"]]
        return {"success": True, "created": len(created),
                "ids": [lead.id for lead in created],
                "skipped": [_public_skip(entry) for entry in
                            sorted(invalid + skipped, key=lambda entry: entry["index"])]}

    @put("/leads", summary="Update a lead, or a batch {leads: [...]}", sync_to_thread=True)
    def update_leads(self, session: Session, caller: Caller, body: bytes) -> dict[str, Any]:
        """One lead `{id, ...fields}` → `{lead}`, or a batch `{leads: [{id, ...}]}` → `{updated}`
        (all or nothing).
        """
        # Raw body: one lead or a batch, a batch item's errors named `leads[i].field`.
        body = parse_json_object(body)
        raw_items = _batch(body, "leads")
        items = [validate(LeadUpdate, body)] if raw_items is None else [
            validate(LeadUpdate, raw, prefix=f"leads[{index}].")
            for index, raw in enumerate(raw_items)]
        leads = _update(session, caller, items)
        if raw_items is None:
            return {"success": True, "lead": public_lead(leads[0])}
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
        _refuse_others_leads(caller, leads)
        deleted = soft_delete(leads, session)
        gone = {lead.id for lead in leads}
        return {"success": True, "deleted": deleted,
                "notFound": [value for value in ids if value not in gone]}

    @get("/find-lead", summary="Find leads by email, LinkedIn URL or full name",
         sync_to_thread=True)
    def find_lead(self, request: Request, session: Session, caller: Caller) -> dict[str, Any]:
        """`email`, `linkedinUrl` or `fullName` → `{found, lead}` among your company's leads."""
        email = query_text(request, "email")
        linkedin = query_text(request, "linkedinUrl") or query_text(request, "linkedin_url")
        full_name = query_text(request, "fullName") or query_text(request, "full_name")
        if not (email or linkedin or full_name):
            raise MissingRequiredField("email, linkedinUrl or fullName is required",
                                       details={"field": "email"})
        leads = find_live(session, caller.company_id, email=email, linkedin=linkedin,
                          full_name=full_name)
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


def _public_skip(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "_error"}
