"""Pipeline analytics group leads and commands per UTC day, by status and stage."""

from __future__ import annotations

from datetime import UTC, date, datetime

from storage.commands.models import Command
from storage.db.engine import build_engine, session_scope
from storage.leads.models import Lead
from storage.schema import create_schema
from storage.tenancy.accounts import create_company, create_user
from storage.workspace.maintenance import file_report, list_reports
from storage.workspace.pipeline_analytics import pipeline_by_day


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_leads_and_commands_are_counted_per_day_status_and_stage(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    with session_scope(engine) as session:
        for company_id in ("company-a", "company-b"):
            create_company(session, company_id, company_id=company_id)
        for index, (day, state, stage, company) in enumerate([
            (20, "COMPLETED", "done", "company-a"), (20, "FAILED", "research", "company-a"),
            (21, "RUNNING", "scoring", "company-a"), (21, "COMPLETED", "done", "company-b"),
        ]):
            session.add(Command(id=f"cmd_{index}", company_id=company, site_id="s",
                                leads_requested=10, request={}, command_object={},
                                run_state=state, stage=stage, created_at=at(day)))
        for index, (day, status) in enumerate([(20, "new"), (20, "new"), (21, "contacted"),
                                               (23, "new")]):
            session.add(Lead(id=f"lead_{index}", company_id="company-a", site_id="s",
                             dedupe_key=f"k{index}", name="x", status=status,
                             created_at=at(day, 23 if index == 1 else 1)))
    with session_scope(engine) as session:
        report = pipeline_by_day(session, "company-a", date(2026, 11, 20), date(2026, 11, 22))
    assert [day["date"] for day in report["days"]] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    first, second, third = report["days"]
    assert first["leads"] == {"total": 2, "by_status": {"new": 2}}
    assert first["commands"]["by_status"] == {"completed": 1, "failed": 1}
    assert first["commands"]["by_stage"] == {"done": 1, "research": 1}
    assert first["commands"]["leads_requested"] == 20
    assert second["commands"]["by_status"] == {"processing": 1}  # company-b's is not counted
    assert second["leads"]["by_status"] == {"contacted": 1}
    assert third["leads"]["total"] == 0 and third["commands"]["total"] == 0
    assert report["totals"] == {"leads": 3, "commands": 3}  # the 23rd is outside the range


def test_maintenance_reports_are_listed_per_company_newest_first(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    with session_scope(engine) as session:
        company = create_company(session, "A", company_id="company-a")
        user = create_user(session, company, "a@a.example.com")
        first = file_report(session, kind="bug", company_id=company.id, user_id=user.id,
                            description="Enrichment fails on LinkedIn URLs")
        file_report(session, kind="enhancement", company_id=company.id, user_id=user.id,
                    description="Google Maps leads")
    with session_scope(engine) as session:
        bugs = list_reports(session, kind="bug", company_id="company-a", limit=10)
        other = list_reports(session, kind="bug", company_id="company-b", limit=10)
    assert [bug.id for bug in bugs] == [first.id] and first.id.startswith("bug_")
    assert other == []
