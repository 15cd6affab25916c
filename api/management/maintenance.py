"""Bug reports and enhancement requests: `GET/POST /api/maintenance/bugs` and `/enhancements`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.guards import authenticated
from api.management.requests import query_int
from api.security.auth import Caller
from storage.db.clock import iso_z
from storage.workspace.maintenance import MaintenanceReport, file_report, list_reports


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: str = Field(min_length=1, max_length=5000)
    title: str | None = Field(default=None, max_length=200)
    severity: str | None = Field(default=None, max_length=20)


def public_report(report: MaintenanceReport) -> dict[str, Any]:
    return {"id": report.id, "title": report.title, "description": report.description,
            "severity": report.severity, "status": report.status, "reportedBy": report.user_id,
            "createdAt": iso_z(report.created_at)}


def _file(session: Session, caller: Caller, kind: str, data: ReportRequest) -> dict[str, Any]:
    report = file_report(session, kind=kind, company_id=caller.company_id,
                         user_id=caller.user_id, description=data.description,
                         title=data.title, severity=data.severity)
    return public_report(report)


def _list(request: Request, session: Session, caller: Caller, kind: str
          ) -> list[dict[str, Any]]:
    limit = query_int(request, "limit", 100, 1, 1000)
    return [public_report(r) for r in list_reports(session, kind=kind,
                                                   company_id=caller.company_id, limit=limit)]


class MaintenanceController(Controller):
    path = "/api/maintenance"
    tags = ["Maintenance"]
    guards = [authenticated]

    @get("/bugs", summary="List bug reports", sync_to_thread=True)
    def list_bugs(self, request: Request, session: Session, caller: Caller) -> dict[str, Any]:
        """Your company's bug reports, newest first (`limit` 1–1000, default 100)."""
        bugs = _list(request, session, caller, "bug")
        return {"success": True, "bugs": bugs, "total": len(bugs)}

    @post("/bugs", status_code=201, summary="Report a bug", sync_to_thread=True)
    def report_bug(self, session: Session, caller: Caller,
                   data: ReportRequest) -> dict[str, Any]:
        """`{"description", "title"?, "severity"?}` → `{"success", "bug": {"id", ...}}`."""
        return {"success": True, "bug": _file(session, caller, "bug", data)}

    @get("/enhancements", summary="List enhancement requests", sync_to_thread=True)
    def list_enhancements(self, request: Request, session: Session,
                          caller: Caller) -> dict[str, Any]:
        """Your company's enhancement requests, newest first."""
        items = _list(request, session, caller, "enhancement")
        return {"success": True, "enhancements": items, "total": len(items)}

    @post("/enhancements", status_code=201, summary="Request an enhancement",
          sync_to_thread=True)
    def request_enhancement(self, session: Session, caller: Caller,
                            data: ReportRequest) -> dict[str, Any]:
        """`{"description", "title"?}` → `{"success", "enhancement": {"id", ...}}`."""
        return {"success": True, "enhancement": _file(session, caller, "enhancement", data)}
