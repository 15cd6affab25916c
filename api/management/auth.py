"""`POST /api/auth` (log in, refresh), logout and password change, and the agent API keys:
issue, list, revoke.

`POST /api/agent-api-keys {name, description?, tier?}` answers 200 (as the LeadGenius CLI
expects) with `apiKey`: the key itself, a string shown only in this reply (only its SHA-256 is
stored), `key`: the key's record as `GET /api/agent-api-keys` lists it (id, name,
description, prefix, tier, owner, company_id, createdAt, revokedAt), and `userId`, the
`x-user-id` to send with it. New keys start with `lgp_` (storage.tenancy.accounts).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any, Literal

from litestar import Controller, Request, delete, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from api.errors import (
    InsufficientPermissions,
    InvalidValue,
    ManagementError,
    NotFound,
    NoValidCredentials,
    NoValidTokens,
    RateLimited,
)
from api.guards import authenticated
from api.management.requests import (
    StrippedContractBody,
    parse_json_object,
    query_text,
    validate,
)
from api.security.auth import Caller, authenticate, presented_key
from api.security.client_address import client_ip
from api.security.ratelimit import STATE_KEY, LoginReservation, LoginThrottle, RateWindow
from api.security.tokens import TokenError
from storage.commands.limits import ensure_api_key_allowed, hold_company
from storage.db.clock import iso_z
from storage.tenancy.accounts import find_api_key, issue_api_key, revoke_api_key
from storage.tenancy.login_sessions import (
    RefreshToken,
    hash_token,
    new_token_ids,
    revoke_login_session,
    revoke_user_sessions,
    rotate_refresh_token,
    start_login_session,
    store_refresh_token,
)
from storage.tenancy.models import ApiKey, User


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


class ApiKeyRequest(StrippedContractBody):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    tier: Literal["standard", "premium"] = "standard"


def public_key(record: ApiKey) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "description": record.description,
            "prefix": record.key_prefix, "tier": record.tier, "owner": record.user_id,
            "company_id": record.company_id, "createdAt": iso_z(record.created_at),
            "revokedAt": iso_z(record.revoked_at) if record.revoked_at else None}


class AuthController(Controller):
    path = "/api"
    tags = ["Auth"]

    @post("/auth", status_code=200, summary="Log in, or refresh tokens")
    async def login(self, request: Request, state: State, session: Session,
                    body: bytes) -> dict[str, Any]:
        """`{"username", "password"}` → tokens; `{"refreshToken"}` → fresh tokens (the refresh
        token is rotated: the one presented stops working).

        Failed logins are throttled per username and per client IP (429 rate_limited with
        Retry-After); presenting an already-rotated refresh token revokes its whole login
        session (no_valid_tokens).
        """
        # Raw body: it is one of two requests, told apart by its keys (a refresh token, or a
        # username and password), so no single model decodes it.
        body = parse_json_object(body)
        if "refreshToken" in body and "password" not in body:
            tokens = await sync_to_thread(_refreshed_tokens, state, session,
                                          validate(RefreshRequest, body))
            return {"success": True, "tokens": tokens}
        login = validate(LoginRequest, body)
        # Three steps, so that Argon2 (and the wait for its slot) holds no database thread.
        attempt = await sync_to_thread(_begin_login, request, state, session, login)
        if not await state.password_hashing.verify(attempt.password_hash, login.password):
            raise NoValidCredentials("Incorrect username or password",
                                     details="the username or password is wrong")
        tokens = await sync_to_thread(_finish_login, state, session, attempt)
        return {"success": True, "tokens": tokens}

    @post("/auth/logout", status_code=200, summary="Log out: revoke refresh tokens (Leadmill)",
          sync_to_thread=True)
    def logout(self, request: Request, state: State, session: Session,
               body: bytes) -> dict[str, Any]:
        """A Leadmill extension. With `Authorization: Bearer <accessToken>`: ends that token's
        login session (its access, id and refresh tokens stop working); `{"allSessions": true}`
        ends every session of the user. Or, without a header, `{"refreshToken"}` ends the
        session that token belongs to.
        """
        # Raw body: it may be empty (logging out with the access token alone).
        body = parse_json_object(body) if body.strip() else {}
        logout = validate(LogoutRequest, body)
        if presented_key(request) is None and logout.refreshToken:
            claims = _refresh_claims(state, logout.refreshToken)
            if not _known_refresh_token(session, claims, logout.refreshToken):
                raise NoValidTokens(details="unknown refresh token")
            revoked = revoke_login_session(session, claims["sid"], "logout")
            return {"success": True, "revoked": revoked}
        # No guard on this route: a refresh token in the body is credential enough (above);
        # only without one is the caller authenticated, here (rate limit charged as usual).
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
          summary="Change your password: every login session ends (Leadmill)",
          guards=[authenticated], opt={"company_optional": True})
    async def change_password(self, request: Request, state: State, session: Session,
                              caller: Caller, data: PasswordChange) -> dict[str, Any]:
        """A Leadmill extension. With `Authorization: Bearer <accessToken>` and `{"currentPassword",
        "newPassword"}`: the new password (8+ characters) replaces the old one, every login
        session of the user ends (all its tokens stop working, on every device) and fresh
        tokens for a new session come back. A wrong current password counts as a failed login.
        """
        attempt = await sync_to_thread(_begin_password_change, request, state, session, caller)
        if not await state.password_hashing.verify(attempt.password_hash,
                                                   data.currentPassword):
            raise NoValidCredentials("The current password is wrong",
                                     details={"field": "currentPassword"})
        try:
            new_hash = await state.password_hashing.hash(data.newPassword)
        except ValueError as exc:
            # The current password was right: not a failed login.
            await sync_to_thread(state.login_throttle.forgive, attempt.reservation)
            raise InvalidValue(str(exc), details={"field": "newPassword"}) from None
        revoked, tokens = await sync_to_thread(_store_new_password, state, session, attempt,
                                               new_hash)
        return {"success": True, "revoked": revoked, "tokens": tokens}

    @post("/agent-api-keys", status_code=200, summary="Issue an API key",
          guards=[authenticated], sync_to_thread=True)
    def issue_key(self, state: State, session: Session, caller: Caller,
                  data: ApiKeyRequest) -> dict[str, Any]:
        """A new key for the caller → 200 `{apiKey: "<the key>", key: {id, name, ...}, userId}`;
        the key is shown once, only its hash is stored."""
        if data.tier == "premium" and caller.role != "owner":
            raise InsufficientPermissions("Only a company owner may issue premium keys",
                                          details={"field": "tier", "issue": caller.role})
        hold_company(session, caller.company_id)
        ensure_api_key_allowed(session, caller.user_id, state.settings.max_api_keys_per_user)
        user = session.get(User, caller.user_id)
        key = issue_api_key(session, user, data.name, tier=data.tier,
                            description=data.description)
        return {"success": True, "apiKey": key, "key": public_key(find_api_key(session, key)),
                "userId": caller.user_id,
                "usage": "Send it as x-api-key with x-user-id: " + caller.user_id}

    @get("/agent-api-keys", summary="List API keys", guards=[authenticated],
         sync_to_thread=True)
    def list_keys(self, session: Session, caller: Caller) -> dict[str, Any]:
        """The caller's keys; an owner or admin sees every key of the company."""
        query = select(ApiKey).where(ApiKey.company_id == caller.company_id)
        if not caller.is_admin:
            query = query.where(ApiKey.user_id == caller.user_id)
        keys = session.exec(query.order_by(ApiKey.created_at)).all()
        return {"success": True, "apiKeys": [public_key(key) for key in keys]}

    @delete("/agent-api-keys", status_code=200, summary="Revoke an API key",
            guards=[authenticated], sync_to_thread=True)
    def revoke_key(self, request: Request, session: Session, caller: Caller) -> dict[str, Any]:
        """`?id=<key id>`: revokes one of the caller's keys (any of the company's for admins)."""
        key_id = query_text(request, "id", required=True)
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


