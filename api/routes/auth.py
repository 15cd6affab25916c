"""`POST /api/auth` (log in, refresh) and the agent API keys: issue, list, revoke."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from api.auth import Caller, authenticate
from api.errors import (
    InsufficientPermissions,
    NotFound,
    NoValidCredentials,
    NoValidTokens,
)
from api.management_requests import parse_json_object, query_text, validate
from api.tokens import TokenError
from storage.clock import iso_z
from storage.database import session_scope
from storage.models import ApiKey, User
from storage.passwords import verify_password
from storage.tenancy import find_api_key, issue_api_key, revoke_api_key


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    refreshToken: str = Field(min_length=1, max_length=8192)  # noqa: N815 - documented name


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
        """`{"username", "password"}` → tokens; `{"refreshToken"}` → fresh tokens."""
        body = parse_json_object(await request.body())
        with session_scope(state.engine) as session:
            if "refreshToken" in body and "password" not in body:
                user = _refreshing_user(state, session, validate(RefreshRequest, body))
            else:
                user = _logging_in_user(session, validate(LoginRequest, body))
            tokens = state.tokens.issue(user.id, user.username, user.company_id)
        return {"success": True, "tokens": tokens}

    @post("/agent-api-keys", status_code=201, summary="Issue an API key")
    async def issue_key(self, request: Request, state: State) -> dict[str, Any]:
        """A new key for the caller; the key is shown once, only its hash is stored."""
        body = validate(ApiKeyRequest, parse_json_object(await request.body()))
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            if body.tier == "premium" and caller.role != "owner":
                raise InsufficientPermissions("Only a company owner may issue premium keys",
                                              details={"field": "tier", "issue": caller.role})
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


def _logging_in_user(session: Session, login: LoginRequest) -> User:
    user = session.exec(select(User).where(User.username == login.username.strip().lower())
                        ).first()
    if user is None:
        user = session.exec(select(User).where(User.username == login.username.strip())).first()
    if user is None or not verify_password(user.password_hash, login.password):
        raise NoValidCredentials("Incorrect username or password",
                                 details="the username or password is wrong")
    return user


def _refreshing_user(state: State, session: Session, refresh: RefreshRequest) -> User:
    try:
        claims = state.tokens.decode(refresh.refreshToken, "refresh")
    except TokenError as exc:
        raise NoValidTokens(details=str(exc)) from None
    user = session.get(User, claims["sub"])
    if user is None:
        raise NoValidTokens(details="the token's user no longer exists")
    return user

