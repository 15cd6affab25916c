"""Bug reports and enhancement requests a company files (`/api/maintenance/...`)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, Session, SQLModel, col, select

from storage.db.clock import utcnow

KINDS = {"bug": "bug", "enhancement": "enh"}


class MaintenanceReport(SQLModel, table=True):
    """A bug report (`kind` "bug", id `bug_...`) or enhancement request (`enh_...`)."""

    __table_args__ = (Index("ix_maintenance_company_kind", "company_id", "kind", "created_at"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id")
    user_id: str
    kind: str
    description: str
    title: str | None = None
    severity: str | None = None
    status: str = "open"
    created_at: datetime = Field(default_factory=utcnow)


def file_report(session: Session, *, kind: str, company_id: str, user_id: str, description: str,
                title: str | None = None, severity: str | None = None) -> MaintenanceReport:
    report = MaintenanceReport(id=f"{KINDS[kind]}_{secrets.token_hex(6)}", company_id=company_id,
                               user_id=user_id, kind=kind, description=description, title=title,
                               severity=severity)
    session.add(report)
    session.flush()
    return report


def list_reports(session: Session, *, kind: str, company_id: str, limit: int
                 ) -> Sequence[MaintenanceReport]:
    return session.exec(
        select(MaintenanceReport)
        .where(MaintenanceReport.company_id == company_id, MaintenanceReport.kind == kind)
        .order_by(col(MaintenanceReport.created_at).desc(), col(MaintenanceReport.id))
        .limit(limit)
    ).all()
