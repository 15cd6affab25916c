"""Tenant walls, tried by a second company created through the API: a client id another
company uses, another company's user in a recurring search, inbound-webhook URLs under a forged
Host header, a deleted client's hooks, and the Prefect run link (operators only)."""

from __future__ import annotations

import json

import httpx
import pytest

from storage.db.engine import engine_for, session_scope
from storage.settings import LeadmillSettings
from storage.tenancy.platform_admins import grant_platform_admin
from tests.api.tenant_helpers import create_tenant_through_api
from tests.fixtures.examples import example
from tests.fixtures.servers import wait_until

COMMANDS = "/api/agents/sales/leadGeneration"
SCHEDULES = "/api/agents/sales/schedules"
HOOKS = "/api/webhook-workbench"


def _finished(client: httpx.Client, command_id: str) -> dict | None:
    data = client.get(f"{COMMANDS}/status/{command_id}").json()["data"]
    return data if data["status"] != "processing" else None


def test_a_client_id_another_company_uses_is_free_and_stays_walled(leadmill):
    # The demo company already has site_456abc; a second company takes the same id.
    other = create_tenant_through_api(leadmill.settings, leadmill.base_url, "site_456abc")
    with other.client(leadmill.base_url) as theirs, leadmill.client() as ours:
        again = theirs.post("/api/clients", json={"clientName": "twice",
                                                  "client_id": "site_456abc"})
        assert again.status_code == 409  # unique within the company, as before
        assert again.json()["errorType"] == "already_exists"
        assert theirs.get("/api/clients", params={"clientId": "site_456abc"}
                          ).json()["client"]["company_id"] == other.company_id

        command_id = theirs.post(COMMANDS, json=example(maxLeads=2, userId=other.user_id)
                                 ).json()["data"]["command_id"]
        done = wait_until(lambda: _finished(theirs, command_id), 90, "command did not finish")
        assert done["status"] == "completed" and len(done["leads_generated"]) == 2

        assert ours.get(f"{COMMANDS}/status/{command_id}").status_code == 404
        ours_listed = ours.get("/api/leads", params={"client_id": "site_456abc"})
        assert ours_listed.status_code == 200
        assert ours_listed.json()["leads"] == []
        theirs_listed = theirs.get("/api/leads", params={"client_id": "site_456abc"}).json()
        assert len(theirs_listed["leads"]) == 2


def test_schedules_refuse_another_companys_user_as_commands_do(leadmill):
    other = create_tenant_through_api(leadmill.settings, leadmill.base_url, "site-b")
    demo_user = leadmill.credentials["user_id"]
    with other.client(leadmill.base_url) as theirs:
        command = example(siteId=other.client_id, userId=demo_user, maxLeads=2)
        refused_command = theirs.post(COMMANDS, json=command)
        schedule = {"name": "Weekly", "command": command, "cron": "0 9 * * MON"}
        refused_schedule = theirs.post(SCHEDULES + "/", json=schedule)
        own = {**schedule, "command": {**command, "userId": other.user_id}}
        created = theirs.post(SCHEDULES + "/", json=own)
        assert created.status_code == 201, created.text
        refused_change = theirs.put(f"{SCHEDULES}/{created.json()['data']['schedule_id']}",
                                    json={"command": command})
    assert refused_command.status_code == 404
    assert refused_command.json()["error"]["code"] == "USER_NOT_FOUND"
    for refused in (refused_schedule, refused_change):
        assert refused.status_code == 404, refused.text
        error = refused.json()["error"]
        assert error["code"] == "USER_NOT_FOUND"
        assert error["details"]["field"] == "command.userId"


def _create_hook(client: httpx.Client, client_id: str, **headers: str) -> httpx.Response:
    return client.post(HOOKS + "/", headers=headers, json={
        "name": "replies", "platform": "generic", "client_id": client_id,
        "platformConfig": json.dumps({"field_mapping": {}})})


def test_inbound_webhook_urls_ignore_the_requests_host_header(leadmill):
    with leadmill.client() as client:
        created = _create_hook(client, "site_456abc", host="evil.example")
        assert created.status_code == 201, created.text
        listed = client.get(HOOKS + "/", headers={"host": "evil.example"}).json()["webhooks"]
    assert created.json()["webhookUrl"].startswith(f"{leadmill.base_url}{HOOKS}/hooks/whk_")
    assert listed[0]["endpoint"].startswith(f"{leadmill.base_url}{HOOKS}/hooks/")
    assert "evil.example" not in json.dumps([created.json(), listed])


def test_public_url_setting_is_validated_and_defaults_to_the_api_address():
    assert LeadmillSettings(api_port=8123).public_base_url == "http://127.0.0.1:8123"
    assert LeadmillSettings(public_url="https://leads.example.com/").public_base_url == (
        "https://leads.example.com")
    for bad in ("ftp://leads.example.com", "https://", "https://x.example/?a=1",
                "https://user:pw@x.example"):
        with pytest.raises(ValueError, match="LEADMILL_PUBLIC_URL"):
            LeadmillSettings(public_url=bad)


def test_a_deleted_clients_inbound_hooks_stop_accepting_leads(leadmill):
    other = create_tenant_through_api(leadmill.settings, leadmill.base_url, "site-hooked")
    with other.client(leadmill.base_url) as theirs:
        url = _create_hook(theirs, other.client_id).json()["webhookUrl"]
        accepted = httpx.post(url, json={"leads": [{"email": "a@example.com", "name": "A"}]})
        assert accepted.status_code == 200 and accepted.json()["leadsAdded"] == 1
        assert theirs.delete("/api/clients", params={"id": other.client_id}).status_code == 200
        refused = httpx.post(url, json={"leads": [{"email": "b@example.com", "name": "B"}]})
        # A deleted client keeps its id: nothing can bring its hooks back to life.
        again = theirs.post("/api/clients", json={"clientName": "again",
                                                  "client_id": "site-hooked"})
        assert again.status_code == 409
    assert refused.status_code == 404, refused.text
    assert refused.json()["success"] is False
    assert refused.json()["errorType"] == "not_found"


def test_the_prefect_run_link_is_for_operators_only(leadmill):
    with leadmill.client() as client:
        command_id = client.post(COMMANDS, json=example(maxLeads=1)).json()["data"]["command_id"]
        as_tenant = wait_until(lambda: _finished(client, command_id), 90, "did not finish")
        assert as_tenant["status"] == "completed"
        assert "prefect_run_url" not in as_tenant
        with session_scope(engine_for(leadmill.settings.sqlalchemy_url)) as session:
            grant_platform_admin(session, leadmill.credentials["username"])
        as_operator = client.get(f"{COMMANDS}/status/{command_id}").json()["data"]
    assert as_operator["prefect_run_url"].startswith(
        f"{leadmill.settings.prefect_ui_url}/runs/flow-run/")
