"""The command object lives, on SQLite and PostgreSQL: its supervisors move with the stages of
the run (not_initialized → running → completed; failed or cancelled when the run ends in their
stage) and progress counts only ever grow, read back through a fresh session."""

from __future__ import annotations

import uuid

import pytest

from storage.commands.models import Command
from storage.commands.records import record_progress, record_run_state
from storage.commands.supervisors import initial_supervisors
from storage.db.engine import build_engine, session_scope
from storage.schema import create_schema
from storage.tenancy.accounts import create_company
from tests.fixtures.postgres import database_url, postgres_server  # noqa: F401 - fixtures
from tests.fixtures.postgres import parametrize_backends as pytest_generate_tests  # noqa: F401

STAGES = ("initial_search", "research", "verification", "scoring", "enrichment", "delivery",
          "done")
PERCENT = dict(zip(STAGES, (10, 25, 45, 65, 80, 90, 100), strict=True))


@pytest.fixture
def engine(tmp_path, database_url):  # noqa: F811
    engine = build_engine(database_url or f"sqlite:///{tmp_path / 'commands.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


def _command(engine) -> str:
    command_id = f"cmd_{uuid.uuid4().hex[:12]}"
    with session_scope(engine) as session:
        company = create_company(session, "Acme")
        session.add(Command(id=command_id, company_id=company.id, site_id="s1",
                            leads_requested=5, request={}, run_state="RUNNING",
                            command_object={"task": "generate qualified sales leads",
                                            "supervisor": initial_supervisors()}))
    return command_id


def _statuses(engine, command_id: str) -> dict[str, str]:
    with session_scope(engine) as session:
        command = session.get(Command, command_id)
        return {entry["agent_role"]: entry["status"]
                for entry in command.command_object["supervisor"]}


@pytest.mark.parametrize(("last_stage", "researcher", "analyst"), [
    ("initial_search", "not_initialized", "not_initialized"),
    ("research", "running", "not_initialized"),
    ("verification", "completed", "running"),
    ("scoring", "completed", "running"),
    ("enrichment", "completed", "completed"),
    ("done", "completed", "completed"),
])
def test_supervisors_follow_the_stages_of_the_run(engine, last_stage, researcher, analyst):
    command_id = _command(engine)
    for stage in STAGES[:STAGES.index(last_stage) + 1]:
        with session_scope(engine) as session:
            record_progress(session, command_id, stage, PERCENT[stage])
    assert _statuses(engine, command_id) == {"market_researcher": researcher,
                                             "lead_quality_analyst": analyst}


@pytest.mark.parametrize(("last_stage", "state", "researcher", "analyst"), [
    ("initial_search", "FAILED", "not_initialized", "not_initialized"),
    ("research", "FAILED", "failed", "not_initialized"),
    ("research", "CRASHED", "failed", "not_initialized"),
    ("verification", "FAILED", "completed", "failed"),
    ("scoring", "CRASHED", "completed", "failed"),
    ("enrichment", "FAILED", "completed", "completed"),  # their stages had ended
    ("research", "CANCELLED", "cancelled", "not_initialized"),
    ("done", "COMPLETED", "completed", "completed"),
])
def test_a_run_that_ends_ends_its_running_supervisors(engine, last_stage, state, researcher,
                                                      analyst):
    command_id = _command(engine)
    for stage in STAGES[:STAGES.index(last_stage) + 1]:
        with session_scope(engine) as session:
            record_progress(session, command_id, stage, PERCENT[stage])
    with session_scope(engine) as session:
        record_run_state(session, command_id, state, "boom" if state != "COMPLETED" else None)
    assert _statuses(engine, command_id) == {"market_researcher": researcher,
                                             "lead_quality_analyst": analyst}
    with session_scope(engine) as session:  # an ended run is not moved by late progress
        record_progress(session, command_id, "scoring", PERCENT["scoring"])
    assert _statuses(engine, command_id) == {"market_researcher": researcher,
                                             "lead_quality_analyst": analyst}


@pytest.mark.parametrize(("reports", "found", "verified", "percentage"), [
    # (stage, leads_found, leads_verified) as a run reports them
    ([("verification", 180, None), ("scoring", None, 120), ("delivery", None, None)],
     180, 120, 90),
    # A later, smaller count (the leads delivered, say) never lowers what was reported.
    ([("verification", 180, None), ("scoring", None, 120), ("delivery", 25, 20)],
     180, 120, 90),
    # A stale report of an earlier stage changes nothing.
    ([("research", None, None), ("scoring", 10, 5), ("research", 3, 1)], 10, 5, 65),
])
def test_progress_counts_and_percentage_never_go_down(engine, reports, found, verified,
                                                      percentage):
    command_id = _command(engine)
    for stage, leads_found, leads_verified in reports:
        with session_scope(engine) as session:
            record_progress(session, command_id, stage, PERCENT[stage],
                            leads_found=leads_found, leads_verified=leads_verified)
    with session_scope(engine) as session:
        command = session.get(Command, command_id)
        assert (command.leads_found, command.leads_verified, command.progress_percentage) == (
            found, verified, percentage)
        if reports[-1][0] == "research":
            assert command.stage == "scoring"
            assert command.command_object["supervisor"] == [
                {"agent_role": "lead_quality_analyst", "status": "running"},
                {"agent_role": "market_researcher", "status": "completed"}]
