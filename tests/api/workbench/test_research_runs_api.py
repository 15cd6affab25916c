"""The Apify-style scrape: a research-only flow run whose finds become source leads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from storage.db.engine import session_scope
from storage.leads.models import SourceLead
from tests.fixtures.providers import ProviderServer, sample_people, start_provider
from tests.fixtures.servers import RunningLeadmill, wait_until
from tests.flows.test_research_sources import _configure

AUDIENCE = {"roles": ["CTO"], "industries": ["software"], "locations": ["United States"]}


@pytest.fixture
def providers() -> Iterator[list[ProviderServer]]:
    started: list[ProviderServer] = []
    yield started
    for server in started:
        server.stop()


def _scrape(leadmill: RunningLeadmill, body: dict) -> dict:
    with leadmill.client() as client:
        reply = client.post("/api/start-lead-scrape-complete", json=body)
        assert reply.status_code == 202, reply.text
        run_id = reply.json()["data"]["runId"]

        def done() -> dict | None:
            data = client.get("/api/lead-generation-status", params={"runId": run_id}).json()
            return data["data"] if data["data"]["status"] in {"completed", "failed"} else None

        return wait_until(done, 120, "scrape run did not finish")


def test_scrape_run_stores_source_leads(
    leadmill: RunningLeadmill, providers: list[ProviderServer]
) -> None:
    people = sample_people(4)
    apollo = start_provider("apollo", people)
    broken = start_provider("pdl", [], failures=[(503, None)] * 100)
    providers += [apollo, broken]
    _configure(leadmill, apollo=apollo, peopleDataLabs=broken)
    site = leadmill.credentials["site_id"]
    status = _scrape(leadmill, {"clientId": site, "targetAudience": AUDIENCE, "maxLeads": 10,
                                "searchCriteria": {"sources": ["apollo", "peopleDataLabs"]}})
    assert status["status"] == "completed", status
    assert status["sourceLeads"] == 4 and status["flowRunId"]
    assert "HTTP 503" in status["sourceErrors"]["peopleDataLabs"]
    with session_scope(leadmill.app.state.engine) as session:
        rows = session.exec(select(SourceLead).where(SourceLead.run_id == status["runId"])).all()
    assert {(r.source, r.client_id, r.company_name) for r in rows} == {
        ("apollo", site, "Quillworks")}
    assert {r.email for r in rows} == {p["email"] for p in people}


def test_scrape_run_of_the_prospect_store(leadmill: RunningLeadmill) -> None:
    status = _scrape(leadmill, {"siteId": leadmill.credentials["site_id"],
                                "targetAudience": AUDIENCE, "maxLeads": 25})
    assert status["status"] == "completed" and status["sourceLeads"] == 25
    assert status["sourceErrors"] == {}


@pytest.mark.parametrize(("body", "status", "error_type"), [
    ({"targetAudience": AUDIENCE}, 400, "missing_required_field"),
    ({"clientId": "site_nobody", "targetAudience": AUDIENCE}, 404, "not_found"),
    ({"clientId": "{site}"}, 400, "missing_required_field"),
    ({"clientId": "{site}", "targetAudience": AUDIENCE, "maxLeads": 5000}, 400, "invalid_value"),
    ({"clientId": "{site}", "targetAudience": AUDIENCE,
      "searchCriteria": {"sources": ["crunchbase"]}}, 400, "invalid_value"),
])
def test_scrape_requests_are_validated(
    leadmill: RunningLeadmill, body: dict, status: int, error_type: str
) -> None:
    if body.get("clientId") == "{site}":
        body = {**body, "clientId": leadmill.credentials["site_id"]}
    with leadmill.client() as client:
        reply = client.post("/api/start-lead-scrape-complete", json=body)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type


def test_unknown_runs_and_missing_credentials(leadmill: RunningLeadmill) -> None:
    import httpx

    with leadmill.client() as client:
        reply = client.get("/api/lead-generation-status", params={"runId": "run_nope"})
        assert reply.status_code == 404 and reply.json()["errorType"] == "not_found"
        assert client.get("/api/lead-generation-status").status_code == 400
    reply = httpx.post(f"{leadmill.base_url}/api/start-lead-scrape-complete",
                       json={"clientId": "x", "targetAudience": AUDIENCE})
    assert reply.status_code == 401
