"""The clients that exist for the real LeadGenius Pro service, against Leadmill over HTTP.

The document ships an E2E suite (`scripts/test_api.py`) and a CLI (`scripts/lgp.py`). What
each sends and what it reads of every reply is restated here step by step — the same
requests, the same fields read, the same decisions (a suite that cannot read `clients[0]`
skips every lead test; a CLI that gets 201 instead of 200 from key generation stops there) —
so a Leadmill change that would break those clients fails here. A step the real script would
count as skipped counts as a failure.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import pytest

from tests.api.protocol_servers import start_enrichment_service
from tests.fixtures.servers import wait_until


@pytest.fixture
def leadmill_overrides() -> dict:
    return {"rate_limit_standard": 10_000}


class Tally:
    """The real suite's results: passed, failed, skipped, with the failing step's detail."""

    def __init__(self) -> None:
        self.passed: list[str] = []
        self.failed: list[str] = []
        self.skipped: list[str] = []

    def check(self, condition: bool, name: str, detail: Any = "") -> bool:
        (self.passed if condition else self.failed).append(
            name if condition else f"{name}: {str(detail)[:300]}")
        return condition

    def skip(self, name: str) -> None:
        self.skipped.append(name)


class SuiteClient:
    """test_api.py's APIClient: Bearer access token, plus the tokens as cookies."""

    def __init__(self, base_url: str, access_token: str, id_token: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30, headers={
            "Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
            cookies={"accessToken": access_token, "idToken": id_token})

    def request(self, method: str, path: str, *, params: dict | None = None,
                data: Any = None) -> tuple[int, dict[str, Any]]:
        reply = self.http.request(method, path, params=params,
                                  content=None if data is None else json.dumps(data))
        try:
            return reply.status_code, reply.json()
        except ValueError:
            return reply.status_code, {"raw": reply.text}


def jwt_subject(token: str) -> str | None:
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    claims = json.loads(base64.urlsafe_b64decode(payload))
    return claims.get("sub") or claims.get("id") or claims.get("user_id")


def run_e2e_suite(base_url: str, username: str, password: str) -> Tally:
    """scripts/test_api.py, step for step."""
    tally = Tally()
    reply = httpx.post(f"{base_url}/api/auth", json={"username": username, "password": password})
    body = reply.json()
    if not tally.check(reply.status_code == 200, "Auth returns 200", body):
        return tally
    tokens = body.get("tokens", {})
    for name in ("accessToken", "idToken", "refreshToken"):
        tally.check(bool(tokens.get(name)), f"{name} received")
    tally.check(bool(body.get("user", {}).get("id") or body.get("userId")
                     or jwt_subject(tokens["accessToken"])), "User id known")
    api = SuiteClient(base_url, tokens["accessToken"], tokens["idToken"])

    # 2. Clients
    status, body = api.request("GET", "/api/clients")
    if not tally.check(status == 200 and body.get("success") is True, "List clients", body):
        return tally
    name = f"__TEST_CLIENT_{int(time.time())}"
    status, body = api.request("POST", "/api/clients", data={
        "clientName": name, "companyURL": "https://test-company.example.com",
        "description": "Automated test client — safe to delete"})
    if not tally.check(status == 201, "Create client returns 201", body):
        return tally
    created_id = body.get("client", {}).get("id")
    tally.check(bool(created_id), "Client ID returned")
    tally.check(body["client"].get("clientName") == name, "Client name matches")
    status, body = api.request("PUT", "/api/clients", data={
        "id": created_id, "clientName": f"{name}_UPDATED",
        "description": "Updated description from automated test"})
    tally.check(status == 200 and body.get("client", {}).get("clientName") == f"{name}_UPDATED",
                "Update client", body)
    status, body = api.request("GET", "/api/clients", params={"clientId": created_id})
    if tally.check(status == 200, "Get single client returns 200", body):
        fetched = body.get("clients", [])
        if fetched:
            tally.check(fetched[0].get("clientName") == f"{name}_UPDATED", "Fetched updated")
        else:
            tally.skip("Fetched client reflects updated name")

    # 3. Leads: the suite reads the business client_id from clients[0].
    status, body = api.request("GET", "/api/clients", params={"clientId": created_id})
    if status != 200 or not body.get("clients"):
        tally.skip("All lead tests")
        return tally
    client_id = body["clients"][0].get("client_id", created_id)
    lead_ids: list[str] = []
    status, body = api.request("POST", "/api/leads", data={
        "client_id": client_id, "firstName": "Test", "lastName": "LeadOne",
        "email": "test.leadone@example-test.com", "companyName": "TestCorp",
        "companyDomain": "testcorp.example.com", "title": "VP Engineering",
        "linkedinUrl": "https://linkedin.com/in/test-leadone"})
    if tally.check(status == 201, "Create single lead returns 201", body):
        lead_id = body.get("lead", {}).get("id")
        if tally.check(bool(lead_id), "Lead ID returned"):
            lead_ids.append(lead_id)
    status, body = api.request("POST", "/api/leads", data={"leads": [
        {"client_id": client_id, "firstName": "Test", "lastName": "LeadTwo",
         "email": "test.leadtwo@example-test.com", "companyName": "BatchCorp", "title": "CTO"},
        {"client_id": client_id, "firstName": "Test", "lastName": "LeadThree",
         "email": "test.leadthree@example-test.com", "companyName": "BatchCorp",
         "title": "VP Sales"}]})
    if tally.check(status == 201, "Batch create returns 201", body):
        tally.check(body.get("created", 0) == 2, "Created count is 2", body)
    status, body = api.request("GET", "/api/leads", params={"client_id": client_id, "limit": 50})
    if tally.check(status == 200 and body.get("success") is True, "List leads", body):
        tally.check(body.get("total", 0) == 3, "Total is 3", body.get("total"))
        for lead in body.get("leads", []):
            if lead.get("id") and lead["id"] not in lead_ids:
                lead_ids.append(lead["id"])
    if lead_ids:
        status, body = api.request("PUT", "/api/leads", data={
            "id": lead_ids[0], "title": "Senior VP Engineering (Updated)",
            "notes": "Updated by automated test script"})
        tally.check(status == 200 and body.get("lead", {}).get("title") ==
                    "Senior VP Engineering (Updated)", "Update lead", body)
    if len(lead_ids) >= 2:
        status, body = api.request("PUT", "/api/leads", data={"leads": [
            {"id": lead_ids[0], "notes": "Batch updated lead 1"},
            {"id": lead_ids[1], "notes": "Batch updated lead 2"}]})
        tally.check(status == 200 and body.get("success") is True, "Batch update", body)
    if lead_ids:
        status, body = api.request("DELETE", "/api/leads", params={"id": lead_ids[0]})
        if tally.check(status == 200 and body.get("success") is True, "Delete one lead", body):
            lead_ids.pop(0)
    if lead_ids:
        status, body = api.request("DELETE", "/api/leads", data={"ids": lead_ids})
        tally.check(status == 200 and body.get("success") is True, "Batch delete", body)

    # 4. Cleanup: the client by its record id.
    status, body = api.request("DELETE", "/api/clients", params={"id": created_id})
    tally.check(status == 200 and body.get("success") is True, "Test client deleted", body)
    return tally


def test_the_e2e_suite_passes_every_step_and_skips_none(leadmill) -> None:
    tally = run_e2e_suite(leadmill.base_url, leadmill.credentials["username"],
                          leadmill.credentials["password"])
    assert tally.failed == [] and tally.skipped == [], (tally.failed, tally.skipped)
    assert len(tally.passed) >= 20


class LgpCli:
    """scripts/lgp.py: log in for a JWT, generate an API key with it, then every command with
    the key (x-api-key + x-user-id when it starts with lgp_, else as a Bearer token)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.auth_file: dict[str, Any] = {}

    def auth(self, email: str, password: str) -> bool:
        reply = httpx.post(f"{self.base_url}/api/auth",
                           json={"username": email, "password": password})
        if reply.status_code != 200:
            return False
        data = reply.json()
        jwt_token = data.get("tokens", {}).get("accessToken") or data.get("jwt_token")
        user_id = data.get("user", {}).get("id") or data.get("userId") or jwt_subject(jwt_token)
        self.auth_file = {"token": jwt_token, "email": email, "user_id": user_id}
        return True

    def generate_key(self, name: str, description: str) -> str | None:
        reply = httpx.post(f"{self.base_url}/api/agent-api-keys", json={
            "name": name, "description": description},
            headers={"Authorization": f"Bearer {self.auth_file['token']}"})
        if reply.status_code != 200:
            return None
        api_key = reply.json().get("apiKey")
        self.auth_file["api_key"] = api_key
        return api_key

    def request(self, method: str, endpoint: str, data: Any = None,
                params: dict | None = None) -> dict[str, Any] | None:
        token = self.auth_file.get("api_key") or self.auth_file.get("token")
        headers = {"Content-Type": "application/json"}
        if isinstance(token, str) and token.startswith("lgp_"):
            headers["x-api-key"] = token
            headers["x-user-id"] = self.auth_file["user_id"]
        else:
            headers["Authorization"] = f"Bearer {token}"
        reply = httpx.request(method, f"{self.base_url}/api/{endpoint.lstrip('/')}",
                              headers=headers, params=params,
                              content=None if data is None else json.dumps(data), timeout=60)
        if reply.status_code >= 400:
            return None
        return reply.json()


def _store_leads(leadmill, count: int) -> None:
    """`count` leads of the demo site, as a user of the service already has."""
    reply = leadmill.client().post("/api/leads", json={"leads": [
        {"client_id": leadmill.credentials["site_id"], "firstName": f"Ana{n}",
         "lastName": "Lopez", "email": f"ana{n}@northwind-{n % 3}.example",
         "companyName": f"Northwind {n % 3} Traders", "title": "Head of Operations",
         "linkedinUrl": f"https://www.linkedin.com/in/ana-lopez-{n}", "city": "Madrid",
         "country": "Spain"} for n in range(count)]})
    assert reply.status_code == 201 and reply.json()["created"] == count, reply.text


def test_the_cli_onboards_with_a_key_and_runs_its_commands(leadmill) -> None:
    _store_leads(leadmill, 25)
    cli = LgpCli(leadmill.base_url)
    assert cli.auth(leadmill.credentials["username"], leadmill.credentials["password"])
    assert cli.auth_file["user_id"] == leadmill.credentials["user_id"]
    key = cli.generate_key("Production Agent", "Key for main auto-agent")
    assert isinstance(key, str) and key

    listed = cli.request("GET", "leads", params={"pageSize": 20})
    assert listed is not None and len(listed["data"]) == 20
    someone = listed["data"][0]
    found = cli.request("GET", "leads", params={"pageSize": 100,
                                                "fullName": someone["fullName"]})
    assert found is not None and someone["id"] in [lead["id"] for lead in found["data"]]
    for lead in found["data"]:
        assert lead.get("fullName") or lead.get("contactName")
        for name in ("id", "title", "companyName", "email", "linkedinUrl", "city", "country",
                     "status"):
            assert name in lead
    by_company = cli.request("GET", "leads", params={"pageSize": 100,
                                                     "companyName": someone["companyName"]})
    assert by_company and all(someone["companyName"].lower() in lead["companyName"].lower()
                              for lead in by_company["data"])

    # The document's processing workflow: settings first (here a loopback enrichment
    # service), then the trigger, tracked by its job id.
    service = start_enrichment_service({"/company": (200, {"companyUrl": "https://nw.example"})})
    try:
        assert cli.request("POST", "settings/url",
                           data={"companyUrl": f"{service.url}/company"}) is not None
        enrich = cli.request("POST", "enrichment/trigger", data={
            "leadIds": [someone["id"]], "enrichmentType": "technographic"})
        assert enrich is not None and enrich.get("jobId")
        wait_until(lambda: (cli.request("GET", "trigger-task-status",
                                        params={"runId": enrich["jobId"]}) or {}
                            ).get("status") in ("COMPLETED", "FAILED", "CRASHED"),
                   120, "the enrichment job did not finish")
        job = cli.request("GET", "trigger-task-status", params={"runId": enrich["jobId"]})
        assert job["status"] == "COMPLETED", job
    finally:
        service.stop()

    created = cli.request("POST", "campaigns", data={"name": "Q3 Expansion",
                                                     "campaignType": "abm", "status": "active"})
    assert created is not None and created.get("id")
    campaigns = cli.request("GET", "campaigns")
    assert campaigns is not None
    assert created["id"] in [c.get("id") for c in campaigns.get("campaigns", [])]
    assert all({"id", "name", "status"} <= set(c) for c in campaigns["campaigns"])

    assert cli.request("GET", "analytics/pipeline",
                       params={"startDate": "2026-01-01", "endDate": "2026-02-08"})
    bug = cli.request("POST", "maintenance/bugs", data={
        "description": "Enrichment fails on LinkedIn URLs", "userEmail": None})
    assert bug is not None and bug.get("bug", {}).get("id")
    assert cli.request("GET", "maintenance/bugs") is not None
    enhancement = cli.request("POST", "maintenance/enhancements", data={
        "description": "Add support for Google Maps leads", "userEmail": None})
    assert enhancement is not None and enhancement.get("enhancement", {}).get("id")
    assert cli.request("GET", "maintenance/enhancements") is not None
