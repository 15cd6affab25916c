"""Pipeline analytics over the operational DB: leads and commands per day, by status and stage.

Grouped in SQL by calendar day (UTC), one query per table; works the same on SQLite and
PostgreSQL (`date()` exists in both).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.commands.models import Command
from storage.leads.models import Lead

STATUS_OF_STATE = {
    "QUEUED": "processing", "SCHEDULED": "processing", "PENDING": "processing",
    "RUNNING": "processing", "COMPLETED": "completed", "FAILED": "failed", "CRASHED": "failed",
    "CANCELLING": "cancelled", "CANCELLED": "cancelled", "PAUSED": "paused",
}


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, UTC),
            datetime.combine(end + timedelta(days=1), time.min, UTC))


def pipeline_by_day(session: Session, company_id: str, start: date, end: date) -> dict[str, Any]:
    """Per day from `start` to `end` (inclusive): leads by status, commands by status and stage."""
    low, high = _bounds(start, end)
    day_lead = func.date(Lead.created_at)
    lead_rows = session.exec(
        select(day_lead, Lead.status, func.count())
        .where(Lead.company_id == company_id, Lead.created_at >= low, Lead.created_at < high,
               col(Lead.deleted_at).is_(None))
        .group_by(day_lead, Lead.status)
    ).all()
    day_command = func.date(Command.created_at)
    command_rows = session.exec(
        select(day_command, Command.run_state, Command.stage, func.count(),
               func.coalesce(func.sum(Command.leads_requested), 0))
        .where(Command.company_id == company_id, Command.created_at >= low,
               Command.created_at < high)
        .group_by(day_command, Command.run_state, Command.stage)
    ).all()

    days: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "leads": {"total": 0, "by_status": defaultdict(int)},
        "commands": {"total": 0, "leads_requested": 0, "by_status": defaultdict(int),
                     "by_stage": defaultdict(int)},
    })
    for day, status, count in lead_rows:
        entry = days[str(day)]["leads"]
        entry["total"] += count
        entry["by_status"][status] += count
    for day, run_state, stage, count, requested in command_rows:
        entry = days[str(day)]["commands"]
        entry["total"] += count
        entry["leads_requested"] += int(requested)
        entry["by_status"][STATUS_OF_STATE.get(run_state, "processing")] += count
        entry["by_stage"]["done" if run_state == "COMPLETED" else stage] += count

    series = []
    current = start
    while current <= end:
        entry = days.get(current.isoformat())
        series.append({"date": current.isoformat(), **_plain(entry)} if entry else
                      {"date": current.isoformat(),
                       "leads": {"total": 0, "by_status": {}},
                       "commands": {"total": 0, "leads_requested": 0, "by_status": {},
                                    "by_stage": {}}})
        current += timedelta(days=1)
    totals = {
        "leads": sum(day["leads"]["total"] for day in series),
        "commands": sum(day["commands"]["total"] for day in series),
    }
    return {"startDate": start.isoformat(), "endDate": end.isoformat(), "days": series,
            "totals": totals}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
