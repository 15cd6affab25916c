"""`/api/campaigns` over real HTTP: create, list, filters, paging, errors, isolation; the
campaign type and the archived status, changes with PUT, one campaign with ?id=."""

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
        assert campaign["campaignType"] == "abm" and created.json()["id"] == campaign["id"]
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
    ("POST", {"name": "x", "campaignType": "outbound"}, None, 400, "invalid_value",
     "campaignType"),
    ("PUT", {"name": "x"}, None, 400, "missing_required_field", "id"),
    ("PUT", {"id": "no-such-campaign", "name": "x"}, None, 404, "not_found", "id"),
    ("PUT", {"id": "x", "budget": 5}, None, 400, "invalid_format", "budget"),
    ("GET", None, {"id": "no-such-campaign"}, 404, "not_found", "id"),
    ("GET", None, {"limit": "0"}, 400, "invalid_value", "limit"),
    ("GET", None, {"status": "live"}, 400, "invalid_value", "status"),
    ("GET", None, {"campaignType": "outbound"}, 400, "invalid_value", "campaignType"),
    ("GET", None, {"pageSize": "0"}, 400, "invalid_value", "pageSize"),
    ("GET", None, {"page": "x"}, 400, "invalid_format", "page"),
    ("GET", None, {"page": "2", "nextToken": "abc"}, 400, "invalid_value", "nextToken"),
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


def test_a_campaign_created_as_the_lgp_cli_does_is_listed_with_its_type(app, tenant) -> None:
    """`lgp campaigns create` POSTs {name, campaignType, status: active} and prints `id`;
    `lgp campaigns list` reads campaigns[] (id, name, status)."""
    with tenant.client(app.base_url) as http:
        created = http.post("/api/campaigns", json={"name": "Q3 Expansion",
                                                    "campaignType": "nurture",
                                                    "status": "active"})
        assert created.status_code == 201, created.text
        campaign_id = created.json()["id"]
        listed = http.get("/api/campaigns").json()
        one = http.get("/api/campaigns", params={"id": campaign_id})
    assert [(c["id"], c["name"], c["status"]) for c in listed["campaigns"]] == [
        (campaign_id, "Q3 Expansion", "active")]
    assert listed["data"] == listed["campaigns"]
    assert listed["pagination"] == {"totalItems": 1, "totalPages": 1, "page": None,
                                    "pageSize": 100}
    assert one.status_code == 200 and one.json()["campaign"]["campaignType"] == "nurture"


def test_put_changes_only_the_fields_sent_and_archives(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        campaign = http.post("/api/campaigns", json={
            "name": "EMEA", "description": "Germany first", "client_id": tenant.client_id,
        }).json()["campaign"]
        changed = http.put("/api/campaigns", json={"id": campaign["id"], "status": "archived",
                                                    "campaignType": "demand_gen"})
        assert changed.status_code == 200, changed.text
        detached = http.put("/api/campaigns", json={"id": campaign["id"], "client_id": None,
                                                     "name": "EMEA 2"})
        archived = http.get("/api/campaigns", params={"status": "archived"}).json()
        refused = http.put("/api/campaigns", json={"id": campaign["id"], "client_id": "nope"})
        null_name = http.put("/api/campaigns", json={"id": campaign["id"], "name": None})
    body = changed.json()
    assert body["id"] == campaign["id"]
    assert body["campaign"]["status"] == "archived"
    assert body["campaign"]["campaignType"] == "demand_gen"
    assert body["campaign"]["description"] == "Germany first"
    assert body["campaign"]["client_id"] == tenant.client_id
    assert detached.json()["campaign"]["client_id"] is None
    assert detached.json()["campaign"]["name"] == "EMEA 2"
    assert [c["id"] for c in archived["campaigns"]] == [campaign["id"]]
    assert refused.status_code == 404 and refused.json()["details"]["field"] == "client_id"
    assert null_name.status_code == 400 and null_name.json()["details"]["field"] == "name"


def test_filters_combine_and_numbered_pages_count_everything(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        for number, kind in enumerate(["abm", "nurture", "abm", "abm", "demand_gen"]):
            http.post("/api/campaigns", json={"name": f"c{number}", "campaignType": kind,
                                              "client_id": tenant.client_id if number % 2
                                              else None})
        abm = http.get("/api/campaigns", params={"campaignType": "abm"}).json()
        for_client = http.get("/api/campaigns", params={
            "campaignType": "nurture", "client_id": tenant.client_id}).json()
        second = http.get("/api/campaigns", params={"page": 2, "pageSize": 2}).json()
        beyond = http.get("/api/campaigns", params={"page": 9, "pageSize": 2}).json()
    assert [c["name"] for c in abm["campaigns"]] == ["c3", "c2", "c0"]
    assert [c["name"] for c in for_client["campaigns"]] == ["c1"]
    assert [c["name"] for c in second["campaigns"]] == ["c2", "c1"]
    assert second["data"] == second["campaigns"] and second["nextToken"] is None
    assert second["pagination"] == {"totalItems": 5, "totalPages": 3, "page": 2, "pageSize": 2}
    assert beyond["data"] == [] and beyond["pagination"]["totalItems"] == 5


def test_another_companys_campaign_is_not_found(app, tenant) -> None:
    other = create_tenant(app.settings, "Rival Co")
    with tenant.client(app.base_url) as http:
        campaign_id = http.post("/api/campaigns", json={"name": "ours"}).json()["id"]
    with other.client(app.base_url) as http:
        changed = http.put("/api/campaigns", json={"id": campaign_id, "status": "archived"})
        read = http.get("/api/campaigns", params={"id": campaign_id})
    assert changed.status_code == 404 and changed.json()["errorType"] == "not_found"
    assert read.status_code == 404
    with tenant.client(app.base_url) as http:
        assert http.get("/api/campaigns", params={"id": campaign_id}
                        ).json()["campaign"]["status"] == "draft"
