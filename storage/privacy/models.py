"""The privacy tables: suppression entries and the erasure audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db.clock import utcnow

# What a suppression entry matches: the kinds of the identity rule (storage.leads.identity)
# and a whole registrable domain (of a person's e-mail address or company website).
SUPPRESSION_KINDS = ("email", "linkedin", "phone", "person", "domain")
# A list entry someone added (its value sealed, so the list can be shown), or what an erasure
# left behind (the fingerprint alone).
SUPPRESSION_REASONS = ("list", "erasure")


class Suppression(SQLModel, table=True):
    """One person's key (or one domain) that a company's commands, imports and inbound
    webhooks must never return or store again, company-wide or for one client.

    `scope` is the client id, or "" for the whole company (a unique key cannot hold NULL on
    every database alike). `fingerprint` is keyed with the instance's secret
    (storage.privacy.fingerprints): the table alone does not tell whom it names.
    """

    __table_args__ = (
        UniqueConstraint("company_id", "scope", "kind", "fingerprint",
                         name="uq_suppression_entry"),
        Index("ix_suppression_lookup", "company_id", "fingerprint"),
        Index("ix_suppression_page", "company_id", "created_at", "id"),
    )

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id")
    scope: str = ""  # client id, "" = every client of the company
    kind: str
    fingerprint: str
    reason: str = "list"
    # The normalised value, sealed with the instance's key (storage.tenancy.secrets), for list
    # entries only: the company may read its own list back. None for an erasure's entries.
    sealed_value: str | None = None
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def client_id(self) -> str | None:
        return self.scope or None


class ErasureAudit(SQLModel, table=True):
    """Who erased a person, when, how the person was named (`subject_kind`) and what was
    removed where (`removed`: counts per store), never the person's data."""

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    user_id: str | None = None
    subject_kind: str  # email | linkedinUrl | phone | leadId
    subject_fingerprint: str
    removed: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    erased_at: datetime = Field(default_factory=utcnow)
