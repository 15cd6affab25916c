"""Search history: `GET/POST/PUT /api/search-history`, the lead searches (e.g. scrape runs) a
company ran, with their criteria and status (initiated | running | completed | failed)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, get, post, put
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from api.errors import InvalidValue, NotFound
from api.guards import authenticated
from api.management.requests import keyset_page, query_int, query_text
from api.security.auth import Caller, require_record_owner
from storage.db.clock import iso_z, utcnow
from storage.tenancy.accounts import find_client
from storage.workspace.models import SearchHistory

SearchStatus = Literal["initiated", "running", "completed", "failed"]
STATUSES = ("initiated", "running", "completed", "failed")
_Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SearchHistoryFields(BaseModel):
    model_config = _Strict
    searchDescription: str | None = None
    searchCriteria: dict[str, Any] | None = None
    searchFilters: dict[str, Any] | None = None
    clientName: str | None = None
    icpId: str | None = None
    icpName: str | None = None
    apifyActorId: str | None = None
    apifyRunId: str | None = None
    category: str | None = None
    tags: list[str] | None = None
    status: SearchStatus | None = None
    resultsCount: int | None = Field(default=None, ge=0, le=2**31 - 1)  # an INTEGER column
    errorMessage: str | None = None


class SearchHistoryCreate(SearchHistoryFields):
    searchName: str = Field(min_length=1, max_length=500)
    client_id: str | None = None


class SearchHistoryUpdate(SearchHistoryFields):
    id: str = Field(min_length=1)
    searchName: str | None = Field(default=None, min_length=1, max_length=500)


# API field -> column
COLUMNS = {"searchName": "search_name", "searchDescription": "search_description",
           "searchCriteria": "search_criteria", "searchFilters": "search_filters",
           "clientName": "client_name", "icpId": "icp_id", "icpName": "icp_name",
           "apifyActorId": "apify_actor_id", "apifyRunId": "apify_run_id",
           "category": "category", "tags": "tags", "status": "status",
           "resultsCount": "results_count", "errorMessage": "error_message"}


def public_search(row: SearchHistory) -> dict[str, Any]:
    view: dict[str, Any] = {"id": row.id, "client_id": row.client_id}
    view.update({field: getattr(row, column) for field, column in COLUMNS.items()})
    view.update(owner=row.owner, company_id=row.company_id, createdAt=iso_z(row.created_at),
                updatedAt=iso_z(row.updated_at),
                completedAt=iso_z(row.completed_at) if row.completed_at else None)
    return view


def apply_fields(row: SearchHistory, given: dict[str, Any]) -> None:
    for field, value in given.items():
        if field in COLUMNS:
            if field in ("searchCriteria", "searchFilters") and value is None:
                value = {}
            if field == "tags" and value is None:
                value = []
            setattr(row, COLUMNS[field], value)
    row.updated_at = utcnow()
    if row.status in ("completed", "failed"):
        row.completed_at = row.completed_at or row.updated_at
    else:
        row.completed_at = None


class SearchHistoryController(Controller):
    path = "/api/search-history"
    tags = ["Search history"]
    guards = [authenticated]

    @post("/", status_code=201, summary="Record a search", sync_to_thread=True)
    def create_search(self, session: Session, caller: Caller,
                      data: SearchHistoryCreate) -> dict[str, Any]:
        """`{searchName, searchDescription?, searchCriteria?, searchFilters?, client_id?,
        clientName?, icpId?, icpName?, apifyActorId?, category?, tags?}` → 201
        `{searchHistory}`.
        """
        client_name = None
        if data.client_id:
            client = find_client(session, caller.company_id, data.client_id)
            if client is None:
                raise NotFound(f"No client {data.client_id}",
                               details={"field": "client_id", "issue": "not found"})
            client_name = client.client_name
        row = SearchHistory(id=str(uuid.uuid4()), company_id=caller.company_id,
                            owner=caller.user_id, search_name=data.searchName,
                            client_id=data.client_id, client_name=client_name)
        given = data.model_dump(exclude_unset=True, exclude={"client_id"})
        apply_fields(row, given)
        session.add(row)
        session.flush()
        return {"success": True, "searchHistory": public_search(row)}

    @put("/", summary="Update a search (by id)", sync_to_thread=True)
    def update_search(self, session: Session, caller: Caller,
                      data: SearchHistoryUpdate) -> dict[str, Any]:
        """`{id, status?, ...}` → `{searchHistory}`."""
        row = session.get(SearchHistory, data.id)
        if row is None or row.company_id != caller.company_id:
            raise NotFound(f"No search history {data.id}",
                           details={"field": "id", "issue": "not found"})
        require_record_owner(caller, row.owner, "search", row.id)
        apply_fields(row, data.model_dump(exclude_unset=True, exclude={"id"}))
        session.add(row)
        return {"success": True, "searchHistory": public_search(row)}

    @get("/", summary="List searches, newest first", sync_to_thread=True)
    def list_searches(self, request: Request, session: Session,
                      caller: Caller) -> dict[str, Any]:
        """Filters `client_id`, `status`, `icpId`, `category`; `limit` 1-100 (default 20),
        `cursor` from the previous page's `nextCursor`."""
        limit = query_int(request, "limit", 20, 1, 100)
        status = query_text(request, "status")
        if status is not None and status not in STATUSES:
            raise InvalidValue("Unknown status", details={
                "field": "status", "issue": f"one of {', '.join(STATUSES)}"})
        statement = select(SearchHistory).where(SearchHistory.company_id == caller.company_id)
        for name, column in (("client_id", SearchHistory.client_id),
                             ("icpId", SearchHistory.icp_id),
                             ("category", SearchHistory.category)):
            value = query_text(request, name)
            if value is not None:
                statement = statement.where(column == value)
        if status is not None:
            statement = statement.where(SearchHistory.status == status)
        rows, next_cursor = keyset_page(session, statement, SearchHistory, request,
                                        param="cursor", limit=limit, previous_page="nextCursor")
        return {"success": True, "searchHistory": [public_search(row) for row in rows],
                "count": len(rows), "nextCursor": next_cursor}
