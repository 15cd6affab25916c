"""One exception type per documented error code, mapped to the response envelope in one place.

Two documents, two envelopes:
- the command API (`/api/agents/...`, uncodie-lead-generation-command.md):
  `{"success": false, "error": {"code", "message", "details": {"field", "issue"}}}`;
- the lead-management API (every other `/api` route, leadgenius-pro-api.md):
  `{"success": false, "error": "<message>", "errorType", "details", "recommendation"}`.
`ApiError` subclasses belong to the first, `ManagementError` subclasses to the second; Litestar's
own errors (404, 405, 413, ...) take the envelope of the path they happened on.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from storage.commands.limits import CapReached

log = logging.getLogger("leadmill.api")


class ApiError(Exception):
    """An error the client can act on; `code` is the documented error code."""

    code = "SYSTEM_ERROR"
    status_code = 500
    message = "Internal system error occurred"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        issue: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.details: dict[str, Any] = dict(details or {})
        if field is not None:
            self.details["field"] = field
        if issue is not None:
            self.details["issue"] = issue
        super().__init__(self.message)


class InvalidRequest(ApiError):
    code, status_code, message = "INVALID_REQUEST", 400, "Invalid request parameters"


class PayloadTooLarge(InvalidRequest):
    status_code, message = 413, "Request body is too large"


class Unauthorized(ApiError):
    code, status_code, message = "UNAUTHORIZED", 401, "A valid API key is required"


class SiteNotFound(ApiError):
    code, status_code, message = "SITE_NOT_FOUND", 404, "The specified site does not exist"


class UserNotFound(ApiError):
    code, status_code, message = "USER_NOT_FOUND", 404, "The specified user does not exist"


class CommandNotFound(ApiError):
    code, status_code, message = "COMMAND_NOT_FOUND", 404, "The specified command does not exist"


class RouteNotFound(ApiError):
    code, status_code, message = "NOT_FOUND", 404, "No such route"


class MethodNotAllowed(ApiError):
    code, status_code, message = "METHOD_NOT_ALLOWED", 405, "Method not allowed on this route"


class QuotaExceeded(ApiError):
    code, status_code = "QUOTA_EXCEEDED", 429
    message = "Your lead generation quota has been exceeded"


class IdempotencyKeyReused(ApiError):
    code, status_code = "IDEMPOTENCY_KEY_REUSED", 409
    message = "This Idempotency-Key was already used with a different request body"


class InsufficientData(ApiError):
    code, status_code = "INSUFFICIENT_DATA", 422
    message = "Not enough information to generate quality leads"


class SystemError_(ApiError):
    code, status_code, message = "SYSTEM_ERROR", 500, "Internal system error occurred"


def error_body(error: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        body["details"] = error.details
    return {"success": False, "error": body}


def _respond(error: ApiError) -> Response:
    return Response(error_body(error), status_code=error.status_code, media_type=MediaType.JSON)


def handle_api_error(_request: Request, exc: ApiError) -> Response:
    return _respond(exc)


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    """Litestar's own errors (404, 405, 413, ...) in the envelope of the path's document."""
    status = exc.status_code
    if not uses_command_envelope(request):
        return handle_management_error(request, _as_management_error(request, exc))
    if status == 404:
        return _respond(RouteNotFound(f"No route {request.method} {request.url.path}"))
    if status == 405:
        return _respond(MethodNotAllowed(f"{request.method} is not allowed on {request.url.path}"))
    if status == 413:
        return _respond(PayloadTooLarge())
    if status < 500:
        return _respond(InvalidRequest(str(exc.detail)))
    log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
    return _respond(SystemError_())


def _as_management_error(request: Request, exc: HTTPException) -> ManagementError:
    status = exc.status_code
    if status == 404:
        return NotFound(f"No route {request.method} {request.url.path}")
    if status == 405:
        return InvalidValue(f"{request.method} is not allowed on {request.url.path}")
    if status == 413:
        return PayloadTooLargeManagement()
    if isinstance(exc, ValidationException) and _missing_body(exc):
        return InvalidFormat("The request body is empty", details="a JSON object is required")
    if status < 500:
        return InvalidFormat(str(exc.detail))
    log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
    return InternalError()


def _missing_body(exc: ValidationException) -> bool:
    """Litestar refused the request because a required `data` body was empty (an empty body
    never reaches the request-model decoder: api/request_body.py)."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    return any(isinstance(item, dict) and item.get("key") == "data" and
               item.get("source") == "body" for item in extra)


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if not uses_command_envelope(request):
        return handle_management_error(request, InternalError())
    return _respond(SystemError_())


