"""Recurring searches over HTTP: create, list, pause, resume, change and delete; bad input."""

from __future__ import annotations

import pytest

from tests.fixtures.examples import example

ROUTE = "/api/agents/sales/schedules"


def weekly(**changes):
    body = {"name": "Weekly CTOs", "command": example(maxLeads=3),
            "cron": "0 9 * * MON", "timezone": "Europe/Berlin"}
    body.update(changes)
    return body


def test_a_schedule_is_created_listed_paused_resumed_changed_and_deleted(leadmill):
    with leadmill.client() as client:
        created = client.post(ROUTE, json=weekly())
        assert created.status_code == 201, created.text
        schedule = created.json()["data"]
        sid = schedule["schedule_id"]
        assert schedule["status"] == "active"
        assert schedule["site_id"] == "site_456abc"
        assert (schedule["cron"], schedule["timezone"]) == ("0 9 * * MON", "Europe/Berlin")

        listed = client.get(ROUTE).json()["data"]["schedules"]
        assert [s["schedule_id"] for s in listed] == [sid]
        assert client.get(ROUTE, params={"siteId": "elsewhere"}).json()["data"]["schedules"] == []

        paused = client.put(f"{ROUTE}/{sid}", json={"active": False}).json()["data"]
        assert paused["status"] == "paused"
        resumed = client.put(f"{ROUTE}/{sid}", json={"active": True}).json()["data"]
        assert resumed["status"] == "active"
        changed = client.put(f"{ROUTE}/{sid}", json={"interval_seconds": 3600}).json()["data"]
        assert (changed["cron"], changed["interval_seconds"]) == (None, 3600)
        one = client.get(f"{ROUTE}/{sid}").json()["data"]
        assert one["runs"] == [] and one["interval_seconds"] == 3600

        assert client.delete(f"{ROUTE}/{sid}").json()["data"] == {"schedule_id": sid,
                                                                   "deleted": True}
        gone = client.get(f"{ROUTE}/{sid}")
        assert gone.status_code == 404
        assert gone.json()["error"]["code"] == "SCHEDULE_NOT_FOUND"
        assert client.get(ROUTE).json()["data"]["schedules"] == []


def test_a_webhook_secret_is_sealed_never_returned(leadmill):
    command = example(maxLeads=2, webhook={"url": "http://127.0.0.1:9/hook", "secret": "s3cret"})
    with leadmill.client() as client:
        data = client.post(ROUTE, json=weekly(command=command)).json()["data"]
    assert "secret" not in data["command"]["webhook"]
    assert "s3cret" not in str(data)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (weekly(interval_seconds=3600), 400, "cron"),  # both cron and interval
        ({k: v for k, v in weekly().items() if k != "cron"}, 400, "cron"),  # neither
        (weekly(cron="every monday"), 400, "cron"),
        (weekly(cron="H 9 * * *"), 400, "cron"),
        (weekly(timezone="Mars/Olympus"), 400, "timezone"),
        (weekly(cron=None, interval_seconds=5), 400, "interval_seconds"),
        (weekly(name=""), 400, "name"),
        ({k: v for k, v in weekly().items() if k != "command"}, 400, "command"),
        (weekly(command=example(siteId="no_such_site")), 404, "command.siteId"),
        (weekly(command=example(maxLeads=0)), 400, "command.maxLeads"),
        (weekly(colour="blue"), 400, "colour"),
    ],
)
def test_bad_schedules_are_refused_with_the_field(leadmill, body, status, field):
    with leadmill.client() as client:
        response = client.post(ROUTE, json=body)
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["details"]["field"] == field
        assert client.get(ROUTE).json()["data"]["schedules"] == []


def test_schedules_need_a_key_and_unknown_ids_are_not_found(leadmill):
    with leadmill.client(api_key="lm_wrong") as client:
        assert client.get(ROUTE).status_code == 401
    with leadmill.client() as client:
        for method in ("GET", "PUT", "DELETE"):
            response = client.request(method, f"{ROUTE}/sched_missing", json={"active": False})
            assert response.status_code == 404
        assert client.post(ROUTE, content=b"{nope").status_code == 400
