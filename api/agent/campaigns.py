"""`GET /api/agent/campaigns` (numbered pages, `status` and `campaignType` filters) and
`POST /api/agent/campaigns` (CreateCampaignInput: `name` and `campaignType` required, `status`
draft or active) — the campaigns of `/api/campaigns` (api.management.campaigns)."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, get, post
from sqlmodel import Session

from api.guards import authenticated
from api.management.campaigns import (
    DESCRIPTION,
    NAME,
    add_campaign,
    numbered_campaigns,
    public_campaign,
)
from api.management.requests import StrippedContractBody
from api.security.auth import Caller
from storage.workspace.campaigns import CampaignType


class CreateCampaignInput(StrippedContractBody):
    """openapi.json's CreateCampaignInput."""

    name: str = NAME
    campaignType: CampaignType  # noqa: N815 - openapi.json's name
    description: str | None = DESCRIPTION
    status: Literal["draft", "active"] = "draft"
    client_id: str | None = None


class AgentCampaignController(Controller):
    path = "/api/agent/campaigns"
    tags = ["Agent API"]
    guards = [authenticated]

    @get("/", summary="List campaigns (agent API)", sync_to_thread=True)
    def list_campaigns(self, request: Request, session: Session,
                       caller: Caller) -> dict[str, Any]:
        """`page` (default 1), `pageSize` (default 20, up to 1000), `status` (draft | active |
        paused | completed | archived), `campaignType` (abm | demand_gen | nurture); another
        value is 400 invalid_value. → `{success, data[], pagination}`, newest first."""
        campaigns, paging = numbered_campaigns(request, session, caller)
        return {"success": True, "data": campaigns, "pagination": paging}

    @post("/", status_code=201, summary="Create a campaign (agent API)", sync_to_thread=True)
    def create_campaign(self, session: Session, caller: Caller,
                        data: CreateCampaignInput) -> dict[str, Any]:
        """`{name, campaignType, status?, client_id?, description?}` → 201 `{success, data, id}`;
        `client_id` must be one of your clients' (404 not_found otherwise)."""
        row = add_campaign(session, caller, data.model_dump())
        return {"success": True, "data": public_campaign(row), "id": row.id}
