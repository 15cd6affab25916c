"""The embedded default for benchmarks: a private Prefect server and the API, in this process.

`embedded_stack(env)` makes a temporary data dir, picks free loopback ports, sets the
environment as `leadmill up` would (plus `env`), starts Prefect (SQLite) and the API (local
executor) on a uvicorn thread, waits for both, and yields what a benchmark needs; on exit it
stops the API and the Prefect server's whole process group. Benchmarks that drive the real
HTTP path share it, so they measure the same stack.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
ROUTE = "/api/agents/sales/leadGeneration"
EXAMPLE_FILE = ROOT / "api" / "examples" / "lead_generation_request.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class EmbeddedStack:
    settings: Any  # LeadmillSettings, imported lazily (it pulls in the whole project)
    data_dir: Path
    credentials: dict[str, str]
    base_url: str


@contextmanager
def embedded_stack(env: dict[str, str] | None = None,
                   prefix: str = "leadmill-bench-") -> Iterator[EmbeddedStack]:
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    prefect_port = free_port()
    os.environ.update({"LEADMILL_DATA_DIR": str(data_dir), "LEADMILL_API_PORT": str(free_port()),
                       "LEADMILL_PREFECT_PORT": str(prefect_port),
                       "PREFECT_API_URL": f"http://127.0.0.1:{prefect_port}/api", **(env or {})})
    from deployments.prefect_env import apply_prefect_environment
    from storage.settings import LeadmillSettings

    settings = LeadmillSettings()
    apply_prefect_environment(settings)

    import httpx
    import uvicorn

    from api.server import build_local_app
    from deployments.prefect_server import start_prefect_server, wait_for_prefect
    from deployments.stack import prepare_data

    prefect = start_prefect_server(settings, data_dir / "prefect.log")
    try:
        wait_for_prefect(os.environ["PREFECT_API_URL"], 180, prefect)
        credentials = prepare_data(settings)
        api = uvicorn.Server(uvicorn.Config(build_local_app(settings), host="127.0.0.1",
                                            port=settings.api_port, log_level="warning"))
        threading.Thread(target=api.run, daemon=True).start()
        base_url = f"http://127.0.0.1:{settings.api_port}"
        while True:
            try:
                if httpx.get(f"{base_url}/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield EmbeddedStack(settings, data_dir, credentials, base_url)
        api.should_exit = True
        from prefect.logging.handlers import APILogHandler

        APILogHandler().flush()  # before the server goes, or Prefect complains at exit
    finally:
        os.killpg(prefect.pid, signal.SIGTERM)
        try:
            prefect.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(prefect.pid, signal.SIGKILL)
