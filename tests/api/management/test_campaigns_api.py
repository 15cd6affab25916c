"""`/api/campaigns` over real HTTP: create, list, filters, paging, errors, isolation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.tenant_helpers import Tenant, create_tenant, start_module_instance


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("campaigns"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture
def tenant(app) -> Tenant:
    return create_tenant(app.settings, "Campaign Co")


def test_created_campaigns_are_listed_newest_first(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        created = http.post("/api/campaigns", json={"name": "Q3 Expansion"})
        assert created.status_code == 201, created.text
        campaign = created.json()["campaign"]
        assert campaign["name"] == "Q3 Expansion" and campaign["status"] == "draft"
        assert campaign["owner"] == tenant.user_id and campaign["company_id"] == tenant.company_id
        http.post("/api/campaigns", json={"name": "EMEA push", "status": "active",
                                          "client_id": tenant.client_id,
                                          "description": "Germany first"})
        listed = http.get("/api/campaigns").json()
        active = http.get("/api/campaigns", params={"status": "active"}).json()
        for_client = http.get("/api/campaigns", params={"client_id": tenant.client_id}).json()
    assert [c["name"] for c in listed["campaigns"]] == ["EMEA push", "Q3 Expansion"]
    assert [c["name"] for c in active["campaigns"]] == ["EMEA push"]
    assert for_client["campaigns"][0]["description"] == "Germany first"


def test_pages_follow_next_token(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        for number in range(5):
            http.post("/api/campaigns", json={"name": f"c{number}"})
        names, token = [], None
        while True:
            page = http.get("/api/campaigns",
                            params={"limit": 2, **({"nextToken": token} if token else {})}).json()
            names += [c["name"] for c in page["campaigns"]]
            token = page["nextToken"]
            if token is None:
                break
    assert names == ["c4", "c3", "c2", "c1", "c0"]


@pytest.mark.parametrize(("method", "body", "params", "status", "error_type", "field"), [
    ("POST", {"description": "x"}, None, 400, "missing_required_field", "name"),
    ("POST", {"name": ""}, None, 400, "invalid_value", "name"),
    ("POST", {"name": "x", "status": "live"}, None, 400, "invalid_value", "status"),
    ("POST", {"name": "x", "budget": 5}, None, 400, "invalid_format", "budget"),
    ("POST", {"name": "x", "client_id": "site_456abc"}, None, 404, "not_found", "client_id"),
    ("GET", None, {"limit": "0"}, 400, "invalid_value", "limit"),
    ("GET", None, {"nextToken": "%%%"}, 400, "invalid_format", "nextToken"),
])
def test_bad_campaign_requests_are_refused(app, tenant, method, body, params, status,
                                           error_type, field) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.request(method, "/api/campaigns", json=body, params=params)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type and reply.json()["details"]["field"] == field


def test_another_company_sees_none_of_the_campaigns(app, tenant) -> None:
    other = create_tenant(app.settings, "Nosy Co")
    with tenant.client(app.base_url) as http:
        http.post("/api/campaigns", json={"name": "secret", "client_id": tenant.client_id})
    with other.client(app.base_url) as http:
        assert http.get("/api/campaigns").json()["campaigns"] == []
        assert http.get("/api/campaigns",
                        params={"client_id": tenant.client_id}).json()["campaigns"] == []
