"""Every request/response pair of leadgenius-pro-api.md and its endpoint reference, replayed
against a running Leadmill over HTTP as a client of the real service sends them: the documented
payload goes in unchanged, and the reply carries every field the document shows (Leadmill may
add fields, never replace one a client reads).

The pairs are restated here (routes, payload field names, reply field names) from the two
documents; the real service's own scripts are exercised by test_real_clients.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest


@pytest.fixture
def leadmill_overrides() -> dict:
    # The replay makes a few dozen calls; the standard tier's 100/minute is not what's tested.
    return {"rate_limit_standard": 10_000}


class Documented:
    """A client holding the access token of `POST /api/auth`, as the document's curl lines."""

    def __init__(self, base_url: str, credentials: dict[str, Any]) -> None:
        self.base_url = base_url
        self.credentials = credentials
        login = httpx.post(f"{base_url}/api/auth", json={
            "username": credentials["username"], "password": credentials["password"]})
        assert login.status_code == 200, login.text
        self.login = login.json()
        self.http = httpx.Client(base_url=base_url, timeout=60, headers={
            "Authorization": f"Bearer {self.login['tokens']['accessToken']}",
            "Content-Type": "application/json"})

    def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> dict[str, Any]:
        reply = self.http.request(method, path, **kwargs)
        assert reply.status_code == status, f"{method} {path}: {reply.status_code} {reply.text}"
        body = reply.json()
        assert body.get("success") is True, body
        return body


def has(record: dict[str, Any], *fields: str) -> None:
    missing = [name for name in fields if name not in record]
    assert not missing, f"missing {missing} in {sorted(record)}"


@pytest.fixture
def documented(leadmill) -> Documented:
    return Documented(leadmill.base_url, leadmill.credentials)


def test_login_reply_is_the_documented_one(documented: Documented) -> None:
    assert documented.login["success"] is True
    has(documented.login["tokens"], "accessToken", "idToken", "refreshToken", "expiresIn")
    assert documented.login["tokens"]["expiresIn"] == 3600


def test_client_and_lead_pairs(documented: Documented) -> None:
    call = documented.call
    created = call("POST", "/api/clients", 201, json={
        "clientName": "Acme Corp", "companyURL": "https://acme.com",
        "description": "Enterprise client for B2B leads"})
    has(created["client"], "id", "client_id", "clientName", "companyURL", "description",
        "owner", "company_id")
    client = created["client"]
    updated = call("PUT", "/api/clients", json={
        "id": client["id"], "clientName": "Updated Name", "description": "Updated description"})
    assert updated["client"]["clientName"] == "Updated Name"
    # "Get single client": by the record id, read as clients[0], as the real E2E suite does.
    for key in (client["id"], client["client_id"]):
        single = call("GET", "/api/clients", params={"clientId": key})
        assert single["clients"][0]["client_id"] == client["client_id"]
    client_id = client["client_id"]

    lead = call("POST", "/api/leads", 201, json={
        "client_id": client_id, "firstName": "John", "lastName": "Smith",
        "email": "john.smith@example.com", "companyName": "Acme Corp",
        "companyDomain": "acme.com", "title": "VP Engineering",
        "linkedinUrl": "https://linkedin.com/in/johnsmith"})["lead"]
    has(lead, "id", "firstName", "lastName", "email", "companyName", "companyDomain", "title",
        "linkedinUrl", "client_id")
    batch = call("POST", "/api/leads", 201, json={"leads": [
        {"client_id": client_id, "firstName": "Jane", "lastName": "Doe",
         "email": "jane@example.com", "companyName": "BatchCorp", "title": "CTO"},
        {"client_id": client_id, "firstName": "Bob", "lastName": "Wilson",
         "email": "bob@example.com", "companyName": "BatchCorp", "title": "VP Sales"}]})
    assert batch["created"] == 2 and batch["skipped"] == []

    listed = call("GET", "/api/leads", params={"client_id": client_id, "limit": 100})
    has(listed, "leads", "total", "nextToken")
    assert listed["total"] == 3
    ids = [item["id"] for item in listed["leads"]]
    # The reference: GET /api/leads lists all the user's B2B leads (no client_id needed).
    everything = call("GET", "/api/leads")
    assert set(ids) <= {item["id"] for item in everything["data"]}

    single = call("PUT", "/api/leads", json={"id": lead["id"], "title": "Senior VP Engineering",
                                             "notes": "Updated via API"})["lead"]
    assert single["title"] == "Senior VP Engineering" and single["notes"] == "Updated via API"
    assert call("PUT", "/api/leads", json={"leads": [
        {"id": ids[0], "notes": "Updated lead 1"},
        {"id": ids[1], "notes": "Updated lead 2"}]})["updated"] == 2

    found = call("GET", "/api/find-lead", params={"email": "jane@example.com",
                                                  "client_id": client_id})
    assert found["found"] is True
    enriched = call("GET", f"/api/enrich-leads/{lead['id']}")["lead"]
    assert enriched["id"] == lead["id"]
    scored = call("PUT", f"/api/enrich-leads/{lead['id']}", json={"aiLeadScore": 87})["lead"]
    assert scored["aiLeadScore"] == 87

    call("DELETE", "/api/leads", params={"id": lead["id"]})
    assert call("DELETE", "/api/leads", json={"ids": ids[1:]})["deleted"] >= 1
    call("DELETE", "/api/clients", params={"id": client["id"], "purge": "true"})


