"""The agent API's leads (openapi.json under /api/agent) over real HTTP: the same leads as
/api/leads, `page`/`pageSize` pages with `pagination`, single and batch creation (100 at most),
either credential (Bearer JWT or API key), another company seeing nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.api.management.test_lead_lists_and_fields import new_campaign
from tests.api.management.test_management_leads import bearer, new_client
from tests.api.tenant_helpers import create_tenant


def person(n: int, **fields: str) -> dict[str, str]:
    return {"firstName": f"Agent{n}", "lastName": "Lead", "email": f"agent{n}@example.com",
            **fields}


@pytest.fixture
def agent(leadmill) -> httpx.Client:
    with httpx.Client(base_url=f"{leadmill.base_url}/api", headers=bearer(leadmill),
                      timeout=60) as client:
        yield client


def test_agent_leads_are_leads_created_listed_and_batched(leadmill, agent) -> None:
    client_id = new_client(agent)
    campaign = new_campaign(agent)
    created = agent.post("/agent/leads", json={
        **person(0, fullName="Agent Zero", contactName="Agent Z", companyName="Northwind",
                 title="CTO", notes="from an agent"),
        "client_id": client_id, "campaignId": campaign})
    assert created.status_code == 201, created.text
    lead = created.json()["data"]
    assert created.json()["lead"] == lead
    assert (lead["client_id"], lead["campaignId"], lead["contactName"], lead["fullName"]) == (
        client_id, campaign, "Agent Z", "Agent Zero")
    # The same lead through /api/leads (one model underneath).
    same = agent.get("/leads", params={"id": lead["id"]}).json()["lead"]
    assert same["notes"] == "from an agent" and same["title"] == "CTO"

    # Without client_id: the company's default client.
    loose = agent.post("/agent/leads", json=person(1))
    assert loose.status_code == 201, loose.text
    assert loose.json()["data"]["client_id"] == "default-client"
    clients = agent.get("/clients").json()["clients"]
    assert "default-client" in [client["client_id"] for client in clients]

    for body, error_type in ((person(2, email=""), "invalid_value"),
                             ({"firstName": "No", "lastName": "Email"}, "missing_required_field"),
                             ({**person(3), "titel": "CTO"}, "invalid_format"),
                             (person(0) | {"client_id": client_id}, "already_exists")):
        refused = agent.post("/agent/leads", json=body)
        assert refused.json()["errorType"] == error_type, refused.text
        assert refused.status_code == (409 if error_type == "already_exists" else 400)

    batch = agent.post("/agent/leads/batch", json={"leads": [
        person(n, client_id=client_id) for n in range(10, 110)]})
    assert batch.status_code == 201, batch.text
    assert batch.json()["created"] == 100 and batch.json()["skipped"] == []
    assert len(batch.json()["data"]) == 100
    too_many = agent.post("/agent/leads/batch", json={"leads": [
        person(n) for n in range(200, 301)]})
    assert too_many.status_code == 400 and too_many.json()["errorType"] == "invalid_value"
    assert too_many.json()["details"]["field"] == "leads"
    mixed = agent.post("/agent/leads/batch", json={"leads": [
        person(400), {"firstName": "x"}, person(401, campaignId="no-such-campaign")]})
    assert mixed.status_code == 201 and mixed.json()["created"] == 1, mixed.text
    assert [(entry["index"], entry["errorType"]) for entry in mixed.json()["skipped"]] == [
        (1, "missing_required_field"), (2, "not_found")]
    assert mixed.json()["skipped"][1]["details"]["field"] == "leads[2].campaignId"

    listed = agent.get("/agent/leads").json()
    assert listed["success"] and len(listed["data"]) == 20
    assert listed["pagination"] == {"page": 1, "pageSize": 20, "totalItems": 103,
                                    "totalPages": 6, "nextToken": listed["pagination"][
                                        "nextToken"]}
    last = agent.get("/agent/leads", params={"page": 6, "pageSize": 20}).json()
    assert len(last["data"]) == 3 and last["pagination"]["page"] == 6
    by_campaign = agent.get("/agent/leads", params={"campaignId": campaign}).json()
    assert [item["id"] for item in by_campaign["data"]] == [lead["id"]]
    by_client = agent.get("/agent/leads", params={"client_id": "default-client"}).json()
    assert by_client["pagination"]["totalItems"] == 2  # persons 1 and 400
    assert agent.get("/agent/leads", params={"status": "new", "pageSize": 1}).json()[
        "pagination"]["totalItems"] == 103

    # An API key of another company sees none of them, and cannot use this company's client.
    other = create_tenant(leadmill.settings)
    with other.client(f"{leadmill.base_url}/api") as theirs:
        assert theirs.get("/agent/leads").json()["pagination"]["totalItems"] == 0
        refused = theirs.post("/agent/leads", json={**person(500), "client_id": client_id})
        assert refused.status_code == 404 and refused.json()["errorType"] == "not_found"
    anonymous = httpx.get(f"{leadmill.base_url}/api/agent/leads")
    assert anonymous.status_code == 401
