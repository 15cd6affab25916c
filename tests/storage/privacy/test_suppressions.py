"""Suppression entries on SQLite and PostgreSQL: values are normalised by the identity rule,
listed once per scope, checked per client (company-wide entries apply to every client), by any
key of a person or the domain of their address or website; an erasure's entries hold no value
and cannot be deleted as list entries; fingerprints differ between companies and instances."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from storage.db.engine import session_scope
from storage.privacy.fingerprints import Fingerprinter, normalised, person_fingerprints
from storage.privacy.models import Suppression
from storage.privacy.suppressions import (
    SuppressionCheck,
    add_suppressions,
    delete_suppressions,
    public_suppression,
    suppress_fingerprints,
)
from storage.tenancy.secrets import SecretBox

JANE = {"name": "Jane Doe", "email": "jane.doe@acme.com", "company": "Acme",
        "website": "https://www.acme.com"}
JOHN = {"name": "John Roe", "email": "john@other.io", "linkedin": "https://linkedin.com/in/jroe",
        "company": "Other", "website": "other.io"}


def test_values_are_normalised_by_the_identity_rule() -> None:
    assert normalised("email", " Jane.Doe@ACME.com ") == "jane.doe@acme.com"
    assert normalised("email", "n/a") is None
    assert normalised("linkedin", "https://uk.linkedin.com/in/JRoe/?x=1") == "linkedin.com/in/jroe"
    assert normalised("domain", "WWW.Shop.Acme.co.uk") == "acme.co.uk"
    assert normalised("domain", "https://acme.com/about") == "acme.com"
    assert normalised("domain", "not a domain") is None
    assert normalised("phone", "+1 (415) 555-0132") == "+14155550132"


def test_fingerprints_are_keyed_per_company_and_instance() -> None:
    box, other_box = SecretBox(Fernet.generate_key()), SecretBox(Fernet.generate_key())
    one, other = Fingerprinter(box), Fingerprinter(other_box)
    assert one("c1", "email", "a@b.io") == Fingerprinter(box)("c1", "email", "a@b.io")
    assert one("c1", "email", "a@b.io") != one("c2", "email", "a@b.io")
    assert one("c1", "email", "a@b.io") != other("c1", "email", "a@b.io")
    assert "a@b.io" not in one("c1", "email", "a@b.io")
    prints = person_fingerprints(one, "c1", [JANE])[0]
    assert one("c1", "domain", "acme.com") in prints and one("c1", "email", JANE["email"]) in prints
    assert len(prints) == 3  # e-mail, name at acme.com, the domain (once: address and website)


def test_lists_are_checked_per_client_and_company(store) -> None:
    engine, (company, other_company) = store
    box = SecretBox(Fernet.generate_key())
    with session_scope(engine) as session:
        added = add_suppressions(session, box, company, None,
                                 {"emails": ["JANE.DOE@acme.com", "n/a"]}, "user-1")
        assert len(added.created) == 1 and added.invalid == [
            {"field": "emails", "index": 1, "issue": "not a valid email"}]
        again = add_suppressions(session, box, company, None, {"emails": ["jane.doe@acme.com"]},
                                 "user-1")
        assert again.created == [] and again.existing == 1
        add_suppressions(session, box, company, "site-b", {"domains": ["other.io"]}, "user-1")
    with session_scope(engine) as session:
        site_a = SuppressionCheck.for_site(session, box, company, "site-a")
        site_b = SuppressionCheck.for_site(session, box, company, "site-b")
        elsewhere = SuppressionCheck.for_site(session, box, other_company, "site-a")
        rows = [JANE, JOHN, {"name": "Jane Doe", "company": "Acme", "website": "acme.com"}]
        assert site_a.suppressed(rows) == [True, False, False]
        assert site_b.suppressed(rows) == [True, True, False]
        assert elsewhere.suppressed(rows) == [False, False, False] and not elsewhere
        listed = session.exec(select(Suppression).where(Suppression.company_id == company)).all()
        shown = sorted(public_suppression(row, box)["value"] for row in listed)
        assert shown == ["jane.doe@acme.com", "other.io"]


def test_erasure_entries_keep_no_value_and_are_not_list_entries(store) -> None:
    engine, (company, _) = store
    box = SecretBox(Fernet.generate_key())
    fingerprint = Fingerprinter(box)
    prints = {("email", fingerprint(company, "email", "jane.doe@acme.com"))}
    with session_scope(engine) as session:
        assert suppress_fingerprints(session, company, prints, "user-1") == 1
        assert suppress_fingerprints(session, company, prints, "user-1") == 0
        row = session.exec(select(Suppression)).one()
        assert row.reason == "erasure" and row.sealed_value is None
        assert delete_suppressions(session, company, [row.id]) == ([], [row.id])
    with session_scope(engine) as session:
        check = SuppressionCheck.for_site(session, box, company, "site-a")
        assert check.suppressed([JANE]) == [True]


@pytest.mark.parametrize(("entry", "row_email", "suppressed"), [
    # An erasure made under identity rule 2 holds the fingerprint of the unfolded address:
    # the person it stopped is still stopped, however the address is cased.
    ("jane.doe@gmail.com", "jane.doe@gmail.com", True),
    ("jane.doe@gmail.com", "Jane.Doe@GMAIL.com", True),
    ("jane.doe+crm@outlook.com", "jane.doe+crm@outlook.com", True),
    # ... and rule 3's entries, of the mailbox, stop every spelling of it.
    ("janedoe@gmail.com", "jane.doe+news@googlemail.com", True),
    ("jane@acme.com", "jane.doe@acme.com", False),
])
def test_erasures_made_before_mailboxes_were_folded_still_suppress(
        store, entry, row_email, suppressed) -> None:
    engine, (company, _) = store
    box = SecretBox(Fernet.generate_key())
    prints = {("email", Fingerprinter(box)(company, "email", entry))}
    with session_scope(engine) as session:
        suppress_fingerprints(session, company, prints, "user-1")
    with session_scope(engine) as session:
        check = SuppressionCheck.for_site(session, box, company, "site-a")
        assert check.suppressed([{"name": "Jane Doe", "email": row_email}]) == [suppressed]
