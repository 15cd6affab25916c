"""E-mail checks of the lead-management API (leadgenius-pro-api.md, "Validate Email" and
"Verify Email (deep)").

`POST /api/email-validate` answers from this machine alone: syntax and normalisation, typo
suggestion, disposable domain, role account. `POST /api/email-verify` adds the MX look-up and
the SMTP probe. Both take `{"email": "..."}` for one address (`data` is one result) or
`{"emails": [...]}` for up to 100 (`data` is a list); results use check-if-email-exists' fields.
"""

from __future__ import annotations

from typing import Any

from litestar import post
from litestar.datastructures import State

from api.errors import InvalidValue, MissingRequiredField
from api.guards import authenticated
from api.management.requests import json_object, read_json
from tasks.verification.contacts import verifier_options
from tasks.verification.email import DnsMxResolver, EmailVerifier, validate_offline

MAX_EMAILS = 100
MAX_EMAIL_LENGTH = 320


def _addresses(body: bytes) -> tuple[list[str], bool]:
    """The addresses asked about, and whether the caller sent a list.

    Read from the raw body, not a request model: the body is one of two shapes (`email` or
    `emails`) and its errors have this route's own messages and fields.
    """
    payload = json_object(read_json(body))
    if "emails" in payload:
        emails, many = payload["emails"], True
        if not isinstance(emails, list) or not emails:
            raise InvalidValue("emails must be a non-empty list of strings",
                               details={"field": "emails"})
        if len(emails) > MAX_EMAILS:
            raise InvalidValue(f"At most {MAX_EMAILS} emails per request",
                               details={"field": "emails", "count": len(emails)})
    elif "email" in payload:
        emails, many = [payload["email"]], False
    else:
        raise MissingRequiredField("email is required", details={"field": "email"})
    for email in emails:
        if not isinstance(email, str) or not email.strip():
            raise InvalidValue("Each email must be a non-empty string",
                               details={"field": "emails" if many else "email"})
        if len(email) > MAX_EMAIL_LENGTH:
            raise InvalidValue(f"An email is at most {MAX_EMAIL_LENGTH} characters",
                               details={"field": "emails" if many else "email"})
    return emails, many


def _reply(results: list[dict[str, Any]], many: bool) -> dict[str, Any]:
    return {"success": True, "data": results if many else results[0]}


@post("/api/email-validate", status_code=200, summary="Validate e-mail addresses (offline)",
      tags=["Email"], guards=[authenticated], sync_to_thread=True)
def validate_email_route(body: bytes) -> dict[str, Any]:
    """Syntax, normalisation, typo suggestion, disposable and role checks; no network."""
    emails, many = _addresses(body)
    results = [validate_offline(email).model_dump() for email in emails]
    return _reply(results, many)


@post("/api/email-verify", status_code=200, summary="Verify e-mail addresses (MX + SMTP)",
      tags=["Email"], guards=[authenticated])
async def verify_email_route(state: State, body: bytes) -> dict[str, Any]:
    """Everything `email-validate` does, then MX and an SMTP probe of each address's domain.

    The verifier (per-domain limits, caches) is shared by every request of this process.
    """
    emails, many = _addresses(body)
    verifier = _shared_verifier(state)
    results = await verifier.verify_many(emails)
    return _reply([result.model_dump() for result in results], many)


def _shared_verifier(state: State) -> EmailVerifier:
    verifier = state.get("email_verifier")
    if verifier is None:
        settings = state.settings
        options = verifier_options(settings.model_copy(update={"email_deep_checks": True}))
        resolver = state.get("mx_resolver") or DnsMxResolver(options.timeout_seconds,
                                                             options.nameservers)
        verifier = EmailVerifier(resolver, options)
        state.email_verifier = verifier
    return verifier


EMAIL_ROUTES = [validate_email_route, verify_email_route]
