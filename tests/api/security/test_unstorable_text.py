"""Text PostgreSQL cannot hold or compare (a NUL character) is a 400 on every route, on both
backends, in the envelope of the route's document: never a server error on PostgreSQL, never
stored on SQLite."""

from __future__ import annotations

import httpx
import pytest

from tests.api.management.test_management_leads import bearer

NUL = "Ada\u0000Lovelace"


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "field"),
    [
        ("POST", "/api/leads", None, {"leads": [{"client_id": "site_456abc", "firstName": NUL}]},
         "body"),
        ("POST", "/api/leads", None, {"client_id": "site_456abc", "firstName": "Ada",
                                      "notes": NUL}, "body"),
        ("GET", "/api/leads", {"client_id": NUL}, None, "query"),
        ("GET", "/api/find-lead", {"email": f"{NUL}@example.com"}, None, "query"),
        ("POST", "/api/clients", None, {"clientName": NUL}, "body"),
        ("PUT", "/api/company", None, {"name": NUL}, "body"),
        ("POST", "/api/webhook-workbench/hooks/whk_%00x/secret", None, {}, "path"),
    ],
    ids=["lead-batch", "lead-notes", "leads-query", "find-lead", "client", "company", "path"],
)
def test_nul_characters_are_an_invalid_value(leadmill, method, path, params, body,
                                             field) -> None:
    reply = httpx.request(method, f"{leadmill.base_url}{path}", params=params, json=body,
                          headers=bearer(leadmill), timeout=30)
    assert reply.status_code == 400, reply.text
    assert reply.json()["errorType"] == "invalid_value"
    assert reply.json()["details"]["field"] == field


def test_nul_in_a_login_is_an_invalid_value(leadmill) -> None:
    reply = httpx.post(f"{leadmill.base_url}/api/auth", json={"username": NUL, "password": "x"})
    assert reply.status_code == 400, reply.text
    assert reply.json()["errorType"] == "invalid_value"


@pytest.mark.parametrize("path", ["/status/cmd%00x", "/leads/cmd%00x"])
def test_nul_in_a_command_id_is_an_invalid_request(leadmill, path) -> None:
    with leadmill.client() as client:
        reply = client.get(f"/api/agents/sales/leadGeneration{path}")
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["code"] == "INVALID_REQUEST" and error["details"]["field"] == "path"


def test_an_escaped_backslash_before_u0000_is_plain_text(leadmill) -> None:
    """`\\\\u0000` in JSON is a backslash and the text "u0000", which any database stores."""
    reply = httpx.post(f"{leadmill.base_url}/api/clients", headers=bearer(leadmill),
                       content=b'{"clientName": "C:\\\\u0000 drive"}',
                       params=None, timeout=30)
    assert reply.status_code == 201, reply.text
    assert reply.json()["client"]["clientName"] == "C:\\u0000 drive"
