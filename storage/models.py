"""The operational records: tenants, credentials, clients (sites), commands and leads.

Timestamps are aware UTC datetimes (`storage.clock.utcnow`); `storage.clock.iso_z` formats them.
Deletes of clients and leads are soft (`deleted_at`) so the warehouse can follow them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.clock import utcnow


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


class Command(SQLModel, table=True):
    """A lead-generation command and what its flow run has reported so far."""

    __table_args__ = (Index("ix_command_dispatch", "run_state", "priority_rank", "created_at"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    site_id: str = Field(index=True)
    user_id: str | None = None
    agent_id: str | None = None
    leads_requested: int
    priority: str = "medium"
    priority_rank: int = Field(default=1, description="0 high, 1 medium, 2 low: dispatch order.")
    request: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    command_object: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    run_state: str = Field(
        default="QUEUED", description="QUEUED until a flow run exists, then its Prefect state type."
    )
    flow_run_id: str | None = Field(default=None, index=True)
    executor_instance: str | None = None
    lease_token: str | None = Field(
        default=None, description="Proves which claim owns the running command (storage/leases).")
    lease_until: datetime | None = Field(
        default=None, description="When the lease runs out unless its process renews it.")
    stage: str = "queued"
    progress_percentage: int = 5
    leads_found: int = 0
    leads_verified: int = 0
    error: str | None = None
    summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    webhook_url: str | None = None
    webhook_secret_sealed: str | None = Field(
        default=None, description="The webhook secret, encrypted with the instance key."
    )
    webhook_metadata: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    estimated_completion_time: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    source_errors: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON),
        description="Research sources that failed, {source: error}; the command went on.")


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


class CommandLead(SQLModel, table=True):
    """Which leads a command delivered, with the score and reasons it gave each."""

    command_id: str = Field(foreign_key="command.id", primary_key=True)
    lead_id: str = Field(foreign_key="lead.id", primary_key=True)
    rank: int
    match_score: float
    match_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One event to deliver to a command's webhook, and how its attempts went.

    The table is the durable outbox: the webhook dispatcher claims pending rows whose
    `next_attempt_at` has come (a lease: `lease_owner` until `lease_until`), so a delivery
    whose process died is picked up again once its lease runs out.
    """

    __table_args__ = (
        UniqueConstraint("command_id", "event", name="uq_webhook_command_event"),
        Index("ix_webhook_due", "status", "next_attempt_at"),
    )

    id: str = Field(primary_key=True, description="The event id, sent with every attempt.")
    command_id: str = Field(foreign_key="command.id", index=True)
    event: str
    url: str
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", description="pending | delivered | failed")
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
    max_attempts: int = Field(default=6, description="The first attempt plus 5 retries.")
    next_attempt_at: datetime | None = Field(default=None, description="When it is due next.")
    lease_owner: str | None = None
    lease_token: str | None = None
    lease_until: datetime | None = None
    updated_at: datetime | None = None


class WebhookAttempt(SQLModel, table=True):
    """One POST of a webhook delivery: when, what came back, how long it took."""

    id: str = Field(primary_key=True)
    delivery_id: str = Field(foreign_key="webhookdelivery.id", index=True)
    number: int = Field(description="1 for the first attempt.")
    started_at: datetime = Field(default_factory=utcnow)
    status_code: int | None = None
    latency_ms: int = 0
    error: str | None = None
    succeeded: bool = False


class InboundWebhook(SQLModel, table=True):
    """An inbound webhook of the webhook workbench: an outreach tool posts leads of a client
    here. Only the SHA-256 of its secret is kept; the secret is shown once, in `webhookUrl`."""

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    client_id: str = Field(description="The client's client_id (siteId) the leads go to.")
    name: str
    platform: str = Field(description="heyreach | woodpecker | lemlist | generic")
    description: str | None = None
    platform_config: dict[str, Any] = Field(default_factory=dict,
                                            sa_column=Column(JSON, nullable=False))
    secret_hash: str
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class InboundWebhookCall(SQLModel, table=True):
    """One accepted call of an inbound webhook; the body's hash makes a replay a no-op."""

    __table_args__ = (
        UniqueConstraint("webhook_id", "body_sha256", name="uq_inbound_call_body"),
    )

    id: str = Field(primary_key=True)
    webhook_id: str = Field(foreign_key="inboundwebhook.id", index=True)
    body_sha256: str
    leads_added: int = 0
    leads_updated: int = 0
    received_at: datetime = Field(default_factory=utcnow)


class WarehouseWatermark(SQLModel, table=True):
    """How far the warehouse sync has copied a table: the last `change_seq` it read (the
    watermark, storage/change_sequence.py) and the newest `updated_at` it saw (for people)."""

    table_name: str = Field(primary_key=True)
    synced_until: datetime
    synced_seq: int | None = Field(default=None, sa_column=Column(BigInteger))
    updated_at: datetime = Field(default_factory=utcnow)


class ServiceSetting(SQLModel, table=True):
    """A service Leadmill may call for a company (or one of its clients): URL + API key.

    Holds the URL settings of leadgenius-pro-api.md (`companyUrl`, `emailFinder`,
    `enrichment1`..`enrichment10`) and the research providers (`apollo`, `peopleDataLabs`,
    `hunter`, `apify`, ...). `client_id` None is the company-wide default; a client's own row
    wins. The API key is sealed with the instance key (storage.secrets), never kept in clear.
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


class TriggeredRun(SQLModel, table=True):
    """A background task a caller asked for (`/api/trigger`, `/api/leads/process/*`): Leadmill's
    run id, answered at once, and the Prefect flow run the flow launcher created for it."""

    __table_args__ = (Index("ix_triggeredrun_company_created", "company_id", "created_at"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id")
    task: str = Field(description="The flow name: lead-enrichment, lead-copywriting, ...")
    parameters: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    batch_tag: str | None = None
    run_state: str = Field(default="QUEUED", description="QUEUED, then the Prefect state type.")
    flow_run_id: str | None = Field(default=None, index=True)
    executor_instance: str | None = None
    lease_token: str | None = None
    lease_until: datetime | None = None
    error: str | None = None
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


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
    """An outreach campaign of a company (optionally for one client)."""

    __table_args__ = (Index("ix_campaign_company_created", "company_id", "created_at"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id")
    client_id: str | None = None
    name: str
    description: str | None = None
    status: str = Field(default="draft", description="draft | active | paused | completed")
    owner: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# -- recurring searches (issue 7) ------------------------------------------------------------
class RecurringSearch(SQLModel, table=True):
    """A saved lead-generation request run on a schedule; each run finds only new leads.

    The operational DB is the source of truth: the scheduler process mirrors every row onto a
    Prefect deployment of the `recurring-search` flow (same schedule, paused when not active).
    """

    __table_args__ = (Index("ix_recurringsearch_company_site", "company_id", "site_id"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id")
    site_id: str
    name: str
    request: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    webhook_secret_sealed: str | None = None
    cron: str | None = None
    interval_seconds: int | None = None
    timezone: str = "UTC"
    active: bool = True
    prefect_deployment_id: str | None = None
    last_run_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class RecurringSearchRun(SQLModel, table=True):
    """One scheduled run: the command it created and the search-history entry recording it."""

    id: str = Field(primary_key=True)
    recurring_search_id: str = Field(foreign_key="recurringsearch.id", index=True)
    command_id: str = Field(foreign_key="command.id", unique=True)
    flow_run_id: str | None = None
    search_history_id: str | None = None
    new_leads: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
