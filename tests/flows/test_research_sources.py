"""Commands drawing on configured providers: merged leads with provenance, a failing source
reported without failing the command, `searchCriteria.sources` validated and obeyed."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db.engine import session_scope
from storage.leads.provenance import lead_sources
from storage.tenancy.demo import DEMO_COMPANY_ID
from storage.tenancy.secrets import load_secret_box
from storage.workspace.service_settings import set_service
from tests.fixtures.egress import attack_dns, canary
from tests.fixtures.examples import example
from tests.fixtures.providers import ProviderServer, sample_people, start_provider
from tests.fixtures.servers import RunningLeadmill, make_settings, start_in_thread, wait_until

__all__ = ["attack_dns", "canary"]  # fixtures


@pytest.fixture
def providers() -> Iterator[list[ProviderServer]]:
    started: list[ProviderServer] = []
    yield started
    for server in started:
        server.stop()


def _configure(leadmill: RunningLeadmill, **services: ProviderServer) -> None:
    box = load_secret_box(leadmill.settings)
    with session_scope(leadmill.app.state.engine) as session:
        for service, server in services.items():
            set_service(session, box, company_id=DEMO_COMPANY_ID, service=service,
                        url=server.url, api_key="test-key")


def _run(leadmill: RunningLeadmill, sources: list[str] | None, max_leads: int = 5) -> dict:
    request = example(maxLeads=max_leads)
    criteria = copy.deepcopy(request["leadGenData"]["searchCriteria"])
    criteria.pop("minRevenueUSD")
    criteria.pop("maxRevenueUSD")
    if sources is not None:
        criteria["sources"] = sources
    request["leadGenData"]["searchCriteria"] = criteria
    with leadmill.client() as client:
        reply = client.post("/api/agents/sales/leadGeneration", json=request)
        assert reply.status_code == 200, reply.text
        command_id = reply.json()["data"]["command_id"]

        def finished() -> dict | None:
            data = client.get(f"/api/agents/sales/leadGeneration/status/{command_id}").json()
            return data["data"] if data["data"]["status"] not in {"processing"} else None

        return wait_until(finished, 120, "command did not finish")


def test_providers_merge_into_leads_with_provenance(
    leadmill: RunningLeadmill, providers: list[ProviderServer]
) -> None:
    people = sample_people(4)
    apollo, hunter = start_provider("apollo", people), start_provider("hunter", people)
    providers += [apollo, hunter]
    _configure(leadmill, apollo=apollo, hunter=hunter)
    status = _run(leadmill, ["apollo", "hunter"], max_leads=4)
    assert status["status"] == "completed", status
    assert "source_errors" not in status
    leads = status["leads_generated"]
    assert len(leads) == 4  # Apollo and Hunter found the same four people: one lead each
    for lead in leads:
        assert {s["source"] for s in lead["sources"]} == {"apollo", "hunter"}
        apollo_fields = next(s for s in lead["sources"] if s["source"] == "apollo")["fields"]
        assert "title" in apollo_fields and "email" in apollo_fields
    assert apollo.requests and hunter.requests[0]["query"]["domain"] == ["quillworks.test"]
    with session_scope(leadmill.app.state.engine) as session:
        stored = lead_sources(session, leads[0]["id"])
    assert {s["source"] for s in stored} == {"apollo", "hunter"}


def test_a_failing_source_is_reported_and_the_command_completes(
    leadmill: RunningLeadmill, providers: list[ProviderServer]
) -> None:
    broken = start_provider("pdl", [], failures=[(500, None)] * 100)
    providers.append(broken)
    _configure(leadmill, peopleDataLabs=broken)
    status = _run(leadmill, None)  # default: the prospect store and every configured provider
    assert status["status"] == "completed", status
    assert "peopleDataLabs" in status["source_errors"]
    assert "HTTP 500" in status["source_errors"]["peopleDataLabs"]
    assert len(status["leads_generated"]) == 5
    assert all(s["source"] == "sample" for lead in status["leads_generated"]
               for s in lead["sources"])
    assert len(broken.requests) >= 5  # retried before giving up


def test_a_requested_but_unconfigured_source_is_reported(leadmill: RunningLeadmill) -> None:
    status = _run(leadmill, ["prospects", "apollo"])
    assert status["status"] == "completed"
    assert "not configured" in status["source_errors"]["apollo"]


def test_unknown_source_names_are_refused(leadmill: RunningLeadmill) -> None:
    request = example()
    request["leadGenData"]["searchCriteria"]["sources"] = ["apollo", "crunchbase"]
    with leadmill.client() as client:
        reply = client.post("/api/agents/sales/leadGeneration", json=request)
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert error["details"]["field"] == "leadGenData.searchCriteria.sources[1]"


@pytest.fixture
def walled_leadmill(tmp_path: Path, prefect_server: str, sample_prospect_dir: Path,
                    database_url: str | None, attack_dns) -> Iterator[RunningLeadmill]:
    """An instance that admits no loopback address (only 127.0.0.2) and resolves names with
    the attacker's DNS server; its flows run with these settings, as the API does."""
    settings = make_settings(tmp_path / "data", sample_prospect_dir, database_url=database_url,
                             webhook_allowed_hosts="", egress_allowed_hosts="127.0.0.2",
                             egress_nameservers=f"127.0.0.1:{attack_dns.port}")
    running = start_in_thread(settings)
    yield running
    running.stop()


def test_a_provider_on_a_private_address_is_refused_and_reported(
    walled_leadmill: RunningLeadmill, canary
) -> None:
    """Provider base URLs are stored without an API route's check (set_service): the policy
    refuses them at call time, a literal and a name resolving to loopback alike, and the
    command's source errors say so; the canary sees nothing."""
    leadmill = walled_leadmill
    box = load_secret_box(leadmill.settings)
    urls = {"apollo": f"http://inside.evil.test:{canary.port}",
            "peopleDataLabs": f"http://2130706433:{canary.port}"}
    with session_scope(leadmill.app.state.engine) as session:
        for service, url in urls.items():
            set_service(session, box, company_id=DEMO_COMPANY_ID, service=service, url=url,
                        api_key="test-key")
    status = _run(leadmill, ["prospects", "apollo", "peopleDataLabs"])
    assert status["status"] == "completed", status
    for service in urls:
        assert "refused by the outbound-call policy" in status["source_errors"][service]
    assert "127.0.0.1" in status["source_errors"]["apollo"]
    assert canary.connections == []
