"""Deleted stays deleted, suppressed people stay out: inbound webhooks and prospect imports over
real HTTP skip them (and say so); `POST /api/leads` is the only way a deleted lead comes back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
from sqlmodel import Session, select

from storage.db.engine import engine_for, session_scope
from storage.leads.models import Lead
from storage.privacy.suppressions import add_suppressions
from storage.tenancy.demo import DEMO_COMPANY_ID
from storage.tenancy.secrets import load_secret_box
from tests.fixtures.servers import RunningLeadmill, make_settings, start_in_thread

SITE = "site_456abc"


def suppress(leadmill: RunningLeadmill, client_id: str | None = None, **values: list[str]) -> None:
    """Do-not-contact entries of the demo company (or of one of its clients)."""
    box = load_secret_box(leadmill.settings)
    with session_scope(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        added = add_suppressions(session, box, DEMO_COMPANY_ID, client_id, values, None)
    assert not added.invalid


def site_leads(leadmill: RunningLeadmill) -> dict[str, Lead]:
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:  # fresh connection
        return {lead.email: lead for lead in session.exec(
            select(Lead).where(Lead.site_id == SITE)).all()}


def bearer(leadmill: RunningLeadmill) -> dict[str, str]:
    tokens = httpx.post(f"{leadmill.base_url}/api/auth", json={
        "username": leadmill.credentials["username"],
        "password": leadmill.credentials["password"]}).json()["tokens"]
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


def generic_hook(client: httpx.Client) -> str:
    reply = client.post("/api/webhook-workbench", json={
        "name": "replies", "platform": "generic", "client_id": SITE,
        "platformConfig": json.dumps({"field_mapping": {}})})
    assert reply.status_code == 201, reply.text
    return reply.json()["webhookUrl"]


def test_inbound_webhooks_skip_deleted_and_suppressed_people(leadmill: RunningLeadmill) -> None:
    suppress(leadmill, emails=["Listed@Example.com"], domains=["blocked.example"])
    with leadmill.client() as client:
        url = generic_hook(client)
        first = httpx.post(url, json={"leads": [
            {"email": "gone@example.com", "name": "Gone Person", "company": "Acme"}]})
        assert first.json()["leadsAdded"] == 1, first.text
        gone = site_leads(leadmill)["gone@example.com"]
        deleted = httpx.request("DELETE", f"{leadmill.base_url}/api/leads",
                                params={"id": gone.id}, headers=bearer(leadmill))
        assert deleted.json()["deleted"] == 1, deleted.text
        reply = httpx.post(url, json={"leads": [
            {"email": "gone@example.com", "name": "Gone Person", "company": "Acme",
             "title": "Back again"},                                      # deleted
            {"email": "listed@example.com", "name": "Listed Person"},     # listed address
            {"email": "ceo@blocked.example", "name": "Blocked Person"},   # listed domain
            {"name": "Site Person", "company": "Blocked",
             "website": "https://www.blocked.example/about"},            # domain of website
            {"email": "new@example.com", "name": "New Person"},
        ]})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["leadsAdded"], body["leadsUpdated"], body["leadsReceived"]) == (1, 0, 5)
    assert body["leadsSkipped"] == 4
    assert body["skippedReasons"] == {"deleted": 1, "suppressed": 3}
    leads = site_leads(leadmill)
    assert set(leads) == {"gone@example.com", "new@example.com"}
    assert leads["gone@example.com"].deleted_at is not None          # not revived
    assert leads["gone@example.com"].position is None                 # nor changed


def test_post_leads_recreates_a_deleted_person_afresh(leadmill: RunningLeadmill) -> None:
    headers = bearer(leadmill)
    with httpx.Client(base_url=f"{leadmill.base_url}/api", headers=headers) as api:
        created = api.post("/leads", json={"client_id": SITE, "email": "back@example.com",
                                           "firstName": "Bo", "lastName": "Back",
                                           "notes": "called twice", "status": "contacted"})
        lead_id = created.json()["lead"]["id"]
        assert api.request("DELETE", "/leads", params={"id": lead_id}).json()["deleted"] == 1
        assert api.get("/leads", params={"id": lead_id}).status_code == 404
        again = api.post("/leads", json={"client_id": SITE, "email": "back@example.com",
                                         "firstName": "Bo", "lastName": "Back"})
        assert again.status_code == 201, again.text
        lead = api.get("/leads", params={"id": lead_id}).json()["lead"]
    assert again.json()["lead"]["id"] == lead_id
    # Re-created as the request says: nothing of the deleted record's notes or status.
    assert lead["notes"] is None and lead["status"] == "new"
    assert site_leads(leadmill)["back@example.com"].deleted_at is None


CSV = """Full Name,Title,Work Email,Company Name,Company Domain,LinkedIn
Zed Quill,CTO,zed@quillworks.test,Quillworks,quillworks.test,
Ann Listed,CTO,ann@elsewhere.test,Elsewhere,elsewhere.test,
Ann Listed,CTO,,Elsewhere,elsewhere.test,https://linkedin.com/in/ann-listed
Bob Blocked,VP,bob@blocked.test,Blocked Inc,blocked.test,
Cy Blocked,VP,,Blocked Inc,www.blocked.test,
Dee Linked,VP,,Linked Co,linked.test,https://www.linkedin.com/in/Dee-Linked/
"""


@pytest.fixture
def own_store_leadmill(
    tmp_path: Path, prefect_server: str, sample_prospect_dir: Path, database_url: str | None
) -> Iterator[RunningLeadmill]:
    store = tmp_path / "prospects"
    store.mkdir()
    running = start_in_thread(make_settings(tmp_path / "data", store, database_url=database_url))
    yield running
    running.stop()


def test_imports_skip_the_rows_of_suppressed_people(own_store_leadmill: RunningLeadmill) -> None:
    leadmill = own_store_leadmill
    site = leadmill.credentials["site_id"]
    suppress(leadmill, client_id=site, emails=["ann@elsewhere.test"], domains=["blocked.test"],
             linkedinUrls=["linkedin.com/in/dee-linked"])
    with leadmill.client() as client:
        reply = client.post("/api/prospects/import", content=CSV.encode(),
                            params={"siteId": site, "filename": "crm.csv"},
                            headers={"content-type": "text/csv"})
    assert reply.status_code == 200, reply.text
    data = reply.json()["data"]
    # Suppressed: Ann's listed address, Bob and Cy at the listed domain (Cy by website only),
    # Dee's listed profile. Ann's second row names no listed key: it is imported.
    assert (data["rows_read"], data["imported"], data["suppressed"], data["duplicates"]) == (
        6, 2, 4, 0)
    files = list((leadmill.settings.prospect_dir).rglob("*.parquet"))
    with duckdb.connect() as con:
        names = sorted(row[0] for row in con.execute(
            "SELECT name FROM read_parquet(?)", [[str(f) for f in files]]).fetchall())
    assert names == ["Ann Listed", "Zed Quill"]
