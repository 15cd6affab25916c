"""The `privacy-retention` flow against the session's Prefect server, on SQLite and PostgreSQL:
a run purges what is older than the instance's retention setting and says how many rows went
in a markdown artifact of its run; a purged event cannot be redelivered; `leadmill scheduler`
serves the flow as a daily deployment whose runs purge the instance's stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from storage.db.clock import utcnow
from storage.db.engine import engine_for
from storage.leads.models import SourceLead
from storage.tenancy.demo import DEMO_COMPANY_ID, DEMO_SITE_ID
from storage.webhooks.models import WebhookDelivery
from tests.fixtures.privacy_records import add_command, add_delivery, add_source_lead
from tests.fixtures.servers import prefect_auth_headers, process_environment, wait_until

REPO = Path(__file__).resolve().parents[2]
DEPLOYMENT = "privacy-retention/privacy-retention-daily"


@pytest.fixture
def leadmill_overrides() -> dict:
    return {"retention_days": 30}


def _seed(settings) -> dict[str, str]:
    engine = engine_for(settings.sqlalchemy_url)
    old, recent = utcnow() - timedelta(days=45), utcnow() - timedelta(days=2)
    command = add_command(engine, DEMO_COMPANY_ID, DEMO_SITE_ID)
    return {
        "command": command,
        "old_raw": add_source_lead(engine, DEMO_COMPANY_ID, DEMO_SITE_ID, created_at=old,
                                   email="old@raw.io"),
        "recent_raw": add_source_lead(engine, DEMO_COMPANY_ID, DEMO_SITE_ID,
                                      created_at=recent, email="new@raw.io"),
        "old_failed": add_delivery(engine, command, status="failed", settled_at=old,
                                   attempts=2),
        "recent_delivered": add_delivery(engine, command, settled_at=recent),
    }


def _stores(settings) -> tuple[set[str], dict[str, dict]]:
    with Session(engine_for(settings.sqlalchemy_url)) as session:
        raw = set(session.exec(select(SourceLead.id)).all())
        payloads = {row.id: row.payload for row in session.exec(select(WebhookDelivery)).all()}
    return raw, payloads


def test_a_run_purges_expired_records_and_reports_them_in_its_artifact(leadmill,
                                                                      prefect_server) -> None:
    from flows.privacy_retention import privacy_retention

    ids = _seed(leadmill.settings)
    state = privacy_retention(str(leadmill.settings.data_dir), return_state=True)
    assert state.is_completed(), state
    result = state.result()
    assert (result["retention_days"], result["source_leads"], result["webhook_payloads"],
            result["webhook_attempts"]) == (30, 1, 1, 2)
    raw, payloads = _stores(leadmill.settings)
    assert raw == {ids["recent_raw"]}
    assert payloads[ids["old_failed"]] == {}
    assert payloads[ids["recent_delivered"]]["command_id"] == ids["command"]

    # The run, as the Prefect UI shows it: its flow's name and its markdown artifact.
    run_id = str(state.state_details.flow_run_id)
    headers = prefect_auth_headers()
    run = httpx.get(f"{prefect_server}/flow_runs/{run_id}", headers=headers).json()
    flow = httpx.get(f"{prefect_server}/flows/{run['flow_id']}", headers=headers).json()
    assert flow["name"] == "privacy-retention" and run["state"]["type"] == "COMPLETED"
    artifacts = httpx.post(f"{prefect_server}/artifacts/filter", headers=headers, json={
        "artifacts": {"flow_run_id": {"any_": [run_id]}}}).json()
    markdown = next(a for a in artifacts if a["type"] == "markdown")
    assert markdown["key"] == "privacy-retention"
    assert "| raw source leads | 1 |" in markdown["data"]
    assert "| webhook payloads (delivered or failed) | 1 |" in markdown["data"]
    assert "| webhook attempt log | 2 |" in markdown["data"]
    assert "30 days" in markdown["data"]

    # A failed event whose payload was purged is not sent again (it would send nothing).
    with leadmill.client() as client:
        again = client.post(
            f"/api/agents/sales/leadGeneration/deliveries/{ids['old_failed']}/redeliver")
    assert again.status_code == 400, again.text
    assert "purged by the retention setting" in again.text


def test_the_scheduler_serves_the_flow_daily_and_its_runs_purge(leadmill, tmp_path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    settings = leadmill.settings
    ids = _seed(settings)
    log = tmp_path / "scheduler.log"
    with open(log, "wb") as handle:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "scheduler"],
            env=process_environment(settings, LEADMILL_RETENTION_DAYS="30"),
            stdout=handle, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True)
    try:
        def served():
            with get_client(sync_client=True) as prefect:
                try:
                    deployment = prefect.read_deployment_by_name(DEPLOYMENT)
                except Exception:  # noqa: BLE001 - not there yet
                    return None
            same_instance = deployment.parameters.get("data_dir") == str(settings.data_dir)
            return deployment if same_instance else None

        deployment = wait_until(served, 90, "the scheduler never served privacy-retention: "
                                + (log.read_text()[-2000:] if log.exists() else ""))
        assert deployment.paused is False
        assert [s.schedule.cron for s in deployment.schedules] == ["17 3 * * *"]
        run = run_deployment(deployment.id, timeout=180)
        assert run.state is not None and run.state.is_completed(), (
            run.state, log.read_text()[-3000:])
    finally:
        os.killpg(scheduler.pid, signal.SIGTERM)
        scheduler.wait(timeout=30)
    raw, payloads = _stores(settings)
    assert raw == {ids["recent_raw"]} and payloads[ids["old_failed"]] == {}