@dataclass(frozen=True)
class PasswordAttempt:
    """A password about to be checked: its failure is already counted (`reservation`)."""

    reservation: LoginReservation
    user_id: str | None
    password_hash: str | None  # None: no such user, or no password (checked all the same)


def _reserve_attempt(request: Request, state: State, username: str) -> LoginReservation:
    """Count the attempt as a failed login first (so parallel guesses are all counted), or
    refuse it (429) when the username or the client IP has used up its failures."""
    throttle: LoginThrottle = state.login_throttle
    reserved = throttle.reserve(username, client_ip(request, state.settings.trusted_proxy_networks))
    if isinstance(reserved, RateWindow):
        request.scope.setdefault("state", {})[STATE_KEY] = reserved
        raise RateLimited("Too many failed logins; try again later",
                          details={"limit": reserved.limit, "reset": reserved.reset_epoch,
                                   "retryAfter": reserved.headers()["Retry-After"]},
                          recommendation="Wait for Retry-After seconds, then log in again.")
    return reserved


def _end_transaction(session: Session) -> None:
    """End the request's transaction before Argon2 runs, so that no database connection is
    held while it does; the next use of `session` begins a new one."""
    session.commit()


def _begin_login(request: Request, state: State, session: Session, login: LoginRequest
                 ) -> PasswordAttempt:
    username = login.username.strip().lower()
    reservation = _reserve_attempt(request, state, username)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        user = session.exec(select(User).where(User.username == login.username.strip())
                            ).first()
    _end_transaction(session)
    if user is None:
        return PasswordAttempt(reservation, None, None)
    return PasswordAttempt(reservation, user.id, user.password_hash)


