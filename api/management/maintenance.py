"""Bug reports and enhancement requests: `GET/POST /api/maintenance/bugs` and `/enhancements`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field

from api.management.requests import parse_body, query_int
from api.security.auth import authenticate
from storage.db.clock import iso_z
from storage.db.engine import session_scope
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


def _file(request: Request, state: State, kind: str, body: bytes) -> dict[str, Any]:
    report_request = parse_body(body, ReportRequest)
    with session_scope(state.engine) as session:
        caller = authenticate(request, session)
        report = file_report(session, kind=kind, company_id=caller.company_id,
                             user_id=caller.user_id, description=report_request.description,
                             title=report_request.title, severity=report_request.severity)
        return public_report(report)


def _list(request: Request, state: State, kind: str) -> list[dict[str, Any]]:
    limit = query_int(request, "limit", 100, 1, 1000)
    with session_scope(state.engine) as session:
        caller = authenticate(request, session)
        return [public_report(r) for r in list_reports(session, kind=kind,
                                                       company_id=caller.company_id, limit=limit)]


class MaintenanceController(Controller):
    path = "/api/maintenance"
    tags = ["Maintenance"]

    @get("/bugs", summary="List bug reports", sync_to_thread=True)
    def list_bugs(self, request: Request, state: State) -> dict[str, Any]:
        """Your company's bug reports, newest first (`limit` 1–1000, default 100)."""
        bugs = _list(request, state, "bug")
        return {"success": True, "bugs": bugs, "total": len(bugs)}

    @post("/bugs", status_code=201, summary="Report a bug", sync_to_thread=True)
    def report_bug(self, request: Request, state: State, body: bytes) -> dict[str, Any]:
        """`{"description", "title"?, "severity"?}` → `{"success", "bug": {"id", ...}}`."""
        return {"success": True, "bug": _file(request, state, "bug", body)}

    @get("/enhancements", summary="List enhancement requests", sync_to_thread=True)
    def list_enhancements(self, request: Request, state: State) -> dict[str, Any]:
        """Your company's enhancement requests, newest first."""
        items = _list(request, state, "enhancement")
        return {"success": True, "enhancements": items, "total": len(items)}

    @post("/enhancements", status_code=201, summary="Request an enhancement",
          sync_to_thread=True)
    def request_enhancement(self, request: Request, state: State, body: bytes) -> dict[str, Any]:
        """`{"description", "title"?}` → `{"success", "enhancement": {"id", ...}}`."""
        return {"success": True, "enhancement": _file(request, state, "enhancement", body)}
