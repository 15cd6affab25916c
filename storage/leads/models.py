"""Leads, their provenance, the fields lead processing writes, and raw source leads.

Timestamps are aware UTC datetimes (`storage.db.clock.utcnow`); deletes of clients and leads are
soft (`deleted_at`) so the warehouse can follow them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, func, text
from sqlmodel import Field, SQLModel

from storage.db.clock import utcnow


class Lead(SQLModel, table=True):
    """A lead of a site: the Lead Database Structure of the command API, plus provenance."""

    __table_args__ = (
        UniqueConstraint("company_id", "site_id", "dedupe_key", name="uq_lead_identity"),
        Index("ix_lead_site_updated", "site_id", "updated_at"),
        # Live leads in the lead-management API's page order (GET /api/leads, bulk lists):
        # partial, so counts and keyset pages never visit deleted rows.
        Index("ix_lead_live_client_page", "company_id", "site_id", "created_at", "id",
              sqlite_where=text("deleted_at IS NULL"),
              postgresql_where=text("deleted_at IS NULL")),
        Index("ix_lead_live_company_page", "company_id", "created_at", "id",
              sqlite_where=text("deleted_at IS NULL"),
              postgresql_where=text("deleted_at IS NULL")),
        # A campaign's leads (GET /api/leads?campaignId=, the agent API), in page order.
        Index("ix_lead_live_campaign_page", "company_id", "campaign_id", "created_at", "id",
              sqlite_where=text("deleted_at IS NULL"),
              postgresql_where=text("deleted_at IS NULL")),
    )

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    site_id: str = Field(index=True)
    dedupe_key: str = Field(description="Normalised email, else LinkedIn URL, else source record.")
    name: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = Field(default=None, index=True)
    phone: str | None = None
    company: str | None = None
    company_domain: str | None = None
    position: str | None = None
    industry: str | None = None
    website: str | None = None
    location: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    company_size: str | None = None
    revenue: str | None = None
    # BIGINT: PostgreSQL's INTEGER stops at $2,147,483,647 (5.6% of the sample's prospects
    # work at companies above it); SQLite's INTEGER is 64-bit either way.
    revenue_usd: int | None = Field(default=None, sa_type=BigInteger)
    linkedin: str | None = Field(default=None, index=True)
    contact_name: str | None = Field(default=None, description="The agent API's contactName.")
    campaign_id: str | None = Field(default=None, description="A campaign of the company.")
    notes: str | None = None
    status: str = "new"
    score: float | None = None
    match_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    verified: bool = False
    source: str | None = None
    source_record_id: str | None = None
    command_id: str | None = Field(default=None, description="The command that first found it.")
    owner: str | None = Field(
        default=None, description="The user who created it through the API (JWT sub, or the "
        "API key's owner); None for leads the pipeline found: the company's, editable by all.")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    deleted_at: datetime | None = None


# The email filter of GET /api/leads and find-lead compare emails case-insensitively; without
# this expression index that was a scan of the company's leads.
Index("ix_lead_company_email_lower", Lead.company_id, func.lower(Lead.email))


class CommandLead(SQLModel, table=True):
    """Which leads a command delivered, with the score and reasons it gave each."""

    command_id: str = Field(foreign_key="command.id", primary_key=True)
    lead_id: str = Field(foreign_key="lead.id", primary_key=True)
    rank: int
    match_score: float
    match_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class LeadSource(SQLModel, table=True):
    """Provenance: which source found a lead, when, and which of its fields that source gave."""

    __table_args__ = (
        UniqueConstraint("lead_id", "source", "source_record_id", name="uq_lead_source"),
    )

    id: str = Field(primary_key=True)
    lead_id: str = Field(foreign_key="lead.id", index=True)
    source: str = Field(description="sample, import:<file>, website, apollo, hunter, ...")
    source_record_id: str = Field(default="")
    command_id: str | None = None
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    found_at: datetime = Field(default_factory=utcnow)


class SourceLead(SQLModel, table=True):
    """A raw lead as a research source or scrape delivered it, before qualification
    (leadgenius-pro-api.md's SourceLeads; `GET /api/source-leads/list`)."""

    __table_args__ = (Index("ix_sourcelead_company_client", "company_id", "client_id"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id")
    client_id: str = Field(description="The client's client_id (siteId).")
    source: str
    source_record_id: str = Field(default="")
    run_id: str | None = Field(default=None, description="The research run that found it.")
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    company_name: str | None = None
    company_domain: str | None = None
    linkedin_url: str | None = None
    location: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class LeadGeneratedField(SQLModel, table=True):
    """A field lead processing wrote on a lead (enrichment service answer, copy, SDR field)."""

    __table_args__ = (UniqueConstraint("lead_id", "field", name="uq_lead_generated_field"),)

    id: str = Field(primary_key=True)
    lead_id: str = Field(foreign_key="lead.id", index=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    kind: str = Field(description="enrichment | copyright | sdr")
    field: str
    value: Any = Field(default=None, sa_column=Column(JSON))
    source: str = Field(description="The service URL's host, the model, or 'template'.")
    run_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
