"""`GET /api/analytics/pipeline?startDate=&endDate=`: leads and commands per day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, get
from sqlmodel import Session

from api.errors import InvalidFormat, InvalidValue
from api.guards import authenticated
from api.management.requests import query_text
from api.security.auth import Caller
from storage.db.clock import utcnow
from storage.workspace.pipeline_analytics import pipeline_by_day

MAX_DAYS = 366
DEFAULT_DAYS = 30


def _day(request: Request, name: str, default: date) -> date:
    raw = query_text(request, name)
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidFormat(f"{name} must be a date like 2026-01-31",
                            details={"field": name, "issue": f"got {raw!r}"}) from None


@get("/api/analytics/pipeline", summary="Pipeline analytics per day", tags=["Analytics"],
     guards=[authenticated], sync_to_thread=True)
def pipeline_analytics(request: Request, session: Session, caller: Caller) -> dict[str, Any]:
    """Leads (by status) and commands (by status and stage) per UTC day, for your company.

    `startDate` and `endDate` are inclusive `YYYY-MM-DD` dates (default: the last 30 days);
    at most 366 days at once.
    """
    today = utcnow().date()
    end = _day(request, "endDate", today)
    start = _day(request, "startDate", end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise InvalidValue("startDate must not be after endDate",
                           details={"field": "startDate", "issue": f"{start} > {end}"})
    if (end - start).days >= MAX_DAYS:
        raise InvalidValue(f"at most {MAX_DAYS} days at once",
                           details={"field": "endDate", "issue": f"{(end - start).days + 1} days"})
    return {"success": True, **pipeline_by_day(session, caller.company_id, start, end)}
