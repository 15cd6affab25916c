"""API-key authentication: `x-api-key: <key>` or `Authorization: Bearer <key>`.

Keys are looked up by their SHA-256; the caller's company scopes every query that follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request
from sqlmodel import Session

from api.errors import Unauthorized
from storage.tenancy import find_api_key


@dataclass(frozen=True)
class Caller:
    company_id: str
    user_id: str
    key_id: str
    tier: str


def presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def authenticate(request: Request, session: Session) -> Caller:
    """The caller behind the request's API key; Unauthorized when there is none or it is bad."""
    key = presented_key(request)
    if not key:
        raise Unauthorized("An API key is required (x-api-key header or Authorization: Bearer)")
    record = find_api_key(session, key)
    if record is None:
        raise Unauthorized("The API key is not valid or has been revoked")
    return Caller(company_id=record.company_id, user_id=record.user_id, key_id=record.id,
                  tier=record.tier)
