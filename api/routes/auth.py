"""`POST /api/auth` (log in, refresh), logout and password change, and the agent API keys:
issue, list, revoke."""

from __future__ import annotations

import hmac
from typing import Any, Literal

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from api.auth import Caller, authenticate, presented_key
from api.errors import (
    InsufficientPermissions,
    InvalidValue,
    ManagementError,
    NotFound,
    NoValidCredentials,
    NoValidTokens,
    RateLimited,
)
from api.management_requests import parse_json_object, query_text, validate
from api.ratelimit import STATE_KEY, LoginThrottle
from api.tokens import TokenError
from storage.auth_sessions import (
    RefreshToken,
    hash_token,
    new_token_ids,
    revoke_login_session,
    revoke_user_sessions,
    rotate_refresh_token,
    start_login_session,
    store_refresh_token,
)
from storage.clock import iso_z
from storage.company_limits import ensure_api_key_allowed, hold_company
from storage.database import session_scope
from storage.models import ApiKey, User
from storage.passwords import hash_password, verify_password
from storage.tenancy import find_api_key, issue_api_key, revoke_api_key


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    refreshToken: str = Field(min_length=1, max_length=8192)  # noqa: N815 - documented name


class LogoutRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    refreshToken: str | None = Field(default=None, min_length=1,  # noqa: N815 - as in /auth
                                     max_length=8192)
    allSessions: bool = False  # noqa: N815


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="ignore")
    currentPassword: str = Field(min_length=1, max_length=1024)  # noqa: N815
    newPassword: str = Field(min_length=1, max_length=1024)  # noqa: N815


class ApiKeyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    tier: Literal["standard", "premium"] = "standard"


def public_key(record: ApiKey) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "prefix": record.key_prefix,
            "tier": record.tier, "owner": record.user_id, "company_id": record.company_id,
            "createdAt": iso_z(record.created_at),
            "revokedAt": iso_z(record.revoked_at) if record.revoked_at else None}


