"""`GET /api/clients?clientId=` over real HTTP as the LeadGenius E2E suite uses it: by the
record `id` (what it passes) or the business `client_id`, read as `clients[0]`; and client
bodies that refuse fields nobody names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.tenant_helpers import Tenant, create_tenant, start_module_instance


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("clients"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture
def tenant(app) -> Tenant:
    return create_tenant(app.settings, "Lookup Co")


@pytest.mark.parametrize("by", ["id", "client_id"])
def test_one_client_by_either_id_is_clients_0(app, tenant, by) -> None:
    with tenant.client(app.base_url) as http:
        created = http.post("/api/clients", json={
            "clientName": "__TEST_CLIENT", "companyURL": "https://test-company.example.com",
            "description": "Automated test client"})
        assert created.status_code == 201, created.text
        client = created.json()["client"]
        http.put("/api/clients", json={"id": client["id"], "clientName": "__TEST_UPDATED",
                                       "description": "Updated"}).raise_for_status()
        reply = http.get("/api/clients", params={"clientId": client[by]})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["success"] is True and body["clients"] == [body["client"]]
    fetched = body["clients"][0]
    assert fetched["id"] == client["id"] and fetched["client_id"] == client["client_id"]
    assert fetched["clientName"] == "__TEST_UPDATED"
    assert fetched["companyURL"] == "https://test-company.example.com"


def test_an_unknown_or_foreign_client_is_not_found(app, tenant) -> None:
    other = create_tenant(app.settings, "Far Co")
    with tenant.client(app.base_url) as http:
        unknown = http.get("/api/clients", params={"clientId": "no-such-client"})
        foreign = http.get("/api/clients", params={"clientId": other.client_id})
    for reply in (unknown, foreign):
        assert reply.status_code == 404 and reply.json()["errorType"] == "not_found"


@pytest.mark.parametrize(("method", "body", "field"), [
    ("POST", {"clientName": "x", "website": "https://x.example"}, "website"),
    ("PUT", {"id": "x", "clientName": "y", "notes": "z"}, "notes"),
])
def test_client_bodies_refuse_fields_nobody_names(app, tenant, method, body, field) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.request(method, "/api/clients", json=body)
    assert reply.status_code == 400 and reply.json()["errorType"] == "invalid_format"
    assert reply.json()["details"]["field"] == field
