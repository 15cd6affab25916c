"""Outbound webhooks over real HTTP: retries with backoff, attempts on record, the deliveries
route, redelivery by hand, the failed event, and the documented Node.js verifier."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tasks.delivery.webhook_sender import retry_schedule
from tests.fixtures.examples import example
from tests.fixtures.servers import make_settings, start_in_thread, wait_until
from tests.tasks.delivery.test_webhook_format import NODE_CHECK

ROUTE = "/api/agents/sales/leadGeneration"
SECRET = "whsec-Zoë-✓"


# Retries exhaust within seconds here: 0.05 · (1 + 3 + 9 + 27 + 81) ≈ 6 s at most.
FAST_RETRY_BASE = 0.05


@pytest.fixture
def leadmill_overrides() -> dict:
    return {"webhook_retry_base_seconds": FAST_RETRY_BASE}


def submit(client, body) -> str:
    response = client.post(ROUTE, json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]["command_id"]


def deliveries(client, command_id: str) -> list[dict]:
    response = client.get(f"{ROUTE}/deliveries/{command_id}")
    assert response.status_code == 200, response.text
    return response.json()["data"]["deliveries"]


def settled(client, command_id: str, status: str = "delivered"):
    def check():
        found = deliveries(client, command_id)
        return found if found and all(d["status"] == status for d in found) else None

    return wait_until(check, 60, f"deliveries of {command_id} never became {status}")


def node_accepts(requests: list[dict], secret: str) -> list[bool]:
    cases = [{"body": r["body"].decode(), "signature": r["headers"]["uncodie-signature"],
              "secret": secret} for r in requests]
    result = subprocess.run(["node", "-e", NODE_CHECK], input=json.dumps(cases), text=True,
                            capture_output=True, check=True, timeout=60)
    return json.loads(result.stdout)


def test_receiver_failing_four_times_gets_exactly_one_more_delivery_after_backoff(
    leadmill, receiver_factory
):
    receiver = receiver_factory(responses=[503, 500, 502, 504])
    metadata = {"campaign": "spring", "10": 1, "2": 2.0, "note": "Zoë ✓ \u2028"}
    with leadmill.client() as client:
        command_id = submit(client, example(maxLeads=3, webhook={
            "url": receiver.url, "secret": SECRET, "metadata": metadata}))
        [delivery] = settled(client, command_id)
        status = client.get(f"{ROUTE}/status/{command_id}").json()["data"]
    assert len(receiver.requests) == 5
    assert {r["headers"]["uncodie-event-id"] for r in receiver.requests} == {
        delivery["delivery_id"]}
    assert len({r["body"] for r in receiver.requests}) == 1  # the same signed body each time
    # Exponential backoff: each wait is at least the schedule's delay less its jitter.
    schedule = retry_schedule(leadmill.settings.webhook_retry_base_seconds)
    times = [request["at"] for request in receiver.requests]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert all(gap >= schedule[n] * 0.8 for n, gap in enumerate(gaps)), gaps
    assert delivery["attempts"] == 5 and delivery["last_status_code"] == 200
    assert [a["status_code"] for a in delivery["attempt_log"]] == [503, 500, 502, 504, 200]
    assert all(a["latency_ms"] >= 0 and a["started_at"] for a in delivery["attempt_log"])
    assert delivery["attempt_log"][0]["error"] == "HTTP 503"
    assert status["status"] == "completed"
    assert status["webhook_deliveries"][0]["status"] == "delivered"
    assert SECRET not in json.dumps(status) and SECRET not in json.dumps(delivery)
    payload = json.loads(receiver.requests[-1]["body"])
    assert payload["event"] == "lead_generation.completed"
    assert payload["metadata"] == metadata and payload["data"]["leads_count"] == 3
    if shutil.which("node"):
        assert node_accepts(receiver.requests, SECRET) == [True] * 5


def test_delivery_fails_after_six_attempts_and_is_redelivered_by_hand(leadmill, receiver_factory):
    receiver = receiver_factory(responses=[500] * 6)
    with leadmill.client() as client:
        command_id = submit(client, example(maxLeads=2, webhook={"url": receiver.url}))
        [failed] = settled(client, command_id, "failed")
        assert failed["attempts"] == 6 and failed["last_error"] == "HTTP 500"
        assert len(receiver.requests) == 6
        again = client.post(f"{ROUTE}/deliveries/{failed['delivery_id']}/redeliver")
        assert again.status_code == 202, again.text
        assert again.json()["data"]["status"] == "pending"
        [done] = settled(client, command_id)
        refused = client.post(f"{ROUTE}/deliveries/{failed['delivery_id']}/redeliver")
        unknown = client.post(f"{ROUTE}/deliveries/evt_nope/redeliver")
        no_command = client.get(f"{ROUTE}/deliveries/cmd_nope")
    assert done["attempts"] == 7 and len(receiver.requests) == 7
    assert {r["headers"]["uncodie-event-id"] for r in receiver.requests} == {
        failed["delivery_id"]}
    assert "uncodie-signature" not in receiver.requests[0]["headers"]  # no secret, no signature
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["field"] == "delivery_id"
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "DELIVERY_NOT_FOUND"
    assert no_command.status_code == 404
    assert no_command.json()["error"]["code"] == "COMMAND_NOT_FOUND"


def test_deliveries_require_an_api_key(leadmill):
    with leadmill.client(api_key="wrong") as client:
        response = client.get(f"{ROUTE}/deliveries/cmd_x")
    assert response.status_code == 401


def test_failed_command_sends_a_signed_failed_event(
    tmp_path, prefect_server, sample_prospect_dir, receiver_factory, database_url
):
    data_dir = tmp_path / "data"
    prospects = data_dir / "prospects"
    prospects.mkdir(parents=True)
    (prospects / "broken.parquet").write_bytes(b"PAR1 this is not a parquet file")
    running = start_in_thread(make_settings(data_dir, sample_prospect_dir,
                                            database_url=database_url))
    receiver = receiver_factory()
    try:
        with running.client() as client:
            command_id = submit(client, example(maxLeads=3, webhook={
                "url": receiver.url, "secret": SECRET, "metadata": {"run": 1.5}}))
            [delivery] = settled(client, command_id)
            status = client.get(f"{ROUTE}/status/{command_id}").json()["data"]
    finally:
        running.stop()
    assert status["status"] == "failed"
    assert delivery["event"] == "lead_generation.failed"
    [request] = receiver.requests
    payload = json.loads(request["body"])
    assert payload["event"] == "lead_generation.failed"
    assert payload["command_id"] == command_id and payload["metadata"] == {"run": 1.5}
    assert payload["data"]["status"] == "failed" and payload["data"]["stage"] == "research"
    assert payload["data"]["error"]["code"] == "SYSTEM_ERROR"
    assert request["headers"]["uncodie-event"] == "lead_generation.failed"
    if shutil.which("node"):
        assert node_accepts([request], SECRET) == [True]


@pytest.mark.parametrize("url", ["http://10.0.0.8/hook", "http://localhost:9/hook"])
def test_private_targets_are_refused_unless_allowed(leadmill, url):
    with leadmill.client() as client:
        response = client.post(ROUTE, json=example(webhook={"url": url}))
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "webhook.url"
