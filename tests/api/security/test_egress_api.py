"""Issue 12's attack, end to end through the API: a second company points a service at an
internal address to read what the Prefect server (or any loopback service) holds.

- a literal private address, in any spelling, is refused when saved (400, the field named);
- a DNS name that resolves to loopback is saved, then refused when called: the run records
  the refusal, the canary receives nothing, the lead gets no field;
- a webhook to such a name: the delivery log records the refusal;
- the allow-list (`host:port`) still lets the real service through.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.protocol_servers import start_enrichment_service
from tests.api.tenant_helpers import add_lead, create_tenant
from tests.fixtures.egress import attack_dns, canary, start_dripper
from tests.fixtures.examples import example
from tests.fixtures.servers import make_settings, start_in_thread, wait_until

__all__ = ["attack_dns", "canary"]  # fixtures

REFUSAL = "refused by the outbound-call policy"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELED"}


@pytest.fixture
def service():
    server = start_enrichment_service({"/firmographics": (200, {"employees": 120})})
    yield server
    server.stop()


@pytest.fixture
def dripper():
    server = start_dripper(headers_too=True)
    yield server
    server.stop()


@pytest.fixture
def app(tmp_path, prefect_server, sample_prospect_dir, database_url, attack_dns, service,
        dripper) -> Iterator:
    """An instance whose only way through the policy is the real service's `host:port`; names
    are resolved by the attacker's DNS server. Its flows run with the same settings (the
    API process's runtime)."""
    allowed = f"127.0.0.1:{service.server.server_address[1]},127.0.0.1:{dripper.port}"
    nameservers = f"127.0.0.1:{attack_dns.port}"
    settings = make_settings(tmp_path / "data", sample_prospect_dir, database_url=database_url,
                             webhook_allowed_hosts="", egress_allowed_hosts=allowed,
                             egress_nameservers=nameservers, webhook_timeout_seconds=2.0)
    running = start_in_thread(settings)
    yield running
    running.stop()


def finished(http, run_id: str) -> dict:
    def status() -> dict | None:
        reply = http.get("/api/trigger-task-status", params={"runId": run_id}).json()
        return reply if reply["status"] in FINAL else None
    return wait_until(status, 90, f"run {run_id} did not finish", every=0.3)


@pytest.mark.parametrize("field", ["enrichment1", "companyUrl", "aiChat"])
@pytest.mark.parametrize("host", ["2130706433", "127.1", "0x7f000001", "[::ffff:127.0.0.1]",
                                  "169.254.169.254", "localhost"])
def test_a_private_literal_service_url_is_refused_when_saved(app, canary, field, host) -> None:
    tenant = create_tenant(app.settings, "Company B")
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/settings/url", json={
            field: f"http://{host}:{canary.port}/api/artifacts/filter"})
    assert reply.status_code == 400, reply.text
    payload = reply.json()
    assert payload["success"] is False and payload["details"]["field"] == field
    assert REFUSAL in payload["details"]["issue"]
    assert canary.connections == []


def test_a_name_resolving_to_loopback_is_refused_when_the_enrichment_runs(app, canary, service,
                                                                         attack_dns) -> None:
    tenant = create_tenant(app.settings, "Company B")
    lead_id = add_lead(app.settings, tenant)
    with tenant.client(app.base_url) as http:
        saved = http.post("/api/settings/url", json={
            "enrichment1": f"http://inside.evil.test:{canary.port}/api/artifacts/filter",
            "enrichment2": f"{service.url}/firmographics"})
        assert saved.status_code == 201, saved.text
        body = http.post("/api/leads/process/enrich", json={
            "leadId": lead_id, "services": ["enrichment1", "enrichment2"]}).json()
        status = finished(http, body["runIds"][0])
        lead = http.get("/api/leads", params={"id": lead_id}).json()
    assert status["status"] == "FAILED"
    assert "enrichment1" in status["error"] and REFUSAL in status["error"]
    assert "inside.evil.test resolves to 127.0.0.1" in status["error"]
    assert canary.connections == []
    assert "company A" not in str(lead)
    # A refusal is final: the task is not retried (one lookup, not one per retry).
    assert attack_dns.queries.count(("inside.evil.test", "A")) == 1
    # The allowed service (its host:port is on the list) still answered.
    assert len(service.requests) == 1


def first_webhook_attempt(http, url: str) -> dict:
    """Submit a small command whose webhook is `url`; its delivery once the first attempt is
    logged."""
    reply = http.post("/api/agents/sales/leadGeneration",
                      json=example(maxLeads=2, webhook={"url": url}))
    assert reply.status_code == 200, reply.text
    command_id = reply.json()["data"]["command_id"]

    def attempted() -> list | None:
        found = http.get(f"/api/agents/sales/leadGeneration/deliveries/{command_id}").json()
        deliveries = found["data"]["deliveries"]
        return deliveries if deliveries and deliveries[0]["attempt_log"] else None

    [delivery] = wait_until(attempted, 90, "the webhook was never attempted")
    return delivery


def test_a_webhook_to_a_name_resolving_inside_records_the_refusal(app, canary) -> None:
    private = "http://10.0.0.1/hook"
    with app.client() as http:
        refused = http.post("/api/agents/sales/leadGeneration",
                            json=example(maxLeads=2, webhook={"url": private}))
        assert refused.status_code == 400, refused.text
        delivery = first_webhook_attempt(http, f"http://inside.evil.test:{canary.port}/hook")
    error = delivery["attempt_log"][0]["error"]
    assert REFUSAL in error and "127.0.0.1" in error
    assert delivery["attempt_log"][0]["status_code"] is None
    assert canary.connections == []


def test_a_drip_feeding_receiver_holds_no_sender_past_the_deadline(app, dripper) -> None:
    """Issue 13: a receiver sending its status line one byte a second; each read is quick, the
    attempt is not: the webhook timeout (2 s here) is one deadline for the whole attempt."""
    with app.client() as http:
        delivery = first_webhook_attempt(http, f"{dripper.url}/hook")
    attempt = delivery["attempt_log"][0]
    assert "the total deadline of the attempt passed" in attempt["error"]
    assert attempt["status_code"] is None and delivery["status"] != "delivered"
    assert dripper.connections
