"""Campaigns: `GET /api/campaigns` (list, or one with `?id=`), `POST /api/campaigns` (create)
and `PUT /api/campaigns` (change), per company, optionally for one client.

A campaign has a `campaignType` (abm | demand_gen | nurture) and a `status` (draft | active |
paused | completed | archived). Here `campaignType` is optional on create and defaults to
"abm" (Leadmill's clients created campaigns before it existed, and the LeadGenius CLI sends
"abm" unless told otherwise); the agent API (api/agent/campaigns.py) requires it, as its
openapi.json does. Both faces share the helpers below and storage.workspace.campaigns.

Replies: a created campaign comes back as `campaign` and its id also at the top level (`id`,
read by the LeadGenius CLI). A list carries `campaigns` (Leadmill's name) and `data` (the
agent API's), `count`, `nextToken` and `pagination {totalItems, totalPages, page, pageSize}`.
Pages follow `nextToken` (`limit` 1-1000, default 100) unless `page`/`pageSize` are given:
then numbered pages (pageSize default 20); `page` is null in `pagination` while paging by
`nextToken`. Mixing the two is invalid_value.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from pydantic import Field
from sqlmodel import Session

from api.errors import InvalidValue, NotFound
from api.guards import authenticated
from api.management.requests import (
    StrippedContractBody,
    keyset_page,
    pagination,
    query_choice,
    query_int,
    query_page,
    query_text,
    wants_numbered_page,
)
from api.security.auth import Caller, require_record_owner
from storage.db.clock import iso_z
from storage.db.keyset import newest_first_after
from storage.db.numbered_pages import count_rows, numbered_page, page_count
from storage.tenancy.accounts import find_client
from storage.workspace.campaigns import (
    CAMPAIGN_STATUSES,
    CAMPAIGN_TYPES,
    DEFAULT_CAMPAIGN_TYPE,
    CampaignStatus,
    CampaignType,
    campaigns_of,
    change_campaign,
    create_campaign,
    find_campaign,
)
from storage.workspace.models import Campaign

NAME = Field(min_length=1, max_length=300)
DESCRIPTION = Field(default=None, max_length=5000)


class CampaignCreate(StrippedContractBody):
    name: str = NAME
    description: str | None = DESCRIPTION
    client_id: str | None = None
    status: CampaignStatus = "draft"
    campaignType: CampaignType = DEFAULT_CAMPAIGN_TYPE  # noqa: N815 - the agent API's name


class CampaignUpdate(StrippedContractBody):
    id: str = Field(min_length=1, max_length=120)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = DESCRIPTION
    client_id: str | None = None
    status: CampaignStatus | None = None
    campaignType: CampaignType | None = None  # noqa: N815


def public_campaign(row: Campaign) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "description": row.description,
            "client_id": row.client_id, "status": row.status,
            "campaignType": row.campaign_type, "owner": row.owner,
            "company_id": row.company_id, "createdAt": iso_z(row.created_at),
            "updatedAt": iso_z(row.updated_at)}


def require_client(session: Session, company_id: str, client_id: str | None) -> None:
    """A campaign may only name a live client of its company (another's is not found)."""
    if client_id and find_client(session, company_id, client_id) is None:
        raise NotFound(f"No client {client_id}",
                       details={"field": "client_id", "issue": "not found"})


def add_campaign(session: Session, caller: Caller, fields: dict[str, Any]) -> Campaign:
    """Create the campaign of a validated body (`name`, `description`, `client_id`, `status`,
    `campaignType`) for the caller's company."""
    require_client(session, caller.company_id, fields.get("client_id"))
    return create_campaign(session, caller.company_id, caller.user_id, name=fields["name"],
                           description=fields.get("description"),
                           client_id=fields.get("client_id"), status=fields["status"],
                           campaign_type=fields["campaignType"])


def filtered_campaigns(request: Request, caller: Caller) -> Any:
    """The caller's campaigns filtered by `status`, `campaignType` and `client_id`."""
    return campaigns_of(caller.company_id,
                        status=query_choice(request, "status", CAMPAIGN_STATUSES),
                        campaign_type=query_choice(request, "campaignType", CAMPAIGN_TYPES),
                        client_id=query_text(request, "client_id"))


def numbered_campaigns(request: Request, session: Session, caller: Caller
                       ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One numbered page (`page`, `pageSize`) of the filtered campaigns, and its pagination."""
    page, page_size = query_page(request)
    rows, total = numbered_page(
        session, newest_first_after(filtered_campaigns(request, caller), Campaign, None), page,
        page_size)
    return [public_campaign(row) for row in rows], pagination(total, page, page_size)


def _refuse_mixed_paging(request: Request) -> None:
    for name in ("nextToken", "limit"):
        if query_text(request, name) is not None:
            raise InvalidValue("Page with nextToken/limit or with page/pageSize, not both",
                               details={"field": name, "issue": "given with page/pageSize"})


def _not_found(campaign_id: str) -> NotFound:
    return NotFound(f"No campaign {campaign_id}", details={"field": "id", "issue": campaign_id})


class CampaignController(Controller):
    path = "/api/campaigns"
    tags = ["Campaigns"]
    guards = [authenticated]

    @post("/", status_code=201, summary="Create a campaign", sync_to_thread=True)
    def create_campaign(self, session: Session, caller: Caller,
                        data: CampaignCreate) -> dict[str, Any]:
        """`{name, description?, client_id?, status?, campaignType?}` → 201 `{campaign, id}`.

        `campaignType` defaults to "abm", `status` to "draft".
        """
        row = add_campaign(session, caller, data.model_dump())
        return {"success": True, "campaign": public_campaign(row), "id": row.id}

    @put("/", summary="Change a campaign (by id)", sync_to_thread=True)
    def update_campaign(self, session: Session, caller: Caller,
                        data: CampaignUpdate) -> dict[str, Any]:
        """`{id, name?, description?, status?, campaignType?, client_id?}` → `{campaign, id}`.

        Only the fields sent change (`client_id: null` detaches the campaign from its client);
        another member's campaign needs its owner or an owner/admin (owner_mismatch).
        """
        row = find_campaign(session, caller.company_id, data.id)
        if row is None:
            raise _not_found(data.id)
        require_record_owner(caller, row.owner, "campaign", row.id)
        changes = data.model_dump(exclude_unset=True, exclude={"id"})
        for required in ("name", "status", "campaignType"):
            if required in changes and changes[required] is None:
                raise InvalidValue(f"{required} cannot be null",
                                   details={"field": required, "issue": "null"})
        require_client(session, caller.company_id, changes.get("client_id"))
        change_campaign(session, row, changes)
        return {"success": True, "campaign": public_campaign(row), "id": row.id}

    @get("/", summary="List campaigns, newest first (or one with ?id=)", sync_to_thread=True)
    def list_campaigns(self, request: Request, session: Session,
                       caller: Caller) -> dict[str, Any]:
        """Filters `client_id`, `status`, `campaignType`; `limit` 1-1000 (default 100) and
        `nextToken`, or `page` and `pageSize` (default 20). `?id=` answers that one campaign
        as `{campaign}` (404 if it is not the company's)."""
        campaign_id = query_text(request, "id")
        if campaign_id is not None:
            row = find_campaign(session, caller.company_id, campaign_id)
            if row is None:
                raise _not_found(campaign_id)
            return {"success": True, "campaign": public_campaign(row), "id": row.id}
        if wants_numbered_page(request):
            _refuse_mixed_paging(request)
            campaigns, paging = numbered_campaigns(request, session, caller)
            return {"success": True, "campaigns": campaigns, "data": campaigns,
                    "count": len(campaigns), "nextToken": None, "pagination": paging}
        limit = query_int(request, "limit", 100, 1, 1000)
        statement = filtered_campaigns(request, caller)
        total = count_rows(session, statement)
        rows, next_token = keyset_page(session, statement, Campaign, request, param="nextToken",
                                       limit=limit, previous_page="nextToken")
        campaigns = [public_campaign(row) for row in rows]
        return {"success": True, "campaigns": campaigns, "data": campaigns,
                "count": len(campaigns), "nextToken": next_token,
                "pagination": {"totalItems": total, "totalPages": page_count(total, limit),
                               "page": None, "pageSize": limit}}
