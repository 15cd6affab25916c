"""Fairness between tenants over real HTTP: a company-wide lead quota, caps on keys, clients and
recurring searches, one waiting warehouse sync, one import at a time, and a flooding company
that cannot push another company's command to the back of the queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from storage.commands.models import Command, TriggeredRun
from storage.db.clock import utcnow
from storage.db.engine import engine_for, session_scope
from storage.prospects.admission import CompanyImportSlot
from storage.tenancy.models import Client
from tests.api.tenant_helpers import Tenant, create_tenant, start_module_instance
from tests.fixtures.examples import example
from tests.fixtures.servers import wait_until

COMMANDS = "/api/agents/sales/leadGeneration"
SCHEDULES = "/api/agents/sales/schedules"
WORKERS = 2
CSV = b"First Name,Last Name,Company,E-mail\nAda,Byron,Analytical Engines,ada@ae.test\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url) -> Iterator:
    running = start_module_instance(
        tmp_path_factory.mktemp("fairness"), sample_prospect_dir,
        database_url=module_database_url, executor_workers=WORKERS, company_lead_quota=50,
        max_api_keys_per_user=2, max_clients_per_company=2,
        max_recurring_searches_per_company=1)
    yield running
    running.stop()


@pytest.fixture
def tenant(app) -> Tenant:
    return create_tenant(app.settings, "Tenant")


def _command(tenant: Tenant, **changes):
    return example(**{"siteId": tenant.client_id, "userId": tenant.user_id, **changes})


def _engine(app):
    return engine_for(app.settings.sqlalchemy_url)


def test_sites_of_a_company_share_its_monthly_lead_quota(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        second = http.post("/api/clients", json={"clientName": "Second site"})
        assert second.status_code == 201, second.text
        second_site = second.json()["client"]["client_id"]
        assert http.post(COMMANDS, json=_command(tenant, maxLeads=30)).status_code == 200
        refused = http.post(COMMANDS, json=_command(tenant, maxLeads=30, siteId=second_site))
        fits = http.post(COMMANDS, json=_command(tenant, maxLeads=20, siteId=second_site))
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "QUOTA_EXCEEDED"
    assert error["details"] == {"scope": "company", "quota": 50, "used": 30, "requested": 30}
    assert fits.status_code == 200


def test_a_client_quota_lowers_its_sites_share_but_never_raises_the_companys(app, tenant):
    with session_scope(_engine(app)) as session:
        row = session.exec(select(Client).where(Client.client_id == tenant.client_id)).one()
        row.lead_quota = 10_000
        session.add(row)
    with tenant.client(app.base_url) as http:
        above = http.post(COMMANDS, json=_command(tenant, maxLeads=51))
        with session_scope(_engine(app)) as session:
            row = session.exec(select(Client).where(Client.client_id == tenant.client_id)).one()
            row.lead_quota = 5
            session.add(row)
        lowered = http.post(COMMANDS, json=_command(tenant, maxLeads=6))
    assert above.status_code == 429
    assert above.json()["error"]["details"]["scope"] == "company"
    assert lowered.status_code == 429
    assert lowered.json()["error"]["details"] == {"scope": "site", "quota": 5, "used": 0,
                                                  "requested": 6}


def test_a_user_holds_at_most_the_configured_number_of_api_keys(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        assert http.post("/api/agent-api-keys", json={"name": "second"}).status_code == 200
        refused = http.post("/api/agent-api-keys", json={"name": "third"})
        assert refused.status_code == 409
        body = refused.json()
        assert body["errorType"] == "conflict"
        assert body["details"] == {"limit": "api_keys_per_user", "maximum": 2}
        assert "lgp_" not in refused.text
        keys = http.get("/api/agent-api-keys").json()["apiKeys"]
        second = next(key for key in keys if key["name"] == "second")
        assert http.delete("/api/agent-api-keys", params={"id": second["id"]}).status_code == 200
        assert http.post("/api/agent-api-keys", json={"name": "third"}).status_code == 200


def test_a_company_has_at_most_the_configured_number_of_clients(app, tenant) -> None:
    with tenant.client(app.base_url) as http:
        second = http.post("/api/clients", json={"clientName": "Second"})
        assert second.status_code == 201
        refused = http.post("/api/clients", json={"clientName": "Third"})
        assert refused.status_code == 409
        assert refused.json()["details"] == {"limit": "clients_per_company", "maximum": 2}
        record_id = second.json()["client"]["id"]
        assert http.delete("/api/clients", params={"id": record_id}).status_code == 200
        assert http.post("/api/clients", json={"clientName": "Third"}).status_code == 201
    # Another company's clients are its own count.
    other = create_tenant(app.settings, "Other")
    with other.client(app.base_url) as http:
        assert http.post("/api/clients", json={"clientName": "Second"}).status_code == 201


def test_a_company_has_at_most_the_configured_number_of_recurring_searches(app, tenant):
    body = {"name": "Weekly", "command": _command(tenant, maxLeads=3), "cron": "0 9 * * MON"}
    with tenant.client(app.base_url) as http:
        assert http.post(SCHEDULES, json=body).status_code == 201
        refused = http.post(SCHEDULES, json={**body, "name": "Daily", "cron": "0 9 * * *"})
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "QUOTA_EXCEEDED"
    assert error["details"] == {"limit": "recurring_searches_per_company", "maximum": 1}


def test_a_sync_request_while_one_waits_returns_the_waiting_one(app, tenant) -> None:
    # A sync another API process stored and has not started yet.
    with session_scope(_engine(app)) as session:
        session.add(TriggeredRun(id="run_waitingsync01", company_id=tenant.company_id,
                                 task="warehouse-sync", parameters={},
                                 executor_instance="elsewhere"))
    other = create_tenant(app.settings, "Other")
    with tenant.client(app.base_url) as http, other.client(app.base_url) as other_http:
        replies = [http.post("/api/trigger", json={"task": "warehouse-sync"}) for _ in range(5)]
        theirs = other_http.post("/api/trigger", json={"task": "warehouse-sync"})
    assert [reply.status_code for reply in replies] == [200] * 5
    assert {reply.json()["runId"] for reply in replies} == {"run_waitingsync01"}
    assert theirs.status_code == 200 and theirs.json()["runId"] != "run_waitingsync01"
    with session_scope(_engine(app)) as session:
        stored = session.exec(select(TriggeredRun).where(
            TriggeredRun.company_id == tenant.company_id)).all()
    assert [run.id for run in stored] == ["run_waitingsync01"]


def test_a_company_imports_one_prospect_list_at_a_time(app, tenant) -> None:
    # Another API process is importing for this company.
    with session_scope(_engine(app)) as session:
        session.add(CompanyImportSlot(company_id=tenant.company_id, holder="elsewhere:1:x",
                                      acquired_at=utcnow()))
    params = {"siteId": tenant.client_id, "filename": "list.csv"}
    other = create_tenant(app.settings, "Other")
    with tenant.client(app.base_url) as http, other.client(app.base_url) as other_http:
        busy = http.post("/api/prospects/import", params=params, content=CSV)
        elsewhere = other_http.post("/api/prospects/import", content=CSV,
                                    params={**params, "siteId": other.client_id})
        with session_scope(_engine(app)) as session:
            session.delete(session.get(CompanyImportSlot, tenant.company_id))
        done = http.post("/api/prospects/import", params=params, content=CSV)
    assert busy.status_code == 409
    assert busy.json()["errorType"] == "conflict"
    assert elsewhere.status_code == 200, elsewhere.text
    assert done.status_code == 200 and done.json()["data"]["imported"] == 1
    assert list((app.settings.data_dir / "tmp").glob("import-*")) == []


def _claimed(app, command_ids: list[str]) -> set[str]:
    """The commands an executor has taken (claimed, running or done)."""
    with session_scope(_engine(app)) as session:
        return {command.id for command in session.exec(select(Command).where(
            col(Command.id).in_(command_ids), Command.run_state != "QUEUED")).all()}


def test_a_flooding_company_delays_another_companys_command_by_one_slot_turn(app) -> None:
    flood, single = create_tenant(app.settings, "Flood"), create_tenant(app.settings, "Single")
    with flood.client(app.base_url) as http:
        floods = [http.post(COMMANDS, json=_command(flood, maxLeads=1, priority="high"))
                  .json()["data"]["command_id"] for _ in range(16)]
    with single.client(app.base_url) as http:
        mine = http.post(COMMANDS, json=_command(single, maxLeads=1, priority="low"))
    mine_id = mine.json()["data"]["command_id"]
    out_at_submit = _claimed(app, floods)
    # The order the executor takes commands in, as recorded on them (not when Prefect gets
    # round to starting each run, which a loaded Prefect server delays by seconds).
    claimed_with_mine = wait_until(
        lambda: (claimed := _claimed(app, [*floods, mine_id])) and mine_id in claimed
        and claimed, 120, "the single command was never taken", every=0.05)
    floods_first = claimed_with_mine - {mine_id}
    # At most one slot turn: what was already out, plus a claim racing the submission.
    assert len(floods_first) <= len(out_at_submit) + 1, (len(floods_first), len(out_at_submit))
    assert len(floods_first) < len(floods) // 2
    with single.client(app.base_url) as http:
        wait_until(lambda: http.get(f"{COMMANDS}/status/{mine_id}").json()["data"]["status"]
                   == "completed", 120, "the single command did not complete", every=0.3)
