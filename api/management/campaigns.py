"""Campaigns: `GET /api/campaigns` (list) and `POST /api/campaigns` (create), per company,
optionally for one client."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, get, post
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from api.errors import InvalidValue, NotFound
from api.guards import authenticated
from api.management.requests import keyset_page, query_int, query_text
from api.security.auth import Caller
from storage.db.clock import iso_z
from storage.tenancy.accounts import find_client
from storage.workspace.models import Campaign

CAMPAIGN_STATUSES = ("draft", "active", "paused", "completed")


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    client_id: str | None = None
    status: Literal["draft", "active", "paused", "completed"] = "draft"


def public_campaign(row: Campaign) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "description": row.description,
            "client_id": row.client_id, "status": row.status, "owner": row.owner,
            "company_id": row.company_id, "createdAt": iso_z(row.created_at),
            "updatedAt": iso_z(row.updated_at)}


class CampaignController(Controller):
    path = "/api/campaigns"
    tags = ["Campaigns"]
    guards = [authenticated]

    @post("/", status_code=201, summary="Create a campaign", sync_to_thread=True)
    def create_campaign(self, session: Session, caller: Caller,
                        data: CampaignCreate) -> dict[str, Any]:
        """`{name, description?, client_id?, status?}` → 201 `{campaign}`."""
        if data.client_id and find_client(session, caller.company_id, data.client_id) is None:
            raise NotFound(f"No client {data.client_id}",
                           details={"field": "client_id", "issue": "not found"})
        row = Campaign(id=str(uuid.uuid4()), company_id=caller.company_id,
                       client_id=data.client_id, name=data.name, description=data.description,
                       status=data.status, owner=caller.user_id)
        session.add(row)
        session.flush()
        return {"success": True, "campaign": public_campaign(row)}

    @get("/", summary="List campaigns, newest first", sync_to_thread=True)
    def list_campaigns(self, request: Request, session: Session,
                       caller: Caller) -> dict[str, Any]:
        """Filters `client_id`, `status`; `limit` 1-1000 (default 100), `nextToken`."""
        limit = query_int(request, "limit", 100, 1, 1000)
        status = query_text(request, "status")
        if status is not None and status not in CAMPAIGN_STATUSES:
            raise InvalidValue("Unknown status", details={
                "field": "status", "issue": f"one of {', '.join(CAMPAIGN_STATUSES)}"})
        statement = select(Campaign).where(Campaign.company_id == caller.company_id)
        client_id = query_text(request, "client_id")
        if client_id is not None:
            statement = statement.where(Campaign.client_id == client_id)
        if status is not None:
            statement = statement.where(Campaign.status == status)
        rows, next_token = keyset_page(session, statement, Campaign, request, param="nextToken",
                                       limit=limit, previous_page="nextToken")
        return {"success": True, "campaigns": [public_campaign(row) for row in rows],
                "count": len(rows), "nextToken": next_token}
