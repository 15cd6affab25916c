"""The back office is locked: the Prefect server, which holds every tenant's runs, parameters,
logs and artifacts, answers nothing without the stack's auth string while the stack works."""

from __future__ import annotations

import stat
from base64 import b64encode

import httpx

from deployments.prefect_env import prefect_environment, prefect_server_environment
from storage.settings import LeadmillSettings
from tests.fixtures.examples import example
from tests.fixtures.servers import prefect_auth_headers, wait_until

COMMANDS = "/api/agents/sales/leadGeneration"
# What company B's enrichment URL pointed at in issue 12.
READS = ("/flow_runs/filter", "/artifacts/filter", "/logs/filter")


def _basic(auth_string: str) -> dict[str, str]:
    return {"Authorization": "Basic " + b64encode(auth_string.encode()).decode()}


def test_prefect_refuses_every_caller_without_the_auth_string_while_the_stack_works(
    leadmill, prefect_server
):
    with leadmill.client() as client:
        command_id = client.post(COMMANDS, json=example(maxLeads=2)).json()["data"]["command_id"]

        def finished():
            data = client.get(f"{COMMANDS}/status/{command_id}").json()["data"]
            return data if data["status"] != "processing" else None

        assert wait_until(finished, 90, "command did not finish")["status"] == "completed"
    for path in READS:
        for headers in ({}, _basic("leadmill:guessed"), {"Authorization": "Bearer x"}):
            refused = httpx.post(f"{prefect_server}{path}", json={}, headers=headers)
            assert refused.status_code == 401, (path, headers, refused.text)
            assert command_id not in refused.text
    runs = httpx.post(f"{prefect_server}/flow_runs/filter", headers=prefect_auth_headers(),
                      json={"flow_runs": {"name": {"like_": command_id}}})
    assert runs.status_code == 200
    assert [run["name"] for run in runs.json()] == [f"site_456abc-{command_id}"]
    # Health probes stay open (that is all the stack's start-up check needs).
    assert httpx.get(f"{prefect_server}/health").status_code == 200


def test_the_auth_string_is_generated_once_into_the_data_dir(tmp_path, monkeypatch):
    # Without one given in the environment, as `make run` starts on a fresh machine.
    monkeypatch.delenv("PREFECT_API_AUTH_STRING", raising=False)
    monkeypatch.delenv("PREFECT_SERVER_API_AUTH_STRING", raising=False)
    settings = LeadmillSettings(data_dir=tmp_path / "data")
    first = prefect_environment(settings)
    secret = settings.prefect_auth_file
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert first["PREFECT_API_AUTH_STRING"] == secret.read_text().strip()
    assert len(first["PREFECT_API_AUTH_STRING"]) > 40
    assert "PREFECT_SERVER_API_AUTH_STRING" not in first  # clients never need the server's
    server = prefect_server_environment(settings)
    assert server["PREFECT_SERVER_API_AUTH_STRING"] == first["PREFECT_API_AUTH_STRING"]
    assert prefect_environment(settings) == first  # the next start reuses it
    # A worker on another machine is given the string instead of the file.
    monkeypatch.setenv("PREFECT_API_AUTH_STRING", "leadmill:from-the-operator")
    elsewhere = LeadmillSettings(data_dir=tmp_path / "worker")
    assert prefect_environment(elsewhere)["PREFECT_API_AUTH_STRING"] == "leadmill:from-the-operator"
    assert not elsewhere.prefect_auth_file.exists()

