"""Authentication: `authenticate(request, session) -> Caller`, run for every authenticated
route by the `authenticated` guard (api/guards.py).

Accepted credentials, tried in the document's order (getAuthContext: Bearer JWT, then API key):
1. `Authorization: Bearer <token>` — an access token (a JWT from `POST /api/auth`; its `sub` is
   the user, whose company scopes every query that follows), or an API key (a token starting
   with `lgp_`, or `lm_` for keys issued before; storage.tenancy.accounts);
2. `x-api-key: <API key>`.
Keys are looked up by their SHA-256; with `x-user-id`, that id must be the key owner's (else
owner_mismatch) — the JWT's `sub` is that same user id, so a client that read it from its
access token sends the right one. The first credential that identifies someone wins: a valid
access token with some other (even invalid) `x-api-key` is its user; a refused Bearer token
falls through to `x-api-key` (which proves the caller by itself). When none does, the first
credential's refusal is the answer.

An access token must belong to a live login session (`sid`; storage.tenancy.login_sessions):
logging out or a detected refresh-token reuse stops it before it expires.

Owner-based isolation (the document's first layer): every member reads the company's records,
but only the record's owner — or an owner/admin of the company — may change or delete a record
another user created (`require_record_owner`, errorType owner_mismatch). Records with no owner
(leads the pipeline found) are the company's: any member may change them.

Every authenticated request is charged against its credential's rate limit
(api/security/ratelimit.py).
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
from api.security.ratelimit import STATE_KEY, RateLimiter
from api.security.tokens import (
    ForeignTokenError,
    TokenError,
    TokenExpiredError,
    TokenIssuer,
    looks_like_jwt,
)
from storage.tenancy.accounts import find_api_key, looks_like_api_key
from storage.tenancy.login_sessions import live_login_session
from storage.tenancy.models import User

ADMIN_ROLES = ("owner", "admin")


@dataclass(frozen=True)
class Caller:
    company_id: str  # "" only for a user without a company (see `authenticate`)
    user_id: str
    key_id: str  # the API key's id; "" for a user token
    tier: str
    role: str = "member"
    username: str = ""
    method: str = "api_key"  # api_key | jwt
    session_id: str = ""  # the access token's login session (`sid`); "" for an API key

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def has_company(self) -> bool:
        return bool(self.company_id)


def presented_credentials(request: Request) -> list[tuple[str, str]]:
    """The request's credentials in the order they are tried, as (header, value): the Bearer
    token ("authorization"), then "x-api-key"."""
    found = []
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        found.append(("authorization", token.strip()))
    key = (request.headers.get("x-api-key") or "").strip()
    if key:
        found.append(("x-api-key", key))
    return found


def presented_key(request: Request) -> str | None:
    """The credential tried first, if the request carries any."""
    return next((value for _, value in presented_credentials(request)), None)


def authenticate(request: Request, session: Session, *, company_required: bool = True
                 ) -> Caller:
    """The caller behind the request's credentials, charged against its rate limit.

    A user who has not created a company yet may only reach the routes that pass
    `company_required=False` (`/api/company`); elsewhere they get insufficient_permissions.
    """
    try:
        caller = _identify(request, session)
        _charge(request, caller)
        if company_required and not caller.has_company:
            raise InsufficientPermissions(
                "You do not belong to a company yet", details={"company_id": None},
                recommendation="Create your company with POST /api/company {\"name\": ...}.")
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


def may_change(caller: Caller, record_owner: str | None) -> bool:
    """Whether the caller may update or delete a record of its company owned by `record_owner`."""
    return record_owner is None or record_owner == caller.user_id or caller.is_admin


def require_record_owner(caller: Caller, record_owner: str | None, kind: str,
                         record_id: str) -> None:
    """Refuse (403 owner_mismatch) a change to another member's record, unless owner/admin."""
    if not may_change(caller, record_owner):
        raise RecordOwnerMismatch(kind, [record_id])


class RecordOwnerMismatch(OwnerMismatch):
    recommendation = ("Ask the record's owner, or an owner or admin of your company, to make "
                      "this change.")

    def __init__(self, kind: str, record_ids: list[str]) -> None:
        super().__init__(f"This {kind} belongs to another user" if len(record_ids) == 1 else
                         f"Some {kind}s belong to other users",
                         details={"ids": record_ids, "issue": "owned by another user"})


def _identify(request: Request, session: Session) -> Caller:
    refusal: ManagementError | None = None
    for header, credential in presented_credentials(request):
        try:
            return _by_credential(request, session, header, credential)
        except ManagementError as error:
            refusal = refusal or error
    raise refusal or NoValidCredentials(details="no Authorization: Bearer or x-api-key header")


def _by_credential(request: Request, session: Session, header: str, credential: str
                   ) -> Caller:
    if header == "x-api-key" or looks_like_api_key(credential):
        return _by_api_key(request, session, credential)
    if looks_like_jwt(credential):
        return _by_access_token(request.app.state.tokens, session, credential)
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
    login = live_login_session(session, str(claims.get("sid") or ""))
    if login is None or login.user_id != user.id:
        raise NoValidCredentials("The access token's session has ended",
                                 details="logged out or revoked; log in again")
    return Caller(company_id=user.company_id or "", user_id=user.id, key_id="", tier="standard",
                  role=user.role, username=user.username, method="jwt", session_id=login.id)


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
