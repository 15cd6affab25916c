"""Scale-out: `prefect deploy --all` from prefect.yaml, two `prefect worker` processes on the
`leadmill` process pool, and the API with `LEADMILL_EXECUTOR=deployment` handing commands to
them on the queue of each command's priority."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.fixtures.examples import example
from tests.fixtures.servers import (
    make_settings,
    prefect_auth_headers,
    start_in_thread,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
ROUTE = "/api/agents/sales/leadGeneration"
PREFECT = str(Path(sys.executable).with_name("prefect"))


def stop_processes(processes) -> None:
    """SIGTERM each (process, log) group, SIGKILL what has not stopped 30 s later."""
    for process, log in processes:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "LEADMILL_HOME": str(ROOT), "LEADMILL_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(ROOT)}


def test_two_workers_run_commands_handed_out_by_priority_queue(
    tmp_path, prefect_server, sample_prospect_dir
):
    from prefect.client.orchestration import get_client

    from deployments.deployment_executor import QUEUE_PRIORITIES, WORK_POOL, ensure_work_pool

    settings = make_settings(tmp_path / "data", sample_prospect_dir, executor="deployment")
    env = _env(settings.data_dir)
    ensure_work_pool()
    deployed = subprocess.run([PREFECT, "--no-prompt", "deploy", "--all"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]

    workers = []
    for name in ("worker-a", "worker-b"):
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        workers.append((subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", WORK_POOL, "--name", name, "--limit", "2"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True),
            log))
    running = start_in_thread(settings)
    try:
        priorities = ["low", "high", "medium", "high"]
        with running.client() as client:
            ids = [client.post(ROUTE, json=example(maxLeads=2, priority=p)).json()["data"]
                   ["command_id"] for p in priorities]

            def all_done():
                states = [client.get(f"{ROUTE}/status/{c}").json()["data"]["status"]
                          for c in ids]
                return all(state != "processing" for state in states) and states

            states = wait_until(all_done, 300, "the workers did not finish the commands",
                                every=1)
            leads = [client.get(f"{ROUTE}/leads/{c}").json()["data"]["pagination"]["total"]
                     for c in ids]
        assert states == ["completed"] * 4, [
            (tmp_path / f"{w}.log").read_text()[-2000:] for w in ("worker-a", "worker-b")]
        assert leads == [2, 2, 2, 2]

        from sqlmodel import Session

        from storage.commands.models import Command
        from storage.db.engine import engine_for

        with Session(engine_for(settings.sqlalchemy_url)) as session:
            run_ids = [session.get(Command, c).flow_run_id for c in ids]
        with get_client(sync_client=True) as prefect:
            runs = [prefect.read_flow_run(run_id) for run_id in run_ids]
            queues = {q.name: q.priority
                      for q in prefect.read_work_queues(work_pool_name=WORK_POOL)}
            online = {w.name for w in prefect.read_workers_for_work_pool(WORK_POOL)}
        assert [run.work_queue_name for run in runs] == priorities
        assert all(run.deployment_id is not None for run in runs)
        assert {name: queues[name] for name in QUEUE_PRIORITIES} == QUEUE_PRIORITIES
        assert {"worker-a", "worker-b"} <= online
        # Each finished run asked the warehouse-sync deployment for a (debounced) run: the
        # warehouse has every lead without waiting for the minutely schedule.
        from sqlmodel import func, select

        from storage.leads.models import Lead

        with Session(engine_for(settings.sqlalchemy_url)) as session:
            stored = session.exec(select(func.count()).select_from(Lead)).one()
        wait_until(lambda: _synced_after_commands(settings.data_dir) and
                   _warehouse_leads(settings.warehouse_db) == stored, 180,
                   "no warehouse sync after the commands", every=1)
    finally:
        running.stop()
        stop_processes(workers)


def test_two_workers_with_prefect_and_leadmill_on_postgresql(
    tmp_path, prefect_server, sample_prospect_dir
):
    """The scale-out setup for real: Prefect server and operational DB on PostgreSQL, the API in
    deployment mode as its own process, two workers; every process talks to the others only
    through PostgreSQL and the Prefect API."""
    import httpx

    from deployments.prefect_server import wait_for_prefect
    from deployments.stack import prepare_data
    from tests.conftest import free_port
    from tests.fixtures.postgres import create_database, pg_server_or_skip

    server = pg_server_or_skip()
    leadmill_url = create_database(server)
    prefect_db = create_database(server).replace("postgresql+psycopg", "postgresql+asyncpg")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    settings = make_settings(tmp_path / "data", sample_prospect_dir, executor="deployment",
                             database_url=leadmill_url)
    env = {**_env(settings.data_dir), "PREFECT_API_URL": api_url,
           "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db,
           "PREFECT_HOME": str(tmp_path / "prefect-home"),
           # Its own server, locked like the embedded one: API and workers share the string.
           "PREFECT_SERVER_API_AUTH_STRING": os.environ["PREFECT_API_AUTH_STRING"],
           "LEADMILL_DATABASE_URL": leadmill_url, "LEADMILL_EXECUTOR": "deployment",
           "LEADMILL_API_PORT": str(settings.api_port),
           "LEADMILL_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
           "LEADMILL_INSTANCE_NAME": settings.executor_instance}
    processes = []

    def spawn(name, command):
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        processes.append((subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True),
                          log))

    try:
        spawn("prefect", [PREFECT, "server", "start", "--host", "127.0.0.1", "--port",
                          str(port)])
        wait_for_prefect(api_url, 180, processes[0][0])
        credentials = prepare_data(settings)
        spawn("api", [sys.executable, "-m", "cli.main", "api"])
        base = f"http://127.0.0.1:{settings.api_port}"
        wait_until(lambda: _healthy(base), 90, "the API did not start")
        deployed = subprocess.run([PREFECT, "--no-prompt", "deploy", "--all"], cwd=ROOT,
                                  env=env, capture_output=True, text=True, timeout=300)
        assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]
        for name in ("pg-worker-a", "pg-worker-b"):
            spawn(name, [PREFECT, "worker", "start", "--pool", "leadmill", "--name", name,
                         "--limit", "2"])
        priorities = ["low", "high", "medium"]
        with httpx.Client(base_url=base, headers={"x-api-key": credentials["api_key"]},
                          timeout=30) as client:
            ids = [client.post(ROUTE, json=example(maxLeads=2, priority=p)).json()["data"]
                   ["command_id"] for p in priorities]

            def all_done():
                states = [client.get(f"{ROUTE}/status/{c}").json()["data"] for c in ids]
                return all(s["status"] != "processing" for s in states) and states

            states = wait_until(all_done, 300, "the workers did not finish", every=1)
        assert [s["status"] for s in states] == ["completed"] * 3, (
            tmp_path / "pg-worker-a.log").read_text()[-3000:]
        from sqlmodel import Session

        from storage.commands.models import Command
        from storage.db.engine import engine_for

        with Session(engine_for(leadmill_url)) as session:
            run_ids = [session.get(Command, c).flow_run_id for c in ids]
        queues = [httpx.get(f"{api_url}/flow_runs/{run_id}",
                            headers=prefect_auth_headers()).json()["work_queue_name"]
                  for run_id in run_ids]
        assert queues == priorities
    finally:
        stop_processes(reversed(processes))


def _synced_after_commands(data_dir: Path) -> bool:
    """A warehouse-sync run that finished commands requested for `data_dir` has completed."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    with get_client(sync_client=True) as prefect:
        runs = prefect.read_flow_runs(flow_run_filter=FlowRunFilter(
            tags=FlowRunFilterTags(all_=["after-commands"])))
    return any(run.parameters.get("data_dir") == str(data_dir) and run.state is not None
               and run.state.is_completed() for run in runs)


