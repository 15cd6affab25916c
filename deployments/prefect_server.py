"""Starting and waiting for a local Prefect server (the embedded default's UI and API)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from deployments.prefect_env import prefect_server_environment
from storage.settings import LeadmillSettings


class PrefectServerError(RuntimeError):
    pass


def prefect_is_healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def prefect_accepts_auth(api_url: str, auth_string: str) -> bool:
    """Whether the server at `api_url` takes `auth_string` (health checks need none)."""
    from base64 import b64encode

    token = b64encode(auth_string.encode()).decode()
    try:
        reply = httpx.get(f"{api_url}/admin/version", timeout=5,
                          headers={"Authorization": f"Basic {token}"})
    except httpx.HTTPError:
        return False
    return reply.status_code == 200


def wait_for_prefect(api_url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Block until the server answers `/api/health` (start-up takes 8–17 s here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if prefect_is_healthy(api_url):
            return
        if process is not None and process.poll() is not None:
            raise PrefectServerError(f"prefect server exited with code {process.returncode}")
        time.sleep(0.25)
    raise PrefectServerError(f"prefect server not healthy after {timeout:.0f} s at {api_url}")


def start_prefect_server(settings: LeadmillSettings, log_file: Path) -> subprocess.Popen:
    """Start `prefect server start` on 127.0.0.1:<prefect_port>, logging to `log_file`.

    Loopback only, and locked with the data dir's auth string (`prefect_env`): it holds every
    tenant's runs, so nothing reaches it without that string, whoever shares the machine."""
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **prefect_server_environment(settings)}
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect), "server", "start", "--host", "127.0.0.1",
               "--port", str(settings.prefect_port)]
    with open(log_file, "ab") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
