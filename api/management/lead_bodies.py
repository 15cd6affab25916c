"""The request bodies of a lead, shared by `/api/leads`, `/api/enrich-leads/{id}` and the
agent API (`/api/agent/leads`): one set of fields, so an agent-API lead is a lead.

Every model derives from ContractBody: a field nobody names is invalid_format naming it.
The generated fields (`storage.leads.fields.GENERATED_FIELDS`: enrichment answers, copy, SDR
AI fields) are accepted as any JSON value and stored as the lead's generated fields.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, WithJsonSchema, create_model, field_validator

from api.management.requests import ContractBody
from storage.leads.fields import GENERATED_FIELDS
from storage.leads.records import WRITABLE_FIELDS

TEXT = 2000
ID = 120


class LeadColumns(ContractBody):
    """The writable fields of a lead, under the document's names."""

    firstName: str | None = Field(default=None, max_length=200)  # noqa: N815 - documented names
    lastName: str | None = Field(default=None, max_length=200)  # noqa: N815
    fullName: str | None = Field(default=None, max_length=400)  # noqa: N815
    contactName: str | None = Field(default=None, max_length=400)  # noqa: N815
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
    campaignId: str | None = Field(default=None, min_length=1, max_length=ID)  # noqa: N815

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

    def generated(self) -> dict[str, Any]:
        """The generated fields the request set, under their names."""
        return {name: value for name, value in self.model_dump(exclude_unset=True).items()
                if name in GENERATED_FIELDS}


# The ordinary fields and every generated field (any JSON value).
LeadFields = create_model(  # type: ignore[call-overload]
    "LeadFields", __base__=LeadColumns, __doc__=LeadColumns.__doc__,
    **{name: (Any, None) for name in GENERATED_FIELDS})


class LeadCreate(LeadFields):  # type: ignore[misc, valid-type]
    client_id: str = Field(min_length=1, max_length=ID)


class LeadUpdate(LeadFields):  # type: ignore[misc, valid-type]
    id: str = Field(min_length=1, max_length=ID)


class EnrichLeadUpdate(LeadFields):  # type: ignore[misc, valid-type]
    """`PUT /api/enrich-leads/{id}`: the lead's id is the path's; a body `id` must repeat it."""

    id: str | None = Field(default=None, min_length=1, max_length=ID)


class AgentLeadCreate(LeadFields):  # type: ignore[misc, valid-type]
    """The agent API's CreateLeadInput: firstName, lastName and email required, `client_id`
    optional (the company's default client, or the campaign's client, when absent)."""

    firstName: str = Field(min_length=1, max_length=200)  # noqa: N815
    lastName: str = Field(min_length=1, max_length=200)  # noqa: N815
    email: str = Field(min_length=3, max_length=320)
    client_id: str | None = Field(default=None, min_length=1, max_length=ID)


class AgentLeadBatch(ContractBody):
    """`POST /api/agent/leads/batch`: up to 100 leads; each item is checked on its own (a bad
    one is skipped with its reason), so the model takes any items and documents them as
    CreateLeadInput."""

    leads: Annotated[list[Any], WithJsonSchema({
        "type": "array", "minItems": 1, "maxItems": 100,
        "items": AgentLeadCreate.model_json_schema()})] = Field(min_length=1, max_length=100)