class AuthController(Controller):
    path = "/api"
    tags = ["Auth"]

    @post("/auth", status_code=200, summary="Log in, or refresh tokens")
    async def login(self, request: Request, state: State) -> dict[str, Any]:
        """`{"username", "password"}` → tokens; `{"refreshToken"}` → fresh tokens (the refresh
        token is rotated: the one presented stops working).

        Failed logins are throttled per username and per client IP (429 rate_limited with
        Retry-After); presenting an already-rotated refresh token revokes its whole login
        session (no_valid_tokens).
        """
        body = parse_json_object(await request.body())
        refused: ManagementError | None = None
        with session_scope(state.engine) as session:
            if "refreshToken" in body and "password" not in body:
                user, session_id, refused = _refreshing_user(state, session,
                                                             validate(RefreshRequest, body))
                # A refusal is raised after the commit: a reused token's revocation stays.
                if refused is None:
                    tokens = _issue_tokens(state, session, user, session_id)
            else:
                user = _logging_in_user(request, state, session, validate(LoginRequest, body))
                tokens = _issue_tokens(state, session, user, None)
        if refused is not None:
            raise refused
        return {"success": True, "tokens": tokens}

    @post("/auth/logout", status_code=200, summary="Log out: revoke refresh tokens (Leadmill)")
    async def logout(self, request: Request, state: State) -> dict[str, Any]:
        """A Leadmill extension. With `Authorization: Bearer <accessToken>`: ends that token's
        login session (its access, id and refresh tokens stop working); `{"allSessions": true}`
        ends every session of the user. Or, without a header, `{"refreshToken"}` ends the
        session that token belongs to.
        """
        raw = await request.body()
        body = parse_json_object(raw) if raw.strip() else {}
        logout = validate(LogoutRequest, body)
        with session_scope(state.engine) as session:
            if presented_key(request) is None and logout.refreshToken:
                claims = _refresh_claims(state, logout.refreshToken)
                if not _known_refresh_token(session, claims, logout.refreshToken):
                    raise NoValidTokens(details="unknown refresh token")
                revoked = revoke_login_session(session, claims["sid"], "logout")
                return {"success": True, "revoked": revoked}
            caller = authenticate(request, session, company_required=False)
            if caller.method != "jwt":
                raise NoValidCredentials("Log out with the access token of the session",
                                         details="API keys are revoked with DELETE "
                                         "/api/agent-api-keys")
            if logout.allSessions:
                revoked = revoke_user_sessions(session, caller.user_id, "logout_all")
            else:
                revoked = revoke_login_session(session, caller.session_id, "logout")
        return {"success": True, "revoked": revoked}

    @post("/auth/password", status_code=200,
          summary="Change your password: every login session ends (Leadmill)")
    async def change_password(self, request: Request, state: State) -> dict[str, Any]:
        """A Leadmill extension. With `Authorization: Bearer <accessToken>` and `{"currentPassword",
        "newPassword"}`: the new password (8+ characters) replaces the old one, every login
        session of the user ends (all its tokens stop working, on every device) and fresh
        tokens for a new session come back. A wrong current password counts as a failed login.
        """
        change = validate(PasswordChange, parse_json_object(await request.body()))
        refused: ManagementError | None = None
        with session_scope(state.engine) as session:
            caller = authenticate(request, session, company_required=False)
            if caller.method != "jwt":
                raise NoValidCredentials("Change a password with the user's access token",
                                         details="API keys act for a user; they cannot "
                                         "change the user's password")
            user = session.get(User, caller.user_id)
            ip = _client_ip(request)
            throttle = _unthrottled(request, state, user.username, ip)
            if not verify_password(user.password_hash, change.currentPassword):
                throttle.record_failure(user.username, ip)
                # Raised after the commit, like the login's refusals; nothing was changed.
                refused = NoValidCredentials("The current password is wrong",
                                             details={"field": "currentPassword"})
            else:
                try:
                    user.password_hash = hash_password(change.newPassword)
                except ValueError as exc:
                    raise InvalidValue(str(exc), details={"field": "newPassword"}) from None
                session.add(user)
                revoked = revoke_user_sessions(session, user.id, "password_changed")
                tokens = _issue_tokens(state, session, user, None)
        if refused is not None:
            raise refused
        return {"success": True, "revoked": revoked, "tokens": tokens}

    @post("/agent-api-keys", status_code=201, summary="Issue an API key")
    async def issue_key(self, request: Request, state: State) -> dict[str, Any]:
        """A new key for the caller; the key is shown once, only its hash is stored."""
        body = validate(ApiKeyRequest, parse_json_object(await request.body()))
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            if body.tier == "premium" and caller.role != "owner":
                raise InsufficientPermissions("Only a company owner may issue premium keys",
                                              details={"field": "tier", "issue": caller.role})
            hold_company(session, caller.company_id)
            ensure_api_key_allowed(session, caller.user_id, state.settings.max_api_keys_per_user)
            user = session.get(User, caller.user_id)
            key = issue_api_key(session, user, body.name, tier=body.tier)
            reply = public_key(find_api_key(session, key))
        return {"success": True, "apiKey": {**reply, "key": key,
                                            "description": body.description},
                "usage": "Send it as x-api-key with x-user-id: " + caller.user_id}

    @get("/agent-api-keys", summary="List API keys")
    async def list_keys(self, request: Request, state: State) -> dict[str, Any]:
        """The caller's keys; an owner or admin sees every key of the company."""
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            query = select(ApiKey).where(ApiKey.company_id == caller.company_id)
            if not caller.is_admin:
                query = query.where(ApiKey.user_id == caller.user_id)
            keys = session.exec(query.order_by(ApiKey.created_at)).all()
            return {"success": True, "apiKeys": [public_key(key) for key in keys]}

    @delete("/agent-api-keys", status_code=200, summary="Revoke an API key")
    async def revoke_key(self, request: Request, state: State) -> dict[str, Any]:
        """`?id=<key id>`: revokes one of the caller's keys (any of the company's for admins)."""
        key_id = query_text(request, "id", required=True)
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            record = _visible_key(session, caller, key_id)
            if record is None:
                raise NotFound(f"No API key {key_id}", details={"field": "id", "issue": key_id})
            revoke_api_key(session, record.id, caller.company_id)
        return {"success": True, "revoked": key_id}


