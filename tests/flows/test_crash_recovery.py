"""A run whose process is killed is reported failed once the API starts again — under another
instance name, as a container restarts with a new host name: its lease ran out, whoever's it
was."""

from __future__ import annotations

import json
import os
import signal

import httpx

from tests.fixtures.examples import example
from tests.fixtures.servers import make_settings, start_api_process, wait_until


def test_status_reports_failed_when_the_process_running_it_is_killed_and_another_takes_over(
    tmp_path, prefect_server, sample_prospect_dir, receiver_factory, database_url
):
    from deployments.stack import prepare_data

    # An unreadable prospect file keeps the run in research, waiting 60 s for its retry.
    data_dir = tmp_path / "data"
    (data_dir / "prospects").mkdir(parents=True)
    (data_dir / "prospects" / "broken.parquet").write_bytes(b"PAR1 not a parquet file")
    settings = make_settings(data_dir, sample_prospect_dir, retry_backoff_seconds=60,
                             database_url=database_url)
    credentials = prepare_data(settings)
    receiver = receiver_factory()
    base = f"http://127.0.0.1:{settings.api_port}/api/agents/sales/leadGeneration"
    headers = {"x-api-key": credentials["api_key"]}
    log_file = tmp_path / "api.log"

    process = start_api_process(settings, log_file)
    try:
        reply = httpx.post(base, json=example(maxLeads=5, webhook={"url": receiver.url}),
                           headers=headers, timeout=30).json()
        command_id = reply["data"]["command_id"]

        def in_research():
            data = httpx.get(f"{base}/status/{command_id}", headers=headers).json()["data"]
            return data["progress"]["stage"] == "research" and data

        running = wait_until(in_research, 90, "the run never reached its research")
        assert running["status"] == "processing"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    # The container comes back with a new host name: nothing here is named like the dead one.
    successor = settings.model_copy(update={"instance_name": "another-host:8000"})
    assert successor.executor_instance != settings.executor_instance
    restarted = start_api_process(successor, log_file)
    try:
        def settled():
            data = httpx.get(f"{base}/status/{command_id}", headers=headers).json()["data"]
            return data["status"] != "processing" and data

        data = wait_until(settled, 60, "the dead instance's command was never settled")
        assert data["status"] == "failed"
        assert data["progress"]["stage"] == "research"
        assert "stopped before it finished" in data["error"]["message"]
        # The crash is announced to the command's webhook once the API is back.
        wait_until(lambda: receiver.requests, 30, "no failed event after the restart")
        assert json.loads(receiver.requests[0]["body"])["event"] == "lead_generation.failed"
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

    from storage.commands.models import Command
    from storage.db.engine import engine_for

    with Session(engine_for(settings.sqlalchemy_url)) as session:
        return session.get(Command, command_id).flow_run_id
