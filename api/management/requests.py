"""Reading lead-management requests: JSON bodies into pydantic models, query parameters.

Every problem becomes a ManagementError naming the field in `details`: a missing field is
missing_required_field, a body that is not a JSON object (or a field of the wrong type) is
invalid_format, a value out of range is invalid_value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Request
from pydantic import BaseModel, ConfigDict, ValidationError

from api.errors import InvalidFormat, InvalidValue, MissingRequiredField
from api.field_names import unknown_field_issue
from api.json_body import load_json
from storage.db.keyset import decode_cursor

ModelT = TypeVar("ModelT", bound=BaseModel)


class ContractBody(BaseModel):
    """A request body of the documented contract: every field it may hold is declared, and a
    field nobody names is refused (invalid_format naming it) instead of silently dropped, so
    a misspelt key never quietly loses what the caller meant. Every route's body model
    derives from this one rule."""

    model_config = ConfigDict(extra="forbid")


class StrippedContractBody(ContractBody):
    """A ContractBody whose text values lose surrounding whitespace (names, ids, URLs)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

_FORMAT_ERRORS = ("type", "parsing", "json", "string_type", "int_type", "bool_type",
                  "list_type", "dict_type", "model_type", "float_type", "extra_forbidden")


def read_json(raw: bytes) -> Any:
    """The body as JSON (api.json_body.load_json), or invalid_format saying why not."""
    if not raw.strip():
        raise InvalidFormat("The request body is empty", details="a JSON object is required")
    try:
        return load_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidFormat("The request body is not valid JSON", details=str(exc)) from None


def json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidFormat("The request body must be a JSON object",
                            details=f"got {type(value).__name__}")
    return value


def parse_json_object(raw: bytes) -> dict[str, Any]:
    return json_object(read_json(raw))


def validate(model: type[ModelT], value: Any, prefix: str = "") -> ModelT:
    """`value` as `model`, or the documented error for its first problem."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise _as_management_error(model, exc, prefix) from None


def _as_management_error(model: type[BaseModel], exc: ValidationError,
                         prefix: str) -> Exception:
    problem = exc.errors()[0]
    field = prefix + ".".join(str(part) for part in problem["loc"])
    kind = problem["type"]
    details = {"field": field or None, "issue": problem["msg"]}
    if kind == "extra_forbidden":
        return InvalidFormat(f"{field} is not a field of this request",
                             details={"field": field,
                                      "issue": unknown_field_issue(model, problem["loc"])})
    if kind == "missing":
        return MissingRequiredField(f"{field} is required", details=details)
    if any(kind == name or kind.endswith(f"_{name}") for name in _FORMAT_ERRORS) or \
            kind.endswith("_type") or kind.endswith("_parsing"):
        return InvalidFormat(f"{field} has the wrong format", details=details)
    return InvalidValue(f"{field} has a value that is not allowed", details=details)


def query_text(request: Request, name: str, *, required: bool = False) -> str | None:
    value = request.query_params.get(name)
    value = value.strip() if isinstance(value, str) else None
    if not value:
        if required:
            raise MissingRequiredField(f"{name} is required",
                                       details={"field": name, "issue": "missing"})
        return None
    return value


def query_int(request: Request, name: str, default: int, minimum: int, maximum: int) -> int:
    raw = query_text(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidFormat(f"{name} must be a whole number",
                            details={"field": name, "issue": f"got {raw!r}"}) from None
    if not minimum <= value <= maximum:
        raise InvalidValue(f"{name} must be between {minimum} and {maximum}",
                           details={"field": name, "issue": f"got {value}"})
    return value


def query_bool(request: Request, name: str) -> bool:
    raw = (query_text(request, name) or "false").lower()
    if raw not in {"true", "false", "1", "0"}:
        raise InvalidValue(f"{name} must be true or false",
                           details={"field": name, "issue": f"got {raw!r}"})
    return raw in {"true", "1"}


def query_choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    """An optional parameter that must be one of `choices` (else invalid_value naming them)."""
    value = query_text(request, name)
    if value is not None and value not in choices:
        raise InvalidValue(f"{name} must be one of {', '.join(choices)}",
                           details={"field": name, "issue": f"got {value!r}"})
    return value


def query_cursor(request: Request, name: str = "nextToken") -> str | None:
    """An opaque page token this API gave out, or None for the first page."""
    cursor = query_text(request, name)
    if cursor is not None:
        try:
            decode_cursor(cursor)
        except ValueError:
            raise InvalidValue(f"{name} is not a token this API gave out",
                               details={"field": name}) from None
    return cursor


def keyset_page(session: Any, statement: Any, model: Any, request: Request, *, param: str,
                limit: int, previous_page: str) -> tuple[list[Any], str | None]:
    """One newest-first page of `statement` after the cursor in query parameter `param`.

    Returns the rows and the next page's cursor (None at the end); a cursor that is not one of
    ours is invalid_format naming `param` (`previous_page` says where a good one comes from).
    """
    from storage.db.keyset import newest_first_after, page_of

    try:
        statement = newest_first_after(statement, model, query_text(request, param))
    except ValueError:
        raise InvalidFormat(f"{param} is not valid", details={
            "field": param, "issue": f"use {previous_page} of the previous page"}) from None
    return page_of(list(session.exec(statement.limit(limit + 1)).all()), limit)


@dataclass(frozen=True)
class Paging:
    """How a list was asked to page: `size` rows, numbered `page` (1-based) or after
    `cursor` (`nextToken`); neither is the first page."""

    size: int
    page: int | None
    cursor: str | None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size if self.page else 0

    def pagination(self, total: int, next_token: str | None) -> dict[str, Any]:
        """The agent API's `pagination` (page is None after a cursor: its number is unknown),
        with `nextToken` where cursor paging was used."""
        found: dict[str, Any] = {"page": self.page or (None if self.cursor else 1),
                                 "pageSize": self.size, "totalItems": total,
                                 "totalPages": -(-total // self.size)}
        if self.page is None:
            found["nextToken"] = next_token
        return found

    def numbered(self, total: int) -> dict[str, Any]:
        """The `pagination` of a route that only pages by number (no `nextToken`)."""
        return {"page": self.page or 1, "pageSize": self.size, "totalItems": total,
                "totalPages": -(-total // self.size)}


# The bounds of `pageSize`/`limit` and `page` (the agent API's schema describes them:
# api.agent.schema).
MAX_PAGE_SIZE = 1000
MAX_PAGE = 10_000_000


def query_paging(request: Request, default_size: int, max_size: int = MAX_PAGE_SIZE) -> Paging:
    """`pageSize` (or its alias `limit`), then `page` or `nextToken`; both ways at once, or two
    different sizes, are invalid_value."""
    size = query_int(request, "pageSize", default_size, 1, max_size)
    limit = query_int(request, "limit", size, 1, max_size)
    if query_text(request, "pageSize") is not None and limit != size:
        raise InvalidValue("pageSize and limit are the same parameter; send one",
                           details={"field": "limit", "issue": f"{limit} != pageSize {size}"})
    page = query_int(request, "page", 0, 1, MAX_PAGE) if query_text(request, "page") else None
    cursor = query_cursor(request)
    if page is not None and cursor is not None:
        raise InvalidValue("page and nextToken are two ways of paging; send one",
                           details={"field": "page", "issue": "sent with nextToken"})
    return Paging(limit, page, cursor)
