"""A run whose process is killed is reported failed once the API starts again (reconciliation)."""

from __future__ import annotations

import os
import signal

import httpx

from tests.fixtures.examples import example
from tests.fixtures.servers import make_settings, start_api_process, wait_until


def test_status_reports_failed_when_the_process_running_it_is_killed(
    tmp_path, prefect_server, sample_prospect_dir, receiver_factory
):
    from deployments.stack import prepare_data

    settings = make_settings(tmp_path / "data", sample_prospect_dir, webhook_timeout_seconds=120)
    credentials = prepare_data(settings)
    # A receiver that never answers in time keeps the run in its delivery stage.
    receiver = receiver_factory(hang_seconds=60)
    base = f"http://127.0.0.1:{settings.api_port}/api/agents/sales/leadGeneration"
    headers = {"x-api-key": credentials["api_key"]}
    log_file = tmp_path / "api.log"

    process = start_api_process(settings, log_file)
    try:
        reply = httpx.post(base, json=example(maxLeads=5, webhook={"url": receiver.url}),
                           headers=headers, timeout=30).json()
        command_id = reply["data"]["command_id"]
        wait_until(lambda: receiver.requests, 90, "the run never reached its webhook")
        running = httpx.get(f"{base}/status/{command_id}", headers=headers).json()["data"]
        assert running["status"] == "processing"
        assert running["progress"]["stage"] == "delivery"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    restarted = start_api_process(settings, log_file)
    try:
        data = httpx.get(f"{base}/status/{command_id}", headers=headers).json()["data"]
        assert data["status"] == "failed"
        assert data["progress"]["stage"] == "delivery"
        assert "stopped before it finished" in data["error"]["message"]
        flow_run_id = _flow_run_id(settings, command_id)
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)

    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run_id).state
    assert state.type.value == "CRASHED"


def _flow_run_id(settings, command_id: str) -> str:
    from sqlmodel import Session

    from storage.database import engine_for
    from storage.models import Command

    with Session(engine_for(settings.sqlalchemy_url)) as session:
        return session.get(Command, command_id).flow_run_id
