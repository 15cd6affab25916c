"""`/api/search-history` over real HTTP: create, update, filters, cursor paging while records
are added, errors, and another company seeing nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.tenant_helpers import Tenant, create_tenant, start_module_instance

DOCUMENTED = {
    "searchName": "Tech Companies in SF",
    "searchDescription": "Looking for SaaS companies",
    "searchCriteria": {"industry": "Technology", "location": "San Francisco"},
    "searchFilters": {"companySize": "50-200"},
    "clientName": "Acme Corp",
    "icpId": "icp-456",
    "icpName": "Enterprise SaaS",
    "apifyActorId": "actor-789",
    "category": "prospecting",
    "tags": ["enterprise", "saas"],
}


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("search"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture
def tenant(app) -> Tenant:
    return create_tenant(app.settings, "Search Co")


def test_the_documented_payload_is_stored_and_updated(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        created = http.post("/api/search-history",
                            json={**DOCUMENTED, "client_id": tenant.client_id})
        assert created.status_code == 201, created.text
        record = created.json()["searchHistory"]
        assert {k: record[k] for k in DOCUMENTED} == DOCUMENTED
        assert record["status"] == "initiated" and record["completedAt"] is None
        assert record["client_id"] == tenant.client_id and record["owner"] == tenant.user_id
        running = http.put("/api/search-history", json={"id": record["id"],
                                                         "status": "running"}).json()
        done = http.put("/api/search-history", json={
            "id": record["id"], "status": "completed", "resultsCount": 42}).json()
    assert running["searchHistory"]["status"] == "running"
    assert done["searchHistory"]["status"] == "completed"
    assert done["searchHistory"]["resultsCount"] == 42 and done["searchHistory"]["completedAt"]
    assert done["searchHistory"]["searchName"] == DOCUMENTED["searchName"]


def test_filters_select_the_matching_searches(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        for name, category, icp in (("a", "prospecting", "icp-1"), ("b", "research", "icp-1"),
                                    ("c", "prospecting", "icp-2")):
            http.post("/api/search-history", json={"searchName": name, "category": category,
                                                   "icpId": icp}).raise_for_status()
        http.post("/api/search-history", json={"searchName": "d", "status": "failed",
                                               "client_id": tenant.client_id})

        def names(**params: str) -> list[str]:
            reply = http.get("/api/search-history", params=params).json()
            return [item["searchName"] for item in reply["searchHistory"]]

        assert names(category="prospecting") == ["c", "a"]
        assert names(icpId="icp-1") == ["b", "a"]
        assert names(status="failed") == ["d"]
        assert names(client_id=tenant.client_id) == ["d"]
        assert names(category="prospecting", icpId="icp-2") == ["c"]


def test_cursor_pages_never_skip_or_repeat_while_searches_are_added(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        for number in range(7):
            http.post("/api/search-history", json={"searchName": f"s{number}"})
        seen: list[str] = []
        cursor = None
        added = 0
        while True:
            params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
            page = http.get("/api/search-history", params=params).json()
            seen += [item["searchName"] for item in page["searchHistory"]]
            if added < 3:  # new searches arrive while the client pages
                http.post("/api/search-history", json={"searchName": f"new{added}"})
                added += 1
            cursor = page["nextCursor"]
            if cursor is None:
                break
    assert seen == [f"s{number}" for number in reversed(range(7))]


@pytest.mark.parametrize(("method", "body", "params", "status", "error_type", "field"), [
    ("POST", {"searchDescription": "x"}, None, 400, "missing_required_field", "searchName"),
    ("POST", {"searchName": "x", "status": "paused"}, None, 400, "invalid_value", "status"),
    ("POST", {"searchName": "x", "tags": "a,b"}, None, 400, "invalid_format", "tags"),
    ("POST", {"searchName": "x", "resultsCount": 2**31}, None, 400, "invalid_value",
     "resultsCount"),
    ("POST", {"searchName": "x", "client_id": "site_456abc"}, None, 404, "not_found",
     "client_id"),
    ("PUT", {"status": "running"}, None, 400, "missing_required_field", "id"),
    ("PUT", {"id": "nope", "status": "running"}, None, 404, "not_found", "id"),
    ("GET", None, {"status": "paused"}, 400, "invalid_value", "status"),
    ("GET", None, {"limit": "500"}, 400, "invalid_value", "limit"),
    ("GET", None, {"cursor": "garbage"}, 400, "invalid_format", "cursor"),
])
def test_bad_search_history_requests_are_refused(app, tenant, method, body, params, status,
                                                 error_type, field) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.request(method, "/api/search-history", json=body, params=params)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type and reply.json()["details"]["field"] == field


def test_another_company_sees_nothing_of_the_searches(app, tenant) -> None:
    other = create_tenant(app.settings, "Nosy Co")
    with tenant.client(app.base_url) as http:
        record = http.post("/api/search-history", json={"searchName": "secret",
                                                         "category": "x"}).json()
    with other.client(app.base_url) as http:
        assert http.get("/api/search-history").json()["searchHistory"] == []
        assert http.get("/api/search-history",
                        params={"category": "x"}).json()["searchHistory"] == []
        update = http.put("/api/search-history", json={"id": record["searchHistory"]["id"],
                                                       "status": "failed"})
        assert update.status_code == 404
