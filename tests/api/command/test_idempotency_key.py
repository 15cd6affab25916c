"""`Idempotency-Key` on command submissions: a retried POST gets the command it already created
(same reply, no second quota charge, on either documented path); the same key with another body
is a 409 in the command API's envelope; keys belong to one company."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session, func, select

from storage.commands.models import Command
from storage.db.engine import engine_for
from storage.tenancy.demo import DEMO_SITE_ID
from storage.tenancy.models import Client
from tests.api.tenant_helpers import create_tenant
from tests.fixtures.examples import example

ROUTE = "/api/agents/sales/leadGeneration"
ALIAS = "/api/agents/sales/command/leadGeneration"


def commands_of(settings, site_id: str) -> int:
    with Session(engine_for(settings.sqlalchemy_url)) as session:
        return session.exec(select(func.count()).select_from(Command)
                            .where(Command.site_id == site_id)).one()


def set_site_quota(settings, site_id: str, quota: int) -> None:
    with Session(engine_for(settings.sqlalchemy_url)) as session:
        client = session.exec(select(Client).where(Client.client_id == site_id)).one()
        client.lead_quota = quota
        session.add(client)
        session.commit()


def test_a_retry_with_the_same_key_and_body_gets_the_same_command_and_no_second_charge(
        leadmill):
    set_site_quota(leadmill.settings, DEMO_SITE_ID, 5)  # room for exactly one command
    body = example(maxLeads=5)
    with leadmill.client() as client:
        first = client.post(ROUTE, json=body, headers={"Idempotency-Key": "order-42"})
        # The retry arrives with the keys in another order and through the alias path.
        reordered = json.dumps(dict(reversed(list(body.items()))))
        again = client.post(ALIAS, content=reordered, headers={
            "Idempotency-Key": "order-42", "Content-Type": "application/json"})
        # Concurrent retries too: still one command.
        with ThreadPoolExecutor(4) as pool:
            racing = list(pool.map(lambda _: client.post(
                ROUTE, json=body, headers={"Idempotency-Key": "order-42"}), range(4)))
        another_key = client.post(ROUTE, json=body, headers={"Idempotency-Key": "order-43"})
    assert first.status_code == 200, first.text
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert all(r.status_code == 200 and r.json() == first.json() for r in racing)
    assert commands_of(leadmill.settings, DEMO_SITE_ID) == 1
    # The quota was charged once: a new key (a new command) no longer fits.
    assert another_key.status_code == 429
    assert another_key.json()["error"]["code"] == "QUOTA_EXCEEDED"
    assert another_key.json()["error"]["details"]["used"] == 5


def test_the_same_key_with_another_body_is_a_conflict(leadmill):
    with leadmill.client() as client:
        first = client.post(ROUTE, json=example(maxLeads=3),
                            headers={"Idempotency-Key": "k-1"})
        changed = client.post(ROUTE, json=example(maxLeads=4),
                              headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 200, first.text
    assert changed.status_code == 409
    error = changed.json()
    assert error["success"] is False
    assert error["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert error["error"]["details"]["field"] == "Idempotency-Key"
    assert commands_of(leadmill.settings, DEMO_SITE_ID) == 1


def test_keys_belong_to_one_company(leadmill):
    other = create_tenant(leadmill.settings)
    with leadmill.client() as client, other.client(leadmill.base_url) as other_client:
        mine = client.post(ROUTE, json=example(maxLeads=2), headers={"Idempotency-Key": "k"})
        theirs = other_client.post(ROUTE, json=example(maxLeads=2, siteId=other.client_id,
                                                              userId=other.user_id),
                                   headers={"Idempotency-Key": "k"})
    assert mine.status_code == 200 and theirs.status_code == 200, theirs.text
    assert mine.json()["data"]["command_id"] != theirs.json()["data"]["command_id"]


def test_a_refused_submission_does_not_use_up_its_key_and_bad_keys_are_refused(leadmill):
    with leadmill.client() as client:
        refused = client.post(ROUTE, json=example(maxLeads=0), headers={"Idempotency-Key": "r"})
        accepted = client.post(ROUTE, json=example(maxLeads=2), headers={"Idempotency-Key": "r"})
        too_long = client.post(ROUTE, json=example(), headers={"Idempotency-Key": "x" * 256})
        spaced = client.post(ROUTE, json=example(), headers={"Idempotency-Key": "a b"})
    assert refused.status_code == 400
    assert accepted.status_code == 200, accepted.text
    for response in (too_long, spaced):
        assert response.status_code == 400
        assert response.json()["error"]["details"]["field"] == "Idempotency-Key"
