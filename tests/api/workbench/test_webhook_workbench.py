"""The webhook workbench over real HTTP: create an inbound webhook, list it without its secret,
and feed it each platform's payload; wrong secrets are refused, replays add nothing."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlmodel import Session, select

from storage.db.engine import engine_for
from storage.leads.models import Lead
from storage.webhooks.models import InboundWebhook

ROUTE = "/api/webhook-workbench"

PAYLOADS = {
    "heyreach": {"eventType": "MESSAGE_REPLY_RECEIVED", "lead": {
        "first_name": "Ada", "last_name": "Lovelace", "email_address": "Ada@Example.com",
        "profile_url": "https://www.linkedin.com/in/ada-l", "company_name": "Engines Ltd",
        "position": "CTO"}},
    "woodpecker": {"webhook_event": "reply", "prospect": {
        "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "company": "Navy", "title": "Rear Admiral"}},
    "lemlist": {"type": "emailsReplied", "leadEmail": "alan@example.com",
                "leadFirstName": "Alan", "leadLastName": "Turing",
                "leadCompanyName": "Bletchley"},
    "generic": {"leads": [{"email": "k@example.com", "name": "Katherine J", "company": "NASA"},
                          {"linkedin": "linkedin.com/in/dorothy-v", "name": "Dorothy V"}]},
}


def create(client, platform: str, **changes) -> httpx.Response:
    body = {"name": f"{platform} replies", "platform": platform, "description": "test",
            "platformConfig": json.dumps({"field_mapping": {}}), "client_id": "site_456abc"}
    body.update(changes)
    return client.post(ROUTE, json=body)


def site_leads(leadmill) -> list[Lead]:
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        return list(session.exec(select(Lead).where(Lead.site_id == "site_456abc")).all())


@pytest.mark.parametrize("platform", sorted(PAYLOADS))
def test_platform_payload_becomes_leads_once(leadmill, platform):
    with leadmill.client() as client:
        created = create(client, platform)
        assert created.status_code == 201, created.text
        url = created.json()["webhookUrl"]
        first = httpx.post(url, json=PAYLOADS[platform])
        replay = httpx.post(url, json=PAYLOADS[platform])
    assert first.status_code == 200, first.text
    expected = 2 if platform == "generic" else 1
    assert first.json()["leadsAdded"] == expected
    assert replay.json() == {"success": True, "duplicate": True, "leadsAdded": 0,
                             "leadsUpdated": 0}
    leads = site_leads(leadmill)
    assert len(leads) == expected
    assert all(lead.source == f"webhook:{platform}" for lead in leads)
    if platform == "heyreach":
        [lead] = leads
        assert (lead.name, lead.email, lead.position) == ("Ada Lovelace", "ada@example.com",
                                                          "CTO")


def test_field_mapping_and_dedupe_against_existing_leads(leadmill):
    mapping = {"contact.mail": "email", "contact.who": "name", "contact.org": "company"}
    with leadmill.client() as client:
        url = create(client, "generic",
                     platformConfig=json.dumps({"field_mapping": mapping})).json()["webhookUrl"]
    body = {"contact": {"mail": "Pat@Example.com", "who": "Pat", "org": "Acme"}}
    assert httpx.post(url, json=body).json()["leadsAdded"] == 1
    # The same person in another body (another event) updates, never duplicates.
    changed = {"contact": {"mail": "pat@example.com", "who": "Pat Smith", "org": "Acme"}}
    reply = httpx.post(url, json=changed).json()
    assert (reply["leadsAdded"], reply["leadsUpdated"]) == (0, 1)
    [lead] = site_leads(leadmill)
    assert (lead.email, lead.name) == ("pat@example.com", "Pat Smith")


def test_wrong_secret_and_unknown_webhook_are_refused(leadmill):
    with leadmill.client() as client:
        url = create(client, "generic").json()["webhookUrl"]
    wrong = httpx.post(url.rsplit("/", 1)[0] + "/not-the-secret", json={"email": "x@example.com"})
    unknown = httpx.post(f"{leadmill.base_url}{ROUTE}/hooks/whk_nope/abc", json={})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json()["errorType"] == "no_valid_credentials"
    assert site_leads(leadmill) == []


def test_list_never_shows_the_secret_and_only_its_hash_is_stored(leadmill):
    with leadmill.client() as client:
        url = create(client, "lemlist").json()["webhookUrl"]
        listed = client.get(ROUTE).json()
    secret = url.rsplit("/", 1)[1]
    assert listed["total"] == 1 and listed["webhooks"][0]["platform"] == "lemlist"
    assert secret not in json.dumps(listed)
    with Session(engine_for(leadmill.settings.sqlalchemy_url)) as session:
        stored = session.exec(select(InboundWebhook)).one()
    assert secret not in stored.model_dump_json()


@pytest.mark.parametrize(("changes", "status", "error_type"), [
    ({"platform": "hubspot"}, 400, "invalid_value"),
    ({"platformConfig": "{not json"}, 400, "invalid_format"),
    ({"platformConfig": json.dumps({"field_mapping": {"a": "salary"}})}, 400, "invalid_value"),
    ({"client_id": "site_unknown"}, 404, "not_found"),
])
def test_bad_webhook_definitions_are_refused(leadmill, changes, status, error_type):
    changes = dict(changes)  # the same parameters serve both backends: never change them
    with leadmill.client() as client:
        response = create(client, changes.pop("platform", "generic"), **changes)
    assert response.status_code == status, response.text
    assert response.json()["success"] is False
    assert response.json()["errorType"] == error_type


def test_workbench_needs_credentials(leadmill):
    assert httpx.get(f"{leadmill.base_url}{ROUTE}").status_code == 401


def test_update_rotate_and_delete_an_inbound_webhook(leadmill):
    with leadmill.client() as client:
        created = create(client, "generic").json()
        hook_id, old_url = created["webhook"]["id"], created["webhookUrl"]
        mapping = {"person.mail": "email", "person.who": "name"}
        updated = client.put(ROUTE, json={"id": hook_id, "name": "Renamed",
                                          "platformConfig": json.dumps(
                                              {"field_mapping": mapping})})
        assert updated.status_code == 200, updated.text
        assert updated.json()["webhook"]["name"] == "Renamed"
        assert updated.json()["webhook"]["description"] == "test"  # untouched
        # The new mapping applies to the next call, through the unchanged URL.
        reply = httpx.post(old_url, json={"person": {"mail": "lin@example.com", "who": "Lin"}})
        assert reply.json()["leadsAdded"] == 1

        rotated = client.post(f"{ROUTE}/rotate", params={"id": hook_id})
        assert rotated.status_code == 200, rotated.text
        new_url = rotated.json()["webhookUrl"]
        assert new_url != old_url and new_url.rsplit("/", 1)[0] == old_url.rsplit("/", 1)[0]
        assert httpx.post(old_url, json={"email": "x@example.com"}).status_code == 401
        assert httpx.post(new_url, json={"person": {"mail": "mo@example.com"}}).json()[
            "leadsAdded"] == 1
        assert new_url.rsplit("/", 1)[1] not in client.get(ROUTE).text

        deleted = client.delete(ROUTE, params={"id": hook_id})
        assert deleted.json() == {"success": True, "deleted": hook_id}
        assert client.get(ROUTE).json()["total"] == 0
        assert httpx.post(new_url, json={"email": "y@example.com"}).status_code == 401
    # The leads it brought in stay with the client.
    assert sorted(lead.email for lead in site_leads(leadmill)) == ["lin@example.com",
                                                                    "mo@example.com"]


@pytest.mark.parametrize(("method", "kwargs", "status", "error_type"), [
    ("PUT", {"json": {"id": "whk_nope", "name": "x"}}, 404, "not_found"),
    ("PUT", {"json": {"name": "no id"}}, 400, "missing_required_field"),
    ("PUT", {"json": {"id": "<id>", "client_id": "site_unknown"}}, 404, "not_found"),
    ("PUT", {"json": {"id": "<id>", "platformConfig": "[1]"}}, 400, "invalid_value"),
    ("DELETE", {"params": {"id": "whk_nope"}}, 404, "not_found"),
    ("DELETE", {}, 400, "missing_required_field"),
    ("POST", {"params": {}}, 400, "missing_required_field"),
])
def test_bad_updates_deletes_and_rotations_are_refused(leadmill, method, kwargs, status,
                                                       error_type):
    with leadmill.client() as client:
        hook_id = create(client, "generic").json()["webhook"]["id"]
        if "json" in kwargs:
            kwargs = {"json": json.loads(json.dumps(kwargs["json"]).replace("<id>", hook_id))}
        path = f"{ROUTE}/rotate" if method == "POST" else ROUTE
        response = client.request(method, path, **kwargs)
        assert response.status_code == status, response.text
        assert response.json()["errorType"] == error_type
        assert client.get(ROUTE).json()["webhooks"][0]["name"] == "generic replies"


def test_another_company_can_neither_see_nor_change_the_webhooks(leadmill):
    from storage.tenancy.accounts import create_company, create_user, issue_api_key

    with leadmill.client() as client:
        created = create(client, "heyreach").json()
    hook_id, url = created["webhook"]["id"], created["webhookUrl"]
    engine = engine_for(leadmill.settings.sqlalchemy_url)
    with Session(engine) as session:
        other = create_company(session, "Other Inc", company_id="company-hooks-other")
        intruder = create_user(session, other, "hooks@other.test", role="owner")
        key = issue_api_key(session, intruder, "intruder")
        intruder_id = intruder.id
        session.commit()
    headers = {"x-api-key": key, "x-user-id": intruder_id}
    base = f"{leadmill.base_url}{ROUTE}"
    assert httpx.get(base, headers=headers).json()["webhooks"] == []
    assert httpx.put(base, headers=headers, json={"id": hook_id, "name": "mine"}
                     ).status_code == 404
    assert httpx.post(f"{base}/rotate", headers=headers, params={"id": hook_id}
                      ).status_code == 404
    assert httpx.delete(base, headers=headers, params={"id": hook_id}).status_code == 404
    # The first company's endpoint is unchanged and its URL still works.
    with leadmill.client() as client:
        assert client.get(ROUTE).json()["webhooks"][0]["name"] == "heyreach replies"
    assert httpx.post(url, json=PAYLOADS["heyreach"]).json()["leadsAdded"] == 1
