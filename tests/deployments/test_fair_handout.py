"""The deployment executor hands out no more runs than the pool's slots
(`LEADMILL_EXECUTOR_WORKERS`), and the next one fairly: Prefect's work queues would order
waiting runs by the callers' own priorities, so what decides between companies stays in
Leadmill's queue.

No worker runs here: a worker finishing a run is what the flow's state hook writes, a command's
terminal state, written the same way. The deployment is registered through Prefect's client (no
`prefect deploy`), and the runs this test hands out are deleted at the end so that no worker of
another test picks them up."""

from __future__ import annotations

import time

from sqlmodel import col, select

from storage.commands.models import Command
from storage.db.engine import engine_for, session_scope
from tests.api.tenant_helpers import create_tenant
from tests.fixtures.examples import example
from tests.fixtures.servers import make_settings, start_in_thread, wait_until

ROUTE = "/api/agents/sales/leadGeneration"
SLOTS = 2


def _handed_out(engine, command_ids: list[str]) -> list[str]:
    with session_scope(engine) as session:
        return list(session.exec(select(Command.id).where(
            col(Command.id).in_(command_ids), col(Command.flow_run_id).is_not(None))).all())


def test_runs_are_handed_out_up_to_the_slots_and_the_next_goes_to_the_waiting_company(
    tmp_path, prefect_server, sample_prospect_dir
):
    from prefect.client.orchestration import get_client

    from deployments.deployment_executor import WORK_POOL, ensure_work_pool

    ensure_work_pool()
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name("lead-generation")
        client.create_deployment(flow_id=flow_id, name="lead-generation",
                                 work_pool_name=WORK_POOL,
                                 entrypoint="flows/lead_generation.py:lead_generation")
    settings = make_settings(tmp_path / "data", sample_prospect_dir, executor="deployment",
                             executor_workers=SLOTS)
    running = start_in_thread(settings)
    engine = engine_for(settings.sqlalchemy_url)
    flood, single = create_tenant(settings, "Flood"), create_tenant(settings, "Single")
    every: list[str] = []
    try:
        with flood.client(running.base_url) as http:
            floods = [http.post(ROUTE, json=example(siteId=flood.client_id, userId=flood.user_id,
                                                    maxLeads=1, priority="high"))
                      .json()["data"]["command_id"] for _ in range(5)]
        every += floods
        first = wait_until(lambda: len(out := _handed_out(engine, floods)) == SLOTS and out,
                           60, "the first runs were not handed out")
        with single.client(running.base_url) as http:
            mine = http.post(ROUTE, json=example(siteId=single.client_id, userId=single.user_id,
                                                 maxLeads=1, priority="low"))
        mine_id = mine.json()["data"]["command_id"]
        every.append(mine_id)
        time.sleep(3)  # three dispatch cycles: the pool is full, nothing more goes out
        assert sorted(_handed_out(engine, every)) == sorted(first)

        with session_scope(engine) as session:  # a worker finished one of the flood's runs
            done = session.get(Command, first[0])
            done.run_state = "COMPLETED"
            session.add(done)
        wait_until(lambda: mine_id in _handed_out(engine, every), 60,
                   "the single command did not get the freed slot")
        time.sleep(2)
        assert sorted(_handed_out(engine, floods)) == sorted(first)
    finally:
        running.stop()
        with session_scope(engine) as session:
            run_ids = [command.flow_run_id for command in session.exec(
                select(Command).where(col(Command.id).in_(every))).all() if command.flow_run_id]
        with get_client(sync_client=True) as client:
            for run_id in run_ids:
                client.delete_flow_run(run_id)
