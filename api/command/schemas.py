"""Request models of the command API, validated strictly, with errors that name the field.

Field names are the documented JSON names, so a validation error's location is the field path
a client sees (`leadGenData.targetAudience.roles[2]`). Nothing fails silently: every object of
the body declares the keys uncodie-lead-generation-command.md names for it (plus Leadmill's
documented extensions: `searchCriteria.sources`, the tester's `websiteUrl` and
`leadCaptureMechanism`), and any other key is INVALID_REQUEST naming its path, with the
declared key it most likely misspells (api.field_names). Numbers are JSON numbers (no strings,
no booleans); webhook `metadata` is free-form, but holds no integer JavaScript cannot read
exactly (tasks.delivery.webhook_format).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from api.command.invalid import invalid_request
from api.errors import InsufficientData, InvalidRequest
from api.json_body import load_json
from tasks.delivery.webhook_format import MAX_SAFE_INTEGER, first_unsafe_integer
from tasks.lifecycle.schedules import MIN_INTERVAL_SECONDS

Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Identifier = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)
]
TextList = Annotated[list[Text], Field(max_length=50)]


def _integral_number(value: Any) -> Any:
    # JSON has one number type: accept 25.0 as 25, but never 25.5 or a string.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Count = Annotated[StrictInt, BeforeValidator(_integral_number), Field(ge=1, le=1000)]
def _json_number(value: Any) -> Any:
    # "1000000" and true are refused, not read as 1000000.0 and 1.0 (bool is an int in Python).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number_type", "must be a number")
    return value


Money = Annotated[StrictInt | StrictFloat, BeforeValidator(_json_number), Field(ge=0, le=10**15)]


class _Strict(BaseModel):
    # A misspelt key would silently drop what the caller meant (a typo in searchCriteria drops
    # every exclusion and revenue filter): every object refuses keys it does not declare.
    model_config = ConfigDict(extra="forbid")


class TargetAudience(_Strict):
    industries: TextList = Field(default_factory=list)
    companySize: TextList = Field(default_factory=list)
    roles: TextList = Field(default_factory=list)
    locations: TextList = Field(default_factory=list)
    interests: TextList = Field(default_factory=list)


ResearchSource = Literal["prospects", "apollo", "peopleDataLabs", "hunter", "website"]


class SearchCriteria(_Strict):
    keywords: TextList = Field(default_factory=list)
    excludedTerms: TextList = Field(default_factory=list)
    minRevenueUSD: Money | None = None
    maxRevenueUSD: Money | None = None
    hasWebsite: StrictBool | None = None
    # Restrict research to these sources (tasks.research.sources.SOURCE_NAMES); empty: every
    # configured.
    sources: Annotated[list[ResearchSource], Field(max_length=10)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _range_in_order(self) -> SearchCriteria:
        low, high = self.minRevenueUSD, self.maxRevenueUSD
        if low is not None and high is not None and low > high:
            raise ValueError("minRevenueUSD must not exceed maxRevenueUSD")
        return self


class ProductOffering(_Strict):
    name: Annotated[StrictStr, StringConstraints(max_length=200)] | None = None
    primaryValue: Annotated[StrictStr, StringConstraints(max_length=1000)] | None = None
    idealCustomerProfile: Annotated[StrictStr, StringConstraints(max_length=2000)] | None = None


class BusinessInfo(_Strict):
    name: Annotated[StrictStr, StringConstraints(max_length=200)] | None = None
    industry: Annotated[StrictStr, StringConstraints(max_length=200)] | None = None
    uniqueSellingPoints: TextList = Field(default_factory=list)


class LeadGenData(_Strict):
    targetAudience: TargetAudience
    searchCriteria: SearchCriteria = Field(default_factory=SearchCriteria)
    productOffering: ProductOffering = Field(default_factory=ProductOffering)
    businessInfo: BusinessInfo = Field(default_factory=BusinessInfo)


class WebhookConfig(_Strict):
    url: Annotated[
        StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)
    ]
    secret: Annotated[StrictStr, StringConstraints(min_length=1, max_length=512)] | None = None
    metadata: dict[str, Any] | None = None


class LeadGenerationRequest(_Strict):
    siteId: Identifier
    userId: Identifier | None = None
    agent_id: Identifier | None = None
    leadGenData: LeadGenData
    maxLeads: Count = 10
    priority: Literal["high", "medium", "low"] = "medium"
    webhook: WebhookConfig | None = None
    # From the API tester: the site leads are generated for, and how leads will be captured
    # there (form, chatbot, ...). Both are kept with the command and shown in its context.
    websiteUrl: Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=2048,
                                                       pattern=r"^https?://\S+$")] | None = None
    leadCaptureMechanism: Annotated[StrictStr, StringConstraints(strip_whitespace=True,
                                                                 min_length=1, max_length=100)
                                    ] | None = None


def _refuse_unstorable_text(payload: Any) -> None:
    """Lone surrogates cannot be encoded as UTF-8 and NUL is refused by PostgreSQL: say so now
    rather than fail while storing."""
    try:
        text = json.dumps(payload, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRequest(field="body", issue="text holds an unpaired surrogate") from exc
    except RecursionError as exc:
        raise InvalidRequest(field="body", issue="request body is nested too deeply") from exc
    if "\\u0000" in text:  # json.dumps escapes NUL, even with ensure_ascii=False
        raise InvalidRequest(field="body", issue="text must not contain NUL characters")


def _refuse_unsafe_integers(metadata: dict[str, Any], path: str) -> None:
    """Webhook metadata is echoed in every delivery, which the documented receiver verifies
    over `JSON.stringify(JSON.parse(body))`: an integer past 2^53 comes back with other digits
    there, so every delivery would fail verification. Refused now, with the way out."""
    unsafe = first_unsafe_integer(metadata, path)
    if unsafe is not None:
        where, value = unsafe
        raise InvalidRequest(field=where, issue=(
            f"{value} is beyond ±{MAX_SAFE_INTEGER} (JavaScript's Number.MAX_SAFE_INTEGER): a "
            f"Node.js receiver reads it inexactly and the webhook signature would never verify; "
            f"send it as a string (\"{value}\")"))


def parse_lead_generation_request(body: bytes, field_prefix: str = "") -> LeadGenerationRequest:
    """Parse and validate a request body, raising the documented errors; `field_prefix` goes
    before the field paths of errors (`command.` for a schedule's command).

    Raises:
        InvalidRequest: malformed JSON or a field of the wrong type, range or shape.
        InsufficientData: a target audience without a single usable criterion.
    """
    if not body.strip():
        raise InvalidRequest(field="body", issue="request body is required")
    try:
        payload = load_json(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest(
            "Request body is not valid JSON", field="body", issue=str(exc)
        ) from exc
    _refuse_unstorable_text(payload)
    if not isinstance(payload, dict):
        raise InvalidRequest(field="body", issue="request body must be a JSON object")
    try:
        request = LeadGenerationRequest.model_validate(payload)
    except ValidationError as exc:
        raise invalid_request(LeadGenerationRequest, exc, field_prefix) from exc
    if request.webhook is not None and request.webhook.metadata:
        _refuse_unsafe_integers(request.webhook.metadata, f"{field_prefix}webhook.metadata")
    audience = request.leadGenData.targetAudience
    if not any([audience.industries, audience.companySize, audience.roles, audience.locations,
                audience.interests]):
        raise InsufficientData(
            field="leadGenData.targetAudience",
            issue="give at least one of industries, companySize, roles, locations or interests",
        )
    return request


class ScheduleFields(_Strict):
    """The body of `POST schedules` (name, command and one of cron/interval_seconds required)
    and of `PUT schedules/{id}` (any of them)."""

    name: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    command: dict[str, Any] | None = None
    cron: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    interval_seconds: Annotated[StrictInt, BeforeValidator(_integral_number)] | None = Field(
        default=None, ge=MIN_INTERVAL_SECONDS, le=366 * 86400)
    timezone: StrictStr | None = Field(default=None, min_length=1, max_length=64)
    active: StrictBool | None = None


def parse_schedule_fields(body: bytes) -> ScheduleFields:
    """Parse a schedules body, raising InvalidRequest for malformed JSON or a bad field."""
    try:
        payload = load_json(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest("Request body is not valid JSON", field="body",
                             issue=str(exc)) from exc
    if not isinstance(payload, dict):
        raise InvalidRequest(field="body", issue="request body must be a JSON object")
    try:
        return ScheduleFields.model_validate(payload)
    except ValidationError as exc:
        raise invalid_request(ScheduleFields, exc) from exc
