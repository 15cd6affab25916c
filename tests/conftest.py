"""Shared fixtures: one real Prefect server per session, real API servers on free ports.

Prefect reads its settings when first imported, so its environment is set here, at import,
before any test module imports Prefect.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
from pathlib import Path

from deployments.prefect_env import FAST_SQLITE_SERVER  # imports no Prefect


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_SESSION_DIR = Path(tempfile.mkdtemp(prefix="leadmill-tests-"))
# LEADMILL_TEST_PREFECT_PORT: reuse a Prefect server already running on that port (saves its
# ~10 s start when iterating on a few tests); by default the session starts its own.
_SHARED_PREFECT_PORT = os.environ.get("LEADMILL_TEST_PREFECT_PORT")
_PREFECT_PORT = int(_SHARED_PREFECT_PORT) if _SHARED_PREFECT_PORT else free_port()
os.environ.update({
    "LEADMILL_DATA_DIR": str(_SESSION_DIR / "default"),
    "LEADMILL_PREFECT_PORT": str(_PREFECT_PORT),
    "PREFECT_HOME": str(_SESSION_DIR / "prefect"),
    "PREFECT_API_URL": f"http://127.0.0.1:{_PREFECT_PORT}/api",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": "0.5",
    # Every test service, receiver and mail server listens on loopback. In this process the
    # settings travel explicitly (make_settings admits loopback itself); this is for the
    # processes tests start (CLI, API, worker and flow-run processes), which read their
    # settings from the environment at their start, as in production. The outbound-call
    # policy's own tests build narrower settings per test.
    "LEADMILL_EGRESS_ALLOWED_HOSTS": "127.0.0.1",
})
for _name, _value in FAST_SQLITE_SERVER.items():
    os.environ.setdefault(_name, _value)
# The session's Prefect server is locked like a real one: every client of the session (this
# process, the API and worker processes it starts) presents the same auth string. Export
# PREFECT_API_AUTH_STRING to reuse a locked server with LEADMILL_TEST_PREFECT_PORT.
os.environ.setdefault("PREFECT_API_AUTH_STRING", f"leadmill-tests:{secrets.token_urlsafe(24)}")

import pytest  # noqa: E402

pytest_plugins = ["tests.fixtures.servers", "tests.fixtures.company_site",
                  "tests.fixtures.postgres"]


def pytest_sessionfinish(session, exitstatus):  # noqa: ARG001
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def session_dir() -> Path:
    return _SESSION_DIR


@pytest.fixture(scope="session")
def prefect_port() -> int:
    return _PREFECT_PORT
