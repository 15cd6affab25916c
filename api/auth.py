"""Authentication for every route: `authenticate(request, session) -> Caller`.

Accepted credentials, tried in order:
1. `Authorization: Bearer <accessToken>` — a JWT from `POST /api/auth`; its `sub` is the user,
   whose company scopes every query that follows;
2. `Authorization: Bearer <API key>` or `x-api-key: <API key>` — keys are looked up by their
   SHA-256. With `x-user-id`, that id must be the key owner's (else owner_mismatch).

Every authenticated request is charged against its credential's rate limit (api/ratelimit.py).
Failures take the envelope of the path: the command API (`/api/agents/...`) answers
UNAUTHORIZED / QUOTA_EXCEEDED, every other route the lead-management errorTypes.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request
from sqlmodel import Session

from api.errors import (
    FederatedJwt,
    InsufficientPermissions,
    ManagementError,
    NoValidCredentials,
    OwnerMismatch,
    QuotaExceeded,
    RateLimited,
    TokenExpired,
    Unauthorized,
    uses_command_envelope,
)
from api.ratelimit import STATE_KEY, RateLimiter
from api.tokens import ForeignTokenError, TokenError, TokenExpiredError, TokenIssuer, looks_like_jwt
from storage.models import User
from storage.tenancy import API_KEY_PREFIX, find_api_key

ADMIN_ROLES = ("owner", "admin")


@dataclass(frozen=True)
class Caller:
    company_id: str
    user_id: str
    key_id: str  # the API key's id; "" for a user token
    tier: str
    role: str = "member"
    username: str = ""
    method: str = "api_key"  # api_key | jwt

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES


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
    """The caller behind the request's credentials, charged against its rate limit."""
    try:
        caller = _identify(request, session)
        _charge(request, caller)
    except ManagementError as error:
        if not uses_command_envelope(request):
            raise
        if isinstance(error, RateLimited):
            raise QuotaExceeded(error.message, details=error.details) from None
        raise Unauthorized(error.message) from None
    return caller


def require_admin(caller: Caller) -> None:
    """Owner/admin-only operations; API keys act with their owner's role."""
    if not caller.is_admin:
        raise InsufficientPermissions(details=f"your role is {caller.role}")


def _identify(request: Request, session: Session) -> Caller:
    token = presented_key(request)
    if not token:
        raise NoValidCredentials(details="no Authorization: Bearer or x-api-key header")
    if request.headers.get("x-api-key") or token.startswith(API_KEY_PREFIX):
        return _by_api_key(request, session, token)
    if looks_like_jwt(token):
        return _by_access_token(request.app.state.tokens, session, token)
    raise NoValidCredentials(details="the bearer token is neither an access token nor an API key")


def _by_api_key(request: Request, session: Session, key: str) -> Caller:
    record = find_api_key(session, key)
    if record is None:
        raise NoValidCredentials("The API key is not valid or has been revoked",
                                 details="unknown or revoked API key")
    claimed_user = request.headers.get("x-user-id")
    if claimed_user and claimed_user.strip() != record.user_id:
        raise OwnerMismatch(details="x-user-id is not the owner of this API key")
    user = session.get(User, record.user_id)
    return Caller(company_id=record.company_id, user_id=record.user_id, key_id=record.id,
                  tier=record.tier, role=user.role if user else "member",
                  username=user.username if user else "", method="api_key")


def _by_access_token(tokens: TokenIssuer, session: Session, token: str) -> Caller:
    try:
        claims = tokens.decode(token, "access")
    except TokenExpiredError:
        raise TokenExpired(details="the access token's exp has passed") from None
    except ForeignTokenError:
        raise FederatedJwt(details="the token's issuer is not this Leadmill") from None
    except TokenError as exc:
        raise NoValidCredentials("The access token is not valid", details=str(exc)) from None
    user = session.get(User, claims["sub"])
    if user is None:
        raise NoValidCredentials("The access token's user no longer exists",
                                 details="unknown sub")
    return Caller(company_id=user.company_id, user_id=user.id, key_id="", tier="standard",
                  role=user.role, username=user.username, method="jwt")


def _charge(request: Request, caller: Caller) -> None:
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        return
    credential = f"key:{caller.key_id}" if caller.key_id else f"user:{caller.user_id}"
    window = limiter.charge(credential, caller.tier)
    request.scope.setdefault("state", {})[STATE_KEY] = window
    if not window.allowed:
        raise RateLimited(details={"limit": window.limit, "reset": window.reset_epoch,
                                   "tier": caller.tier})
