"""The command API over real HTTP, against a running app with a real Prefect server."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest
from sqlmodel import Session, func, select

from storage.commands.models import Command
from storage.db.engine import engine_for
from storage.webhooks.models import WebhookDelivery
from tasks.search.analysis import build_command_object
from tests.fixtures.examples import DOCUMENTED_EXAMPLE, DOCUMENTED_LEAD_FIELDS, example
from tests.fixtures.servers import wait_until

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def submit(client, body) -> dict:
    response = client.post("/api/agents/sales/leadGeneration", json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def wait_for_status(client, command_id: str, statuses=("completed", "failed", "cancelled")):
    def finished():
        data = client.get(f"/api/agents/sales/leadGeneration/status/{command_id}").json()["data"]
        return data if data["status"] in statuses else None

    return wait_until(finished, 90, f"{command_id} did not finish", every=0.1)


def count_commands(leadmill) -> int:
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        return session.exec(select(func.count()).select_from(Command)).one()


def test_documented_example_yields_25_leads_with_every_documented_field(leadmill):
    with leadmill.client() as client:
        accepted = submit(client, DOCUMENTED_EXAMPLE)
        assert accepted["status"] == "processing"
        assert accepted["site_id"] == "site_456abc"
        assert accepted["leads_requested"] == 25
        assert accepted["job_priority"] == "high"
        assert accepted["command_id"].startswith("cmd_")
        assert ISO_Z.match(accepted["estimated_completion_time"])
        assert set(accepted["process_info"]) == {"stage", "progress_percentage"}

        data = wait_for_status(client, accepted["command_id"])
    assert data["status"] == "completed", data
    assert ISO_Z.match(data["completion_time"])
    leads = data["leads_generated"]
    assert len(leads) == 25
    for lead in leads:
        assert set(lead) >= DOCUMENTED_LEAD_FIELDS
        assert 0 <= lead["match_score"] <= 1
        assert lead["match_reasons"], lead
        assert lead["email"] and lead["name"] and lead["company"]
        assert lead["phone"] is None or re.match(r"^\+\d{8,15}$", lead["phone"])  # E.164
        assert lead["website"]  # hasWebsite: true
        assert not re.search(r"recruit|staffing", json.dumps(lead).lower())
    assert sum(lead["phone"] is not None for lead in leads) >= 20
    scores = [lead["match_score"] for lead in leads]
    assert scores == sorted(scores, reverse=True)
    assert len({lead["id"] for lead in leads}) == 25
    assert len({lead["email"] for lead in leads}) == 25

    summary = data["summary"]
    assert summary["total_leads"] == 25
    assert summary["average_match_score"] == pytest.approx(sum(scores) / 25, abs=0.01)
    assert 0 <= summary["verified_percentage"] <= 100
    assert sum(summary["industries_breakdown"].values()) == 25
    assert sum(summary["roles_breakdown"].values()) == 25


def test_status_reports_progress_while_processing_then_the_complete_response(leadmill):
    with leadmill.client() as client:
        command_id = submit(client, example(maxLeads=5))["command_id"]
        first = client.get(f"/api/agents/sales/leadGeneration/status/{command_id}").json()["data"]
        final = wait_for_status(client, command_id)
    if first["status"] == "processing":
        progress = first["progress"]
        assert set(progress) == {"percentage", "stage", "leads_found", "leads_verified",
                                 "estimated_time_remaining"}
        assert re.match(r"^\d{2}:\d{2}:\d{2}$", progress["estimated_time_remaining"])
        assert ISO_Z.match(first["created_at"]) and ISO_Z.match(first["updated_at"])
    assert final["status"] == "completed"
    assert len(final["leads_generated"]) == 5


def test_stored_command_object_has_the_documented_structure(leadmill):
    with leadmill.client() as client:
        command_id = submit(client, DOCUMENTED_EXAMPLE)["command_id"]
        wait_for_status(client, command_id)  # the supervisors are the run's by then
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        command = session.get(Command, command_id).command_object
    assert command["task"] == "generate qualified sales leads"
    assert (command["userId"], command["agentId"], command["site_id"]) == (
        "user_123xyz", "agent_sales_789def", "site_456abc")
    assert command["description"].startswith(
        "Generate 25 qualified leads for Acme Automation Inc.'s Workflow Automation Platform")
    target = command["targets"][0]["leads"]
    assert target["count"] == 25
    assert target["profile"]["company_sizes"] == ["51-200", "201-500"]
    assert target["search_parameters"] == {
        "keywords": ["digital transformation", "workflow automation"],
        "excluded_terms": ["recruiting", "staffing"],
        "revenue_range": {"min": 1000000, "max": 50000000},
        "has_website": True,
    }
    context = json.loads(command["context"].removeprefix("Company Context:\n"))
    assert context["value_proposition"] == "Reduce manual processes by 60%"
    # The documented structure's roles, in its order; the run has completed both
    # (tests/api/command/test_command_object_lives.py follows them through a run).
    assert command["supervisor"] == [
        {"agent_role": "lead_quality_analyst", "status": "completed"},
        {"agent_role": "market_researcher", "status": "completed"},
    ]
    assert build_command_object(DOCUMENTED_EXAMPLE)["supervisor"] == [
        {"agent_role": "lead_quality_analyst", "status": "not_initialized"},
        {"agent_role": "market_researcher", "status": "not_initialized"},
    ]


def test_leads_are_paginated_without_overlap(leadmill):
    with leadmill.client() as client:
        command_id = submit(client, DOCUMENTED_EXAMPLE)["command_id"]
        wait_for_status(client, command_id)
        url = f"/api/agents/sales/leadGeneration/leads/{command_id}"
        pages = [client.get(url, params={"page": p, "per_page": 10}).json()["data"]
                 for p in (1, 2, 3, 4)]
        default = client.get(url).json()["data"]
    assert [len(page["leads"]) for page in pages] == [10, 10, 5, 0]
    assert pages[0]["pagination"] == {"total": 25, "page": 1, "per_page": 10, "total_pages": 3}
    ids = [lead["id"] for page in pages for lead in page["leads"]]
    assert len(ids) == len(set(ids)) == 25
    assert default["pagination"] == {"total": 25, "page": 1, "per_page": 50, "total_pages": 1}
    assert [lead["id"] for lead in default["leads"]] == ids


@pytest.mark.sqlite_only("request validation answers before anything is stored")
@pytest.mark.parametrize("params", [{"page": 0}, {"per_page": 0}, {"per_page": 101},
                                    {"page": "two"}, {"per_page": "-5"}])
def test_bad_pagination_is_an_invalid_request(leadmill, params):
    with leadmill.client() as client:
        command_id = submit(client, example(maxLeads=1))["command_id"]
        response = client.get(f"/api/agents/sales/leadGeneration/leads/{command_id}", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert error["details"]["field"] == next(iter(params))


def test_command_alias_route_accepts_the_same_request(leadmill):
    with leadmill.client() as client:
        response = client.post("/api/agents/sales/command/leadGeneration", json=example(maxLeads=3))
        assert response.status_code == 200
        data = wait_for_status(client, response.json()["data"]["command_id"])
    assert data["status"] == "completed" and len(data["leads_generated"]) == 3


def test_webhook_receives_a_signed_completion_payload_after_a_transient_failure(
    leadmill, receiver_factory
):
    """The receiver fails twice (HTTP 503), is retried, and the command completes."""
    receiver = receiver_factory(responses=[503, 503])
    body = example(maxLeads=5, webhook={"url": receiver.url, "secret": "s3cret-value",
                                        "metadata": {"campaign_id": "spring_2024"}})
    with leadmill.client() as client:
        command_id = submit(client, body)["command_id"]
        data = wait_for_status(client, command_id)
    assert data["status"] == "completed"
    wait_until(lambda: len(receiver.requests) >= 3, 30, "webhook not retried")
    assert len(receiver.requests) == 3
    event_ids = {request["headers"]["uncodie-event-id"] for request in receiver.requests}
    assert len(event_ids) == 1
    last = receiver.requests[-1]
    expected = "sha256=" + hmac.new(b"s3cret-value", last["body"], hashlib.sha256).hexdigest()
    assert last["headers"]["uncodie-signature"] == expected
    payload = json.loads(last["body"])
    assert payload["event"] == "lead_generation.completed"
    assert payload["command_id"] == command_id and payload["site_id"] == "site_456abc"
    assert payload["data"]["status"] == "completed" and payload["data"]["leads_count"] == 5
    assert payload["metadata"] == {"campaign_id": "spring_2024"}
    def delivered():  # the receiver sees the request before the attempt is recorded
        with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
            found = session.exec(select(WebhookDelivery)).one()
        return found if found.status == "delivered" else None

    delivery = wait_until(delivered, 30, "delivery never recorded as delivered")
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        stored = session.get(Command, command_id)
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert "s3cret-value" not in json.dumps(stored.request)
    assert stored.webhook_secret_sealed and "s3cret-value" not in stored.webhook_secret_sealed
