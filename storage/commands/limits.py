"""What one company may take of a shared instance: its monthly lead quota and its caps.

The quota belongs to the company: every site (client) draws on the same monthly count, and a
client's own `lead_quota` can only lower what that site may take, never raise it. The caps
bound what a tenant can create (API keys per user, clients, recurring searches), so no tenant
multiplies its rate limit or its share of the scheduler by creating more of them; and a
company has at most one warehouse sync waiting, however often its members ask for one.

Checks that count and then write take the company's row lock first (`hold_company`), so two
requests of one company on different API processes cannot both pass a check that only one of
them should.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.commands.models import Command, RecurringSearch, TriggeredRun
from storage.commands.triggered_runs import create_triggered_run
from storage.db.clock import utcnow
from storage.tenancy.models import ApiKey, Client, Company

# Commands that did not run do not use the quota.
UNCHARGED_STATES = ("FAILED", "CRASHED", "CANCELLED")
WAREHOUSE_SYNC = "warehouse-sync"


@dataclass(frozen=True)
class QuotaShortfall:
    """Why a request for `requested` leads does not fit: the company's or the site's quota."""

    scope: str  # "company" | "site"
    quota: int
    used: int
    requested: int

    def details(self) -> dict[str, Any]:
        return {"scope": self.scope, "quota": self.quota, "used": self.used,
                "requested": self.requested}

    def describe(self) -> str:
        return f"{self.used} of the {self.scope}'s {self.quota} leads used this month"


class CapReached(Exception):
    """A tenant asked for one more of something it already has the most of."""

    def __init__(self, limit: str, maximum: int, what: str) -> None:
        self.limit, self.maximum = limit, maximum
        super().__init__(f"The limit of {maximum} {what} is reached")


def hold_company(session: Session, company_id: str) -> None:
    """Take the company's row lock until the transaction ends (PostgreSQL: a row lock;
    SQLite: the write lock), serialising one company's count-then-write checks."""
    session.exec(  # type: ignore[call-overload]
        update(Company).where(col(Company.id) == company_id).values(updated_at=Company.updated_at))


def month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _leads_requested(session: Session, since: datetime, *conditions: Any) -> int:
    return int(session.exec(
        select(func.coalesce(func.sum(Command.leads_requested), 0)).where(
            Command.created_at >= since, col(Command.run_state).not_in(UNCHARGED_STATES),
            *conditions)
    ).one())


def lead_quota_shortfall(
    session: Session, client: Client, requested: int, company_quota: int
) -> QuotaShortfall | None:
    """None when `requested` more leads fit this calendar month (UTC); else the quota that
    refuses them. Call `hold_company` first when the command is stored in the same
    transaction."""
    since = month_start(utcnow())
    used = _leads_requested(session, since, Command.company_id == client.company_id)
    if used + requested > company_quota:
        return QuotaShortfall("company", company_quota, used, requested)
    if client.lead_quota is not None and client.lead_quota < company_quota:
        # Client ids are unique per company only: another company's site of the same id
        # never counts against this one.
        site_used = _leads_requested(session, since, Command.company_id == client.company_id,
                                     Command.site_id == client.client_id)
        if site_used + requested > client.lead_quota:
            return QuotaShortfall("site", client.lead_quota, site_used, requested)
    return None


def _ensure_below(count: int, maximum: int, limit: str, what: str) -> None:
    if count >= maximum:
        raise CapReached(limit, maximum, what)


def ensure_api_key_allowed(session: Session, user_id: str, maximum: int) -> None:
    """Raises CapReached when the user already holds `maximum` live (unrevoked) keys."""
    count = session.exec(select(func.count()).select_from(ApiKey).where(
        ApiKey.user_id == user_id, col(ApiKey.revoked_at).is_(None))).one()
    _ensure_below(int(count), maximum, "api_keys_per_user", "API keys per user")


def ensure_client_allowed(session: Session, company_id: str, maximum: int) -> None:
    """Raises CapReached when the company already has `maximum` clients (deleted ones free
    their place)."""
    count = session.exec(select(func.count()).select_from(Client).where(
        Client.company_id == company_id, col(Client.deleted_at).is_(None))).one()
    _ensure_below(int(count), maximum, "clients_per_company", "clients per company")


def ensure_recurring_search_allowed(session: Session, company_id: str, maximum: int) -> None:
    """Raises CapReached when the company already has `maximum` recurring searches (paused
    ones count: resuming needs no room)."""
    count = session.exec(select(func.count()).select_from(RecurringSearch).where(
        RecurringSearch.company_id == company_id, col(RecurringSearch.deleted_at).is_(None))).one()
    _ensure_below(int(count), maximum, "recurring_searches_per_company",
                  "recurring searches per company")


# A queued sync older than this is taken for stranded (its process died before starting it)
# and no longer absorbs new requests.
STALE_QUEUED_SYNC = timedelta(minutes=15)


def queue_warehouse_sync(session: Session, company_id: str, instance: str) -> tuple[Any, bool]:
    """The company's warehouse sync that has not started yet, else a new one: (run, created).

    A sync that has not started will read every row written before it starts, so a second
    request adds nothing; a sync already running may have read its watermark, so a request
    then queues one more. At most one waits per company, however often a member asks.
    """
    hold_company(session, company_id)
    waiting = session.exec(
        select(TriggeredRun).where(
            TriggeredRun.company_id == company_id, TriggeredRun.task == WAREHOUSE_SYNC,
            TriggeredRun.run_state == "QUEUED", col(TriggeredRun.flow_run_id).is_(None),
            TriggeredRun.created_at >= utcnow() - STALE_QUEUED_SYNC)
        .order_by(col(TriggeredRun.created_at))
    ).first()
    if waiting is not None:
        return waiting, False
    return create_triggered_run(session, company_id=company_id, task=WAREHOUSE_SYNC,
                                parameters={}, instance=instance), True
