"""`/api/company`: the caller's company (tenant) and, for owners and admins, its users."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, get, post, put
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update
from sqlmodel import Session, col, select

from api.errors import AlreadyExists, InsufficientPermissions, InvalidValue, NotFound
from api.guards import admin_only, authenticated
from api.security.auth import Caller
from storage.db.clock import iso_z, utcnow
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
    guards = [authenticated]

    @get("", summary="The caller's company", opt={"company_optional": True},
         sync_to_thread=True)
    def get_company(self, session: Session, caller: Caller) -> dict[str, Any]:
        """The company your credentials belong to, with your role (404 before you create one)."""
        if not caller.has_company:
            raise NotFound("You do not belong to a company yet",
                           details={"company_id": None},
                           recommendation="Create one with POST /api/company {\"name\"}.")
        company = session.get(Company, caller.company_id)
        return {"success": True, "company": public_company(session, company, caller.role)}

    @post("", status_code=201, summary="Create a company", opt={"company_optional": True},
          sync_to_thread=True)
    def create_company(self, session: Session, caller: Caller,
                       data: CompanyWrite) -> dict[str, Any]:
        """`{name}`: a user without a company (`leadmill users create --no-company`) creates
        one and becomes its owner (201); a user who already has one gets 409 already_exists.
        """
        if caller.has_company:
            raise _already_in_company(caller.company_id)
        company = create_company(session, data.name.strip())
        # Conditional, so two concurrent requests of the same user make one company.
        table = User.__table__
        joined = session.connection().execute(
            update(table).where(table.c.id == caller.user_id, table.c.company_id.is_(None))
            .values(company_id=company.id, role="owner")).rowcount
        if joined != 1:
            raise _already_in_company(None)
        session.expire_all()  # a User row loaded before the UPDATE would be stale
        return {"success": True, "company": public_company(session, company, "owner")}

    @put("", summary="Update the company (owner/admin)", guards=[admin_only],
         sync_to_thread=True)
    def update_company(self, session: Session, caller: Caller,
                       data: CompanyWrite) -> dict[str, Any]:
        """`{name}`; owners and admins only."""
        company = session.get(Company, caller.company_id)
        company.name = data.name.strip()
        company.updated_at = utcnow()
        session.add(company)
        session.flush()
        return {"success": True, "company": public_company(session, company, caller.role)}

    @post("/users", status_code=201, summary="Add a user to the company (owner/admin)",
          guards=[admin_only])
    async def create_company_user(self, state: State, session: Session, caller: Caller,
                                  data: UserCreate) -> dict[str, Any]:
        """`{username, password, role?}` creates a user of your company; owners and admins only
        (only owners add owners).
        """
        username = data.username.strip().lower()
        # Argon2 runs between the two transactions, behind its own limiter (api/worker_threads).
        await sync_to_thread(_may_add_user, session, caller, data.role, username)
        try:
            password_hash = await state.password_hashing.hash(data.password)
        except ValueError as exc:
            raise InvalidValue(str(exc), details={"field": "password"}) from None
        return await sync_to_thread(_add_user, session, caller, username, data.role,
                                    password_hash)


def _may_add_user(session: Session, caller: Caller, role: str, username: str) -> None:
    if role == "owner" and caller.role != "owner":
        raise InsufficientPermissions("Only an owner may add owners",
                                      details={"field": "role", "issue": caller.role})
    _require_free_username(session, username)
    # End this read-only transaction: Argon2 must not hold a database connection.
    session.commit()


def _add_user(session: Session, caller: Caller, username: str, role: str,
              password_hash: str) -> dict[str, Any]:
    _require_free_username(session, username)  # again: another request may have taken it
    company = session.get(Company, caller.company_id)
    user = create_user(session, company, username, role=role, password_hash=password_hash)
    return {"success": True, "user": public_user(user)}


def _require_free_username(session: Session, username: str) -> None:
    if session.exec(select(User).where(User.username == username)).first():
        raise AlreadyExists(f"A user named {username} already exists",
                            details={"field": "username"})
