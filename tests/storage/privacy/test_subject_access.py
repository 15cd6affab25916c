"""Subject access on SQLite and PostgreSQL: the person is found by the identity rule in every
store of their company (leads of every client, deleted ones marked, raw source leads, the
commands and webhook events, the inbound webhook, suppression entries without their values),
the keys of their leads tie in records with only another key, namesakes with another mailbox
stay out, and another company's records never appear."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from storage.db.engine import session_scope
from storage.privacy.person import InvalidSubject
from storage.privacy.subject_access import subject_access_report, subject_of
from storage.privacy.suppressions import add_suppressions
from storage.tenancy.secrets import SecretBox
from tests.fixtures.privacy_records import (
    add_command,
    add_delivery,
    add_inbound_webhook,
    add_person_lead,
    add_source_lead,
)

EMAIL = "jane.doe@acme.com"


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


def _seed(engine, ours: str, theirs: str, box: SecretBox) -> dict[str, str]:
    command = add_command(engine, ours, "site-a")
    hook = add_inbound_webhook(engine, ours, "site-b")
    seeded = {
        "command": command,
        "delivery": add_delivery(engine, command),
        "hook": hook,
        "main": add_person_lead(engine, ours, "site-a", command_id=command, email=EMAIL,
                                linkedin="https://www.linkedin.com/in/janedoe"),
        # Only the LinkedIn profile, spelt otherwise, deleted, from an inbound webhook.
        "profile_only": add_person_lead(
            engine, ours, "site-b", deleted=True, email=None, source="webhook:heyreach",
            source_record_id=hook, linkedin="https://uk.linkedin.com/in/JaneDoe/?trk=x",
            phone="+1 415 555 0177"),
        # Only the phone of the lead above: the person's through two rounds of keys.
        "phone_only": add_person_lead(engine, ours, "site-d", name="J. D.", first_name=None,
                                      last_name=None, email=None, phone="+14155550177"),
        # Her name at her company, no address: the identity rule's `person:` key.
        "name_only": add_person_lead(engine, ours, "site-c", email=None),
        # A namesake with a mailbox of her own: another person.
        "namesake": add_person_lead(engine, ours, "site-a", email="jane@acme.com"),
        "other": add_person_lead(engine, ours, "site-a", name="John Roe", first_name="John",
                                 last_name="Roe", email="john@roe.io", website="roe.io"),
        "raw": add_source_lead(engine, ours, "site-a", email="  JANE.DOE@ACME.COM ",
                               full_name="Jane Doe", company_name="Acme"),
        "raw_other": add_source_lead(engine, ours, "site-a", email="john@roe.io"),
        # Another company's lead, command and source lead for the same address.
        "their_command": (their_command := add_command(engine, theirs, "site-a")),
        "theirs": add_person_lead(engine, theirs, "site-a", command_id=their_command,
                                  email=EMAIL),
        "their_raw": add_source_lead(engine, theirs, "site-a", email=EMAIL),
    }
    with session_scope(engine) as session:
        add_suppressions(session, box, ours, None, {"domains": ["acme.com"]}, "admin")
        add_suppressions(session, box, ours, "site-a", {"emails": ["john@roe.io"]}, "admin")
        add_suppressions(session, box, theirs, None, {"emails": [EMAIL]}, "admin")
    return seeded


def test_every_store_of_the_company_is_read_by_the_identity_rule(store, box) -> None:
    engine, (ours, theirs) = store
    ids = _seed(engine, ours, theirs, box)
    with session_scope(engine) as session:
        report = subject_access_report(session, box, ours,
                                       subject_of({"email": " Jane.Doe@ACME.com"}))
    text = json.dumps(report)  # plain JSON throughout

    leads = {lead["id"]: lead for lead in report["leads"]}
    assert set(leads) == {ids["main"], ids["profile_only"], ids["name_only"], ids["phone_only"]}
    assert [leads[ids["profile_only"]]["deleted"], leads[ids["main"]]["deleted"]] == [True, False]
    assert leads[ids["profile_only"]]["deleted_at"] is not None
    main = leads[ids["main"]]
    assert main["email"] == EMAIL and main["position"] == "CTO" and main["site_id"] == "site-a"
    assert main["sources"][0]["source"] == "sample" and main["sources"][0]["fields"] == [
        "email", "name"]
    assert main["generatedFields"][0]["value"] == "Hi Jane Doe"
    assert main["deliveredBy"] == [{"commandId": ids["command"], "rank": 1, "matchScore": 0.9,
                                    "matchReasons": ["role"]}]
    assert [row["id"] for row in report["sourceLeads"]] == [ids["raw"]]
    assert report["sourceLeads"][0]["raw"] == {"seen": "  JANE.DOE@ACME.COM "}
    assert [(c["id"], c["runState"]) for c in report["commands"]] == [
        (ids["command"], "COMPLETED")]
    assert [d["id"] for d in report["webhookDeliveries"]] == [ids["delivery"]]
    assert report["inboundWebhooks"] == [{"webhookId": ids["hook"], "name": "HeyReach replies",
                                          "platform": "heyreach", "clientId": "site-b",
                                          "leadIds": [ids["profile_only"]]}]
    # The domain entry applies to her; John's does not; values are never shown.
    assert [(s["kind"], s["clientId"], s["reason"]) for s in report["suppressions"]] == [
        ("domain", None, "list")]
    assert "value" not in report["suppressions"][0]
    for absent in ("namesake", "other", "raw_other", "theirs", "their_raw", "their_command"):
        assert ids[absent] not in text, absent
    assert theirs not in text and report["companyId"] == ours


def test_the_other_company_sees_only_its_own_records(store, box) -> None:
    engine, (ours, theirs) = store
    ids = _seed(engine, ours, theirs, box)
    with session_scope(engine) as session:
        report = subject_access_report(session, box, theirs, subject_of({"email": EMAIL}))
    assert [lead["id"] for lead in report["leads"]] == [ids["theirs"]]
    assert [row["id"] for row in report["sourceLeads"]] == [ids["their_raw"]]
    assert [c["id"] for c in report["commands"]] == [ids["their_command"]]
    assert report["webhookDeliveries"] == [] and report["inboundWebhooks"] == []
    assert [s["kind"] for s in report["suppressions"]] == ["email"]


@pytest.mark.parametrize(("query", "found"), [
    ({"linkedinUrl": "linkedin.com/in/JANEDOE"},
     {"main", "profile_only", "name_only", "phone_only"}),
    ({"phone": "+44 20 7946 0958"}, {"phoned"}),
    ({"email": "nobody@elsewhere.org"}, set()),
])
def test_each_kind_of_key_finds_the_person(store, box, query, found) -> None:
    engine, (ours, theirs) = store
    ids = _seed(engine, ours, theirs, box)
    ids["phoned"] = add_person_lead(engine, ours, "site-d", name="Sam Poe", first_name="Sam",
                                    last_name="Poe", email=None, website="poe.io",
                                    phone="+442079460958")
    with session_scope(engine) as session:
        report = subject_access_report(session, box, ours, subject_of(query))
    assert {lead["id"] for lead in report["leads"]} == {ids[name] for name in found}
    if not found:
        assert report["sourceLeads"] == report["commands"] == report["suppressions"] == []


@pytest.mark.parametrize(("values", "field", "issue"), [
    ({}, "email | linkedinUrl | phone", "exactly one is needed; none given"),
    ({"email": "  "}, "email | linkedinUrl | phone", "exactly one is needed; none given"),
    ({"email": EMAIL, "phone": "+14155550100"}, "email | linkedinUrl | phone",
     "exactly one is needed; several given: email, phone"),
    ({"email": "n/a"}, "email", "not a valid email"),
    ({"linkedinUrl": "https://linkedin.com/company/acme"}, "linkedinUrl",
     "not a valid linkedin"),
    ({"phone": "(415) 555-0100"}, "phone", "not a valid phone"),
])
def test_a_request_must_name_one_person_by_a_valid_key(values, field, issue) -> None:
    with pytest.raises(InvalidSubject) as raised:
        subject_of(values)
    assert (raised.value.field, raised.value.issue) == (field, issue)
