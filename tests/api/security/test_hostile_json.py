"""Bodies no real client sends are a 400 in the route's documented envelope, never a 500
(issue 12): JSON nested 10,000 levels deep (past Python's recursion limit) or 100 levels (under
it, past Leadmill's 64), a number past float range (`1e999999`, read as `inf` before) and a
10,000-digit integer (past Python's int-string limit). Every POST/PUT/PATCH route the API's
OpenAPI document lists gets each body over real HTTP, authenticated as a company owner."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.api.management.test_management_leads import bearer

HOSTILE_BODIES = {
    "nested-10000": b"[" * 10_000 + b"]" * 10_000,
    "nested-object-10000": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "nested-100-in-a-field": b'{"leads": ' + b"[" * 100 + b"]" * 100 + b"}",
    "huge-float": b'{"maxLeads": 1e999999, "score": 1e999999}',
    "huge-int": b'{"maxLeads": ' + b"9" * 10_000 + b"}",
}
# Routes that read a JSON body: each must refuse every hostile body with a 400.
READS_JSON = {
    ("POST", "/api/agents/sales/leadGeneration"), ("POST", "/api/agents/sales/schedules"),
    ("POST", "/api/agents/sales/websiteAnalysis"), ("POST", "/api/leads"),
    ("PUT", "/api/leads"), ("POST", "/api/clients"), ("PUT", "/api/company"),
    ("POST", "/api/auth"), ("POST", "/api/email-validate"), ("POST", "/api/webhook-workbench"),
    ("POST", "/api/settings/url"), ("POST", "/api/territory-workbench/companies"),
}


@pytest.fixture
def leadmill_overrides() -> dict:
    """Routes authenticate (and charge the caller's rate limit) before they read the body, so
    the test's one token sends every route's hostile bodies, more than a minute's limit."""
    return {"rate_limit_standard": 10_000}


def _json_routes(base_url: str) -> list[tuple[str, str]]:
    paths = httpx.get(f"{base_url}/schema/openapi.json", timeout=30).json()["paths"]
    routes = []
    for path, methods in paths.items():
        for method in methods:
            if method.upper() in {"POST", "PUT", "PATCH"}:
                routes.append((method.upper(), re.sub(r"\{[^}]+\}", "x1", path).rstrip("/")
                               or "/"))
    return routes


def test_hostile_json_is_a_documented_400_on_every_route(leadmill) -> None:
    routes = _json_routes(leadmill.base_url)
    assert set(routes) >= READS_JSON, READS_JSON - set(routes)
    management = {**bearer(leadmill), "Content-Type": "application/json"}
    command = {"x-api-key": leadmill.credentials["api_key"], "Content-Type": "application/json"}
    problems = []
    with httpx.Client(base_url=leadmill.base_url, timeout=60) as client:
        for method, path in routes:
            is_command = path.startswith("/api/agents/")
            for name, body in HOSTILE_BODIES.items():
                reply = client.request(method, path, content=body,
                                       headers=command if is_command else management)
                error = reply.json().get("error") if reply.content else None
                if reply.status_code >= 500 or (
                        (method, path) in READS_JSON and reply.status_code != 400):
                    problems.append(f"{method} {path} {name}: {reply.status_code} {error}")
                elif reply.status_code == 400 and is_command:
                    if error["code"] != "INVALID_REQUEST":
                        problems.append(f"{method} {path} {name}: {error}")
                elif reply.status_code == 400 and reply.json()["errorType"] not in {
                        "invalid_format", "invalid_value", "missing_required_field"}:
                    problems.append(f"{method} {path} {name}: {reply.json()}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("body", [b'{"clientName": "Acme", "notes": [[[[[[[[1]]]]]]]]}',
                                  b'{"clientName": "Acme", "budget": -2.5e10}'])
def test_ordinary_nesting_and_numbers_still_pass(leadmill, body: bytes) -> None:
    reply = httpx.post(f"{leadmill.base_url}/api/clients", content=body, timeout=30,
                       headers={**bearer(leadmill), "Content-Type": "application/json"})
    assert reply.status_code in {201, 400}, reply.text
    if reply.status_code == 400:  # a field the route does not know, never the JSON itself
        assert "JSON" not in reply.json()["error"]


def test_hostile_json_into_an_inbound_webhook_is_a_400(leadmill) -> None:
    """The inbound hook authenticates by its URL before reading the body, so the route table
    walk above never reaches its parser: create a real hook and post to it."""
    from tests.api.workbench.test_webhook_workbench import create

    with leadmill.client() as client:
        deep_config = create(client, "generic", platformConfig="[" * 10_000 + "]" * 10_000)
        created = create(client, "generic")
    assert deep_config.status_code == 400, deep_config.text
    assert deep_config.json()["errorType"] == "invalid_format"
    assert created.status_code == 201, created.text
    for name, body in HOSTILE_BODIES.items():
        reply = httpx.post(created.json()["webhookUrl"], content=body, timeout=30,
                           headers={"Content-Type": "application/json"})
        assert reply.status_code == 400, (name, reply.text)
        assert reply.json()["errorType"] == "invalid_format"
