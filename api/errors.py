"""One exception type per documented error code, mapped to the response envelope in one place.

The command API's envelope is
`{"success": false, "error": {"code", "message", "details": {"field", "issue"}}}`.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException

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
    """Litestar's own errors (404, 405, 413, ...) in the documented envelope."""
    status = exc.status_code
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


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _respond(SystemError_())
