"""`/api/territory-workbench/companies` over real HTTP: company analytics from the DuckDB
warehouse (filled by a warehouse-sync run started through `/api/trigger`), tracked companies
from POST, every filter and sort, errors, and another company seeing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.api.tenant_helpers import Tenant, add_lead, create_tenant, start_module_instance
from tests.fixtures.servers import wait_until

PATH = "/api/territory-workbench/companies"
COMPANIES = [  # company, industry, leads, created
    ("Acme Robotics", "Technology", 3, datetime(2026, 1, 10, tzinfo=UTC)),
    ("Bolt Logistics", "Logistics", 2, datetime(2026, 2, 5, tzinfo=UTC)),
    ("Cobalt Health", "Healthcare", 1, datetime(2026, 3, 1, tzinfo=UTC)),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("territory"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def tenant(app) -> Tenant:
    """A tenant whose leads are synced into the warehouse, plus another company's leads."""
    tenant = create_tenant(app.settings, "Territory Co")
    other = create_tenant(app.settings, "Other Co")
    for company, industry, count, created in COMPANIES:
        for number in range(count):
            add_lead(app.settings, tenant, company=company, industry=industry,
                     email=f"p{number}@{company.split()[0].lower()}.example.com",
                     score=0.5 + number / 10, created_at=created, updated_at=created)
    add_lead(app.settings, other, company="Acme Robotics", industry="Technology")
    with tenant.client(app.base_url) as http:
        run_id = http.post("/api/trigger", json={"task": "warehouse-sync"}).json()["runId"]
        wait_until(lambda: http.get("/api/trigger-task-status", params={"runId": run_id})
                   .json()["status"] == "COMPLETED", 90, "warehouse sync did not finish", 0.3)
    return tenant


def names(http, client_id: str, **params) -> list[str]:
    reply = http.get(PATH, params={"client_id": client_id, **params})
    assert reply.status_code == 200, reply.text
    return [row["companyName"] for row in reply.json()["companies"]]


def test_companies_come_from_the_warehouse_with_their_counts(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.get(PATH, params={"client_id": tenant.client_id}).json()
    rows = {row["companyName"]: row for row in reply["companies"]}
    assert list(rows) == ["Acme Robotics", "Bolt Logistics", "Cobalt Health"]
    assert reply["total"] == 3
    acme = rows["Acme Robotics"]
    assert acme["leadCount"] == 3 and acme["industry"] == "Technology"
    assert acme["avgScore"] == pytest.approx(0.6)
    assert acme["firstSeen"].startswith("2026-01-10")


@pytest.mark.parametrize(("params", "expected"), [
    ({"sortBy": "companyName", "sortDirection": "asc"},
     ["Acme Robotics", "Bolt Logistics", "Cobalt Health"]),
    ({"sortBy": "leadCount", "sortDirection": "asc"},
     ["Cobalt Health", "Bolt Logistics", "Acme Robotics"]),
    ({"industry": "logistics"}, ["Bolt Logistics"]),
    ({"minLeads": "2"}, ["Acme Robotics", "Bolt Logistics"]),
    ({"maxLeads": "2", "minLeads": "2"}, ["Bolt Logistics"]),
    ({"search": "cobalt"}, ["Cobalt Health"]),
    ({"search": "' OR 1=1 --"}, []),
    ({"startDate": "2026-02-01"}, ["Bolt Logistics", "Cobalt Health"]),
    ({"endDate": "2026-02-05"}, ["Acme Robotics", "Bolt Logistics"]),
    ({"startDate": "2026-02-01", "endDate": "2026-02-28"}, ["Bolt Logistics"]),
    ({"limit": "1"}, ["Acme Robotics"]),
])
def test_filters_and_sorting(app, tenant, params, expected) -> None:
    with tenant.client(app.base_url) as http:
        assert names(http, tenant.client_id, **params) == expected


def test_tracked_companies_are_created_updated_and_joined(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        created = http.post(PATH, json={"client_id": tenant.client_id,
                                        "companyName": "acme robotics", "status": "target",
                                        "notes": "Met at SaaStr"})
        assert created.status_code == 201, created.text
        updated = http.post(PATH, json={"client_id": tenant.client_id,
                                        "companyName": "Acme Robotics", "status": "customer"})
        assert updated.status_code == 200 and updated.json()["created"] is False
        fresh = http.post(PATH, json={"client_id": tenant.client_id, "companyName": "Delta Air",
                                      "industry": "Aviation", "companyDomain": "delta.example"})
        assert fresh.status_code == 201
        rows = {row["companyName"]: row for row in http.get(
            PATH, params={"client_id": tenant.client_id}).json()["companies"]}
        assert names(http, tenant.client_id, search="delta.example") == ["Delta Air"]
        assert names(http, tenant.client_id, minLeads="1", industry="aviation") == []
    assert rows["Acme Robotics"]["status"] == "customer"
    assert rows["Acme Robotics"]["notes"] == "Met at SaaStr"
    assert rows["Acme Robotics"]["leadCount"] == 3
    assert rows["Delta Air"]["leadCount"] == 0 and rows["Delta Air"]["id"]


@pytest.mark.parametrize(("method", "params", "body", "status", "error_type", "field"), [
    ("GET", {}, None, 400, "missing_required_field", "client_id"),
    ("GET", {"sortBy": "leads; DROP TABLE x"}, None, 400, "invalid_value", "sortBy"),
    ("GET", {"sortDirection": "sideways"}, None, 400, "invalid_value", "sortDirection"),
    ("GET", {"minLeads": "many"}, None, 400, "invalid_format", "minLeads"),
    ("GET", {"startDate": "yesterday"}, None, 400, "invalid_format", "startDate"),
    ("GET", {"client_id": "site_456abc"}, None, 404, "not_found", "client_id"),
    ("POST", None, {"companyName": "X"}, 400, "missing_required_field", "client_id"),
    ("POST", None, {"client_id": "site_456abc", "companyName": "X"}, 404, "not_found",
     "client_id"),
])
def test_bad_territory_requests_are_refused(app, tenant, method, params, body, status,
                                            error_type, field) -> None:
    if params is not None and "client_id" not in params and params:
        params = {"client_id": tenant.client_id, **params}
    with tenant.client(app.base_url) as http:
        reply = http.request(method, PATH, params=params, json=body)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type and reply.json()["details"]["field"] == field


def test_another_company_sees_nothing_of_the_territory(app, tenant) -> None:
    other = create_tenant(app.settings, "Nosy Co")
    with other.client(app.base_url) as http:
        assert http.get(PATH, params={"client_id": tenant.client_id}).status_code == 404
        own = http.get(PATH, params={"client_id": other.client_id}).json()
        foreign_post = http.post(PATH, json={"client_id": tenant.client_id,
                                             "companyName": "Acme Robotics"})
    assert own["companies"] == [] and own["total"] == 0
    assert foreign_post.status_code == 404