def test_bulk_pairs_use_the_api_key(leadmill) -> None:
    headers = {"x-api-key": leadmill.credentials["api_key"],
               "x-user-id": leadmill.credentials["user_id"]}
    for path in ("/api/enrich-leads/list", "/api/source-leads/list"):
        reply = httpx.get(f"{leadmill.base_url}{path}", headers=headers, params={
            "companyId": "company-demo", "clientId": "ALL", "limit": 5})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["success"] is True and "nextToken" in body
    projected = httpx.get(f"{leadmill.base_url}/api/enrich-leads/list", headers=headers, params={
        "companyId": "company-demo", "limit": 3, "fields": "id,email"}).json()
    assert all(set(item) <= {"id", "email"} for item in projected["items"])


def test_company_search_history_webhook_and_territory_pairs(documented: Documented) -> None:
    call = documented.call
    company = call("GET", "/api/company")
    assert company["company"]["id"] == "company-demo"
    client = call("POST", "/api/clients", 201, json={"clientName": "Pairs"})["client"]
    search = call("POST", "/api/search-history", 201, json={
        "searchName": "Tech Companies in SF", "searchDescription": "Looking for SaaS companies",
        "searchCriteria": {"industry": "Technology", "location": "San Francisco"},
        "searchFilters": {"companySize": "50-200"}, "client_id": client["client_id"],
        "clientName": "Acme Corp", "icpId": "icp-456", "icpName": "Enterprise SaaS",
        "apifyActorId": "actor-789", "category": "prospecting", "tags": ["enterprise", "saas"]})
    record = next(value for value in search.values() if isinstance(value, dict))
    call("PUT", "/api/search-history", json={"id": record["id"], "status": "completed",
                                              "resultsCount": 12})
    listed = call("GET", "/api/search-history", params={
        "client_id": client["client_id"], "status": "completed", "icpId": "icp-456",
        "category": "prospecting", "limit": 10})
    assert any(item["id"] == record["id"] for item in
               next(value for value in listed.values() if isinstance(value, list)))
    hook = call("POST", "/api/webhook-workbench", 201, json={
        "name": "My Webhook", "platform": "heyreach", "description": "Webhook for lead capture",
        "platformConfig": "{\"field_mapping\": {}}", "client_id": client["client_id"]})
    assert "webhookUrl" in hook
    assert call("GET", "/api/webhook-workbench")
    territory = call("GET", "/api/territory-workbench/companies", params={
        "client_id": client["client_id"], "sortBy": "leadCount", "sortDirection": "desc",
        "minLeads": 0, "search": ""})
    assert territory


def test_settings_and_processing_pairs(documented: Documented, leadmill) -> None:
    call = documented.call
    call("POST", "/api/settings/agent", 201, json={"projectId": "project-1",
                                                   "enrichment1AgentId": "agent-1"})
    sdr = {"projectId": "project-1", **{f"message{n}AgentId": f"m{n}" for n in range(1, 11)},
           **{f"{name}AgentId": name for name in (
               "aiLeadScore", "aiQualification", "aiNextAction", "aiColdEmail", "aiInterest",
               "aiLinkedinConnect", "aiCompetitorAnalysis", "aiEngagementLevel",
               "aiPurchaseWindow", "aiDecisionMakerRole", "aiSentiment",
               "aiSocialEngagement", "aiNurturingStage", "aiBudgetEstimation", "aiRiskScore",
               "aiProductFitScore")}}
    call("POST", "/api/settings/sdr-ai", 201, json=sdr)
    stored = call("GET", "/api/settings/sdr-ai")
    assert "aiProductFitScoreAgentId" in str(stored)
    lead_id = call("POST", "/api/leads", 201, json={
        "client_id": leadmill.credentials["site_id"], "firstName": "Jane", "lastName": "Doe",
        "email": "jane.doe@northwind.example", "companyName": "Northwind",
        "title": "COO"})["lead"]["id"]
    assert call("GET", "/api/leads", params={"pageSize": 1})["data"][0]["id"] == lead_id
    for path, selector in (("/api/leads/process/copyright", {"processes": [1]}),
                           ("/api/leads/process/sdr", {"fields": ["message1", "aiLeadScore"]}),
                           ("/api/leads/process/sdr", {})):
        reply = call("POST", path, json={"leadId": lead_id, **selector, "overwrite": False})
        has(reply, "runIds", "batchTag", "triggered", "skipped", "leadId")
    recent = call("GET", "/api/trigger-recent-runs", params={"limit": 20})
    assert recent
    run_id = reply["runIds"][0] if reply["runIds"] else None
    if run_id:
        call("GET", "/api/trigger-task-status", params={"runId": run_id})


def test_email_and_integration_pairs(documented: Documented) -> None:
    call = documented.call
    assert call("POST", "/api/email-validate", json={"email": "jane@example.com"})["data"]
    assert call("GET", "/api/unipile-accounts")["accounts"] == []
    chat = call("POST", "/api/epsimo-chat", json={"message": "Summarise this campaign"})
    assert chat.get("reply") or chat.get("message")


def test_error_shape_and_rate_limit_headers(leadmill) -> None:
    reply = httpx.get(f"{leadmill.base_url}/api/clients",
                      headers={"Authorization": "Bearer not-a-token"})
    assert reply.status_code == 401
    body = reply.json()
    has(body, "success", "error", "errorType", "details", "recommendation")
    assert body["success"] is False
    ok = httpx.get(f"{leadmill.base_url}/api/clients",
                   headers={"x-api-key": leadmill.credentials["api_key"]})
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert header in ok.headers
