"""Leads, bulk lists and company routes of the lead-management API over real HTTP."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlmodel import Session, select

from storage.db.engine import build_engine
from storage.leads.models import Lead, LeadSource, SourceLead
from tests.fixtures.examples import example
from tests.fixtures.servers import wait_until


def bearer(leadmill) -> dict[str, str]:
    tokens = httpx.post(f"{leadmill.base_url}/api/auth", json={
        "username": leadmill.credentials["username"],
        "password": leadmill.credentials["password"]}).json()["tokens"]
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


@pytest.fixture
def api(leadmill) -> httpx.Client:
    with httpx.Client(base_url=f"{leadmill.base_url}/api", headers=bearer(leadmill),
                      timeout=30) as client:
        yield client


def new_client(api: httpx.Client, name: str = "Acme") -> str:
    reply = api.post("/clients", json={"clientName": name})
    assert reply.status_code == 201, reply.text
    return reply.json()["client"]["client_id"]


def add_leads(api: httpx.Client, client_id: str, count: int, tag: str) -> list[str]:
    reply = api.post("/leads", json={"leads": [
        {"client_id": client_id, "firstName": f"P{n}", "lastName": tag,
         "email": f"{tag}{n}@example.com"} for n in range(count)]})
    assert reply.status_code == 201 and reply.json()["created"] == count, reply.text
    return reply.json()["ids"]


def test_pages_never_skip_or_repeat_while_leads_are_added(api) -> None:
    client_id = new_client(api)
    original = set(add_leads(api, client_id, 25, "first"))
    seen: list[str] = []
    token = None
    for round_number in range(10):
        page = api.get("/leads", params={"client_id": client_id, "limit": 7,
                                         **({"nextToken": token} if token else {})}).json()
        seen += [lead["id"] for lead in page["leads"]]
        add_leads(api, client_id, 3, f"during{round_number}")
        token = page["nextToken"]
        if token is None:
            break
    assert len(seen) == len(set(seen)), "a lead was repeated"
    assert original <= set(seen), "a lead was skipped"


def test_command_leads_are_the_same_records(leadmill, api) -> None:
    with leadmill.client() as command_api:
        reply = command_api.post("/api/agents/sales/leadGeneration", json=example(maxLeads=5))
        command_id = reply.json()["data"]["command_id"]
        wait_until(lambda: command_api.get(
            f"/api/agents/sales/leadGeneration/status/{command_id}"
        ).json()["data"]["status"] == "completed", 120, "command did not complete")
        delivered = command_api.get(f"/api/agents/sales/leadGeneration/leads/{command_id}"
                                    ).json()["data"]["leads"]
    listed = api.get("/leads", params={"client_id": "site_456abc", "limit": 1000}).json()
    by_id = {lead["id"]: lead for lead in listed["leads"]}
    assert {lead["id"] for lead in delivered} <= set(by_id)
    first = delivered[0]
    assert by_id[first["id"]]["email"] == first["email"]
    assert by_id[first["id"]]["commandId"] == command_id
    # A person the command found cannot be created twice for the site.
    again = api.post("/leads", json={"client_id": "site_456abc", "email": first["email"]})
    assert again.status_code == 409 and again.json()["errorType"] == "already_exists"


def test_batch_create_reports_what_it_skipped_and_why(api) -> None:
    client_id = new_client(api)
    add_leads(api, client_id, 1, "existing")
    reply = api.post("/leads", json={"leads": [
        {"client_id": client_id, "email": "new@example.com", "firstName": "New"},
        {"client_id": client_id, "email": "NEW@example.com"},
        {"client_id": client_id, "email": "existing0@example.com"},
        {"client_id": "no-such-client", "email": "x@example.com"},
        {"client_id": client_id, "title": "CTO"},
        {"client_id": client_id, "email": "not-an-email"},
        {"firstName": "No client"},
        "not an object",
        {"client_id": client_id, "linkedinUrl": "https://www.linkedin.com/in/Some-One/"},
    ]})
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["created"] == 2
    kinds = {entry["index"]: entry["errorType"] for entry in body["skipped"]}
    assert kinds == {1: "already_exists", 2: "already_exists", 3: "not_found",
                     4: "missing_required_field", 5: "invalid_value",
                     6: "missing_required_field", 7: "invalid_format"}
    assert body["skipped"][5]["details"]["field"] == "leads[6].client_id"
    # A refusal after validation names the item by its place in the request too.
    assert body["skipped"][2]["details"]["field"] == "leads[3].client_id"


def test_deletes_are_soft_and_a_deleted_person_comes_back(leadmill, api) -> None:
    client_id = new_client(api)
    lead_id = add_leads(api, client_id, 1, "soft")[0]
    engine = build_engine(leadmill.settings.sqlalchemy_url)
    with Session(engine) as session:
        before = session.get(Lead, lead_id).updated_at
    assert api.request("DELETE", "/leads", params={"id": lead_id}).json()["deleted"] == 1
    with Session(engine) as session:
        row = session.get(Lead, lead_id)
        assert row.deleted_at is not None and row.updated_at > before
    assert api.get("/leads", params={"id": lead_id}).status_code == 404
    assert api.request("DELETE", "/leads", params={"id": lead_id}).status_code == 404
    revived = api.post("/leads", json={"client_id": client_id, "email": "soft0@example.com",
                                       "title": "Back"})
    assert revived.status_code == 201 and revived.json()["lead"]["id"] == lead_id
    batch = api.request("DELETE", "/leads", json={"ids": [lead_id, "missing-id"]}).json()
    assert batch["deleted"] == 1 and batch["notFound"] == ["missing-id"]
    engine.dispose()


def test_updates_refuse_unknown_ids_and_identity_clashes_without_writing(api) -> None:
    client_id = new_client(api)
    first, second = add_leads(api, client_id, 2, "upd")
    reply = api.put("/leads", json={"leads": [{"id": first, "notes": "x"},
                                              {"id": "missing", "notes": "y"}]})
    assert reply.status_code == 404 and reply.json()["details"]["ids"] == ["missing"]
    assert api.get("/leads", params={"id": first}).json()["lead"]["notes"] is None
    clash = api.put("/leads", json={"id": first, "email": "upd1@example.com"})
    assert clash.status_code == 409 and clash.json()["errorType"] == "conflict"
    moved = api.put("/leads", json={"id": first, "email": "moved@example.com"})
    assert moved.status_code == 200 and moved.json()["lead"]["email"] == "moved@example.com"
    assert api.get("/find-lead", params={"email": "moved@example.com"}).json()["found"]


def test_get_lead_includes_provenance(leadmill, api) -> None:
    client_id = new_client(api)
    lead_id = add_leads(api, client_id, 1, "prov")[0]
    engine = build_engine(leadmill.settings.sqlalchemy_url)
    with Session(engine) as session:
        session.add(LeadSource(id=str(uuid.uuid4()), lead_id=lead_id, source="apollo",
                               source_record_id="ap-1", fields=["email", "title"]))
        session.commit()
    engine.dispose()
    lead = api.get("/leads", params={"id": lead_id}).json()["lead"]
    assert lead["sources"][0]["source"] == "apollo"
    assert lead["sources"][0]["fields"] == ["email", "title"]


def test_bulk_lists_project_fields_and_page_by_token(leadmill, api) -> None:
    first_client, second_client = new_client(api, "One"), new_client(api, "Two")
    add_leads(api, first_client, 4, "bulkone")
    add_leads(api, second_client, 3, "bulktwo")
    key = {"x-api-key": leadmill.credentials["api_key"], "x-user-id": "user_123xyz"}
    base = f"{leadmill.base_url}/api"
    one = httpx.get(f"{base}/enrich-leads/list", headers=key, params={
        "companyId": "company-demo", "clientId": first_client, "fields": "id,email"}).json()
    assert one["count"] == 4 and all(set(item) == {"id", "email"} for item in one["items"])
    seen: list[str] = []
    token = None
    while True:
        params = {"companyId": "company-demo", "clientId": "ALL", "limit": 2,
                  "fields": "id,client_id"}
        page = httpx.get(f"{base}/enrich-leads/list", headers=key,
                         params={**params, **({"nextToken": token} if token else {})}).json()
        seen += [item["id"] for item in page["items"]]
        token = page["nextToken"]
        if not token:
            break
    assert len(seen) == len(set(seen)) >= 7

    engine = build_engine(leadmill.settings.sqlalchemy_url)
    with Session(engine) as session:
        for n in range(3):
            session.add(SourceLead(id=f"src-{n}", company_id="company-demo",
                                   client_id=first_client, source="apify",
                                   full_name=f"Raw {n}", email=f"raw{n}@example.com"))
        session.commit()
        assert session.exec(select(SourceLead)).all()
    engine.dispose()
    raw = httpx.get(f"{base}/source-leads/list", headers=key, params={
        "companyId": "company-demo", "fields": "fullName,email", "limit": 2}).json()
    assert raw["count"] == 2 and raw["nextToken"]
    assert set(raw["items"][0]) == {"fullName", "email"}


@pytest.mark.parametrize(
    ("path", "params", "status", "error_type"),
    [
        # client_id is optional (api_reference.md: all the user's leads); paging is one way.
        ("/leads", {"page": "1", "nextToken": "x"}, 400, "invalid_value"),
        ("/leads", {"pageSize": "1001"}, 400, "invalid_value"),
        ("/leads", {"pageSize": "10", "limit": "20"}, 400, "invalid_value"),
        ("/leads", {"page": "0"}, 400, "invalid_value"),
        ("/find-lead", {"email": "a@b.c", "client_id": "nope"}, 404, "not_found"),
        ("/enrich-leads/list", {"companyId": "company-demo", "fields": "id,aiLeadScor"}, 400,
         "invalid_value"),
        ("/enrich-leads/nope", {}, 404, "not_found"),
        ("/leads", {"client_id": "site_456abc", "limit": "0"}, 400, "invalid_value"),
        ("/leads", {"client_id": "site_456abc", "limit": "1001"}, 400, "invalid_value"),
        ("/leads", {"client_id": "site_456abc", "limit": "ten"}, 400, "invalid_format"),
        ("/leads", {"client_id": "site_456abc", "nextToken": "garbage"}, 400, "invalid_value"),
        ("/leads", {"client_id": "nope"}, 404, "not_found"),
        ("/find-lead", {}, 400, "missing_required_field"),
        ("/enrich-leads/list", {}, 400, "missing_required_field"),
        ("/enrich-leads/list", {"companyId": "company-demo", "limit": "5001"}, 400,
         "invalid_value"),
        ("/enrich-leads/list", {"companyId": "company-demo", "fields": "id,password"}, 400,
         "invalid_value"),
        ("/source-leads/list", {"companyId": "company-demo", "clientId": "nope"}, 404,
         "not_found"),
        ("/clients", {"clientId": "nope"}, 404, "not_found"),
    ],
)
def test_bad_queries_get_the_documented_error(api, path, params, status, error_type) -> None:
    reply = api.get(path, params=params)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "error_type"),
    [
        ("POST", "/leads", {"firstName": "x"}, 400, "missing_required_field"),
        ("POST", "/leads", {"leads": []}, 400, "invalid_value"),
        ("POST", "/leads", {"leads": "x"}, 400, "invalid_value"),
        ("PUT", "/leads", {"notes": "no id"}, 400, "missing_required_field"),
        ("DELETE", "/leads", {"ids": [1]}, 400, "invalid_value"),
        ("POST", "/clients", {"companyURL": "https://x"}, 400, "missing_required_field"),
        ("POST", "/clients", {"clientName": 42}, 400, "invalid_format"),
        ("PUT", "/clients", {"id": "nope", "clientName": "x"}, 404, "not_found"),
        ("PUT", "/company", {"name": ""}, 400, "invalid_value"),
        ("POST", "/company", {"name": "Another"}, 409, "already_exists"),
    ],
)
def test_bad_bodies_get_the_documented_error(api, method, path, body, status,
                                             error_type) -> None:
    reply = api.request(method, path, json=body)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type
    assert reply.json()["recommendation"]


def test_company_owner_manages_users_and_members_cannot(leadmill, api) -> None:
    company = api.get("/company").json()["company"]
    assert company["id"] == "company-demo" and company["yourRole"] == "owner"
    renamed = api.put("/company", json={"name": "Demo Renamed"}).json()["company"]
    assert renamed["name"] == "Demo Renamed"
    member = api.post("/company/users", json={"username": "member@demo.test",
                                              "password": "member-pass", "role": "member"})
    assert member.status_code == 201, member.text
    tokens = httpx.post(f"{leadmill.base_url}/api/auth", json={
        "username": "member@demo.test", "password": "member-pass"}).json()["tokens"]
    as_member = {"Authorization": f"Bearer {tokens['accessToken']}"}
    refused = httpx.put(f"{leadmill.base_url}/api/company", headers=as_member,
                        json={"name": "Mine now"})
    assert refused.status_code == 403
    assert refused.json()["errorType"] == "insufficient_permissions"
    # Members share the company's clients and leads.
    clients = httpx.get(f"{leadmill.base_url}/api/clients", headers=as_member).json()
    assert "site_456abc" in [client["client_id"] for client in clients["clients"]]
    duplicate = api.post("/company/users", json={"username": "member@demo.test",
                                                 "password": "member-pass"})
    assert duplicate.status_code == 409
