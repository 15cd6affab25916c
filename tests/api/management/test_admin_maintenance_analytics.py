"""Admin, maintenance and pipeline-analytics routes over real HTTP."""

from __future__ import annotations

import pytest

from storage.db.clock import utcnow
from storage.db.engine import engine_for, session_scope
from storage.tenancy.accounts import create_company, create_user, issue_api_key
from storage.tenancy.platform_admins import grant_platform_admin
from tests.fixtures.examples import example
from tests.fixtures.servers import wait_until


def rival_key(leadmill, *, platform_admin: bool = False) -> str:
    with session_scope(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        company = create_company(session, "Rival Inc")
        user = create_user(session, company, f"ops-{company.id}@rival.example.com", role="member")
        key = issue_api_key(session, user, "ops")
        if platform_admin:
            grant_platform_admin(session, user.username)
    return key


@pytest.mark.parametrize(("kind", "plural"), [("bug", "bugs"), ("enhancement", "enhancements")])
def test_maintenance_reports_are_filed_and_listed_per_company(leadmill, kind, plural):
    with leadmill.client() as client:
        created = client.post(f"/api/maintenance/{plural}",
                              json={"description": "Enrichment fails on LinkedIn URLs"})
        listed = client.get(f"/api/maintenance/{plural}").json()
        missing = client.post(f"/api/maintenance/{plural}", json={"title": "no description"})
    assert created.status_code == 201
    report = created.json()[kind]
    assert report["id"].startswith("bug_" if kind == "bug" else "enh_")
    assert [item["id"] for item in listed[plural]] == [report["id"]]
    assert missing.status_code == 400
    assert missing.json()["errorType"] == "missing_required_field"
    with leadmill.client(rival_key(leadmill)) as rival:
        assert rival.get(f"/api/maintenance/{plural}").json()[plural] == []


def test_pipeline_analytics_counts_todays_commands_and_leads(leadmill):
    today = utcnow().date().isoformat()
    with leadmill.client() as client:
        command_id = client.post("/api/agents/sales/leadGeneration",
                                 json=example(maxLeads=3)).json()["data"]["command_id"]
        wait_until(lambda: client.get(f"/api/agents/sales/leadGeneration/status/{command_id}")
                   .json()["data"]["status"] == "completed", 90, "command did not finish")
        report = client.get("/api/analytics/pipeline",
                            params={"startDate": today, "endDate": today}).json()
        bad_date = client.get("/api/analytics/pipeline", params={"startDate": "yesterday"})
        reversed_range = client.get("/api/analytics/pipeline",
                                    params={"startDate": "2026-02-01", "endDate": "2026-01-01"})
    [day] = report["days"]
    assert day["date"] == today
    assert day["commands"]["by_status"] == {"completed": 1}
    assert day["commands"]["by_stage"] == {"done": 1}
    assert day["leads"]["total"] == 3 and day["leads"]["by_status"] == {"new": 3}
    assert bad_date.status_code == 400 and bad_date.json()["errorType"] == "invalid_format"
    assert reversed_range.status_code == 400
    assert reversed_range.json()["errorType"] == "invalid_value"
    with leadmill.client(rival_key(leadmill)) as rival:
        assert rival.get("/api/analytics/pipeline").json()["totals"] == {"leads": 0, "commands": 0}


def test_admin_routes_refuse_a_non_admin_key_and_list_every_tenant_for_an_admin_key(leadmill):
    with leadmill.client() as owner:  # the demo key: a company owner, not a platform admin
        refused = [owner.get("/api/admin/companies"), owner.get("/api/admin/users")]
    for response in refused:
        assert response.status_code == 403
        assert response.json()["errorType"] == "insufficient_permissions"
    with leadmill.client(rival_key(leadmill, platform_admin=True)) as admin:
        companies = admin.get("/api/admin/companies").json()["companies"]
        users = admin.get("/api/admin/users")
    assert {"company-demo"} <= {company["id"] for company in companies}
    assert len(companies) >= 2
    assert "password" not in users.text and "hash" not in users.text
    assert any(user["platform_admin"] for user in users.json()["users"])
