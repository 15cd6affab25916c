"""The environment every Leadmill process gives Prefect: where its server is, where its files
live, the auth string that locks it, and the server settings that keep a SQLite-backed server
fast (DESIGN.md, measured).

The Prefect server holds every tenant's runs, parameters, logs and artifacts with no tenant
split, so it never answers without its auth string (Prefect's HTTP basic auth:
`PREFECT_SERVER_API_AUTH_STRING` on the server, `PREFECT_API_AUTH_STRING` in every client).
"""

from __future__ import annotations

import os
import secrets

from storage.settings import LeadmillSettings
from storage.tenancy.secrets import create_secret_file_once

CLIENT_AUTH_VARIABLE = "PREFECT_API_AUTH_STRING"
SERVER_AUTH_VARIABLE = "PREFECT_SERVER_API_AUTH_STRING"

# A SQLite Prefect server fell 30+ s behind after a 1,000-task burst with the defaults;
# these batch sizes and flush intervals cut that to ~3 s.
FAST_SQLITE_SERVER = {
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "500",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_BATCH_SIZE": "500",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_READ_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_FLUSH_INTERVAL": "1",
}


def prefect_api_url(settings: LeadmillSettings) -> str:
    return os.environ.get("PREFECT_API_URL") or f"http://127.0.0.1:{settings.prefect_port}/api"


def prefect_auth_string(settings: LeadmillSettings) -> str:
    """The back office's shared secret: `PREFECT_API_AUTH_STRING` when the environment gives
    one (workers and API processes on other machines, a server someone else started), else
    `<data dir>/prefect-auth.secret`, generated (mode 0600) on the first start."""
    given = os.environ.get(CLIENT_AUTH_VARIABLE) or os.environ.get(SERVER_AUTH_VARIABLE)
    if given:
        return given
    create_secret_file_once(settings.prefect_auth_file,
                            lambda: f"leadmill:{secrets.token_urlsafe(32)}".encode())
    return settings.prefect_auth_file.read_text().strip()


def prefect_server_environment(settings: LeadmillSettings) -> dict[str, str]:
    """The clients' variables plus what only the server process needs: its auth string."""
    env = prefect_environment(settings)
    return {**env, SERVER_AUTH_VARIABLE: env[CLIENT_AUTH_VARIABLE]}


def prefect_environment(settings: LeadmillSettings) -> dict[str, str]:
    """Variables to set (before Prefect is imported) in every process of the stack."""
    env = {
        CLIENT_AUTH_VARIABLE: prefect_auth_string(settings),
        "PREFECT_HOME": str(settings.prefect_home),
        "PREFECT_API_URL": prefect_api_url(settings),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # no network here, and none wanted
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(settings.prefect_port),
        "PREFECT_UI_API_URL": prefect_api_url(settings),
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "INFO"),
        **FAST_SQLITE_SERVER,
    }
    return env


def apply_prefect_environment(settings: LeadmillSettings) -> None:
    """Set the Prefect variables in this process, keeping any the user set explicitly."""
    for name, value in prefect_environment(settings).items():
        os.environ.setdefault(name, value)
