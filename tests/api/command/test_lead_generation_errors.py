"""Every documented error code, with its status, its envelope, and nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from storage.commands.models import Command
from storage.db.engine import engine_for, session_scope
from storage.tenancy.accounts import create_client, create_company, create_user, issue_api_key
from storage.tenancy.models import Client
from tests.fixtures.examples import DOCUMENTED_EXAMPLE, example

ROUTE = "/api/agents/sales/leadGeneration"


def count_commands(leadmill) -> int:
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        return session.exec(select(func.count()).select_from(Command)).one()


def audience(**fields):
    body = example()
    body["leadGenData"]["targetAudience"] = fields
    return body


def without(path: str):
    body = example()
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[part]
    del node[last]
    return body


def with_value(path: str, value):
    body = example()
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[part]
    node[last] = value
    return body


INVALID = [
    (without("leadGenData.targetAudience"), "leadGenData.targetAudience",
     "targetAudience object is required"),
    (without("siteId"), "siteId", "siteId is required"),
    (without("leadGenData"), "leadGenData", "leadGenData object is required"),
    (with_value("maxLeads", 0), "maxLeads", "maxLeads must be between 1 and 1000"),
    (with_value("maxLeads", 1001), "maxLeads", "maxLeads must be between 1 and 1000"),
    (with_value("maxLeads", "25"), "maxLeads", "maxLeads must be a whole number"),
    (with_value("maxLeads", 2.5), "maxLeads", "maxLeads must be a whole number"),
    (with_value("maxLeads", True), "maxLeads", "maxLeads must be a whole number"),
    (with_value("priority", "urgent"), "priority", None),
    (with_value("siteId", 456), "siteId", "siteId must be a string"),
    (with_value("siteId", "  "), "siteId", None),
    (with_value("leadGenData.targetAudience.roles", "CTO"), "leadGenData.targetAudience.roles",
     "roles must be an array"),
    (with_value("leadGenData.targetAudience.roles", ["CTO", 7]),
     "leadGenData.targetAudience.roles[1]", None),
    (with_value("leadGenData.targetAudience.companySizes", ["51-200"]),
     "leadGenData.targetAudience.companySizes",
     "companySizes is not a known field; did you mean companySize?"),
    (with_value("leadGenData.searchCriteria.minRevenueUSD", 10**9),
     "leadGenData.searchCriteria.maxRevenueUSD", None),
    (with_value("leadGenData.searchCriteria.hasWebsite", "yes"),
     "leadGenData.searchCriteria.hasWebsite", None),
    (with_value("webhook", {"url": "ftp://example.com/hook"}), "webhook.url", None),
    (with_value("webhook", {"url": "http://10.0.0.8/hook"}), "webhook.url", None),
    (with_value("webhook", {"secret": "x"}), "webhook.url", "url is required"),
    (with_value("websiteUrl", "javascript:alert(1)"), "websiteUrl",
     "websiteUrl must be an http:// or https:// URL"),
    (with_value("leadCaptureMechanism", ""), "leadCaptureMechanism", None),
]


@pytest.mark.sqlite_only("request validation answers before anything is stored")
@pytest.mark.parametrize(("body", "field", "issue"), INVALID,
                         ids=[case[1] + "-" + str(i) for i, case in enumerate(INVALID)])
def test_invalid_requests_name_the_field_and_store_nothing(leadmill, body, field, issue):
    before = count_commands(leadmill)
    with leadmill.client() as client:
        response = client.post(ROUTE, json=body)
    assert response.status_code == 400, response.text
    payload = response.json()
    assert payload["success"] is False
    assert payload["error"]["code"] == "INVALID_REQUEST"
    assert payload["error"]["message"]
    assert payload["error"]["details"]["field"] == field
    if issue:
        assert payload["error"]["details"]["issue"] == issue
    assert count_commands(leadmill) == before


@pytest.mark.sqlite_only("request validation answers before anything is stored")
@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2]", b'"text"', b"\xff\xfe",
                                 b'{"siteId": "site_456abc", "leadGenData": '])
def test_malformed_bodies_are_invalid_requests(leadmill, raw):
    with leadmill.client() as client:
        response = client.post(ROUTE, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert count_commands(leadmill) == 0


@pytest.mark.sqlite_only("request validation answers before anything is stored")
def test_oversized_body_is_refused_with_413(leadmill):
    body = example()
    body["leadGenData"]["productOffering"]["padding"] = "x" * (leadmill.settings.max_body_bytes + 1)
    with leadmill.client() as client:
        response = client.post(ROUTE, json=body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert count_commands(leadmill) == 0


@pytest.mark.sqlite_only("request validation answers before anything is stored")
@pytest.mark.parametrize("fields", [{}, {"roles": []}, {"industries": [], "locations": []}])
def test_audience_without_usable_criteria_is_insufficient_data(leadmill, fields):
    with leadmill.client() as client:
        response = client.post(ROUTE, json=audience(**fields))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_DATA"
    assert error["details"]["field"] == "leadGenData.targetAudience"
    assert count_commands(leadmill) == 0


def test_unknown_site_is_site_not_found(leadmill):
    with leadmill.client() as client:
        response = client.post(ROUTE, json=example(siteId="site_nope"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "SITE_NOT_FOUND"


def test_unknown_user_is_user_not_found(leadmill):
    with leadmill.client() as client:
        response = client.post(ROUTE, json=example(userId="user_nope"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "USER_NOT_FOUND"


def test_site_quota_is_enforced_per_month(leadmill):
    with session_scope(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        client_row = session.exec(select(Client).where(Client.client_id == "site_456abc")).one()
        client_row.lead_quota = 30
        session.add(client_row)
    with leadmill.client() as client:
        assert client.post(ROUTE, json=example(maxLeads=25)).status_code == 200
        response = client.post(ROUTE, json=example(maxLeads=10))
        within = client.post(ROUTE, json=example(maxLeads=5))
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "QUOTA_EXCEEDED"
    assert error["details"] == {"scope": "site", "quota": 30, "used": 25, "requested": 10}
    assert within.status_code == 200
    assert count_commands(leadmill) == 2


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "lm_wrong"}, {"Authorization": "Bearer"},
                                     {"Authorization": "Basic abc"}])
def test_requests_without_a_valid_key_are_unauthorized(leadmill, headers):
    import httpx

    response = httpx.post(leadmill.base_url + ROUTE, json=DOCUMENTED_EXAMPLE, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    assert count_commands(leadmill) == 0


def test_bearer_api_key_is_accepted(leadmill):
    import httpx

    response = httpx.post(leadmill.base_url + ROUTE, json=example(maxLeads=1),
                          headers={"Authorization": f"Bearer {leadmill.credentials['api_key']}"})
    assert response.status_code == 200


def test_another_companys_command_and_site_are_not_found(leadmill):
    with session_scope(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        rival = create_company(session, "Rival Inc")
        owner = create_user(session, rival, "owner@rival.example.com", role="owner")
        create_client(session, rival, owner, "Rival site", client_id="site_rival")
        rival_key = issue_api_key(session, owner, "rival")
    with leadmill.client() as client:
        command_id = client.post(ROUTE, json=example(maxLeads=2)).json()["data"]["command_id"]
    with leadmill.client(rival_key) as rival_client:
        status = rival_client.get(f"{ROUTE}/status/{command_id}")
        leads = rival_client.get(f"{ROUTE}/leads/{command_id}")
        foreign_site = rival_client.post(ROUTE, json=example(userId=None))
        own_site = rival_client.post(ROUTE, json=example(siteId="site_rival", userId=None,
                                                          maxLeads=1))
    assert status.status_code == leads.status_code == 404
    assert status.json()["error"]["code"] == "COMMAND_NOT_FOUND"
    assert foreign_site.status_code == 404
    assert foreign_site.json()["error"]["code"] == "SITE_NOT_FOUND"
    assert own_site.status_code == 200


def test_unknown_command_and_route_are_not_found(leadmill):
    with leadmill.client() as client:
        unknown = client.get(f"{ROUTE}/status/cmd_doesnotexist")
        route = client.get("/api/agents/sales/nothing-here")
        method = client.delete(ROUTE)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "COMMAND_NOT_FOUND"
    assert route.status_code == 404 and route.json()["success"] is False
    assert method.status_code == 405 and method.json()["success"] is False


def test_storage_failure_is_a_system_error_without_internals(leadmill):
    """A broken operational DB answers SYSTEM_ERROR (500) and says nothing of its internals."""
    engine = engine_for(leadmill.settings.sqlalchemy_url)
    # PostgreSQL refuses to drop a table others reference; CASCADE drops those constraints.
    cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE commandlead{cascade}"))
        connection.execute(text(f"DROP TABLE webhookdelivery{cascade}"))
        connection.execute(text(f"DROP TABLE command{cascade}"))
    with leadmill.client() as client:
        response = client.post(ROUTE, json=DOCUMENTED_EXAMPLE)
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "SYSTEM_ERROR"
    assert "command" not in error["message"].lower() and "sql" not in response.text.lower()


HOSTILE = [
    b"[" * 50_000 + b"]" * 50_000,
    b'{"siteId": "site_456abc", "maxLeads": NaN,'
    b' "leadGenData": {"targetAudience": {"roles": ["CTO"]}}}',
    b'{"siteId": "site_456abc", "leadGenData": {"targetAudience": {"roles": ["CTO"]},'
    b' "searchCriteria": {"minRevenueUSD": Infinity}}}',
    b'{"siteId": "site_\\ud800", "leadGenData": {"targetAudience": {"roles": ["CTO"]}}}',
    b'{"siteId": "site_456abc", "leadGenData": {"targetAudience": {"roles": ["C\\u0000TO"]}}}',
    b'{"siteId": "site_456abc", "leadGenData": {"targetAudience": {"roles": ["CTO"]}},'
    b' "webhook": {"url": "http://127.0.0.1:9/h", "metadata": {"x": "\\udfff"}}}',
]


@pytest.mark.parametrize("raw", HOSTILE, ids=["deep-nesting", "nan", "infinity", "surrogate",
                                              "nul", "surrogate-in-metadata"])
def test_hostile_bodies_are_invalid_requests_not_server_errors(leadmill, raw):
    with leadmill.client() as client:
        response = client.post(ROUTE, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert count_commands(leadmill) == 0
