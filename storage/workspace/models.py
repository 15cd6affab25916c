"""A company's workspace records: service and agent settings, search history, territory
companies and campaigns.

Timestamps are aware UTC datetimes (`storage.db.clock.utcnow`); deletes of clients and leads are
soft (`deleted_at`) so the warehouse can follow them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db.clock import utcnow


class ServiceSetting(SQLModel, table=True):
    """A service Leadmill may call for a company (or one of its clients): URL + API key.

    Holds the URL settings of leadgenius-pro-api.md (`companyUrl`, `emailFinder`,
    `enrichment1`..`enrichment10`) and the research providers (`apollo`, `peopleDataLabs`,
    `hunter`, `apify`, ...). `client_id` None is the company-wide default; a client's own row
    wins. The API key is sealed with the instance key (storage.tenancy.secrets), never kept in
    clear.
    """

    __table_args__ = (
        UniqueConstraint("company_id", "client_key", "service", name="uq_service_setting"),
    )

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    client_key: str = Field(default="", description="The client's client_id, or '' for all.")
    service: str
    url: str | None = None
    api_key_sealed: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# -- lead-management API: settings, processing, search history, territory, campaigns ---------
class AgentSetting(SQLModel, table=True):
    """AI agent ids of a company (or one client): `kind` "agent" (copywriting processes,
    `projectId`, `enrichment1AgentId`..) or "sdr-ai" (`projectId`, `<fieldName>AgentId`)."""

    __table_args__ = (
        UniqueConstraint("company_id", "client_key", "kind", name="uq_agent_setting"),
    )

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    client_key: str = Field(default="", description="The client's client_id, or '' for all.")
    kind: str
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SearchHistory(SQLModel, table=True):
    """A lead search (e.g. a scrape run) and how it went: `/api/search-history`."""

    __table_args__ = (Index("ix_searchhistory_company_created", "company_id", "created_at"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id")
    owner: str
    search_name: str
    search_description: str | None = None
    search_criteria: dict[str, Any] = Field(default_factory=dict,
                                            sa_column=Column(JSON, nullable=False))
    search_filters: dict[str, Any] = Field(default_factory=dict,
                                           sa_column=Column(JSON, nullable=False))
    client_id: str | None = Field(default=None, index=True)
    client_name: str | None = None
    icp_id: str | None = None
    icp_name: str | None = None
    apify_actor_id: str | None = None
    apify_run_id: str | None = None
    category: str | None = None
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="initiated", description="initiated | running | completed | failed")
    results_count: int | None = None
    error_message: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None


class TerritoryCompany(SQLModel, table=True):
    """A company a sales team tracks in its territory (`POST /api/territory-workbench/companies`);
    the warehouse's lead counts are joined to it by name."""

    __table_args__ = (
        UniqueConstraint("company_id", "client_id", "name_key", name="uq_territory_company"),
    )

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    client_id: str
    name_key: str = Field(description="The company name, lower-cased and trimmed.")
    company_name: str
    company_domain: str | None = None
    industry: str | None = None
    company_size: str | None = None
    country: str | None = None
    status: str | None = None
    notes: str | None = None
    owner: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Campaign(SQLModel, table=True):
    """An outreach campaign of a company (optionally for one client); the vocabulary of its
    `status` and `campaign_type` is storage.workspace.campaigns'."""

    __table_args__ = (Index("ix_campaign_company_created", "company_id", "created_at"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id")
    client_id: str | None = None
    name: str
    description: str | None = None
    status: str = Field(default="draft",
                        description="draft | active | paused | completed | archived")
    campaign_type: str = Field(default="abm", description="abm | demand_gen | nurture")
    owner: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
