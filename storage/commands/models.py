"""Commands, the leads each delivered, background runs and recurring searches.

Timestamps are aware UTC datetimes (`storage.db.clock.utcnow`); deletes of clients and leads are
soft (`deleted_at`) so the warehouse can follow them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.db.clock import utcnow


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
