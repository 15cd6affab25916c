"""The API docs work offline: Swagger UI at /schema with its assets served by Leadmill."""

from __future__ import annotations

import re

import httpx


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
