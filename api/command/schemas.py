"""Request models of the command API, validated strictly, with errors that name the field.

Field names are the documented JSON names, so a validation error's location is the field path
a client sees (`leadGenData.targetAudience.roles[2]`).
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
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from api.errors import InsufficientData, InvalidRequest
from api.json_body import load_json
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
Money = Annotated[StrictInt | float, Field(ge=0, le=10**15)]


class _Strict(BaseModel):
    # Typos in search criteria would silently widen a search: refuse unknown keys there.
    model_config = ConfigDict(extra="forbid")


class _Open(BaseModel):
    # Free-form business descriptions: keep what we know, ignore the rest.
    model_config = ConfigDict(extra="ignore")


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


class ProductOffering(_Open):
    name: Annotated[StrictStr, StringConstraints(max_length=200)] | None = None
    primaryValue: Annotated[StrictStr, StringConstraints(max_length=1000)] | None = None
    idealCustomerProfile: Annotated[StrictStr, StringConstraints(max_length=2000)] | None = None


class BusinessInfo(_Open):
    name: Annotated[StrictStr, StringConstraints(max_length=200)] | None = None
    industry: Annotated[StrictStr, StringConstraints(max_length=200)] | None = None
    uniqueSellingPoints: TextList = Field(default_factory=list)


class LeadGenData(_Open):
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


class LeadGenerationRequest(_Open):
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


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


_OBJECT_FIELDS = {"leadGenData", "targetAudience", "searchCriteria", "productOffering",
                  "businessInfo", "webhook", "metadata"}


def _issue(error: dict[str, Any]) -> str:
    loc = error["loc"]
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "value")
    if loc and isinstance(loc[-1], int):
        name = f"{name}[{loc[-1]}]"
    kind = error["type"]
    if kind == "missing":
        return f"{name} object is required" if name in _OBJECT_FIELDS else f"{name} is required"
    if kind == "extra_forbidden":
        return f"{name} is not a known field"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{name} must be an object"
    if kind == "list_type":
        return f"{name} must be an array"
    if kind == "literal_error" and name == "priority":
        return 'priority must be one of "high", "medium", "low"'
    if kind == "literal_error":
        return f"{name} must be one of {error.get('ctx', {}).get('expected')}"
    if kind in {"string_type"}:
        return f"{name} must be a string"
    if kind in {"int_type", "int_from_float"}:
        return f"{name} must be a whole number"
    if kind == "bool_type":
        return f"{name} must be true or false"
    if kind == "string_pattern_mismatch" and name == "websiteUrl":
        return "websiteUrl must be an http:// or https:// URL"
    if kind == "string_too_short":
        return f"{name} must not be empty"
    if kind == "too_long":
        return f"{name} has too many items (at most {error.get('ctx', {}).get('max_length')})"
    if kind == "string_too_long":
        return f"{name} is too long (at most {error.get('ctx', {}).get('max_length')} characters)"
    if kind in {"greater_than_equal", "less_than_equal"}:
        if name == "maxLeads":
            return "maxLeads must be between 1 and 1000"
        return f"{name} is out of range ({error['msg'].lower()})"
    return str(error["msg"]).removeprefix("Value error, ")


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


def parse_lead_generation_request(body: bytes) -> LeadGenerationRequest:
    """Parse and validate a request body, raising the documented errors.

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
        first = exc.errors(include_url=False)[0]
        loc = first["loc"]
        if first["type"] == "value_error":  # model-level checks: point at the model's field
            loc = (*loc, "maxRevenueUSD") if loc and loc[-1] == "searchCriteria" else loc
        raise InvalidRequest(field=_field_path(loc) or "body", issue=_issue(first)) from exc
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

    name: str | None = Field(default=None, min_length=1, max_length=200)
    command: dict[str, Any] | None = None
    cron: str | None = Field(default=None, min_length=1, max_length=200)
    interval_seconds: int | None = Field(default=None, ge=MIN_INTERVAL_SECONDS, le=366 * 86400)
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    active: bool | None = None


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
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidRequest(field=field, issue=first["msg"]) from exc
