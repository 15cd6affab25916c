"""One engine per database per process: a command the API process runs (its local executor
runs the flow in one of its threads) reaches the operational DB only through the app's own
engine — the flow, its tasks and the warehouse sync included — on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from storage.runtime import runtime_for
from tests.fixtures.examples import example
from tests.fixtures.servers import RunningLeadmill, wait_until


@pytest.fixture
def connections(leadmill: RunningLeadmill) -> Iterator[list[tuple[Engine, str]]]:
    """Every connection opened on the instance's database while the test runs, with the
    engine that opened it and the thread that asked."""
    url = leadmill.settings.sqlalchemy_url
    seen: list[tuple[Engine, str]] = []

    def record(connection: Connection) -> None:
        if connection.engine.url.render_as_string(hide_password=False) == url:
            seen.append((connection.engine, threading.current_thread().name))

    event.listen(Engine, "engine_connect", record)
    yield seen
    event.remove(Engine, "engine_connect", record)


def test_the_flow_of_a_command_uses_the_api_process_engine(
        leadmill: RunningLeadmill, connections: list[tuple[Engine, str]]) -> None:
    app_engine = leadmill.app.state.engine
    with leadmill.client() as client:
        reply = client.post("/api/agents/sales/leadGeneration", json=example(maxLeads=3))
        assert reply.status_code == 200, reply.text
        command_id = reply.json()["data"]["command_id"]

        def finished() -> dict | None:
            data = client.get(f"/api/agents/sales/leadGeneration/status/{command_id}").json()
            return data["data"] if data["data"]["status"] != "processing" else None

        status = wait_until(finished, 120, "the command did not finish")
    assert status["status"] == "completed", status

    flow_threads = {thread for _, thread in connections if thread.startswith("leadmill-run")}
    assert flow_threads, "the flow never reached the database from the executor's threads"
    assert {id(engine) for engine, _ in connections} == {id(app_engine)}
    # What a flow finds from its plain `data_dir` parameter is the app's runtime itself.
    runtime = runtime_for(str(leadmill.settings.data_dir))
    assert runtime is leadmill.app.state.runtime
    assert runtime.engine is app_engine and runtime.settings == leadmill.settings
