"""`/api/agent/leads` (list, create) and `/api/agent/leads/batch` (up to 100): openapi.json's
agent API over the same leads and the same operations as `/api/leads`
(api.management.lead_operations); only the reply shapes and `client_id` differ.

`client_id` is optional here: a lead without one goes to its campaign's client when the
campaign has one, else to the company's default client (storage.tenancy.accounts.
default_client, made the first time it is needed).
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from sqlmodel import Session

from api.agent.schema import (
    CREATE_ERRORS,
    LEAD_PARAMETERS,
    LIST_ERRORS,
    SECURITY,
    CreatedLead,
    CreatedLeads,
    PaginatedLeads,
    with_parameters,
)
from api.guards import authenticated
from api.management.lead_bodies import AgentLeadBatch, AgentLeadCreate, LeadCreate
from api.management.lead_operations import (
    create_leads,
    lead_detail,
    list_leads_page,
    merged_skips,
    validate_each,
)
from api.security.auth import Caller
from storage.leads.records import public_lead
from storage.tenancy.accounts import default_client
from storage.workspace.campaign_links import company_campaigns

DEFAULT_PAGE_SIZE = 20


def _as_leads(session: Session, caller: Caller, items: list[AgentLeadCreate]) -> list[LeadCreate]:
    """The agent's leads as /api/leads creates them, each with the client it goes to."""
    campaigns = company_campaigns(session, caller.company_id,
                                  [item.campaignId for item in items
                                   if item.campaignId and not item.client_id])
    default: str | None = None
    leads = []
    for item in items:
        client_id = item.client_id
        campaign = campaigns.get(item.campaignId or "")
        if client_id is None and campaign is not None and campaign.client_id:
            client_id = campaign.client_id
        if client_id is None:
            default = default or default_client(session, caller.company_id,
                                                caller.user_id).client_id
            client_id = default
        leads.append(LeadCreate.model_validate(
            {**item.model_dump(exclude_unset=True), "client_id": client_id}))
    return leads


class AgentLeadController(Controller):
    path = "/api/agent"
    tags = ["Agent API"]
    guards = [authenticated]
    security = SECURITY

    @get("/leads", summary="List leads (agent API pages)", sync_to_thread=True,
         responses=LIST_ERRORS, operation_class=with_parameters(LEAD_PARAMETERS))
    def list_leads(self, request: Request, session: Session, caller: Caller) -> PaginatedLeads:
        """`page` (1-based), `pageSize` (default 20, 1–1000), `status`, `campaignId`,
        `client_id` (and /api/leads' other filters) → `{data[], pagination{page, pageSize,
        totalItems, totalPages}}`, newest first."""
        leads, paging, total, next_token = list_leads_page(request, session, caller,
                                                           DEFAULT_PAGE_SIZE)
        return {"success": True, "data": leads,  # type: ignore[return-value]
                "pagination": paging.pagination(total, next_token)}

    @post("/leads", status_code=201, summary="Create a lead (agent API)", sync_to_thread=True,
          responses=CREATE_ERRORS)
    def create_lead(self, session: Session, caller: Caller,
                    data: AgentLeadCreate) -> CreatedLead:
        """CreateLeadInput (`firstName`, `lastName`, `email` required; `fullName`,
        `contactName`, `companyName`, `title`, `campaignId`, `client_id`, `notes`, and any
        other lead field) → 201 `{data: lead, lead}`; the same person twice is already_exists.
        """
        created, skipped = create_leads(session, caller, _as_leads(session, caller, [data]))
        if skipped:
            raise skipped[0]["_error"]
        lead = lead_detail(session, created[0])
        return {"success": True, "data": lead, "lead": lead}  # type: ignore[return-value]

    @post("/leads/batch", status_code=201, summary="Create up to 100 leads (agent API)",
          sync_to_thread=True, responses=CREATE_ERRORS)
    def create_lead_batch(self, session: Session, caller: Caller,
                          data: AgentLeadBatch) -> CreatedLeads:
        """`{leads: [CreateLeadInput, ...]}` (1–100) → 201 `{created, skipped[], data[], ids}`:
        an invalid or duplicate item is skipped with its reason, the others are created."""
        valid, positions, invalid = validate_each(AgentLeadCreate, data.leads)
        created, skipped = create_leads(session, caller, _as_leads(session, caller, valid),
                                        positions)
        leads = [public_lead(lead) for lead in created]
        return {"success": True, "created": len(created),  # type: ignore[return-value]
                "ids": [lead.id for lead in created],
                "skipped": merged_skips(invalid, skipped, positions), "data": leads}
