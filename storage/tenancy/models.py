"""Companies (tenants), their users, API keys and clients (sites).

Timestamps are aware UTC datetimes (`storage.db.clock.utcnow`); deletes of clients and leads are
soft (`deleted_at`) so the warehouse can follow them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.db.clock import utcnow


class Company(SQLModel, table=True):
    """A tenant. Every other record belongs to exactly one company."""

    id: str = Field(primary_key=True)
    name: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    id: str = Field(primary_key=True,
                    description="The owner id (JWT sub); the command API's userId.")
    company_id: str | None = Field(
        default=None, foreign_key="company.id", index=True,
        description="None until the user creates a company (POST /api/company).")
    username: str = Field(unique=True, index=True)
    password_hash: str | None = None
    role: str = Field(default="member", description="owner | admin | member")
    created_at: datetime = Field(default_factory=utcnow)


class ApiKey(SQLModel, table=True):
    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    user_id: str = Field(foreign_key="user.id")
    name: str
    key_hash: str = Field(unique=True, index=True, description="SHA-256 of the key; never the key.")
    key_prefix: str = Field(description="First characters, to recognise a key in listings.")
    description: str | None = None
    tier: str = Field(default="standard")
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


CLIENT_ID_PER_COMPANY = "ux_client_company_client_id"


class Client(SQLModel, table=True):
    """A client of a company: a website leads are generated for. `client_id` is the siteId,
    unique within its company (deleted clients included) — not across companies, so that no
    company learns which ids another one uses."""

    __table_args__ = (Index(CLIENT_ID_PER_COMPANY, "company_id", "client_id", unique=True),)

    id: str = Field(primary_key=True)
    client_id: str = Field(index=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    owner: str
    client_name: str
    company_url: str | None = None
    description: str | None = None
    lead_quota: int | None = Field(default=None, description="Monthly lead quota; None: default.")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None
