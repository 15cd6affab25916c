"""The agent API of openapi.json over real HTTP: `/api/agent/campaigns` (GET, POST) and
`/api/agent/clients` (GET) — numbered pages, filters and their validation, the same records
as `/api/campaigns` and `/api/clients`, and tenant isolation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.tenant_helpers import Tenant, create_tenant, start_module_instance

PAGINATION = {"totalItems", "totalPages", "page", "pageSize"}


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("agent"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture
def tenant(app) -> Tenant:
    return create_tenant(app.settings, "Agent Co")


def test_created_campaigns_are_the_ones_of_api_campaigns(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        created = http.post("/api/agent/campaigns", json={
            "name": "Q3 Expansion", "campaignType": "abm", "status": "active",
            "client_id": tenant.client_id, "description": "EMEA accounts"})
        assert created.status_code == 201, created.text
        body = created.json()
        listed = http.get("/api/campaigns").json()["campaigns"]
        one = http.get("/api/campaigns", params={"id": body["id"]}).json()["campaign"]
    assert body["success"] is True and body["id"] == body["data"]["id"]
    assert {key: body["data"][key] for key in ("name", "status", "campaignType", "client_id",
                                               "company_id")} == {
        "name": "Q3 Expansion", "status": "active", "campaignType": "abm",
        "client_id": tenant.client_id, "company_id": tenant.company_id}
    assert [c["id"] for c in listed] == [body["id"]] and one == body["data"]


def test_campaigns_come_in_numbered_pages_filtered_by_status_and_type(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        for number in range(25):
            http.post("/api/agent/campaigns", json={
                "name": f"c{number:02}", "campaignType": "nurture" if number % 5 else "abm",
                "status": "active" if number < 3 else "draft"}).raise_for_status()
        first = http.get("/api/agent/campaigns").json()
        last = http.get("/api/agent/campaigns", params={"page": 3, "pageSize": 10}).json()
        active = http.get("/api/agent/campaigns", params={"status": "active"}).json()
        abm_drafts = http.get("/api/agent/campaigns",
                              params={"campaignType": "abm", "status": "draft"}).json()
        archived = http.get("/api/agent/campaigns", params={"status": "archived"}).json()
    assert first["success"] is True and set(first) == {"success", "data", "pagination"}
    assert len(first["data"]) == 20 and first["data"][0]["name"] == "c24"
    assert first["pagination"] == {"totalItems": 25, "totalPages": 2, "page": 1, "pageSize": 20}
    assert [c["name"] for c in last["data"]] == [f"c{n:02}" for n in range(4, -1, -1)]
    assert last["pagination"] == {"totalItems": 25, "totalPages": 3, "page": 3, "pageSize": 10}
    assert [c["name"] for c in active["data"]] == ["c02", "c01", "c00"]
    assert [c["name"] for c in abm_drafts["data"]] == ["c20", "c15", "c10", "c05"]
    assert archived == {"success": True, "data": [], "pagination": {
        "totalItems": 0, "totalPages": 0, "page": 1, "pageSize": 20}}


@pytest.mark.parametrize(("method", "path", "body", "params", "status", "error_type", "field"), [
    ("GET", "/api/agent/campaigns", None, {"status": "live"}, 400, "invalid_value", "status"),
    ("GET", "/api/agent/campaigns", None, {"campaignType": "outbound"}, 400, "invalid_value",
     "campaignType"),
    ("GET", "/api/agent/campaigns", None, {"page": "0"}, 400, "invalid_value", "page"),
    ("GET", "/api/agent/campaigns", None, {"pageSize": "two"}, 400, "invalid_format",
     "pageSize"),
    ("GET", "/api/agent/clients", None, {"pageSize": "0"}, 400, "invalid_value", "pageSize"),
    ("POST", "/api/agent/campaigns", {"name": "x"}, None, 400, "missing_required_field",
     "campaignType"),
    ("POST", "/api/agent/campaigns", {"campaignType": "abm"}, None, 400,
     "missing_required_field", "name"),
    ("POST", "/api/agent/campaigns", {"name": "x", "campaignType": "outbound"}, None, 400,
     "invalid_value", "campaignType"),
    ("POST", "/api/agent/campaigns", {"name": "x", "campaignType": "abm", "status": "paused"},
     None, 400, "invalid_value", "status"),
    ("POST", "/api/agent/campaigns", {"name": "x", "campaignType": "abm", "budget": 1}, None,
     400, "invalid_format", "budget"),
    ("POST", "/api/agent/campaigns", {"name": "x", "campaignType": "abm",
                                      "client_id": "client_acme_corp"}, None, 404,
     "not_found", "client_id"),
])
def test_bad_agent_requests_are_refused(app, tenant, method, path, body, params, status,
                                        error_type, field) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.request(method, path, json=body, params=params)
    assert reply.status_code == status, reply.text
    payload = reply.json()
    assert payload["success"] is False and payload["errorType"] == error_type
    assert payload["details"]["field"] == field


def test_clients_come_in_pages_and_filter_by_name_in_any_case(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        for name in ("Acme Corp", "Globex", "ACME Robotics", "Initech"):
            http.post("/api/clients", json={"clientName": name}).raise_for_status()
        everyone = http.get("/api/agent/clients").json()
        acme = http.get("/api/agent/clients", params={"name": "acme"}).json()
        second = http.get("/api/agent/clients", params={"page": 2, "pageSize": 2}).json()
        literal = http.get("/api/agent/clients", params={"name": "%"}).json()
    names = [c["clientName"] for c in everyone["data"]]
    assert names == ["Agent Co site", "Acme Corp", "Globex", "ACME Robotics", "Initech"]
    assert set(everyone["data"][0]) >= {"id", "client_id", "clientName", "description"}
    assert everyone["pagination"] == {"totalItems": 5, "totalPages": 1, "page": 1,
                                      "pageSize": 20}
    assert [c["clientName"] for c in acme["data"]] == ["Acme Corp", "ACME Robotics"]
    assert acme["pagination"]["totalItems"] == 2
    assert [c["clientName"] for c in second["data"]] == ["Globex", "ACME Robotics"]
    assert second["pagination"] == {"totalItems": 5, "totalPages": 3, "page": 2, "pageSize": 2}
    assert literal["data"] == []  # `name` is text, not a LIKE pattern


def test_another_company_sees_none_of_it(app, tenant) -> None:
    other = create_tenant(app.settings, "Nosy Co")
    with tenant.client(app.base_url) as http:
        http.post("/api/agent/campaigns", json={"name": "secret", "campaignType": "abm"}
                  ).raise_for_status()
    with other.client(app.base_url) as http:
        campaigns = http.get("/api/agent/campaigns").json()
        clients = http.get("/api/agent/clients").json()
        refused = http.post("/api/agent/campaigns", json={
            "name": "x", "campaignType": "abm", "client_id": tenant.client_id})
    assert campaigns["data"] == [] and campaigns["pagination"]["totalItems"] == 0
    assert [c["client_id"] for c in clients["data"]] == [other.client_id]
    assert refused.status_code == 404


def test_the_agent_api_needs_credentials(app) -> None:
    import httpx

    for path in ("/api/agent/campaigns", "/api/agent/clients"):
        reply = httpx.get(f"{app.base_url}{path}")
        assert reply.status_code == 401 and reply.json()["errorType"] == "no_valid_credentials"
