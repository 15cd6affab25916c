"""`POST /api/prospects/import` over real HTTP: report, idempotence, errors, research sees it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.servers import RunningLeadmill, make_settings, start_in_thread

CSV = """Full Name,Title,Work Email,Company Name,Company Domain,Headcount,Country
Zed Quill,Chief Technology Officer,zed@quillworks.test,Quillworks,quillworks.test,120,USA
Broken Row,CTO,not-an-email,Nowhere,,10,USA
"""


@pytest.fixture
def own_store_leadmill(
    tmp_path: Path, prefect_server: str, sample_prospect_dir: Path, database_url: str | None
) -> Iterator[RunningLeadmill]:
    """An instance whose prospect store holds the shared sample (linked) and its own imports,
    so imports never reach the session's shared sample directory."""
    store = tmp_path / "prospects"
    store.mkdir()
    for sample in sample_prospect_dir.glob("*.parquet"):
        (store / sample.name).symlink_to(sample)
    running = start_in_thread(make_settings(tmp_path / "data", store, database_url=database_url))
    yield running
    running.stop()


def test_import_route_reports_and_is_idempotent(own_store_leadmill: RunningLeadmill) -> None:
    site = own_store_leadmill.credentials["site_id"]
    with own_store_leadmill.client() as client:
        reply = client.post("/api/prospects/import", content=CSV.encode(),
                            params={"siteId": site, "filename": "crm.csv"},
                            headers={"content-type": "text/csv"})
        assert reply.status_code == 200, reply.text
        data = reply.json()["data"]
        assert data["mapping"]["email"] == "Work Email"
        assert data["mapping"]["employee_count"] == "Headcount"
        assert (data["imported"], data["bad_row_count"]) == (1, 1)
        assert data["bad_rows"] == [{"row": 3, "reason": "email is not an address: not-an-email"}]
        again = client.post("/api/prospects/import", content=CSV.encode(),
                            params={"siteId": site, "format": "csv"}).json()["data"]
        assert (again["imported"], again["duplicates"]) == (0, 1)


@pytest.mark.parametrize(("params", "body", "status", "error_type"), [
    ({}, CSV, 400, "missing_required_field"),
    ({"siteId": "site_nobody"}, CSV, 404, "not_found"),
    ({"siteId": "{site}"}, CSV, 400, "missing_required_field"),  # no format anywhere
    ({"siteId": "{site}", "format": "csv"}, "", 400, "missing_required_field"),
    ({"siteId": "{site}", "format": "csv"}, "a,b\n1,2\n", 400, "invalid_value"),
    ({"siteId": "{site}", "format": "csv", "map": "Nope=company"}, CSV, 400, "invalid_value"),
])
def test_import_route_refuses_bad_requests(
    own_store_leadmill: RunningLeadmill, params: dict, body: str, status: int, error_type: str
) -> None:
    site = own_store_leadmill.credentials["site_id"]
    params = {k: v.replace("{site}", site) for k, v in params.items()}
    with own_store_leadmill.client() as client:
        reply = client.post("/api/prospects/import", content=body.encode(), params=params)
    assert reply.status_code == status, reply.text
    assert reply.json()["success"] is False
    assert reply.json()["errorType"] == error_type


def test_import_route_needs_credentials(own_store_leadmill: RunningLeadmill) -> None:
    import httpx

    reply = httpx.post(f"{own_store_leadmill.base_url}/api/prospects/import",
                       params={"siteId": "x", "format": "csv"}, content=CSV.encode())
    assert reply.status_code == 401
    assert reply.json()["errorType"] == "no_valid_credentials"
