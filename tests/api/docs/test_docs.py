"""The API docs work offline: Swagger UI at /schema with its assets served by Leadmill."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from api.docs.request_examples import CLIENT_PLACEHOLDER, LEAD_PLACEHOLDER, request_docs

pytestmark = pytest.mark.sqlite_only("the OpenAPI schema and docs pages read no database")

def test_schema_page_loads_only_local_assets(leadmill):
    page = httpx.get(f"{leadmill.base_url}/schema")
    assert page.status_code == 200
    assert "swagger" in page.text.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(url.startswith("/docs-assets/") for url in assets), assets
    for url in assets:
        asset = httpx.get(f"{leadmill.base_url}{url}")
        assert asset.status_code == 200 and len(asset.content) > 1000


def test_openapi_json_describes_the_command_api(leadmill):
    schema = httpx.get(f"{leadmill.base_url}/schema/openapi.json").json()
    paths = schema["paths"]
    assert "/api/agents/sales/leadGeneration" in paths
    assert "/api/agents/sales/leadGeneration/status/{command_id}" in paths
    create = paths["/api/agents/sales/leadGeneration"]["post"]
    assert create["summary"] and create["description"]
    body = create["requestBody"]["content"]["application/json"]
    assert body["examples"]["documented"]["value"]["siteId"] == "site_456abc"
    assert "leadGenData" in body["schema"]["properties"]
    assert not any(path.startswith("/docs-assets") for path in paths)


def test_every_route_has_a_summary_and_a_description(leadmill):
    schema = httpx.get(f"{leadmill.base_url}/schema/openapi.json").json()
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not operation.get("summary") or not operation.get("description")
    ]
    assert undocumented == []


# Operations that take no body, and those whose only documented reply is an error (none now:
# POST /api/company creates a company for a user without one).
BODYLESS = {"POST /api/agents/sales/leadGeneration/deliveries/{delivery_id}/redeliver",
            "POST /api/webhook-workbench/rotate"}
ERROR_ONLY: set[str] = set()


def _examples(content: dict) -> dict:
    return {name: example for media in content.values()
            for name, example in (media.get("examples") or {}).items()}


def test_every_operation_has_request_and_response_examples(leadmill):
    schema = httpx.get(f"{leadmill.base_url}/schema/openapi.json").json()
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            route = f"{method.upper()} {path}"
            if method in {"post", "put"} and route not in BODYLESS:
                body = operation.get("requestBody", {}).get("content", {})
                if not _examples(body):
                    missing.append(f"{route}: request example")
            replies = {status: _examples(reply.get("content", {}))
                       for status, reply in operation["responses"].items()}
            wanted = [s for s in replies if route in ERROR_ONLY or s.startswith("2")]
            if not any(replies[status] for status in wanted):
                missing.append(f"{route}: response example")
    assert missing == []


def _documented(schema: dict, method: str, path: str, name: str = "example") -> dict:
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
    return body["examples"][name]["value"]


def _filled(example: dict, **ids: str) -> dict:
    """The example with its placeholders (`CLIENT_PLACEHOLDER`, `<search-id>`...) filled."""
    text = json.dumps(example)
    for placeholder, value in ids.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


def test_documented_request_examples_are_accepted_by_the_api(leadmill):
    schema = httpx.get(f"{leadmill.base_url}/schema/openapi.json").json()
    with leadmill.client() as api:
        created = api.post("/api/clients", json=_documented(schema, "post", "/api/clients"))
        assert created.status_code == 201, created.text
        client = created.json()["client"]
        assert client["clientName"] == "Acme Corp"
        update = _filled(_documented(schema, "put", "/api/clients"),
                         **{"<dynamodb-id>": client["id"]})
        assert api.put("/api/clients", json=update).json()["client"]["clientName"] == (
            "Updated Name")

        ids = {CLIENT_PLACEHOLDER: client["client_id"]}
        single = api.post("/api/leads", json=_filled(_documented(schema, "post", "/api/leads"),
                                                     **ids))
        assert single.status_code == 201, single.text
        batch = api.post("/api/leads", json=_filled(
            _documented(schema, "post", "/api/leads", "batch"), **ids))
        assert batch.status_code == 201 and batch.json()["created"] == 2, batch.text
        lead_id = single.json()["lead"]["id"]
        for name in ("example", "batch"):
            updated = api.put("/api/leads", json=_filled(
                _documented(schema, "put", "/api/leads", name), **{LEAD_PLACEHOLDER: lead_id}))
            assert updated.status_code == 200, updated.text

        search = api.post("/api/search-history", json=_filled(
            _documented(schema, "post", "/api/search-history"), **ids))
        assert search.status_code == 201, search.text
        search_id = search.json()["searchHistory"]["id"]
        updated = api.put("/api/search-history", json=_filled(
            _documented(schema, "put", "/api/search-history"), **{"<search-id>": search_id}))
        assert updated.json()["searchHistory"]["status"] == "completed", updated.text

        deleted = api.request("DELETE", "/api/leads", json=_filled(
            _documented(schema, "delete", "/api/leads"), **{LEAD_PLACEHOLDER: lead_id}))
        assert deleted.json()["deleted"] == 1, deleted.text


def test_every_request_example_fits_its_documented_model():
    for route, doc in request_docs().items():
        if doc.model is not None:
            assert doc.model.model_validate(doc.example), route
