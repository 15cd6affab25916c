"""Deleted stays deleted and suppressed people stay out, end to end: real commands through the
API (the prospect store and a provider), a recurring search's run, and the warehouse after a
sync, each checked through fresh connections."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import duckdb
import httpx
import pytest
from sqlmodel import Session

from storage.db.engine import engine_for, session_scope
from storage.leads.domains import registrable_domain
from storage.leads.models import Lead
from storage.privacy.suppressions import add_suppressions
from storage.tenancy.demo import DEMO_COMPANY_ID
from storage.tenancy.secrets import load_secret_box
from storage.warehouse.export import export_leads
from storage.workspace.service_settings import set_service
from tests.fixtures.examples import example
from tests.fixtures.providers import ProviderServer, sample_people, start_provider
from tests.fixtures.servers import RunningLeadmill, wait_until

COMMANDS = "/api/agents/sales/leadGeneration"
SITE = "site_456abc"


def request(max_leads: int, sources: list[str] | None = None, site: str = SITE) -> dict:
    body = example(maxLeads=max_leads, siteId=site)
    if sources is not None:
        criteria = copy.deepcopy(body["leadGenData"]["searchCriteria"])
        criteria.pop("minRevenueUSD")
        criteria.pop("maxRevenueUSD")
        criteria["sources"] = sources
        body["leadGenData"]["searchCriteria"] = criteria
    return body


def run(client: httpx.Client, body: dict) -> dict:
    reply = client.post(COMMANDS, json=body)
    assert reply.status_code == 200, reply.text
    command_id = reply.json()["data"]["command_id"]

    def finished() -> dict | None:
        data = client.get(f"{COMMANDS}/status/{command_id}").json()["data"]
        return data if data["status"] != "processing" else None

    status = wait_until(finished, 120, "command did not finish")
    assert status["status"] == "completed", status
    return status


def suppress(leadmill: RunningLeadmill, client_id: str | None = None, **values: list[str]) -> None:
    box = load_secret_box(leadmill.settings)
    with session_scope(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        assert not add_suppressions(session, box, DEMO_COMPANY_ID, client_id, values,
                                    None).invalid


def management(leadmill: RunningLeadmill) -> httpx.Client:
    tokens = httpx.post(f"{leadmill.base_url}/api/auth", json={
        "username": leadmill.credentials["username"],
        "password": leadmill.credentials["password"]}).json()["tokens"]
    return httpx.Client(base_url=f"{leadmill.base_url}/api", timeout=30,
                        headers={"Authorization": f"Bearer {tokens['accessToken']}"})


def domain_of(lead: dict) -> str:
    return registrable_domain(lead.get("website")) or lead["email"].rpartition("@")[2]


def test_a_deleted_lead_stays_deleted_everywhere(leadmill: RunningLeadmill) -> None:
    from flows.warehouse_sync import warehouse_sync

    with leadmill.client() as client, management(leadmill) as api:
        first = run(client, request(5))
        ids = [lead["id"] for lead in first["leads_generated"]]
        gone = first["leads_generated"][0]
        assert api.request("DELETE", "/leads", params={"id": gone["id"]}).json()["deleted"] == 1
        # The old command no longer lists it, counts it or sums it up.
        old = client.get(f"{COMMANDS}/status/{first['command_id']}").json()["data"]
        page = client.get(f"{COMMANDS}/leads/{first['command_id']}").json()["data"]
        # The same search again: the person is recognised and skipped, the next best takes
        # the place.
        second = run(client, request(5))
        warehouse_sync(str(leadmill.settings.data_dir))
        territory = api.get("/territory-workbench/companies", params={"client_id": SITE}).json()
        bulk = api.get("/enrich-leads/list", params={"companyId": DEMO_COMPANY_ID,
                                                     "limit": 5000}).json()
    assert [lead["id"] for lead in old["leads_generated"]] == ids[1:]
    assert old["summary"]["total_leads"] == 4
    assert page["pagination"]["total"] == 4 and gone["id"] not in {
        lead["id"] for lead in page["leads"]}
    again = [lead["id"] for lead in second["leads_generated"]]
    assert gone["id"] not in again and len(again) == 5
    assert set(ids[1:]) <= set(again)
    assert second["summary"]["deleted_skipped"] == 1
    assert second["summary"]["total_leads"] == 5
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        assert session.get(Lead, gone["id"]).deleted_at is not None
    # The warehouse after the sync: not in the views, the export or the territory counts.
    with duckdb.connect(str(leadmill.settings.warehouse_db), read_only=True) as con:
        in_view = con.execute("SELECT count(*) FROM leads WHERE id = ?", [gone["id"]]).fetchall()[0]
        synced = con.execute("SELECT count(*) FROM leads WHERE site_id = ?", [SITE]).fetchall()[0]
        exported = export_leads(con, leadmill.settings.data_dir / "export.csv", site_id=SITE)
    live = set(ids[1:]) | set(again)  # the four kept and the one that took the place
    assert in_view == (0,) and synced == (len(live),) and exported == len(live) == 5
    assert gone["id"] not in (leadmill.settings.data_dir / "export.csv").read_text()
    counts = {row["companyName"]: row["leadCount"] for row in territory["companies"]}
    assert sum(counts.values()) == len(live)
    assert gone["id"] not in {lead["id"] for lead in bulk["items"]} and bulk["count"] == 5


def test_suppressed_addresses_and_domains_stay_out_of_prospect_store_commands(
        leadmill: RunningLeadmill) -> None:
    with leadmill.client() as client:
        first = run(client, request(6, ["prospects"]))
        leads = first["leads_generated"]
        domains = [domain_of(lead) for lead in leads]
        listed = leads[0]
        blocked = next(lead for lead in leads[1:] if domains.count(domain_of(lead)) == 1
                       and domain_of(lead) != domain_of(listed))
        suppress(leadmill, emails=[listed["email"].upper()], domains=[domain_of(blocked)])
        second = run(client, request(6, ["prospects"]))
    again = second["leads_generated"]
    assert len(again) == 6
    assert listed["email"] not in {lead["email"] for lead in again}
    assert domain_of(blocked) not in {domain_of(lead) for lead in again}
    assert second["summary"]["suppressed"] >= 2
    assert first["summary"]["suppressed"] == 0


@pytest.fixture
def apollo() -> Iterator[ProviderServer]:
    people = sample_people(3) + [
        {**person, "id": f"b{at}", "company": "Brightfold", "domain": "brightfold.test",
         "org_id": "o2", "email": person["email"].replace("quillworks", "brightfold"),
         "linkedin": person["linkedin"] + "-b"}
        for at, person in enumerate(sample_people(3))]
    server = start_provider("apollo", people)
    yield server
    server.stop()


def test_suppression_reaches_a_providers_people(leadmill: RunningLeadmill,
                                                apollo: ProviderServer) -> None:
    box = load_secret_box(leadmill.settings)
    with session_scope(leadmill.app.state.engine) as session:
        set_service(session, box, company_id=DEMO_COMPANY_ID, service="apollo",
                    url=apollo.url, api_key="test-key")
    listed = sample_people(3)[0]["email"]
    suppress(leadmill, emails=[listed], domains=["https://www.Brightfold.test/"])
    with leadmill.client() as client:
        status = run(client, request(6, ["apollo"]))
    emails = {lead["email"] for lead in status["leads_generated"]}
    assert apollo.requests
    assert emails == {person["email"] for person in sample_people(3)[1:]}
    assert status["summary"]["suppressed"] == 4  # one address, three people at the domain


def test_a_recurring_search_leaves_out_a_clients_suppressed_people(
        leadmill: RunningLeadmill) -> None:
    from flows.recurring_search import recurring_search

    with management(leadmill) as api:
        other = api.post("/clients", json={"clientName": "Preview"}).json()["client"]["client_id"]
    with leadmill.client() as client:
        # The same search for another client shows who the recurring run would choose.
        preview = run(client, request(4, ["prospects"], site=other))["leads_generated"]
        first = preview[0]
        suppress(leadmill, client_id=SITE, emails=[first["email"]])
        schedule = client.post("/api/agents/sales/schedules", json={
            "name": "CTOs", "command": request(4, ["prospects"]), "interval_seconds": 3600,
        }).json()["data"]
        outcome = recurring_search(schedule["schedule_id"], str(leadmill.settings.data_dir),
                                   timeout_seconds=120)
        assert outcome["state"] == "COMPLETED", outcome
        status = client.get(f"{COMMANDS}/status/{outcome['command_id']}").json()["data"]
        # The entry is the client's: the other client's search still finds the person.
        again = run(client, request(4, ["prospects"], site=other))["leads_generated"]
    emails = [lead["email"] for lead in status["leads_generated"]]
    assert len(emails) == 4 and first["email"] not in emails
    assert emails[:3] == [lead["email"] for lead in preview[1:]]
    assert status["summary"]["suppressed"] == 1
    assert first["email"] in {lead["email"] for lead in again}
