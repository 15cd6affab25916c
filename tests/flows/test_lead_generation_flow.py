"""The lead-generation flow as Prefect sees it: run names, artifacts, priorities, failures."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from storage.commands.models import Command
from storage.db.engine import engine_for
from storage.leads.models import Lead
from tests.fixtures.examples import example
from tests.fixtures.servers import make_settings, start_in_thread, wait_until

ROUTE = "/api/agents/sales/leadGeneration"


def stalling_prospect_dir(prospects: Path, sample_dir: Path) -> Path:
    """The sample (linked) plus a file research cannot read; returns that file."""
    prospects.mkdir(parents=True)
    for path in sample_dir.glob("*.parquet"):
        (prospects / path.name).symlink_to(path)
    broken = prospects / "zz-broken.parquet"
    broken.write_bytes(b"PAR1 this is not a parquet file")
    return broken


def finished(client, command_id: str):
    data = client.get(f"{ROUTE}/status/{command_id}").json()["data"]
    return data if data["status"] != "processing" else None


def read_command(settings, command_id: str) -> Command:
    with Session(engine_for(settings.sqlalchemy_url)) as session:
        return session.get(Command, command_id)


def test_run_is_named_after_site_and_command_and_publishes_artifacts(leadmill):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with leadmill.client() as client:
        command_id = client.post(ROUTE, json=example(maxLeads=4)).json()["data"]["command_id"]
        wait_until(lambda: finished(client, command_id), 90, "command did not finish")
    flow_run_id = read_command(leadmill.settings, command_id).flow_run_id
    with get_client(sync_client=True) as prefect:
        run = prefect.read_flow_run(flow_run_id)
        artifacts = prefect.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
    assert run.name == f"site_456abc-{command_id}"
    assert run.state.type.value == "COMPLETED"
    assert {"executor:" + leadmill.settings.executor_instance, "priority:high",
            "site:site_456abc"} <= set(run.tags)
    by_type = {artifact.type: artifact for artifact in artifacts}
    assert set(by_type) >= {"progress", "table", "markdown"}
    assert by_type["progress"].data == 100.0
    key = command_id.replace("_", "-")
    assert by_type["table"].key == f"{key}-leads"
    assert by_type["markdown"].key == f"{key}-summary"
    assert "average match score" in by_type["markdown"].data


def test_high_priority_commands_start_before_lower_ones(
    tmp_path, prefect_server, sample_prospect_dir, database_url
):
    """With one worker busy, queued commands start high → medium → low, whatever their order."""
    # A broken file next to the sample keeps the first command's research failing and waiting
    # for its retry (backoff 2 s) — the worker stays busy until the file is removed.
    data_dir = tmp_path / "data"
    broken = stalling_prospect_dir(data_dir / "prospects", sample_prospect_dir)
    running = start_in_thread(make_settings(data_dir, sample_prospect_dir, executor_workers=1,
                                            retry_backoff_seconds=2,
                                            database_url=database_url))
    try:
        with running.client() as client:
            blocker = example(maxLeads=1, priority="low")
            first = client.post(ROUTE, json=blocker).json()["data"]["command_id"]
            wait_until(lambda: read_command(running.settings, first).stage == "research", 60,
                       "the first command never started its research")
            ids = {priority: client.post(ROUTE, json=example(maxLeads=1, priority=priority))
                   .json()["data"]["command_id"] for priority in ("low", "medium", "high")}
            broken.unlink()
            for command_id in [first, *ids.values()]:
                wait_until(lambda c=command_id: finished(client, c), 90, "did not finish")
    finally:
        running.stop()
    started = {p: read_command(running.settings, c).started_at for p, c in ids.items()}
    assert started["high"] < started["medium"] < started["low"]


def test_status_reports_failed_with_the_stage_and_error_when_research_fails(
    tmp_path, prefect_server, sample_prospect_dir, database_url
):
    """A corrupt prospect store fails the research task (after its retries): failed, research,
    and its supervisor (the market researcher) failed."""
    data_dir = tmp_path / "data"
    prospects = data_dir / "prospects"
    prospects.mkdir(parents=True)
    (prospects / "broken.parquet").write_bytes(b"PAR1 this is not a parquet file")
    running = start_in_thread(make_settings(data_dir, sample_prospect_dir,
                                            database_url=database_url))
    try:
        with running.client() as client:
            command_id = client.post(ROUTE, json=example(maxLeads=3)).json()["data"]["command_id"]
            data = wait_until(lambda: finished(client, command_id), 90, "did not finish")
    finally:
        running.stop()
    assert data["status"] == "failed"
    assert data["progress"]["stage"] == "research"
    # The command object's supervisor of the failed stage failed; the next one never started.
    assert data["supervisor"] == [
        {"agent_role": "lead_quality_analyst", "status": "not_initialized"},
        {"agent_role": "market_researcher", "status": "failed"}]
    assert data["error"]["code"] == "SYSTEM_ERROR"
    assert data["error"]["message"]
    assert read_command(running.settings, command_id).run_state == "FAILED"


def test_prospect_store_without_matches_completes_with_no_leads(
    tmp_path: Path, prefect_server, sample_prospect_dir, database_url
):
    running = start_in_thread(make_settings(tmp_path / "data", sample_prospect_dir,
                                            database_url=database_url))
    body = example(maxLeads=5)
    body["leadGenData"]["targetAudience"] = {"locations": ["Atlantis"], "roles": ["Sea King"]}
    body["leadGenData"]["searchCriteria"] = {"excludedTerms": ["the", "and", "a"]}
    try:
        with running.client() as client:
            command_id = client.post(ROUTE, json=body).json()["data"]["command_id"]
            data = wait_until(lambda: finished(client, command_id), 90, "did not finish")
    finally:
        running.stop()
    assert data["status"] == "completed"
    assert data["leads_generated"] == []
    assert data["summary"]["total_leads"] == 0


def test_leads_at_companies_with_billions_in_revenue_are_stored(leadmill):
    """Revenue above 2^31 - 1 USD (5,579 of the 100,000 sample prospects) fits the lead store."""
    body = example(maxLeads=3)
    body["leadGenData"]["searchCriteria"] = {"minRevenueUSD": 3_000_000_000}
    with leadmill.client() as client:
        command_id = client.post(ROUTE, json=body).json()["data"]["command_id"]
        data = wait_until(lambda: finished(client, command_id), 90, "command did not finish")
        leads = client.get(f"{ROUTE}/leads/{command_id}").json()["data"]["leads"]
    assert data["status"] == "completed", data
    assert len(leads) == 3
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        stored = session.exec(select(Lead.revenue_usd).where(Lead.site_id == "site_456abc")).all()
    assert len(stored) == 3 and min(stored) >= 3_000_000_000
