"""Do-not-contact lists: `/api/suppressions` (add, page, delete) and
`POST /api/suppressions/import` (a CSV file), per company or for one of its clients.

- Adding: any member. A value the identity rule cannot read (not an e-mail address, a domain,
  a LinkedIn profile, a phone number; longer than 2,000 characters) is reported in `invalid`
  (`{field, index, issue}`; `{line, column, issue}` for a file) and the rest are listed, as a
  batch of `POST /api/leads` reports its skipped rows; a value already listed in the same
  scope is counted in `existing`. At most 10,000 values per request or file (413 beyond).
- Reading: entries of the caller's company only, newest first; a list entry shows its value
  (sealed in the database), an erasure's entry never has one.
- Deleting: an owner or admin may delete any list entry; a member only those they added
  (entries added from the CLI have no creator: owners and admins only). One entry the caller
  may not delete refuses the whole request (403 owner_mismatch, as `DELETE /api/leads`).
  Another company's entries and an erasure's are `notFound`: an erased person stays erased.
The rules live in storage/privacy; this module decodes, authorises and answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.errors import (
    InvalidFormat,
    InvalidValue,
    MissingRequiredField,
    NotFound,
    PayloadTooLargeManagement,
)
from api.guards import authenticated
from api.management.requests import query_int, query_text
from api.security.auth import Caller, RecordOwnerMismatch
from storage.privacy.list_files import MAX_LIST_FILE_BYTES, ListFileRefused
from storage.privacy.lists import (
    MAX_LIST_VALUES,
    NothingToList,
    TooManyValues,
    UnknownClient,
    add_to_list,
    import_list_file,
    list_entries,
    page_of_entries,
    public_added,
    require_client,
)
from storage.privacy.models import SUPPRESSION_KINDS, SUPPRESSION_REASONS, Suppression
from storage.privacy.suppressions import LIST_FIELDS, delete_suppressions, public_suppression
from storage.tenancy.secrets import SecretBox

# The file itself may be MAX_LIST_FILE_BYTES; a multipart body adds its boundaries.
_MULTIPART_ROOM = 64 * 1024


class SuppressionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: str | None = Field(default=None, min_length=1, max_length=120)
    emails: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    linkedinUrls: list[str] = Field(default_factory=list)  # noqa: N815 - documented names
    phones: list[str] = Field(default_factory=list)

    def values(self) -> dict[str, list[str]]:
        return {"emails": self.emails, "domains": self.domains,
                "linkedinUrls": self.linkedinUrls, "phones": self.phones}


class SuppressionDelete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(min_length=1, max_length=MAX_LIST_VALUES)


def may_delete(caller: Caller, entry: Suppression) -> bool:
    """Owners and admins delete any list entry; a member only the entries they added."""
    return caller.is_admin or (entry.created_by is not None
                               and entry.created_by == caller.user_id)


def _listing(add: Callable[[], dict[str, Any]], client_id: str | None,
             empty: tuple[str, str]) -> dict[str, Any]:
    """`add()`'s reply, its refusals as the documented errors (`empty`: the field and the
    message of missing_required_field when there is nothing to list)."""
    try:
        return {"success": True, **add()}
    except NothingToList as exc:
        field, message = empty
        raise MissingRequiredField(message, details={"field": field,
                                                     "issue": str(exc)}) from None
    except TooManyValues as exc:
        raise PayloadTooLargeManagement(
            f"At most {MAX_LIST_VALUES} values per request",
            details={"field": "body", "issue": str(exc)},
            recommendation=f"Send the list in parts of up to {MAX_LIST_VALUES} values.",
        ) from None
    except UnknownClient:
        raise _no_client(client_id) from None
    except ListFileRefused as exc:
        raise InvalidFormat(f"The file is not a CSV list: {exc.issue}", details={
            "field": "body", "line": exc.line, "issue": exc.issue},
            recommendation="Send a CSV whose first row names the columns email, domain, "
                           "linkedinUrl or phone.") from None


def _no_client(client_id: str | None) -> NotFound:
    return NotFound(f"No client {client_id}",
                    details={"field": "client_id", "issue": "not a client of your company"})


class SuppressionController(Controller):
    path = "/api/suppressions"
    tags = ["Privacy"]
    guards = [authenticated]

    @post("/", status_code=201, summary="Add e-mails, domains, LinkedIn profiles or phones "
          "to the do-not-contact list", sync_to_thread=True)
    def create_entries(self, state: State, session: Session, caller: Caller,
                       data: SuppressionCreate) -> dict[str, Any]:
        """`{client_id?, emails?, domains?, linkedinUrls?, phones?}` → 201 `{created,
        existing, invalid: [{field, index, issue}], suppressions}`. Without `client_id` the
        entries apply to every client of your company. Invalid values are reported, the
        others listed; at most 10,000 values (413 beyond)."""
        box = state.secret_box
        return _listing(lambda: public_added(add_to_list(
            session, box, caller.company_id, data.client_id, data.values(), caller.user_id),
            box), data.client_id, ("emails", f"One of {', '.join(LIST_FIELDS)} is required"))

    @get("/", summary="List the do-not-contact entries, newest first", sync_to_thread=True)
    def page_entries(self, request: Request, state: State, session: Session,
                     caller: Caller) -> dict[str, Any]:
        """Filters `client_id` (that client's own entries; 404 if not your client), `kind`
        (email | domain | linkedin | phone | person), `reason` (list | erasure); `limit`
        1-1000 (default 100), `nextToken` → `{suppressions, count, nextToken}`. An erasure's
        entries have no value."""
        limit = query_int(request, "limit", 100, 1, 1000)
        kind = _one_of(request, "kind", SUPPRESSION_KINDS)
        reason = _one_of(request, "reason", SUPPRESSION_REASONS)
        client_id = query_text(request, "client_id")
        try:
            require_client(session, caller.company_id, client_id)
        except UnknownClient:
            raise _no_client(client_id) from None
        try:
            rows, next_token = page_of_entries(
                session, caller.company_id, client_id=client_id, kind=kind, reason=reason,
                cursor=query_text(request, "nextToken"), limit=limit)
        except ValueError:
            raise InvalidFormat("nextToken is not valid", details={
                "field": "nextToken", "issue": "use nextToken of the previous page"}) from None
        return {"success": True,
                "suppressions": [public_suppression(row, state.secret_box) for row in rows],
                "count": len(rows), "nextToken": next_token}

    @delete("/", status_code=200, summary="Delete do-not-contact entries {ids: [...]}",
            sync_to_thread=True)
    def delete_entries(self, session: Session, caller: Caller,
                       data: SuppressionDelete) -> dict[str, Any]:
        """`{ids: [...]}` → `{deleted, notFound}`. Owners and admins delete any list entry,
        members the ones they added (owner_mismatch refuses the whole request); an erasure's
        entries and other companies' are notFound."""
        ids = list(dict.fromkeys(data.ids))
        refused = [entry.id for entry in list_entries(session, caller.company_id, ids)
                   if not may_delete(caller, entry)]
        if refused:
            raise RecordOwnerMismatch("suppression", refused)
        deleted, not_found = delete_suppressions(session, caller.company_id, ids)
        return {"success": True, "deleted": len(deleted), "notFound": not_found}

    @post("/import", status_code=201, summary="Add a CSV file to the do-not-contact list",
          request_max_body_size=MAX_LIST_FILE_BYTES + _MULTIPART_ROOM)
    async def import_entries(self, request: Request, state: State, session: Session,
                             caller: Caller) -> dict[str, Any]:
        """The body is a CSV file (`text/csv`, or `multipart/form-data` with a `file` part) of
        up to 2 MiB and 10,000 values; its header names the columns `email`, `domain`,
        `linkedinUrl`, `phone` (others are ignored). `?client_id=` lists them for one client.
        → 201 `{created, existing, invalid: [{line, column, issue}], columns, ignoredColumns,
        suppressions}`; a file that is not CSV with such a header is 400 invalid_format."""
        client_id = query_text(request, "client_id")
        raw = await _list_file(request)
        return await sync_to_thread(_import_file, session, state.secret_box, caller,
                                    client_id, raw)


def _one_of(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    value = query_text(request, name)
    if value is not None and value not in allowed:
        raise InvalidValue(f"Unknown {name}", details={
            "field": name, "issue": f"one of {', '.join(allowed)}"})
    return value


async def _list_file(request: Request) -> bytes:
    """The uploaded file: the body itself, or the `file` part of a multipart form."""
    if request.content_type[0] == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise MissingRequiredField("The form has no file", details={
                "field": "file", "issue": "send the CSV as the form's `file` part"})
        raw = await upload.read()
    else:
        raw = await request.body()
    if not raw.strip():
        raise MissingRequiredField("The file is empty",
                                   details={"field": "body", "issue": "send the CSV file"})
    if len(raw) > MAX_LIST_FILE_BYTES:
        raise PayloadTooLargeManagement(
            "The file is too large", details={
                "field": "file", "issue": f"{len(raw)} bytes; at most {MAX_LIST_FILE_BYTES}"},
            recommendation=f"Send the list in files of up to {MAX_LIST_VALUES} values.")
    return raw


def _import_file(session: Session, box: SecretBox, caller: Caller, client_id: str | None,
                 raw: bytes) -> dict[str, Any]:
    return _listing(lambda: import_list_file(session, box, caller.company_id, client_id, raw,
                                             caller.user_id),
                    client_id, ("body", "The file lists no values"))
