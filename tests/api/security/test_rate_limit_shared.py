"""Rate limits are global across API processes: two `leadmill api` processes on one operational
database share each credential's window (storage.tenancy.rate_counters)."""

from __future__ import annotations

from pathlib import Path

import httpx

from deployments.stack import prepare_data
from tests.conftest import free_port
from tests.fixtures.servers import make_settings, start_api_process


def test_two_api_processes_enforce_one_window_per_key(
    tmp_path: Path, prefect_server: str, sample_prospect_dir: Path
) -> None:
    first = make_settings(tmp_path / "data", sample_prospect_dir, instance_name="api-one")
    second = first.model_copy(update={"api_port": free_port(), "instance_name": "api-two"})
    credentials = prepare_data(first)
    limits = {"LEADMILL_RATE_LIMIT_PREMIUM": "6", "LEADMILL_RATE_LIMIT_BACKEND": "database"}
    processes = [start_api_process(settings, tmp_path / f"{settings.instance_name}.log", limits)
                 for settings in (first, second)]
    try:
        urls = [f"http://127.0.0.1:{settings.api_port}/api/clients" for settings in (first,
                                                                                  second)]
        key = {"x-api-key": credentials["api_key"]}  # the demo key is premium
        # Alternate between the processes: each alone would allow 6 of these 8.
        replies = [httpx.get(urls[number % 2], headers=key, timeout=30) for number in range(8)]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    assert [reply.status_code for reply in replies] == [200] * 6 + [429] * 2
    assert [reply.headers["X-RateLimit-Remaining"] for reply in replies] == [
        "5", "4", "3", "2", "1", "0", "0", "0"]
    refused = replies[-1]
    assert refused.json()["errorType"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-RateLimit-Limit"] == "6"