# -- the lead-management API (leadgenius-pro-api.md) ----------------------------------------
class ManagementError(Exception):
    """An error of the lead-management API; `error_type` is the documented errorType."""

    error_type = "internal_error"
    status_code = 500
    message = "Internal server error"
    recommendation = "Try again later; if it persists, report it with the time of the request."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        recommendation: str | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.details = details
        self.recommendation = recommendation or type(self).recommendation
        super().__init__(self.message)


class NoValidCredentials(ManagementError):
    error_type, status_code = "no_valid_credentials", 401
    message = "No valid credentials were provided"
    recommendation = ("Send Authorization: Bearer <accessToken> from POST /api/auth, "
                      "or x-api-key with x-user-id.")


class TokenExpired(ManagementError):
    error_type, status_code = "token_expired", 401
    message = "The access token has expired"
    recommendation = "Refresh it with POST /api/auth {\"refreshToken\": ...} or log in again."


class FederatedJwt(ManagementError):
    error_type, status_code = "federated_jwt", 401
    message = "The token was issued by another identity provider"
    recommendation = "Log in with POST /api/auth and send the accessToken it returns."


class NoValidTokens(ManagementError):
    error_type, status_code = "no_valid_tokens", 401
    message = "The refresh token is not valid"
    recommendation = "Log in again with POST /api/auth {\"username\", \"password\"}."


class InsufficientPermissions(ManagementError):
    error_type, status_code = "insufficient_permissions", 403
    message = "Your role does not allow this operation"
    recommendation = "Ask an owner or admin of your company."


class OwnerMismatch(ManagementError):
    error_type, status_code = "owner_mismatch", 403
    message = "The credentials do not belong to this user"
    recommendation = "Send the x-user-id of the key's owner."


class MissingRequiredField(ManagementError):
    error_type, status_code = "missing_required_field", 400
    message = "A required field is missing"
    recommendation = "Add the field named in details."


class InvalidFormat(ManagementError):
    error_type, status_code = "invalid_format", 400
    message = "The request is not in the expected format"
    recommendation = "Send a JSON object with the documented fields."


class InvalidValue(ManagementError):
    error_type, status_code = "invalid_value", 400
    message = "A field has a value that is not allowed"
    recommendation = "Correct the field named in details."


class NotFound(ManagementError):
    error_type, status_code = "not_found", 404
    message = "Not found"
    recommendation = "Check the id; records of other companies are never visible."


class AlreadyExists(ManagementError):
    error_type, status_code = "already_exists", 409
    message = "A record with this identity already exists"
    recommendation = "Update the existing record instead."


class Conflict(ManagementError):
    error_type, status_code = "conflict", 409
    message = "The request conflicts with the current state"
    recommendation = "Read the record again and retry."


class PayloadTooLargeManagement(ManagementError):
    error_type, status_code = "invalid_value", 413
    message = "Request body is too large"
    recommendation = "Send fewer records per request."


class RateLimited(ManagementError):
    error_type, status_code = "rate_limited", 429
    message = "Rate limit exceeded"
    recommendation = "Wait until X-RateLimit-Reset, then retry."


class LimitReached(Conflict):
    message = "A limit of your company has been reached"
    recommendation = ("Delete or revoke records you no longer use, or ask the operator to raise "
                      "the limit.")


class InternalError(ManagementError):
    pass


class ServiceUnavailable(ManagementError):
    error_type, status_code = "service_unavailable", 503
    message = "A service this operation needs cannot be reached"
    recommendation = "Try again once it is back; nothing was changed."


def management_body(error: ManagementError) -> dict[str, Any]:
    return {"success": False, "error": error.message, "errorType": error.error_type,
            "details": error.details, "recommendation": error.recommendation}


def handle_management_error(_request: Request, exc: ManagementError) -> Response:
    return Response(management_body(exc), status_code=exc.status_code, media_type=MediaType.JSON)


def handle_cap_reached(request: Request, exc: CapReached) -> Response:
    """A tenant cap (storage.commands.limits): QUOTA_EXCEEDED in the command API's envelope,
    409 `conflict` in the lead-management API's."""
    details = {"limit": exc.limit, "maximum": exc.maximum}
    if uses_command_envelope(request):
        return _respond(QuotaExceeded(str(exc), details=details))
    return handle_management_error(request, LimitReached(str(exc), details=details))


def uses_command_envelope(request: Request) -> bool:
    return request.url.path.startswith("/api/agents/")


class ScheduleNotFound(ApiError):
    code, status_code, message = "SCHEDULE_NOT_FOUND", 404, "The specified schedule does not exist"
