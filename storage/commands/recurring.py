"""Recurring searches in the operational DB: the saved schedules and the runs they made.

Tenancy as everywhere: every read takes the caller's company, and another company's schedule is
"not found". Deletes are soft (`deleted_at`) so the scheduler can remove the Prefect deployment
of a schedule deleted while it was down.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from storage.commands.models import RecurringSearch, RecurringSearchRun


def new_schedule_id() -> str:
    return f"sched_{uuid.uuid4().hex[:16]}"


def new_run_id() -> str:
    return f"rsrun_{uuid.uuid4().hex[:16]}"


def get_schedule(
    session: Session, schedule_id: str, company_id: str | None = None
) -> RecurringSearch | None:
    """The live schedule `schedule_id`, only if it belongs to `company_id` when one is given."""
    schedule = session.get(RecurringSearch, schedule_id)
    if schedule is None or schedule.deleted_at is not None:
        return None
    if company_id is not None and schedule.company_id != company_id:
        return None
    return schedule


def list_schedules(
    session: Session, company_id: str | None = None, site_id: str | None = None
) -> Sequence[RecurringSearch]:
    """Live schedules, oldest first; all companies' when `company_id` is None (the CLI)."""
    query = select(RecurringSearch).where(col(RecurringSearch.deleted_at).is_(None))
    if company_id is not None:
        query = query.where(RecurringSearch.company_id == company_id)
    if site_id is not None:
        query = query.where(RecurringSearch.site_id == site_id)
    return session.exec(query.order_by(col(RecurringSearch.created_at))).all()


def schedules_to_mirror(session: Session) -> Sequence[RecurringSearch]:
    """Every schedule the scheduler must reflect in Prefect, deleted ones included."""
    return session.exec(select(RecurringSearch).order_by(col(RecurringSearch.created_at))).all()


def run_for_command(session: Session, command_id: str) -> RecurringSearchRun | None:
    """The scheduled run that created `command_id`, if a schedule did."""
    return session.exec(
        select(RecurringSearchRun).where(RecurringSearchRun.command_id == command_id)
    ).first()


def runs_of_schedule(session: Session, schedule_id: str) -> Sequence[RecurringSearchRun]:
    return session.exec(
        select(RecurringSearchRun)
        .where(RecurringSearchRun.recurring_search_id == schedule_id)
        .order_by(col(RecurringSearchRun.created_at))
    ).all()
