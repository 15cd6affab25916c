"""Regenerates api/examples/responses.json: the response example of every route, as really
answered by a running Leadmill fed the request examples of api/docs/request_examples.py.

Not a test (its name keeps pytest from collecting it); run it on purpose when a reply changes:
    .venv/bin/python -m pytest -q -p no:logging tests/api/capture_doc_examples.py
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import httpx

from api.docs.request_examples import (
    CLIENT_PLACEHOLDER,
    EXAMPLES_DIR,
    LEAD_PLACEHOLDER,
    request_docs,
)
from storage.db.clock import utcnow
from storage.db.engine import engine_for, session_scope
from storage.tenancy.accounts import create_company, create_user, issue_api_key
from storage.tenancy.passwords import hash_password
from storage.tenancy.platform_admins import grant_platform_admin
from tests.fixtures.servers import wait_until

MAX_ITEMS = 2
MAX_TEXT = 160
# Credentials minted by the throwaway instance: shown as their shape, never committed.
JWT = "eyJhbGciOiJIUzI1NiIs...<JWT>"
CREDENTIALS = {"accessToken": JWT, "idToken": JWT, "refreshToken": JWT,
               "apiKey": "lgp_...<the full key, shown only in this reply>"}


def trimmed(value: Any) -> Any:
    """Short enough to read in Swagger UI: two items per list, long strings cut."""
    if isinstance(value, dict):
        return {key: CREDENTIALS[key] if key in CREDENTIALS and isinstance(item, str)
                else trimmed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [trimmed(item) for item in value[:MAX_ITEMS]]
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "..."
    return value


def body_for(route: str, client_id: str, lead_id: str, **ids: str) -> dict[str, Any]:
    method, path = route.split(" ", 1)
    text = json.dumps(request_docs()[(method, path)].example)
    text = text.replace(CLIENT_PLACEHOLDER, client_id).replace(LEAD_PLACEHOLDER, lead_id)
    for placeholder, value in ids.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


def admin_key(leadmill) -> str:
    with session_scope(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        company = create_company(session, "Platform Ops")
        user = create_user(session, company, "ops@platform.example.com", role="owner")
        key = issue_api_key(session, user, "ops")
        grant_platform_admin(session, user.username)
    return key


def test_capture_response_examples(  # noqa: PLR0915 - one straight walk through the API
    leadmill_reading_loopback, company_site, receiver_factory
):
    leadmill = leadmill_reading_loopback
    replies: dict[str, dict[str, Any]] = {}

    def call(http, route: str, url: str | None = None, expect: int | None = None,
             **kwargs: Any) -> Any:
        method, path = route.split(" ", 1)
        reply = http.request(method, url or path.partition("#")[0], **kwargs)
        ok = reply.status_code == expect if expect else 200 <= reply.status_code < 300
        assert ok, (route, reply.status_code, reply.text)
        replies.setdefault(route, {"status": str(reply.status_code),
                                   "body": trimmed(reply.json())})
        return reply.json()

    with leadmill.client() as http:
        call(http, "GET /api/health")
        call(http, "POST /api/auth", json={"username": leadmill.credentials["username"],
                                           "password": leadmill.credentials["password"]})
        key = call(http, "POST /api/agent-api-keys",
                   json=body_for("POST /api/agent-api-keys", "", ""))
        call(http, "GET /api/agent-api-keys")
        key_id = key["key"]["id"]
        call(http, "DELETE /api/agent-api-keys", params={"id": key_id})
        call(http, "GET /api/company")
        call(http, "PUT /api/company", json={"name": "Acme Corporation"})
        with session_scope(engine_for(leadmill.settings.sqlalchemy_url)) as session:
            create_user(session, None, "founder@acme.com",
                        password_hash=hash_password("a-long-password"))
        founder = call(http, "POST /api/auth", json={"username": "founder@acme.com",
                                                     "password": "a-long-password"})["tokens"]
        # A client of its own: `http` carries the demo key, not the founder's credentials.
        with httpx.Client(base_url=leadmill.base_url, timeout=30, headers={
                "Authorization": f"Bearer {founder['accessToken']}"}) as founder_http:
            call(founder_http, "POST /api/company", json={"name": "Acme Corp"})
            call(founder_http, "POST /api/auth/logout", json={"allSessions": False})
        again = http.post("/api/auth", json={"username": "founder@acme.com",
                                             "password": "a-long-password"}).json()["tokens"]
        with httpx.Client(base_url=leadmill.base_url, timeout=30, headers={
                "Authorization": f"Bearer {again['accessToken']}"}) as founder_http:
            call(founder_http, "POST /api/auth/password",
                 json=body_for("POST /api/auth/password", "", ""))
        call(http, "POST /api/company/users", json=body_for("POST /api/company/users", "", ""))

        client = call(http, "POST /api/clients", json=body_for("POST /api/clients", "", ""))
        client_id, record_id = client["client"]["client_id"], client["client"]["id"]
        call(http, "GET /api/clients")
        call(http, "PUT /api/clients", json=body_for("PUT /api/clients", client_id, "",
                                                     **{"<dynamodb-id>": record_id}))
        lead = call(http, "POST /api/leads", json=body_for("POST /api/leads", client_id, ""))
        lead_id = lead["lead"]["id"]
        call(http, "POST /api/leads#batch",
             json=body_for("POST /api/leads#batch", client_id, ""))
        call(http, "GET /api/leads", params={"client_id": client_id, "limit": 2})
        call(http, "PUT /api/leads", json=body_for("PUT /api/leads", client_id, lead_id))
        call(http, "PUT /api/leads#batch",
             json=body_for("PUT /api/leads#batch", client_id, lead_id))
        call(http, "GET /api/find-lead", params={"email": "john.smith@example.com"})
        company_id = leadmill.credentials.get("company_id") or http.get(
            "/api/company").json()["company"]["id"]
        call(http, "GET /api/enrich-leads/list", params={"companyId": company_id, "limit": 2})
        call(http, "GET /api/source-leads/list", params={"companyId": company_id, "limit": 2})

        for kind in ("url", "agent", "sdr-ai"):
            for method in ("POST", "PUT"):
                route = f"{method} /api/settings/{kind}"
                call(http, route, json=body_for(route, client_id, lead_id))
            call(http, f"GET /api/settings/{kind}")
        for kind in ("enrich", "copyright", "sdr"):
            route = f"POST /api/leads/process/{kind}"
            call(http, route, json=body_for(route, client_id, lead_id))
        run = call(http, "POST /api/trigger", json=body_for("POST /api/trigger", client_id,
                                                              lead_id))
        call(http, "GET /api/trigger-recent-runs")
        call(http, "GET /api/trigger-task-status", params={"runId": run.get("runId")
                                                          or run.get("id")})

        search = call(http, "POST /api/search-history",
                      json=body_for("POST /api/search-history", client_id, lead_id))
        search_id = (search.get("search") or search.get("searchHistory") or search).get("id")
        call(http, "PUT /api/search-history",
             json=body_for("PUT /api/search-history", client_id, lead_id,
                           **{"<search-id>": search_id}))
        call(http, "GET /api/search-history", params={"client_id": client_id})
        call(http, "POST /api/territory-workbench/companies",
             json=body_for("POST /api/territory-workbench/companies", client_id, lead_id))
        call(http, "GET /api/territory-workbench/companies", params={"client_id": client_id})
        campaign = call(http, "POST /api/campaigns",
                        json=body_for("POST /api/campaigns", client_id, ""))
        call(http, "PUT /api/campaigns", json=body_for("PUT /api/campaigns", client_id, "",
                                                       **{"<campaign-id>": campaign["id"]}))
        call(http, "GET /api/campaigns")
        call(http, "POST /api/agent/campaigns",
             json=body_for("POST /api/agent/campaigns", client_id, ""))
        call(http, "GET /api/agent/campaigns", params={"pageSize": 2})
        call(http, "GET /api/agent/clients", params={"name": "acme"})

        hook = call(http, "POST /api/webhook-workbench",
                    json=body_for("POST /api/webhook-workbench", client_id, ""))
        call(http, "GET /api/webhook-workbench")
        hook_url = hook["webhookUrl"]
        hook_path = hook_url[hook_url.index("/api/webhook-workbench/hooks/"):]
        call(http, "POST /api/webhook-workbench/hooks/{webhook_id}/{secret}", url=hook_path,
             json=body_for("POST /api/webhook-workbench/hooks/{webhook_id}/{secret}", "", ""))
        hook_id = hook["webhook"]["id"]
        call(http, "PUT /api/webhook-workbench",
             json=body_for("PUT /api/webhook-workbench", client_id, "",
                           **{"<webhook-id>": hook_id}))
        call(http, "POST /api/webhook-workbench/rotate", params={"id": hook_id})
        call(http, "DELETE /api/webhook-workbench", params={"id": hook_id})

        call(http, "POST /api/email-validate", json={"email": "john.smith@example.com"})
        call(http, "POST /api/email-verify", json={"email": "john.smith@example.com"})
        for plural in ("bugs", "enhancements"):
            route = f"POST /api/maintenance/{plural}"
            call(http, route, json=body_for(route, "", ""))
            call(http, f"GET /api/maintenance/{plural}")
        call(http, "POST /api/agents/sales/websiteAnalysis", json={"url": company_site})

        documented = copy.deepcopy(request_docs()[
            ("POST", "/api/agents/sales/command/leadGeneration")].example)
        receiver = receiver_factory(responses=[503] * 50)  # fails, so it can be redelivered
        documented["webhook"] = {"url": receiver.url, "secret": "whsec_example_secret"}
        created = call(http, "POST /api/agents/sales/leadGeneration", json=documented)
        call(http, "POST /api/agents/sales/command/leadGeneration", json=documented)
        command_id = created["data"]["command_id"]

        def finished() -> bool:
            status = http.get(f"/api/agents/sales/leadGeneration/status/{command_id}").json()
            return status["data"]["status"] in {"completed", "failed"}

        wait_until(finished, 240, "documented command finishes")
        call(http, "GET /api/agents/sales/leadGeneration/status/{command_id}",
             url=f"/api/agents/sales/leadGeneration/status/{command_id}")
        call(http, "GET /api/agents/sales/leadGeneration/leads/{command_id}",
             url=f"/api/agents/sales/leadGeneration/leads/{command_id}")
        deliveries_url = f"/api/agents/sales/leadGeneration/deliveries/{command_id}"

        def delivery_failed() -> bool:
            data = http.get(deliveries_url).json()["data"]
            return any(d["status"] == "failed" for d in data["deliveries"])

        wait_until(delivery_failed, 180, "the webhook delivery gives up")
        deliveries = call(http, "GET /api/agents/sales/leadGeneration/deliveries/{command_id}",
                          url=deliveries_url)
        delivery_id = deliveries["data"]["deliveries"][0]["delivery_id"]
        call(http, "POST /api/agents/sales/leadGeneration/deliveries/{delivery_id}/redeliver",
             url=f"/api/agents/sales/leadGeneration/deliveries/{delivery_id}/redeliver")
        today = utcnow().date()
        call(http, "GET /api/analytics/pipeline",
             params={"startDate": str(today - timedelta(days=6)), "endDate": str(today)})

        schedule = call(http, "POST /api/agents/sales/schedules",
                        json=body_for("POST /api/agents/sales/schedules", "", ""))
        schedule_id = schedule["data"]["schedule_id"]
        one = f"/api/agents/sales/schedules/{schedule_id}"
        call(http, "GET /api/agents/sales/schedules")
        call(http, "GET /api/agents/sales/schedules/{schedule_id}", url=one)
        call(http, "PUT /api/agents/sales/schedules/{schedule_id}", url=one, json={"active": False})
        call(http, "DELETE /api/agents/sales/schedules/{schedule_id}", url=one)

        scrape = call(http, "POST /api/start-lead-scrape-complete",
                      json=body_for("POST /api/start-lead-scrape-complete", client_id, ""))
        call(http, "GET /api/lead-generation-status", params={"runId": scrape["data"]["runId"]})
        call(http, "POST /api/prospects/import", params={"siteId": client_id, "format": "csv"},
             content=b"name,email,company\nAna Silva,ana@northwind.example,Northwind\n")
        call(http, "DELETE /api/leads", json={"ids": [lead_id]})
        call(http, "DELETE /api/clients", params={"id": record_id})

    with leadmill.client(admin_key(leadmill)) as admin:
        call(admin, "GET /api/admin/companies")
        call(admin, "GET /api/admin/users")

    secret = hook_url.rsplit("/", 1)[1]
    text = json.dumps(replies, indent=1, ensure_ascii=False).replace(secret, "<secret>")
    (EXAMPLES_DIR / "responses.json").write_text(text + "\n")
