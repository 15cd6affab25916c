"""Requests never fail silently: an unknown key anywhere in a command body is INVALID_REQUEST
naming its path (with the key it most likely misspells), numbers are numbers, and webhook
metadata holds no integer JavaScript cannot read exactly. Over real HTTP, one instance for the
module."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, func, select

from storage.commands.models import Command
from storage.db.engine import engine_for
from tests.api.tenant_helpers import start_module_instance
from tests.fixtures.examples import DOCUMENTED_EXAMPLE

ROUTE = "/api/agents/sales/leadGeneration"
SCHEDULES = "/api/agents/sales/schedules"


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("strict"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


def changed(path: str, value: Any = None, *, rename: str | None = None) -> dict[str, Any]:
    """The documented example with `path` (dotted) set to `value`, or renamed to `rename`."""
    body = copy.deepcopy(DOCUMENTED_EXAMPLE)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node.setdefault(part, {})
    if rename is not None:
        node[rename] = node.pop(last)
    else:
        node[last] = value
    return body


def with_webhook(**webhook: Any) -> dict[str, Any]:
    return {**copy.deepcopy(DOCUMENTED_EXAMPLE),
            "webhook": {"url": "https://hooks.example.com/leads", **webhook}}


def count_commands(app) -> int:
    with Session(engine_for(app.settings.sqlalchemy_url)) as session:
        return session.exec(select(func.count()).select_from(Command)).one()


def refused(app, body: dict[str, Any], route: str = ROUTE) -> dict[str, Any]:
    before = count_commands(app)
    with app.client() as client:
        response = client.post(route, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert set(error["details"]) == {"field", "issue"}  # the documented details, no more
    assert count_commands(app) == before
    return error["details"]


UNKNOWN_KEYS = [
    # (body, field, issue): a misspelt key on every object of the body
    (changed("leadGenData.searchCriteria", rename="searchCritera"), "leadGenData.searchCritera",
     "searchCritera is not a known field; did you mean searchCriteria?"),
    (changed("maxLeads", rename="maxLead"), "maxLead",
     "maxLead is not a known field; did you mean maxLeads?"),
    (changed("agent_id", rename="agentId"), "agentId",
     "agentId is not a known field; did you mean agent_id?"),
    (changed("site_id", "site_456abc"), "site_id",
     "site_id is not a known field; did you mean siteId?"),
    (changed("colour", "blue"), "colour", "colour is not a known field"),
    (changed("leadGenData.targetAudience.industries", rename="industry"),
     "leadGenData.targetAudience.industry",
     "industry is not a known field; did you mean industries?"),
    (changed("leadGenData.searchCriteria.excludedTerms", rename="excludeTerms"),
     "leadGenData.searchCriteria.excludeTerms",
     "excludeTerms is not a known field; did you mean excludedTerms?"),
    (changed("leadGenData.searchCriteria.minRevenueUSD", rename="minRevenueUsd"),
     "leadGenData.searchCriteria.minRevenueUsd",
     "minRevenueUsd is not a known field; did you mean minRevenueUSD?"),
    (changed("leadGenData.productOffering.idealCustomerProfile", rename="idealCustomer"),
     "leadGenData.productOffering.idealCustomer",
     "idealCustomer is not a known field; did you mean idealCustomerProfile?"),
    (changed("leadGenData.productOffering.primaryValue", rename="value"),
     "leadGenData.productOffering.value", "value is not a known field"),
    (changed("leadGenData.businessInfo.uniqueSellingPoints", rename="uniqueSellingPoint"),
     "leadGenData.businessInfo.uniqueSellingPoint",
     "uniqueSellingPoint is not a known field; did you mean uniqueSellingPoints?"),
    (changed("leadGenData.businessInfo.website", "https://acme.example.com"),
     "leadGenData.businessInfo.website", "website is not a known field"),
    (changed("leadGenData.productOffering", rename="productOffer"),
     "leadGenData.productOffer",
     "productOffer is not a known field; did you mean productOffering?"),
    (with_webhook(secrett="s"), "webhook.secrett",
     "secrett is not a known field; did you mean secret?"),
    (with_webhook(meta={"a": 1}), "webhook.meta", None),
]


@pytest.mark.sqlite_only("request validation answers before anything is stored")
@pytest.mark.parametrize(("body", "field", "issue"), UNKNOWN_KEYS,
                         ids=[case[1] for case in UNKNOWN_KEYS])
def test_unknown_keys_anywhere_are_invalid_requests_naming_the_path(app, body, field, issue):
    details = refused(app, body)
    assert details["field"] == field
    if issue:
        assert details["issue"] == issue


NOT_NUMBERS = [
    ("leadGenData.searchCriteria.minRevenueUSD", "1000000", "minRevenueUSD must be a number"),
    ("leadGenData.searchCriteria.minRevenueUSD", True, "minRevenueUSD must be a number"),
    ("leadGenData.searchCriteria.maxRevenueUSD", "5e7", "maxRevenueUSD must be a number"),
    ("leadGenData.searchCriteria.maxRevenueUSD", False, "maxRevenueUSD must be a number"),
    ("leadGenData.searchCriteria.minRevenueUSD", [1000000], "minRevenueUSD must be a number"),
    ("maxLeads", "25", "maxLeads must be a whole number"),
    ("maxLeads", False, "maxLeads must be a whole number"),
    ("leadGenData.searchCriteria.hasWebsite", 1, "hasWebsite must be true or false"),
]


@pytest.mark.sqlite_only("request validation answers before anything is stored")
@pytest.mark.parametrize(("path", "value", "issue"), NOT_NUMBERS,
                         ids=[f"{case[0]}={case[1]!r}" for case in NOT_NUMBERS])
def test_numbers_must_be_json_numbers(app, path, value, issue):
    details = refused(app, changed(path, value))
    assert details == {"field": path, "issue": issue}


UNSAFE_METADATA = [
    ({"order_id": 2**53}, "webhook.metadata.order_id"),
    ({"order_id": -(2**53)}, "webhook.metadata.order_id"),
    ({"crm": {"ids": [1, 2, 12345678901234567890]}}, "webhook.metadata.crm.ids[2]"),
]


@pytest.mark.sqlite_only("request validation answers before anything is stored")
@pytest.mark.parametrize(("metadata", "field"), UNSAFE_METADATA,
                         ids=[case[1] for case in UNSAFE_METADATA])
def test_webhook_metadata_integers_javascript_cannot_hold_are_refused(app, metadata, field):
    details = refused(app, with_webhook(metadata=metadata))
    assert details["field"] == field
    assert "send it as a string" in details["issue"]
    assert "MAX_SAFE_INTEGER" in details["issue"]


ACCEPTED = [
    # Every name the contract document gives, and Leadmill's documented additions.
    {**copy.deepcopy(DOCUMENTED_EXAMPLE), "websiteUrl": "https://acme.example.com",
     "leadCaptureMechanism": "form"},
    with_webhook(secret="your_webhook_secret",
                 metadata={"campaign_id": "spring_2024", "source": "uncodie_api",
                           "limit": 2**53 - 1, "floor": -(2**53 - 1), "ratio": 0.5,
                           "big": "12345678901234567890", "nested": {"ok": [True, None]}}),
    changed("leadGenData.searchCriteria.sources", ["prospects"]),
    changed("leadGenData.searchCriteria.minRevenueUSD", 1000000.0),
]


@pytest.mark.parametrize("body", ACCEPTED, ids=["tester-fields", "webhook", "sources",
                                                "float-revenue"])
def test_every_documented_key_is_accepted(app, body):
    with app.client() as client:
        response = client.post(ROUTE, json=body)
    assert response.status_code == 200, response.text


SCHEDULE = {"name": "Weekly", "command": copy.deepcopy(DOCUMENTED_EXAMPLE),
            "cron": "0 9 * * 1", "timezone": "UTC"}
BAD_SCHEDULES = [
    ({**SCHEDULE, "timeZone": "UTC"}, "timeZone",
     "timeZone is not a known field; did you mean timezone?"),
    ({**SCHEDULE, "cron": None, "interval_seconds": "3600"}, "interval_seconds",
     "interval_seconds must be a whole number"),
    ({**SCHEDULE, "active": "yes"}, "active", "active must be true or false"),
    ({**SCHEDULE, "command": changed("maxLeads", rename="maxLead")}, "command.maxLead",
     "maxLead is not a known field; did you mean maxLeads?"),
]


@pytest.mark.sqlite_only("request validation answers before anything is stored")
@pytest.mark.parametrize(("body", "field", "issue"), BAD_SCHEDULES,
                         ids=[case[1] for case in BAD_SCHEDULES])
def test_schedule_bodies_are_as_strict_as_commands(app, body, field, issue):
    assert refused(app, body, SCHEDULES) == {"field": field, "issue": issue}
