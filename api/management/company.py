"""`/api/company`: the caller's company (tenant) and, for owners and admins, its users."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, get, post, put
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update
from sqlmodel import Session, col, select

from api.errors import AlreadyExists, InsufficientPermissions, InvalidValue, NotFound
from api.management.requests import parse_body
from api.security.auth import Caller, authenticate, require_admin
from storage.db.clock import iso_z, utcnow
from storage.db.engine import session_scope
from storage.tenancy.accounts import create_company, create_user
from storage.tenancy.models import Company, User
from storage.tenancy.passwords import MIN_PASSWORD_LENGTH


class CompanyWrite(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=200)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
    role: Literal["owner", "admin", "member"] = "member"


def public_user(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role,
            "company_id": user.company_id, "createdAt": iso_z(user.created_at)}


def public_company(session: Session, company: Company, role: str) -> dict[str, Any]:
    members = session.exec(select(User).where(User.company_id == company.id)
                           .order_by(col(User.created_at))).all()
    return {"id": company.id, "company_id": company.id, "name": company.name, "yourRole": role,
            "members": [public_user(user) for user in members],
            "createdAt": iso_z(company.created_at), "updatedAt": iso_z(company.updated_at)}


def _already_in_company(company_id: str | None) -> AlreadyExists:
    return AlreadyExists("You already belong to a company", details={"company_id": company_id},
                         recommendation="Use PUT /api/company to rename it; a user belongs to "
                         "one company.")


class CompanyController(Controller):
    path = "/api/company"
    tags = ["Company"]

    @get("", summary="The caller's company", sync_to_thread=True)
    def get_company(self, request: Request, state: State) -> dict[str, Any]:
        """The company your credentials belong to, with your role (404 before you create one)."""
        with session_scope(state.engine) as session:
            caller = authenticate(request, session, company_required=False)
            if not caller.has_company:
                raise NotFound("You do not belong to a company yet",
                               details={"company_id": None},
                               recommendation="Create one with POST /api/company {\"name\"}.")
            company = session.get(Company, caller.company_id)
            return {"success": True, "company": public_company(session, company, caller.role)}

    @post("", status_code=201, summary="Create a company", sync_to_thread=True)
    def create_company(self, request: Request, state: State, body: bytes) -> dict[str, Any]:
        """`{name}`: a user without a company (`leadmill users create --no-company`) creates
        one and becomes its owner (201); a user who already has one gets 409 already_exists.
        """
        body = parse_body(body, CompanyWrite)
        with session_scope(state.engine) as session:
            caller = authenticate(request, session, company_required=False)
            if caller.has_company:
                raise _already_in_company(caller.company_id)
            company = create_company(session, body.name.strip())
            # Conditional, so two concurrent requests of the same user make one company.
            table = User.__table__
            joined = session.connection().execute(
                update(table).where(table.c.id == caller.user_id, table.c.company_id.is_(None))
                .values(company_id=company.id, role="owner")).rowcount
            if joined != 1:
                raise _already_in_company(None)
            session.expire_all()  # the caller's User row was read before the UPDATE
            return {"success": True, "company": public_company(session, company, "owner")}

    @put("", summary="Update the company (owner/admin)", sync_to_thread=True)
    def update_company(self, request: Request, state: State, body: bytes) -> dict[str, Any]:
        """`{name}`; owners and admins only."""
        body = parse_body(body, CompanyWrite)
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            require_admin(caller)
            company = session.get(Company, caller.company_id)
            company.name = body.name.strip()
            company.updated_at = utcnow()
            session.add(company)
            session.flush()
            return {"success": True, "company": public_company(session, company, caller.role)}

    @post("/users", status_code=201, summary="Add a user to the company (owner/admin)")
    async def create_company_user(self, request: Request, state: State,
                                  body: bytes) -> dict[str, Any]:
        """`{username, password, role?}` creates a user of your company; owners and admins only
        (only owners add owners).
        """
        body = parse_body(body, UserCreate)
        username = body.username.strip().lower()
        # Argon2 runs between the two transactions, behind its own limiter (api/worker_threads).
        caller = await sync_to_thread(_may_add_user, request, state, body.role, username)
        try:
            password_hash = await state.password_hashing.hash(body.password)
        except ValueError as exc:
            raise InvalidValue(str(exc), details={"field": "password"}) from None
        return await sync_to_thread(_add_user, state, caller, username, body.role,
                                    password_hash)


def _may_add_user(request: Request, state: State, role: str, username: str) -> Caller:
    with session_scope(state.engine) as session:
        caller = authenticate(request, session)
        require_admin(caller)
        if role == "owner" and caller.role != "owner":
            raise InsufficientPermissions("Only an owner may add owners",
                                          details={"field": "role", "issue": caller.role})
        _require_free_username(session, username)
        return caller


def _add_user(state: State, caller: Caller, username: str, role: str,
              password_hash: str) -> dict[str, Any]:
    with session_scope(state.engine) as session:
        _require_free_username(session, username)  # again: another request may have taken it
        company = session.get(Company, caller.company_id)
        user = create_user(session, company, username, role=role, password_hash=password_hash)
        return {"success": True, "user": public_user(user)}


def _require_free_username(session: Session, username: str) -> None:
    if session.exec(select(User).where(User.username == username)).first():
        raise AlreadyExists(f"A user named {username} already exists",
                            details={"field": "username"})
