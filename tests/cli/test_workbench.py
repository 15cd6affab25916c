"""`leadmill campaigns list|create` and `leadmill leads enrich` against a running API over real
HTTP, with an API key from the environment and a private credentials file."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cli.main import main
from tests.api.protocol_servers import start_enrichment_service
from tests.api.tenant_helpers import Tenant, add_lead, create_tenant, start_module_instance


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("cli"), sample_prospect_dir)
    yield running
    running.stop()


@pytest.fixture
def tenant(app, monkeypatch, tmp_path) -> Tenant:
    tenant = create_tenant(app.settings, "CLI Co")
    monkeypatch.setenv("LEADMILL_API_KEY", tenant.api_key)
    monkeypatch.setenv("LEADMILL_AUTH_FILE", str(tmp_path / "auth.json"))
    return tenant


def run(capsys, *argv: str) -> tuple[int, object, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out.strip() else None, out.err


def test_campaigns_create_then_list(app, tenant, capsys) -> None:
    code, created, _ = run(capsys, "campaigns", "create", "--name", "Q3 Expansion",
                           "--base-url", app.base_url)
    assert code == 0 and created["name"] == "Q3 Expansion" and created["status"] == "draft"
    run(capsys, "campaigns", "create", "--name", "EMEA", "--status", "active",
        "--client-id", tenant.client_id, "--base-url", app.base_url)
    code, listed, _ = run(capsys, "campaigns", "list", "--base-url", app.base_url)
    assert code == 0 and [c["name"] for c in listed] == ["EMEA", "Q3 Expansion"]
    code, active, _ = run(capsys, "campaigns", "list", "--status", "active", "--limit", "1",
                          "--base-url", app.base_url)
    assert [c["name"] for c in active] == ["EMEA"]


def test_campaigns_create_reports_server_errors(app, tenant, capsys) -> None:
    code, _, err = run(capsys, "campaigns", "create", "--name", "x", "--client-id",
                       "site_456abc", "--base-url", app.base_url)
    assert code == 1 and "not_found" in err


def test_leads_enrich_uses_the_configured_services_and_waits(app, tenant, capsys) -> None:
    service = start_enrichment_service({"/e1": (200, {"employees": 50})})
    first, second = add_lead(app.settings, tenant), add_lead(app.settings, tenant)
    try:
        with tenant.client(app.base_url) as http:
            http.post("/api/settings/url",
                      json={"enrichment1": f"{service.url}/e1"}).raise_for_status()
        code, results, err = run(capsys, "leads", "enrich", "--ids", first, second, "--wait",
                                 "--base-url", app.base_url)
    finally:
        service.stop()
    assert code == 0, err
    assert [r["leadId"] for r in results] == [first, second]
    assert all(r["triggered"] == ["enrichment1"] and r["status"] == "COMPLETED"
               for r in results)
    assert len(service.requests) == 2
    code, again, _ = run(capsys, "leads", "enrich", "--ids", first, "--base-url", app.base_url)
    assert code == 0 and again[0]["skipped"] == ["enrichment1"] and again[0]["runIds"] == []


def test_leads_enrich_of_another_companys_lead_fails(app, tenant, capsys) -> None:
    owner = create_tenant(app.settings, "Owner Co")
    lead_id = add_lead(app.settings, owner)
    code, _, err = run(capsys, "leads", "enrich", "--ids", lead_id, "--services", "companyUrl",
                       "--base-url", app.base_url)
    assert code == 1 and "not_found" in err
