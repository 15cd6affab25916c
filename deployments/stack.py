"""`leadmill up` (what `make run` runs): the whole embedded stack in the foreground.

Starts the Prefect server (or reuses one already answering on the port), prepares the data
(operational DB, demo tenant, sample prospects, warehouse) while it boots, then the API and
scheduler processes. Prints the URLs, demo credentials and a curl example. Ctrl-C or SIGTERM
stops every process it started; if one of them dies, it stops the others and exits non-zero.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from deployments.prefect_env import prefect_api_url, prefect_auth_string, prefect_environment
from deployments.prefect_server import (
    PrefectServerError,
    prefect_accepts_auth,
    prefect_is_healthy,
    start_prefect_server,
    wait_for_prefect,
)
from storage.data_dir import prepare_data_dir
from storage.runtime import open_runtime
from storage.settings import LeadmillSettings

log = logging.getLogger("leadmill.stack")

PREFECT_START_TIMEOUT = 120
API_START_TIMEOUT = 90


def prepare_data(settings: LeadmillSettings) -> dict:
    """Everything on disk that the stack needs before it serves: idempotent, reused next time."""
    from storage.prospects.store import generate_sample
    from storage.schema import create_schema
    from storage.tenancy.demo import ensure_demo_tenant
    from storage.warehouse.catalog import ensure_warehouse

    prepare_data_dir(settings.data_dir)
    engine = open_runtime(settings).engine
    create_schema(engine)
    credentials = ensure_demo_tenant(engine, settings.credentials_file)
    if settings.load_sample:
        started = time.perf_counter()
        path = generate_sample(settings.prospect_dir, settings.sample_contacts,
                               settings.sample_companies)
        log.info("sample prospects ready in %.1f s: %s", time.perf_counter() - started, path)
    ensure_warehouse(settings.warehouse_dir, settings.warehouse_db)
    return credentials


def _child(args: list[str], settings: LeadmillSettings, log_name: str) -> subprocess.Popen:
    env = {**os.environ, **prefect_environment(settings),
           "LEADMILL_DATA_DIR": str(settings.data_dir),
           "LEADMILL_API_PORT": str(settings.api_port),
           "LEADMILL_PREFECT_PORT": str(settings.prefect_port)}
    log_file = settings.data_dir / "logs" / log_name
    log_file.parent.mkdir(parents=True, exist_ok=True)
    leadmill = Path(sys.executable).with_name("leadmill")
    with open(log_file, "ab") as handle:
        return subprocess.Popen([str(leadmill), *args], env=env, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for_api(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API process exited with code {process.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the API did not answer within {timeout:.0f} s")


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def banner(settings: LeadmillSettings, credentials: dict) -> str:
    api = f"http://{settings.api_host}:{settings.api_port}"
    example = json.dumps({
        "siteId": credentials["site_id"], "userId": credentials["user_id"],
        "leadGenData": {"targetAudience": {"industries": ["saas", "manufacturing"],
                                           "roles": ["CTO", "VP of Operations"],
                                           "locations": ["United States"]}},
        "maxLeads": 5, "priority": "high"})
    return f"""
Leadmill is running.
  API         {api}   (docs: {api}/schema, tester: {api}/tester)
  Prefect UI  http://127.0.0.1:{settings.prefect_port}   (operators only; its login is the
              string in {settings.prefect_auth_file})
  Data        {settings.data_dir}   (logs in {settings.data_dir / 'logs'})
  Demo key    {credentials['api_key']}   (also in {settings.credentials_file})
  Demo site   {credentials['site_id']}   user {credentials['user_id']}
  Demo login  {credentials.get('username', '')} (password in the same file; POST /api/auth)

Try it:
  curl -s -X POST {api}/api/agents/sales/leadGeneration \\
    -H "x-api-key: {credentials['api_key']}" -H "Content-Type: application/json" \\
    -d '{example}'

Press Ctrl-C to stop.
"""


def run_stack(settings: LeadmillSettings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    processes: list[subprocess.Popen] = []
    api_url = prefect_api_url(settings)
    prepare_data_dir(settings.data_dir)  # first: every child inherits the owner-only umask
    try:
        # The secrets are checked (and created, once) before any process starts: a bad one
        # stops `make run` here, with its reason, and the children never race to create them.
        open_runtime(settings)
        prefect = None
        if prefect_is_healthy(api_url):
            if not prefect_accepts_auth(api_url, prefect_auth_string(settings)):
                raise PrefectServerError(
                    f"a Prefect server already answers at {api_url} but refuses this data "
                    f"dir's auth string ({settings.prefect_auth_file}); stop it, or set "
                    "PREFECT_API_AUTH_STRING to its string")
            log.info("reusing the Prefect server at %s", api_url)
        else:
            log.info("starting the Prefect server on port %s", settings.prefect_port)
            prefect = start_prefect_server(settings, settings.data_dir / "logs" / "prefect.log")
            processes.append(prefect)
        credentials = prepare_data(settings)
        wait_for_prefect(api_url, PREFECT_START_TIMEOUT, prefect)
        api = _child(["api"], settings, "api.log")
        processes.append(api)
        processes.append(_child(["scheduler"], settings, "scheduler.log"))
        _wait_for_api(f"http://{settings.api_host}:{settings.api_port}", api, API_START_TIMEOUT)
        print(banner(settings, credentials), flush=True)
        while not stopping.is_set():
            dead = [p for p in processes if p.poll() is not None]
            if dead:
                log.error("a Leadmill process exited (code %s); stopping the stack; see %s",
                          dead[0].returncode, settings.data_dir / "logs")
                return 1
            stopping.wait(1.0)
        log.info("stopping")
        return 0
    except Exception as exc:  # noqa: BLE001 - say what failed, then clean up
        log.error("%s", exc)
        return 1
    finally:
        _stop(processes)
