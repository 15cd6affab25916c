"""The agent API (openapi.json of the LeadGenius reference, served under `/api/agent`) as a
contract, checked two ways against a running Leadmill:

1. its schema, as Leadmill serves it (`/schema/openapi.json`, the `/api/agent` paths), holds
   every operation, parameter and reply field of the reference (restated below);
2. schemathesis walks that served schema — every operation, generated parameters and bodies —
   over real HTTP, and every reply must be documented: no server error, a declared status
   code, a declared content type, a body that conforms to the declared reply schema.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# The reference's agent API, restated: operation → (query parameters, required body fields,
# fields of each item in the reply's `data`).
CONTRACT: dict[tuple[str, str], tuple[set[str], set[str], set[str]]] = {
    ("GET", "/api/agent/campaigns"): ({"page", "pageSize", "status", "campaignType"}, set(),
                                      {"id", "name", "status", "campaignType", "client_id",
                                       "company_id"}),
    ("POST", "/api/agent/campaigns"): (set(), {"name", "campaignType"}, set()),
    ("GET", "/api/agent/leads"): ({"page", "pageSize", "status", "campaignId", "client_id"},
                                  set(), {"id", "firstName", "lastName", "fullName", "email",
                                          "companyName", "status", "client_id"}),
    ("POST", "/api/agent/leads"): (set(), {"firstName", "lastName", "email"}, set()),
    ("POST", "/api/agent/leads/batch"): (set(), set(), set()),
    ("GET", "/api/agent/clients"): ({"page", "pageSize", "name"}, set(),
                                    {"id", "client_id", "clientName", "description"}),
}
CREATE_LEAD_FIELDS = {"firstName", "lastName", "fullName", "contactName", "email",
                      "companyName", "title", "campaignId", "client_id", "notes"}
CREATE_CAMPAIGN_FIELDS = {"name", "description", "campaignType", "status", "client_id"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def leadmill_overrides() -> dict:
    # The walk sends a few hundred requests in a minute.
    return {"rate_limit_standard": 100_000}


@pytest.fixture
def served_schema(leadmill) -> dict[str, Any]:
    reply = httpx.get(f"{leadmill.base_url}/schema/openapi.json")
    assert reply.status_code == 200
    return reply.json()


@pytest.fixture
def access_token(leadmill) -> str:
    reply = httpx.post(f"{leadmill.base_url}/api/auth", json={
        "username": leadmill.credentials["username"],
        "password": leadmill.credentials["password"]})
    return reply.json()["tokens"]["accessToken"]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _properties(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    node = _resolve(schema, node)
    found: dict[str, Any] = dict(node.get("properties", {}))
    for part in node.get("allOf", []) + node.get("anyOf", []) + node.get("oneOf", []):
        found.update(_properties(schema, part))
    return found


@pytest.mark.parametrize(("method", "path"), sorted(CONTRACT))
def test_served_schema_holds_the_reference_operation(served_schema, method, path) -> None:
    operation = served_schema["paths"][path][method.lower()]
    params, required, item_fields = CONTRACT[(method, path)]
    declared = {parameter["name"] for parameter in operation.get("parameters", [])
                if parameter["in"] == "query"}
    assert params <= declared, params - declared
    assert "bearerAuth" in str(operation.get("security") or served_schema.get("security"))
    if method == "POST":
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        body_node = _resolve(served_schema, body)
        fields = set(_properties(served_schema, body_node))
        if path.endswith("/batch"):
            leads = _resolve(served_schema, _properties(served_schema, body_node)["leads"])
            fields = set(_properties(served_schema, leads["items"]))
            assert leads.get("maxItems") == 100
        expected = CREATE_CAMPAIGN_FIELDS if "campaigns" in path else CREATE_LEAD_FIELDS
        assert expected <= fields, expected - fields
        assert required <= set(body_node.get("required", [])) or path.endswith("/batch")
        assert "201" in operation["responses"]
    else:
        reply = operation["responses"]["200"]["content"]["application/json"]["schema"]
        top = _properties(served_schema, reply)
        assert {"success", "data", "pagination"} <= set(top)
        pagination = set(_properties(served_schema, top["pagination"]))
        assert {"totalItems"} <= pagination
        item = _properties(served_schema, _resolve(served_schema, top["data"])["items"])
        assert item_fields <= set(item), item_fields - set(item)
    for status in ("400", "401"):
        assert status in operation["responses"], f"{method} {path} does not declare {status}"


@pytest.fixture
def agent_schema(served_schema, leadmill, access_token):
    schema = schemathesis.openapi.from_dict(served_schema).include(path_regex="^/api/agent/")
    schema.config.update(base_url=leadmill.base_url,
                         headers={"Authorization": f"Bearer {access_token}"})
    return schema


def _walk(operation: Any) -> int:
    """Walk one operation; how many requests it sent."""
    sent = []

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def walk(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)
        sent.append(case.method)

    walk()
    return len(sent)


@pytest.mark.sqlite_only(reason="the walk checks replies against the schema, the same on "
                         "both backends; the backends' storage is covered elsewhere")
def test_agent_api_walk_finds_no_undocumented_reply(agent_schema) -> None:
    """Each operation walked by schemathesis (pytest's `schemathesis.pytest.from_fixture`
    cannot take this module's per-backend fixtures), failures collected per operation."""
    failures: dict[str, str] = {}
    operations = [result.ok() for result in agent_schema.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} >= set(CONTRACT)
    sent: dict[str, int] = {}
    for operation in operations:
        try:
            sent[operation.path + operation.method] = _walk(operation)
        except Exception as error:  # noqa: BLE001 - every operation's failure is reported
            failures[f"{operation.method.upper()} {operation.path}"] = str(error)[:2000]
    assert not failures, "\n\n".join(f"{name}: {text}" for name, text in failures.items())
    assert len(sent) == len(CONTRACT) and min(sent.values()) >= 5, sent