def _visible_key(session: Session, caller: Caller, key_id: str) -> ApiKey | None:
    record = session.get(ApiKey, key_id)
    if record is None or record.company_id != caller.company_id:
        return None
    if not caller.is_admin and record.user_id != caller.user_id:
        return None
    return record


def _client_ip(request: Request) -> str:
    # The peer address: a proxy in front of Leadmill makes every login share its address
    # (raise login_failures_per_ip then); X-Forwarded-For is not trusted, anyone can send it.
    return request.client.host if request.client else "unknown"


def _unthrottled(request: Request, state: State, username: str, ip: str) -> LoginThrottle:
    """The login throttle, once it has let this username and IP try a password (else 429)."""
    throttle: LoginThrottle = state.login_throttle
    window = throttle.check(username, ip)
    if window is not None:
        request.scope.setdefault("state", {})[STATE_KEY] = window
        raise RateLimited("Too many failed logins; try again later",
                          details={"limit": window.limit, "reset": window.reset_epoch,
                                   "retryAfter": window.headers()["Retry-After"]},
                          recommendation="Wait for Retry-After seconds, then log in again.")
    return throttle


def _logging_in_user(request: Request, state: State, session: Session,
                     login: LoginRequest) -> User:
    username = login.username.strip().lower()
    ip = _client_ip(request)
    throttle = _unthrottled(request, state, username, ip)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        user = session.exec(select(User).where(User.username == login.username.strip())).first()
    if user is None or not verify_password(user.password_hash, login.password):
        throttle.record_failure(username, ip)
        raise NoValidCredentials("Incorrect username or password",
                                 details="the username or password is wrong")
    return user


def _issue_tokens(state: State, session: Session, user: User, session_id: str | None
                  ) -> dict[str, Any]:
    """Tokens of a new login session (`session_id` None) or the next of a rotated one."""
    if session_id is None:
        session_id, jti = new_token_ids()
        start_login_session(session, user.id, session_id)
    else:
        _, jti = new_token_ids()
    tokens = state.tokens.issue(user.id, user.username, user.company_id,
                                session_id=session_id, refresh_jti=jti)
    store_refresh_token(session, session_id, jti, tokens["refreshToken"],
                        state.tokens.refresh_seconds)
    return tokens


def _refresh_claims(state: State, token: str) -> dict[str, Any]:
    try:
        claims = state.tokens.decode(token, "refresh")
    except TokenError as exc:
        raise NoValidTokens(details=str(exc)) from None
    if not claims.get("jti") or not claims.get("sid"):
        raise NoValidTokens(details="the refresh token has no session; log in again")
    return claims


def _known_refresh_token(session: Session, claims: dict[str, Any], token: str) -> bool:
    row = session.get(RefreshToken, claims["jti"])
    return (row is not None and row.session_id == claims["sid"]
            and hmac.compare_digest(row.token_hash, hash_token(token)))


def _refreshing_user(state: State, session: Session, refresh: RefreshRequest
                     ) -> tuple[User | None, str | None, ManagementError | None]:
    """(user, session id, None) for a live refresh token, else (None, None, the refusal)."""
    claims = _refresh_claims(state, refresh.refreshToken)
    rotation = rotate_refresh_token(session, claims["jti"], refresh.refreshToken)
    if rotation.outcome == "reused":
        return None, None, NoValidTokens(
            "The refresh token was already used", details="reuse detected: every token of "
            "this login session has been revoked",
            recommendation="Log in again with POST /api/auth {\"username\", \"password\"}; "
            "if you did not reuse this token, it may have been copied.")
    if rotation.outcome != "rotated":
        return None, None, NoValidTokens(details="the refresh token is unknown or its session "
                                   "has ended")
    user = session.get(User, rotation.user_id)
    if user is None or user.id != claims["sub"]:
        return None, None, NoValidTokens(details="the token's user no longer exists")
    return user, rotation.session_id, None
