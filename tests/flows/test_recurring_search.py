"""Recurring searches end to end: each scheduled run is a normal command holding only leads new
to the site, recorded in search history, with its webhook; schedules become Prefect
deployments that the scheduler serves."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, select

from storage.commands.models import Command, RecurringSearchRun
from storage.db.engine import engine_for
from storage.workspace.models import SearchHistory
from tests.fixtures.examples import example
from tests.fixtures.servers import process_environment, wait_until

ROUTE = "/api/agents/sales/schedules"
COMMANDS = "/api/agents/sales/leadGeneration"
REPO = Path(__file__).resolve().parents[2]


def _lead_ids(client, command_id: str) -> set[str]:
    leads = client.get(f"{COMMANDS}/leads/{command_id}", params={"per_page": 100}).json()
    return {lead["id"] for lead in leads["data"]["leads"]}


def _history(settings) -> list[SearchHistory]:
    with Session(engine_for(settings.sqlalchemy_url)) as session:
        rows = session.exec(select(SearchHistory)).all()
        return sorted(rows, key=lambda row: row.created_at)


def test_each_scheduled_run_delivers_only_leads_new_to_the_site(leadmill, receiver_factory):
    from flows.recurring_search import recurring_search

    receiver = receiver_factory()
    command = example(maxLeads=4, webhook={"url": receiver.url, "secret": "shh"})
    data_dir = str(leadmill.settings.data_dir)
    with leadmill.client() as client:
        schedule = client.post(ROUTE, json={"name": "CTOs", "command": command,
                                            "interval_seconds": 3600}).json()["data"]
        sid = schedule["schedule_id"]
        first = recurring_search(sid, data_dir, timeout_seconds=120)
        second = recurring_search(sid, data_dir, timeout_seconds=120)
        assert first["state"] == second["state"] == "COMPLETED", (first, second)
        first_ids = _lead_ids(client, first["command_id"])
        second_ids = _lead_ids(client, second["command_id"])
        runs = client.get(f"{ROUTE}/{sid}").json()["data"]["runs"]
        status = client.get(f"{COMMANDS}/status/{second['command_id']}").json()["data"]
    assert len(first_ids) == 4 and first_ids.isdisjoint(second_ids)
    assert second["new_leads"] == len(second_ids) > 0
    assert [run["command_id"] for run in runs] == [first["command_id"], second["command_id"]]
    assert status["status"] == "completed"

    history = _history(leadmill.settings)
    assert [(h.status, h.results_count, h.client_id) for h in history] == [
        ("completed", 4, "site_456abc"), ("completed", len(second_ids), "site_456abc")]
    assert history[1].search_filters["command_id"] == second["command_id"]

    wait_until(lambda: len(receiver.requests) >= 2, 60, "both webhooks were not delivered")
    counts = {}
    for request in receiver.requests:
        body = json.loads(request["body"])
        counts[body["command_id"]] = body["data"]["leads_count"]
    assert counts == {first["command_id"]: 4, second["command_id"]: len(second_ids)}


def test_a_paused_or_deleted_schedule_makes_no_command(leadmill):
    from flows.recurring_search import recurring_search

    with leadmill.client() as client:
        sid = client.post(ROUTE, json={"name": "x", "command": example(maxLeads=1),
                                       "cron": "0 * * * *"}).json()["data"]["schedule_id"]
        client.put(f"{ROUTE}/{sid}", json={"active": False})
        assert recurring_search(sid, str(leadmill.settings.data_dir))["status"] == "skipped"
        client.delete(f"{ROUTE}/{sid}")
        assert recurring_search(sid, str(leadmill.settings.data_dir))["status"] == "skipped"
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        assert session.exec(select(Command)).all() == []


def test_the_mirror_makes_a_prefect_deployment_per_schedule_and_follows_pause_and_delete(
    leadmill,
):
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.runner import Runner

    from deployments.recurring import RecurringScheduleMirror
    from storage.db.engine import build_engine

    mirror = RecurringScheduleMirror(leadmill.settings,
                                     build_engine(leadmill.settings.sqlalchemy_url))
    runner = Runner(name="test-mirror", pause_on_shutdown=False)

    def deployment(client_id):
        with get_client(sync_client=True) as prefect:
            return prefect.read_deployment(client_id)

    with leadmill.client() as client:
        sid = client.post(ROUTE, json={"name": "Berlin", "command": example(maxLeads=1),
                                       "cron": "30 8 * * 1-5", "timezone": "Europe/Berlin"}
                          ).json()["data"]["schedule_id"]
        assert asyncio.run(mirror.sync(runner)) == {"applied": 1, "removed": 0}
        deployment_id = client.get(f"{ROUTE}/{sid}").json()["data"]["prefect_deployment_id"]
        created = deployment(deployment_id)
        assert created.name == f"recurring-{sid}" and created.paused is False
        assert created.parameters["schedule_id"] == sid
        assert created.schedules[0].schedule.cron == "30 8 * * 1-5"
        assert created.schedules[0].schedule.timezone == "Europe/Berlin"
        assert asyncio.run(mirror.sync(runner)) == {"applied": 0, "removed": 0}  # no change

        client.put(f"{ROUTE}/{sid}", json={"active": False})
        asyncio.run(mirror.sync(runner))
        assert deployment(deployment_id).paused is True

        client.delete(f"{ROUTE}/{sid}")
        assert asyncio.run(mirror.sync(runner)) == {"applied": 0, "removed": 1}
    try:
        deployment(deployment_id)
        raise AssertionError("the deployment of a deleted schedule is still there")
    except ObjectNotFound:
        pass


def test_the_scheduler_process_runs_a_scheduled_search_as_a_command(leadmill, tmp_path):
    """`leadmill scheduler` serves the schedule's deployment: a run of it stores a command that
    the API's executor picks up (the first test follows such a command to completion)."""
    from prefect.deployments import run_deployment

    settings = leadmill.settings
    with leadmill.client() as client:
        sid = client.post(ROUTE, json={"name": "hourly", "command": example(maxLeads=2),
                                       "interval_seconds": 3600}).json()["data"]["schedule_id"]
    env = process_environment(settings)
    log = tmp_path / "scheduler.log"
    with open(log, "wb") as handle:
        scheduler = subprocess.Popen([sys.executable, "-m", "cli.main", "scheduler"], env=env,
                                     stdout=handle, stderr=subprocess.STDOUT, cwd=REPO,
                                     start_new_session=True)
    try:
        def deployment_id():
            with leadmill.client() as client:
                return client.get(f"{ROUTE}/{sid}").json()["data"]["prefect_deployment_id"]

        wait_until(deployment_id, 90, "the scheduler never mirrored the schedule")
        run_deployment(deployment_id(), timeout=0)

        def command_dispatched():
            with Session(engine_for(settings.sqlalchemy_url)) as session:
                run = session.exec(select(RecurringSearchRun)).first()
                command = run and session.get(Command, run.command_id)
                return command is not None and command.executor_instance is not None

        wait_until(command_dispatched, 120, "the scheduled run made no command: "
                   + log.read_text()[-2000:])
    finally:
        os.killpg(scheduler.pid, signal.SIGTERM)
        scheduler.wait(timeout=30)