def _finish_login(state: State, session: Session, attempt: PasswordAttempt
                  ) -> dict[str, Any]:
    """The password was right: take back the counted failure and start a login session."""
    state.login_throttle.forgive(attempt.reservation)
    user = _unchanged_user(session, attempt)
    return _issue_tokens(state, session, user, None)


def _begin_password_change(request: Request, state: State, session: Session, caller: Caller
                           ) -> PasswordAttempt:
    if caller.method != "jwt":
        raise NoValidCredentials("Change a password with the user's access token",
                                 details="API keys act for a user; they cannot "
                                 "change the user's password")
    user = session.get(User, caller.user_id)
    _end_transaction(session)
    reservation = _reserve_attempt(request, state, user.username)
    return PasswordAttempt(reservation, user.id, user.password_hash)


def _store_new_password(state: State, session: Session, attempt: PasswordAttempt,
                        new_hash: str) -> tuple[int, dict[str, Any]]:
    state.login_throttle.forgive(attempt.reservation)
    user = _unchanged_user(session, attempt)
    user.password_hash = new_hash
    session.add(user)
    revoked = revoke_user_sessions(session, user.id, "password_changed")
    return revoked, _issue_tokens(state, session, user, None)


def _unchanged_user(session: Session, attempt: PasswordAttempt) -> User:
    """The user whose password was just verified, unless it was changed (or the user removed)
    while Argon2 ran: then the verified password may no longer be the one stored."""
    user = session.get(User, attempt.user_id) if attempt.user_id else None
    if user is None or user.password_hash != attempt.password_hash:
        raise NoValidCredentials("Incorrect username or password",
                                 details="the password changed meanwhile; try again")
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


def _refreshed_tokens(state: State, session: Session, refresh: RefreshRequest
                      ) -> dict[str, Any]:
    user, session_id, refused = _refreshing_user(state, session, refresh)
    if refused is None:
        return _issue_tokens(state, session, user, session_id)
    # A refusal is raised after the commit (the request's transaction is rolled back on an
    # error): a reused token's revocation stays.
    session.commit()
    raise refused


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
