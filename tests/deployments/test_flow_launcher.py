"""The flow launcher settles what a killed process left, whatever its name: a stored run with no
flow run yet is launched and completes; a run whose flow run had started is marked crashed, in
Leadmill and in Prefect; a run whose lease is still renewed is left alone."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from deployments.flow_launcher import CRASH_MESSAGE, FlowLauncher
from storage.commands.models import TriggeredRun
from storage.commands.triggered_runs import (
    create_triggered_run,
    lease_triggered_run,
    record_triggered_state,
)
from storage.db.clock import utcnow
from storage.db.engine import build_engine, session_scope
from storage.db.leases import Lease
from storage.schema import create_schema
from storage.settings import LeadmillSettings
from storage.tenancy.accounts import create_company
from tests.fixtures.servers import wait_until


def test_reconcile_relaunches_waiting_runs_and_crashes_started_ones_of_a_dead_instance(
        tmp_path: Path, prefect_server: str) -> None:
    from prefect.client.orchestration import get_client

    from flows.warehouse_sync import warehouse_sync

    settings = LeadmillSettings(data_dir=tmp_path / "data", load_sample=False)
    settings.data_dir.mkdir(parents=True)
    engine = build_engine(settings.sqlalchemy_url)
    create_schema(engine)
    dead = "dead-host:8000"  # the instance that ran them had another name
    with get_client(sync_client=True) as client:  # a run the dead process had started
        orphan = client.create_flow_run(warehouse_sync, parameters={"data_dir": "unused"},
                                        tags=[f"executor:{dead}"])
    with session_scope(engine) as session:
        company = create_company(session, "Launch Co")
        waiting, started, alive = (
            create_triggered_run(session, company_id=company.id, task="warehouse-sync",
                                 parameters={}, instance=dead).id for _ in range(3))
    expired = Lease(token="t", until=utcnow() - timedelta(seconds=1))
    with session_scope(engine) as session:
        for run_id in (waiting, started):
            assert lease_triggered_run(session, run_id, dead, dataclasses.replace(
                expired, token=run_id))
        # A live instance's run: its lease is in the future (its heartbeat renews it).
        assert lease_triggered_run(session, alive, "live-host:8000", Lease.new(3600))
        record_triggered_state(session, started, "RUNNING", flow_run_id=str(orphan.id))

    launcher = FlowLauncher(settings, engine, "new-host:8000")
    try:
        assert launcher.reconcile() == {"relaunched": 1, "crashed": 1}

        def state_of(run_id: str) -> TriggeredRun:
            with session_scope(engine) as session:
                return session.get(TriggeredRun, run_id)

        done = wait_until(lambda: state_of(waiting).run_state == "COMPLETED" and state_of(waiting),
                          90, "the waiting run was not launched")
        assert done.flow_run_id and done.result is not None and done.finished_at
        crashed = state_of(started)
        assert crashed.run_state == "CRASHED" and crashed.error == CRASH_MESSAGE
        assert state_of(alive).run_state == "QUEUED"  # a live instance's run is left alone
        assert state_of(alive).executor_instance == "live-host:8000"
        assert state_of(waiting).executor_instance == "new-host:8000"
        with get_client(sync_client=True) as client:
            assert client.read_flow_run(orphan.id).state.type.value == "CRASHED"
    finally:
        launcher.stop()
