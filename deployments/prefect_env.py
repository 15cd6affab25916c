"""The environment every Leadmill process gives Prefect: where its server is, where its files
live, and the server settings that keep a SQLite-backed server fast (DESIGN.md, measured)."""

from __future__ import annotations

import os

from storage.settings import LeadmillSettings

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


def prefect_environment(settings: LeadmillSettings) -> dict[str, str]:
    """Variables to set (before Prefect is imported) in every process of the stack."""
    env = {
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
