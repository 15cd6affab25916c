"""Owner-based isolation and self-service companies over real HTTP.

Two members of one company (plus its owner) and a user of another company who created it with
`POST /api/company`: members read each other's records, but only a record's owner — or an
owner/admin of the company — may change or delete it; another company sees nothing at all.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage.db.engine import engine_for, session_scope
from storage.leads.models import Lead
from tests.api.tenant_helpers import start_module_instance
from tests.fixtures.servers import process_environment

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("owner"), sample_prospect_dir)
    yield running
    running.stop()


def bearer(base_url: str, username: str, password: str = PASSWORD) -> httpx.Client:
    reply = httpx.post(f"{base_url}/api/auth", json={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    token = reply.json()["tokens"]["accessToken"]
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def add_member(owner: httpx.Client, role: str = "member") -> tuple[str, str]:
    username = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    reply = owner.post("/api/company/users", json={"username": username, "password": PASSWORD,
                                                    "role": role})
    assert reply.status_code == 201, reply.text
    return username, reply.json()["user"]["id"]


def create_user_without_company(app) -> str:
    """`leadmill users create --no-company`, as an operator onboarding a new customer."""
    username = f"founder-{uuid.uuid4().hex[:8]}@example.com"
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "users", "create", "--username", username,
         "--no-company", "--data-dir", str(app.settings.data_dir)],
        env=process_environment(app.settings, LEADMILL_NEW_PASSWORD=PASSWORD),
        capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[3], timeout=120)
    assert done.returncode == 0, done.stderr
    assert "without a company" in done.stdout
    return username


def assert_refused(reply: httpx.Response, status: int, error_type: str) -> None:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"success", "error", "errorType", "details", "recommendation"}
    assert body["success"] is False and body["errorType"] == error_type


@pytest.fixture(scope="module")
def team(app) -> dict:
    """The demo company's owner, two members (alice, bob) and alice's client with 3 leads."""
    owner = bearer(app.base_url, app.credentials["username"], app.credentials["password"])
    alice_name, alice_id = add_member(owner)
    bob_name, bob_id = add_member(owner)
    alice, bob = bearer(app.base_url, alice_name), bearer(app.base_url, bob_name)
    client = alice.post("/api/clients", json={"clientName": "Alice's client"}).json()["client"]
    single = alice.post("/api/leads", json={"client_id": client["client_id"], "firstName": "Ann",
                                            "email": "ann@example.com"})
    assert single.status_code == 201, single.text
    batch = alice.post("/api/leads", json={"leads": [
        {"client_id": client["client_id"], "email": f"l{n}@example.com"} for n in (2, 3)]})
    assert batch.status_code == 201 and batch.json()["created"] == 2, batch.text
    return {"owner": owner, "alice": alice, "bob": bob, "alice_id": alice_id, "bob_id": bob_id,
            "client": client, "leads": [single.json()["lead"]["id"], *batch.json()["ids"]]}


def test_leads_carry_their_creator_as_owner_and_members_read_them(team) -> None:
    listed = team["bob"].get("/api/leads", params={"client_id": team["client"]["client_id"]})
    assert listed.status_code == 200, listed.text
    owners = {lead["id"]: lead["owner"] for lead in listed.json()["leads"]}
    assert owners == {lead_id: team["alice_id"] for lead_id in team["leads"]}
    assert team["client"]["owner"] == team["alice_id"]


def test_a_member_cannot_change_or_delete_another_members_records(team) -> None:
    bob, first, second, third = team["bob"], *team["leads"]
    assert_refused(bob.put("/api/leads", json={"id": first, "notes": "mine now"}),
                   403, "owner_mismatch")
    own = bob.post("/api/leads", json={"client_id": team["client"]["client_id"],
                                       "email": "bob-own@example.com"}).json()["lead"]
    assert own["owner"] == team["bob_id"]
    refused = bob.put("/api/leads", json={"leads": [{"id": own["id"], "notes": "x"},
                                                    {"id": second, "notes": "x"}]})
    assert_refused(refused, 403, "owner_mismatch")
    assert refused.json()["details"]["ids"] == [second]
    assert_refused(bob.delete("/api/leads", params={"id": first}), 403, "owner_mismatch")
    assert_refused(bob.request("DELETE", "/api/leads", json={"ids": [second, third]}),
                   403, "owner_mismatch")
    assert_refused(bob.put("/api/clients", json={"id": team["client"]["id"],
                                                 "clientName": "taken"}), 403, "owner_mismatch")
    assert_refused(bob.delete("/api/clients", params={"id": team["client"]["id"]}),
                   403, "owner_mismatch")
    # Nothing of the refused batch was written, and the leads are all still there.
    mine = bob.get("/api/leads", params={"id": own["id"]}).json()["lead"]
    assert mine["notes"] is None
    listed = bob.get("/api/leads", params={"client_id": team["client"]["client_id"]}).json()
    assert {first, second, third} <= {lead["id"] for lead in listed["leads"]}
    # Bob's own lead is his to change and delete.
    assert bob.put("/api/leads", json={"id": own["id"], "notes": "ok"}).status_code == 200
    assert bob.delete("/api/leads", params={"id": own["id"]}).json()["deleted"] == 1


def test_a_member_cannot_process_another_members_lead(team) -> None:
    first = team["leads"][0]
    for path, body in (("/api/leads/process/sdr", {"fields": ["message1"]}),
                       ("/api/leads/process/enrich", {"services": ["companyUrl"]}),
                       ("/api/leads/process/copyright", {"processes": [1]})):
        assert_refused(team["bob"].post(path, json={"leadId": first, **body}),
                       403, "owner_mismatch")
    trigger = team["bob"].post("/api/trigger", json={
        "task": "lead-sdr", "payload": {"leadId": first, "fields": ["message1"]}})
    assert_refused(trigger, 403, "owner_mismatch")


def test_owner_admin_and_the_creator_may_change_a_record(team) -> None:
    first, second, third = team["leads"]
    owner, alice = team["owner"], team["alice"]
    changed = owner.put("/api/leads", json={"id": first, "notes": "by the company owner"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["lead"]["owner"] == team["alice_id"]  # changing is not taking over
    assert alice.put("/api/leads", json={"id": second, "title": "CTO"}).status_code == 200
    assert owner.delete("/api/leads", params={"id": third}).json()["deleted"] == 1


def test_api_keys_act_as_their_owner(app, team) -> None:
    issued = team["bob"].post("/api/agent-api-keys", json={"name": "bob's agent"})
    key = issued.json()["apiKey"]
    with httpx.Client(base_url=app.base_url, timeout=30,
                      headers={"x-api-key": key, "x-user-id": team["bob_id"]}) as agent:
        lead = agent.post("/api/leads", json={"client_id": team["client"]["client_id"],
                                              "email": "agent@example.com"}).json()["lead"]
        assert lead["owner"] == team["bob_id"]
        assert_refused(agent.put("/api/leads", json={"id": team["leads"][0], "notes": "x"}),
                       403, "owner_mismatch")
        assert agent.put("/api/leads", json={"id": lead["id"], "notes": "x"}).status_code == 200


def test_pipeline_leads_have_no_owner_and_any_member_may_change_them(app, team) -> None:
    lead_id = str(uuid.uuid4())
    with session_scope(engine_for(app.settings.sqlalchemy_url)) as session:
        session.add(Lead(id=lead_id, company_id="company-demo",
                         site_id=team["client"]["client_id"], dedupe_key=f"test:{lead_id}",
                         name="Found By Pipeline", source="sample"))
    read = team["bob"].get("/api/leads", params={"id": lead_id}).json()["lead"]
    assert read["owner"] is None
    assert team["bob"].put("/api/leads", json={"id": lead_id, "notes": "x"}).status_code == 200


def test_a_member_cannot_update_another_members_search(team) -> None:
    search = team["alice"].post("/api/search-history", json={"searchName": "SaaS in SF"})
    assert search.status_code == 201, search.text
    search_id = search.json()["searchHistory"]["id"]
    assert_refused(team["bob"].put("/api/search-history", json={"id": search_id,
                                                                 "status": "failed"}),
                   403, "owner_mismatch")
    assert team["alice"].put("/api/search-history", json={"id": search_id,
                                                          "status": "running"}).status_code == 200


def test_user_without_company_creates_one_and_sees_nothing_of_others(app, team) -> None:
    founder = bearer(app.base_url, create_user_without_company(app))
    assert_refused(founder.get("/api/company"), 404, "not_found")
    assert_refused(founder.get("/api/clients"), 403, "insufficient_permissions")
    assert_refused(founder.post("/api/company", json={}), 400, "missing_required_field")
    created = founder.post("/api/company", json={"name": "Founder Labs"})
    assert created.status_code == 201, created.text
    company = created.json()["company"]
    assert company["name"] == "Founder Labs" and company["yourRole"] == "owner"
    assert [member["role"] for member in company["members"]] == ["owner"]
    assert founder.get("/api/company").json()["company"]["id"] == company["id"]
    assert_refused(founder.post("/api/company", json={"name": "Second"}), 409, "already_exists")
    assert_refused(team["alice"].post("/api/company", json={"name": "Mine"}), 409,
                   "already_exists")
    # Another company: the first company's records are not found, not forbidden.
    assert founder.get("/api/clients").json()["clients"] == []
    first = team["leads"][0]
    assert_refused(founder.get("/api/leads", params={"id": first}), 404, "not_found")
    assert_refused(founder.put("/api/leads", json={"id": first, "notes": "x"}), 404, "not_found")
    assert_refused(founder.delete("/api/clients", params={"id": team["client"]["id"]}),
                   404, "not_found")
