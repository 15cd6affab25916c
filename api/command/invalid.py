"""Pydantic validation errors as the command API's INVALID_REQUEST: the field path a client
sees (`leadGenData.targetAudience.roles[2]`) and an issue in plain words, for the first
problem of a body."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from api.errors import InvalidRequest
from api.field_names import unknown_field_issue


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


# What a value of the wrong kind must be, by pydantic error type.
_SHAPES = {
    "model_type": "must be an object", "model_attributes_type": "must be an object",
    "dict_type": "must be an object", "list_type": "must be an array",
    "string_type": "must be a string", "string_too_short": "must not be empty",
    "int_type": "must be a whole number", "int_from_float": "must be a whole number",
    "number_type": "must be a number", "float_type": "must be a number",
    "bool_type": "must be true or false",
}


def _issue(model: type[BaseModel], error: dict[str, Any]) -> str:
    loc = error["loc"]
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "value")
    if loc and isinstance(loc[-1], int):
        name = f"{name}[{loc[-1]}]"
    kind = error["type"]
    if kind == "missing":
        return f"{name} object is required" if name in _OBJECT_FIELDS else f"{name} is required"
    if kind == "extra_forbidden":
        return unknown_field_issue(model, loc)
    if kind in _SHAPES:
        return f"{name} {_SHAPES[kind]}"
    if kind == "literal_error" and name == "priority":
        return 'priority must be one of "high", "medium", "low"'
    if kind == "literal_error":
        return f"{name} must be one of {error.get('ctx', {}).get('expected')}"
    if kind == "string_pattern_mismatch" and name == "websiteUrl":
        return "websiteUrl must be an http:// or https:// URL"
    if kind == "too_long":
        return f"{name} has too many items (at most {error.get('ctx', {}).get('max_length')})"
    if kind == "string_too_long":
        return f"{name} is too long (at most {error.get('ctx', {}).get('max_length')} characters)"
    if kind in {"greater_than_equal", "less_than_equal"}:
        if name == "maxLeads":
            return "maxLeads must be between 1 and 1000"
        return f"{name} is out of range ({error['msg'].lower()})"
    return str(error["msg"]).removeprefix("Value error, ")


def invalid_request(model: type[BaseModel], exc: ValidationError,
                    field_prefix: str = "") -> InvalidRequest:
    """The first problem of `exc` (validating a body of `model`) as INVALID_REQUEST; model-level
    checks name the field they are about (the revenue range: `maxRevenueUSD`)."""
    first = exc.errors(include_url=False)[0]
    loc = first["loc"]
    if first["type"] == "value_error" and loc and loc[-1] == "searchCriteria":
        loc = (*loc, "maxRevenueUSD")
    path = _field_path(loc)
    return InvalidRequest(field=field_prefix + path if path else "body",
                          issue=_issue(model, first))
