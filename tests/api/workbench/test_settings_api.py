"""`/api/settings/url`, `/agent`, `/sdr-ai` over real HTTP: masking, merging, scoping, errors,
and another company seeing nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from storage.db.engine import engine_for, session_scope
from storage.workspace.models import ServiceSetting
from tests.api.tenant_helpers import Tenant, create_tenant, start_module_instance

SECRET = "sk-live-0123456789abcdef"


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("settings"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def other(app) -> Tenant:
    return create_tenant(app.settings)


def test_put_before_any_settings_is_not_found(app, other) -> None:
    with other.client(app.base_url) as http:
        for path in ("/api/settings/url", "/api/settings/agent", "/api/settings/sdr-ai"):
            reply = http.put(path, json={"projectId": "p"} if "url" not in path
                             else {"companyUrl": "https://enrich.example.com/x"})
            assert reply.status_code == 404, path
            assert reply.json()["errorType"] == "not_found"


def test_url_settings_store_sealed_keys_and_answer_them_masked(app) -> None:
    with app.client() as http:
        created = http.post("/api/settings/url", json={
            "companyUrl": "https://enrich.example.com/company", "companyUrl_Apikey": SECRET,
            "enrichment3": "https://enrich.example.com/e3"})
        assert created.status_code == 201, created.text
        assert SECRET not in created.text
        settings = http.get("/api/settings/url").json()["settings"]
    assert settings["companyUrl"] == "https://enrich.example.com/company"
    assert settings["companyUrl_Apikey"] == "****cdef"
    assert settings["enrichment3"] == "https://enrich.example.com/e3"
    assert settings["enrichment3_Apikey"] is None
    assert settings["emailFinder"] is None and "enrichment10_Apikey" in settings
    with session_scope(engine_for(app.settings.sqlalchemy_url)) as session:
        row = session.exec(select(ServiceSetting).where(
            ServiceSetting.service == "companyUrl")).one()
        assert row.api_key_sealed and SECRET not in row.api_key_sealed


def test_put_merges_and_clears_a_key(app) -> None:
    with app.client() as http:
        http.post("/api/settings/url", json={"emailFinder": "https://find.example.com",
                                             "emailFinder_Apikey": "finder-key-123456"})
        updated = http.put("/api/settings/url", json={"emailFinder_Apikey": None,
                                                      "enrichment1": "https://e1.example.com"})
        assert updated.status_code == 200, updated.text
        settings = updated.json()["settings"]
    assert settings["emailFinder"] == "https://find.example.com"
    assert settings["emailFinder_Apikey"] is None
    assert settings["enrichment1"] == "https://e1.example.com"


def test_client_settings_override_the_company_ones(app) -> None:
    site = app.credentials.get("site_id", "site_456abc")
    with app.client() as http:
        http.post("/api/settings/agent", json={"projectId": "proj-company",
                                               "enrichment1AgentId": "agent-a"})
        reply = http.post("/api/settings/agent", json={"client_id": site,
                                                       "enrichment1AgentId": "agent-site"})
        assert reply.status_code == 201, reply.text
        scoped = http.get("/api/settings/agent", params={"client_id": site}).json()
        company = http.get("/api/settings/agent").json()
    assert scoped["settings"]["enrichment1AgentId"] == "agent-site"
    assert scoped["settings"]["projectId"] == "proj-company"
    assert company["settings"]["enrichment1AgentId"] == "agent-a"
    assert company["settings"]["enrichment10AgentId"] is None


def test_every_documented_settings_key_is_accepted_and_answered(app) -> None:
    reference_sdr = [f"message{n}" for n in range(1, 11)] + [
        "aiLeadScore", "aiQualification", "aiNextAction", "aiColdEmail", "aiInterest",
        "aiLinkedinConnect", "aiCompetitorAnalysis", "aiEngagementLevel", "aiPurchaseWindow",
        "aiDecisionMakerRole", "aiSentiment", "aiSocialEngagement", "aiNurturingStage",
        "aiBudgetEstimation", "aiRiskScore", "aiProductFitScore"]
    services = ["companyUrl", "emailFinder", *(f"enrichment{n}" for n in range(1, 11))]
    sdr = {"projectId": "p", **{f"{name}AgentId": f"a-{name}" for name in reference_sdr}}
    agent = {"projectId": "p", **{f"enrichment{n}AgentId": f"a-{n}" for n in range(1, 11)}}
    url = {key: value for n, service in enumerate(services) for key, value in (
        (service, f"https://s{n}.example.com/x"), (f"{service}_Apikey", f"key-{n:012d}"))}
    with create_tenant(app.settings, "Thorough Co").client(app.base_url) as http:
        for path, body in (("/api/settings/sdr-ai", sdr), ("/api/settings/agent", agent),
                           ("/api/settings/url", url)):
            created = http.post(path, json=body)
            assert created.status_code == 201, created.text
            answered = http.get(path).json()["settings"]
            expected = {key: (f"****{value[-4:]}" if key.endswith("_Apikey") else value)
                        for key, value in body.items()}
            assert answered == {**answered, **expected}, path


def test_sdr_settings_accept_field_agent_ids(app) -> None:
    with app.client() as http:
        assert http.post("/api/settings/sdr-ai", json={
            "projectId": "p1", "message1AgentId": "m1", "aiLeadScoreAgentId": "score"}
        ).status_code == 201
        updated = http.put("/api/settings/sdr-ai", json={"aiLeadScoreAgentId": "score-2"})
        settings = updated.json()["settings"]
    assert settings == {**settings, "projectId": "p1", "message1AgentId": "m1",
                        "aiLeadScoreAgentId": "score-2", "aiQualificationAgentId": None}


@pytest.mark.parametrize(("path", "body", "status", "error_type", "field"), [
    ("/api/settings/url", {"companyUrl": "ftp://x.example.com"}, 400, "invalid_value",
     "companyUrl"),
    ("/api/settings/url", {"companyUrl": "http://10.0.0.8/enrich"}, 400, "invalid_value",
     "companyUrl"),
    ("/api/settings/url", {"companyUrl": 42}, 400, "invalid_format", "companyUrl"),
    ("/api/settings/url", {"enrichment11": "https://x.example.com"}, 400, "invalid_format",
     "enrichment11"),
    ("/api/settings/url", {}, 400, "invalid_value", "body"),
    ("/api/settings/agent", {"message1AgentId": "m"}, 400, "invalid_format", "message1AgentId"),
    ("/api/settings/sdr-ai", {"aiMoodAgentId": "m"}, 400, "invalid_format", "aiMoodAgentId"),
    ("/api/settings/sdr-ai", {"message11AgentId": "m"}, 400, "invalid_format",
     "message11AgentId"),
    ("/api/settings/sdr-ai", {"client_id": "no-such-site", "projectId": "p"}, 404, "not_found",
     "client_id"),
])
def test_bad_settings_are_refused_with_the_field(app, path, body, status, error_type,
                                                 field) -> None:
    with app.client() as http:
        reply = http.post(path, json=body)
    assert reply.status_code == status, reply.text
    payload = reply.json()
    assert payload["success"] is False and payload["errorType"] == error_type
    assert payload["details"]["field"] == field


def test_settings_need_credentials(app) -> None:
    import httpx

    reply = httpx.get(f"{app.base_url}/api/settings/url")
    assert reply.status_code == 401 and reply.json()["errorType"] == "no_valid_credentials"


def test_another_company_sees_none_of_the_settings(app, other) -> None:
    with app.client() as http:
        http.post("/api/settings/url", json={"enrichment2": "https://e2.example.com",
                                             "enrichment2_Apikey": SECRET})
        http.post("/api/settings/sdr-ai", json={"message2AgentId": "first-company"})
    with other.client(app.base_url) as http:
        url = http.get("/api/settings/url").json()["settings"]
        sdr = http.get("/api/settings/sdr-ai").json()["settings"]
        foreign_scope = http.get("/api/settings/agent", params={"client_id": "site_456abc"})
    assert all(value is None for value in url.values())
    assert all(value is None for value in sdr.values())
    assert foreign_scope.status_code == 404


def test_a_logged_in_user_reaches_the_settings_with_a_bearer_token(app) -> None:
    import httpx

    login = httpx.post(f"{app.base_url}/api/auth", json={
        "username": app.credentials["username"], "password": app.credentials["password"]})
    assert login.status_code == 200, login.text
    token = login.json()["tokens"]["accessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(f"{app.base_url}/api/settings/agent", headers=headers,
                         json={"enrichment7AgentId": "via-jwt"})
    assert created.status_code == 201, created.text
    with app.client() as http:  # the demo API key belongs to the same company
        assert http.get("/api/settings/agent").json()["settings"]["enrichment7AgentId"] == \
            "via-jwt"