def _warehouse_leads(warehouse_db: Path) -> int:
    import duckdb

    try:
        with duckdb.connect(str(warehouse_db), read_only=True) as con:
            return con.sql("SELECT count(*) FROM leads").fetchall()[0][0]
    except duckdb.Error:  # the views are being rebuilt: ask again
        return -1


def _healthy(base: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{base}/api/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_one_busy_worker_starts_queued_commands_high_then_medium_then_low(
    tmp_path, sample_prospect_dir
):
    """Priorities under contention: low, medium and high commands all wait on the pool before
    its only worker (`--limit 1`) starts; it runs them high → medium → low.

    Prefect orders a worker's poll by work-queue priority (`get_scheduled_flow_runs` for a
    pool sorts by `work_queue.priority`, then scheduled time) and a worker with no free slot
    stops submitting at the first run it cannot take, so each poll starts the best waiting run.
    A private Prefect server: on the session's shared one, runs other tests leave on the
    `leadmill` pool (and warehouse-sync's minutely schedule) would take the worker's slot."""
    import httpx

    from deployments.prefect_server import wait_for_prefect
    from deployments.stack import prepare_data
    from tests.conftest import free_port

    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    settings = make_settings(tmp_path / "data", sample_prospect_dir, executor="deployment")
    env = {**_env(settings.data_dir), "PREFECT_API_URL": api_url,
           "PREFECT_HOME": str(tmp_path / "prefect-home"),
           "PREFECT_SERVER_API_AUTH_STRING": os.environ["PREFECT_API_AUTH_STRING"],
           "PREFECT_WORKER_QUERY_SECONDS": "1",
           "LEADMILL_EXECUTOR": "deployment", "LEADMILL_API_PORT": str(settings.api_port),
           "LEADMILL_INSTANCE_NAME": settings.executor_instance}
    processes: list[tuple[subprocess.Popen, object]] = []

    def spawn(name: str, command: list[str]) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        processes.append((process, log))
        return process

    try:
        server = spawn("prefect", [PREFECT, "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port)])
        wait_for_prefect(api_url, 180, server)
        credentials = prepare_data(settings)
        spawn("api", [sys.executable, "-m", "cli.main", "api"])  # creates pool and queues
        base = f"http://127.0.0.1:{settings.api_port}"
        wait_until(lambda: _healthy(base), 90, "the API did not start")
        deployed = subprocess.run([PREFECT, "--no-prompt", "deploy", "--name", "lead-generation"],
                                  cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=300)
        assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]

        from sqlmodel import Session

        from storage.commands.models import Command
        from storage.db.engine import engine_for

        def handed_out(command_ids: list[str]) -> list[str] | None:
            with Session(engine_for(settings.sqlalchemy_url)) as session:
                runs = [session.get(Command, c).flow_run_id for c in command_ids]
            return runs if all(runs) else None

        submitted = ["low", "medium", "high"]
        with httpx.Client(base_url=base, headers={"x-api-key": credentials["api_key"]},
                          timeout=30) as client:
            ids = [client.post(ROUTE, json=example(maxLeads=1, priority=p)).json()["data"]
                   ["command_id"] for p in submitted]
            run_ids = wait_until(lambda: handed_out(ids), 60, "commands were not handed out")
            spawn("worker", [PREFECT, "worker", "start", "--pool", "leadmill", "--name",
                             "only-worker", "--limit", "1"])

            def all_done():
                states = [client.get(f"{ROUTE}/status/{c}").json()["data"]["status"]
                          for c in ids]
                return all(state != "processing" for state in states) and states

            states = wait_until(all_done, 240, "the worker did not finish", every=0.5)
        assert states == ["completed"] * 3, (tmp_path / "worker.log").read_text()[-3000:]
        runs = [httpx.get(f"{api_url}/flow_runs/{run_id}", headers=prefect_auth_headers()).json()
                for run_id in run_ids]
        assert [run["work_queue_name"] for run in runs] == submitted
        from datetime import datetime

        started = sorted(zip((datetime.fromisoformat(run["start_time"]) for run in runs),
                             submitted, strict=True))
        assert [priority for _, priority in started] == ["high", "medium", "low"]
    finally:
        stop_processes(reversed(processes))
