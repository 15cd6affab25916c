"""What the agent API's operations declare in Leadmill's OpenAPI document: the reply models of
openapi.json (PaginatedLeads, PaginatedCampaigns, PaginatedClients and their items), every
error status a route can answer (in the lead-management error envelope), the security
schemes, and the query parameters the routes read.

The routes read their query parameters themselves (api.management.requests.query_paging and
the filters), so the one validation rule stays there; the parameters below only describe it,
with its bounds (api.management.requests.MAX_PAGE_SIZE, MAX_PAGE). Reply models allow more
fields than they name: Leadmill adds fields (cursor paging, every lead field) and never removes
one a client reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Operation, Parameter, Schema
from pydantic import BaseModel, ConfigDict

from api.management.requests import MAX_PAGE, MAX_PAGE_SIZE
from storage.workspace.campaigns import CAMPAIGN_STATUSES, CAMPAIGN_TYPES

# Both credentials of api.security.auth: a Bearer access token (or key), or `x-api-key`.
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKey": []}]


class _Reply(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorReply(_Reply):
    """The lead-management error envelope (leadgenius-pro-api.md, "Error Handling")."""

    success: Literal[False]
    error: str
    errorType: str  # noqa: N815 - the document's name
    details: Any = None
    recommendation: str | None = None


class Pagination(_Reply):
    totalItems: int  # noqa: N815 - openapi.json's names
    totalPages: int  # noqa: N815
    page: int | None = None
    pageSize: int | None = None  # noqa: N815


class AgentLead(_Reply):
    id: str
    firstName: str | None = None  # noqa: N815
    lastName: str | None = None  # noqa: N815
    fullName: str | None = None  # noqa: N815
    contactName: str | None = None  # noqa: N815
    email: str | None = None
    companyName: str | None = None  # noqa: N815
    title: str | None = None
    status: str | None = None
    client_id: str | None = None
    campaignId: str | None = None  # noqa: N815


class AgentCampaign(_Reply):
    id: str
    name: str
    status: str
    campaignType: str  # noqa: N815
    client_id: str | None = None
    company_id: str


class AgentClient(_Reply):
    id: str
    client_id: str
    clientName: str  # noqa: N815
    description: str | None = None


class PaginatedLeads(_Reply):
    success: bool
    data: list[AgentLead]
    pagination: Pagination


class PaginatedCampaigns(_Reply):
    success: bool
    data: list[AgentCampaign]
    pagination: Pagination


class PaginatedClients(_Reply):
    success: bool
    data: list[AgentClient]
    pagination: Pagination


class CreatedLead(_Reply):
    success: bool
    data: AgentLead


class CreatedLeads(_Reply):
    success: bool
    created: int
    skipped: list[dict[str, Any]]
    data: list[AgentLead]


class CreatedCampaign(_Reply):
    success: bool
    id: str
    data: AgentCampaign


def _error(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorReply, description=description,
                        generate_examples=False)


_COMMON_ERRORS = {400: _error("A parameter or body field is missing, malformed or not allowed "
                              "(missing_required_field, invalid_format, invalid_value)"),
                  401: _error("No valid credentials (no_valid_credentials, token_expired)"),
                  403: _error("Not allowed (insufficient_permissions, owner_mismatch)"),
                  429: _error("Rate limit reached")}
LIST_ERRORS = {**_COMMON_ERRORS, 404: _error("An unknown client_id or campaignId")}
CREATE_ERRORS = {**LIST_ERRORS, 409: _error("The same person is already a lead (already_exists)")}


def _query(name: str, schema: Schema, description: str) -> Parameter:
    return Parameter(name=name, param_in="query", required=False, schema=schema,
                     description=description)


def _text(name: str, description: str, choices: tuple[str, ...] = ()) -> Parameter:
    schema = Schema(type=OpenAPIType.STRING, enum=list(choices) or None)
    return _query(name, schema, description)


PAGE = _query("page", Schema(type=OpenAPIType.INTEGER, minimum=1, maximum=MAX_PAGE,
                             default=1),
              "Page number, from 1")
PAGE_SIZE = _query("pageSize", Schema(type=OpenAPIType.INTEGER, minimum=1,
                                      maximum=MAX_PAGE_SIZE, default=20), "Items per page")
LEAD_PARAMETERS = [PAGE, PAGE_SIZE, _text("status", "Only leads with this status"),
                   _text("campaignId", "Only leads of this campaign"),
                   _text("client_id", "Only leads of this client (its client_id)")]
CAMPAIGN_PARAMETERS = [PAGE, PAGE_SIZE, _text("status", "Only campaigns with this status",
                                              CAMPAIGN_STATUSES),
                       _text("campaignType", "Only campaigns of this type", CAMPAIGN_TYPES)]
CLIENT_PARAMETERS = [PAGE, PAGE_SIZE, _text("name", "Part of the client's name, any case")]


def with_parameters(parameters: list[Parameter]) -> type[Operation]:
    """An Operation class adding `parameters` (read by the handler from the query) to the
    operation Litestar generates."""

    @dataclass
    class AgentOperation(Operation):
        def __post_init__(self) -> None:
            declared = {parameter.name for parameter in self.parameters or []}
            self.parameters = [*(self.parameters or []),
                               *(p for p in parameters if p.name not in declared)]

    return AgentOperation
