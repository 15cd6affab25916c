"""The one "same person" rule and the one domain parser, over the cases a user would hit."""

from __future__ import annotations

import random

import phonenumbers
import pyarrow as pa
import pytest

from storage.leads.domains import registrable_domain
from storage.leads.identity import identity_key, identity_keys, normalise_linkedin, person_keys
from storage.leads.phones import e164, phone_keys
from tasks.delivery.inbound_mapping import map_payload
from tasks.research.sources import merge_candidates
from tasks.research.website_extract import email_for
from tasks.research.website_fetch import same_site_as
from tasks.search.criteria import Prospect


@pytest.mark.parametrize("first, second", [
    ({"email": "JANE@ACME.COM"}, {"email": "jane@acme.com"}),
    ({"email": " jane@acme.com "}, {"email": "Jane@Acme.com", "name": "J. Doe"}),
    ({"linkedin": "https://m.linkedin.com/in/Jane-Doe/?x"},
     {"linkedin": "linkedin.com/in/jane-doe"}),
    ({"linkedin": "http://uk.linkedin.com/in/jane-doe"},
     {"linkedin": "https://www.linkedin.com/in/Jane-Doe#about"}),
    ({"phone": "+1 (415) 555-0100"}, {"phone": "+14155550100"}),
    ({"phone": "+44 20 7946 0958"}, {"phone": "+44 (0)20 7946 0958"}),
    ({"name": "Jane  Doe", "company": "Acme", "website": "https://www.acme.co.uk/about"},
     {"name": "jane doe", "company": "ACME Ltd", "website": "shop.acme.co.uk"}),
    ({"name": "Jane Doe", "company": "Acme Inc"}, {"first_name": "Jane", "last_name": "Doe",
                                                   "company": " acme   inc "}),
])
def test_the_same_person_has_the_same_identity(first: dict, second: dict) -> None:
    assert identity_key(**first) is not None
    assert identity_key(**first) == identity_key(**second)


@pytest.mark.parametrize("first, second", [
    ({"email": "n/a", "name": "Jane Doe", "company": "Acme"},
     {"email": "n/a", "name": "Bob Roe", "company": "Globex"}),
    ({"email": "jane@acme.com"}, {"email": "jane@notacme.com"}),
    ({"name": "Jane Doe", "company": "Acme", "website": "acme.com"},
     {"name": "Jane Doe", "company": "Acme", "website": "notacme.com"}),
    ({"name": "Jane Doe", "company": "Acme", "website": "acme.github.io"},
     {"name": "Jane Doe", "company": "Acme", "website": "other.github.io"}),
    ({"linkedin": "https://www.linkedin.com/in/jane-doe"},
     {"linkedin": "https://www.linkedin.com/in/jane-doe-2"}),
])
def test_different_people_have_different_identities(first: dict, second: dict) -> None:
    assert identity_key(**first) != identity_key(**second)


@pytest.mark.parametrize("fields, key", [
    ({"email": "JANE@ACME.COM", "phone": "+14155550100"}, "email:jane@acme.com"),
    ({"email": "n/a", "name": "Jane Doe", "company": "Acme"}, "person:jane doe@acme"),
    ({"email": "jane@", "linkedin": "https://www.linkedin.com/company/acme",
      "phone": "+1 (415) 555-0100", "name": "Jane Doe", "company": "Acme"},
     "phone:+14155550100"),
    ({"phone": "(415) 555-0100", "name": "Jane Doe", "company": "Acme",
      "website": "http://www.acme.co.uk"}, "person:jane doe@acme.co.uk"),  # no country: no key
    ({"linkedin": "HTTPS://DE.LinkedIn.com/in/Jane-Doe/"}, "linkedin:linkedin.com/in/jane-doe"),
    ({"name": "Jane Doe"}, None),  # a name at no company identifies nobody
    ({"email": "n/a"}, None),
    ({}, None),
])
def test_the_stored_key_is_the_first_key_a_record_has(fields: dict, key: str | None) -> None:
    assert identity_key(**fields) == key
    assert identity_keys([fields, fields]) == [key, key]  # the batch is the same rule


def test_every_key_of_a_record() -> None:
    [keys] = person_keys([{"email": "Jane@Acme.com", "linkedin": "m.linkedin.com/in/jd",
                           "phone": "+1 415 555 0100", "name": "Jane Doe", "company": "Acme",
                           "website": "https://www.acme.com"}])
    assert tuple(keys) == ("email:jane@acme.com", "linkedin:linkedin.com/in/jd",
                           "phone:+14155550100", "person:jane doe@acme.com")
    assert keys.identity == "email:jane@acme.com"
    assert normalise_linkedin("https://www.linkedin.com/company/acme") is None


@pytest.mark.parametrize("text, domain", [
    ("www.acme.co.uk", "acme.co.uk"),
    ("shop.acme.co.uk", "acme.co.uk"),
    ("acme.co.uk", "acme.co.uk"),
    ("https://User@WWW.Acme.com:8443/about?x=1#team", "acme.com"),
    ("jane@mail.acme.com", "acme.com"),
    ("mailto:jane@acme.com", "acme.com"),
    ("notacme.com", "notacme.com"),
    ("https://acme.github.io/", "acme.github.io"),  # a private suffix: each site its own
    ("quillworks.test", "quillworks.test"),
    ("shop.acme.example.com", "acme.example.com"),  # the sample's pretend companies
    ("http://127.0.0.1:8080/", "127.0.0.1"),
    ("http://[::1]:8080/", "::1"),
    ("localhost", "localhost"),
    ("co.uk", None),
    ("", None),
    (None, None),
])
def test_registrable_domain(text: str | None, domain: str | None) -> None:
    assert registrable_domain(text) == domain


def test_redirects_stay_within_the_registrable_domain() -> None:
    assert same_site_as("https://acme.com/") == same_site_as("http://www.acme.com/team")
    assert same_site_as("https://acme.com/") == same_site_as("https://blog.acme.com/")
    assert same_site_as("https://acme.com/") != same_site_as("https://notacme.com/")
    assert same_site_as("https://acme.github.io/") != same_site_as("https://evil.github.io/")
    assert same_site_as("http://127.0.0.1:8080/") == "127.0.0.1"


@pytest.mark.parametrize("emails, domain, chosen", [
    (["jane.doe@notacme.com", "jane.doe@acme.com"], "acme.com", "jane.doe@acme.com"),
    (["jane.doe@notacme.com", "jdoe@mail.acme.com"], "www.acme.com", "jdoe@mail.acme.com"),
    (["jane.doe@notacme.com"], "acme.com", "jane.doe@notacme.com"),  # hers, if not at acme
])
def test_a_persons_email_at_the_companys_own_domain_is_preferred(
        emails: list[str], domain: str, chosen: str) -> None:
    assert email_for("Jane Doe", emails, domain) == chosen


def test_the_vectorised_phone_keys_are_phonenumbers_own() -> None:
    rng = random.Random(14)
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    values: list[str | None] = [None, "", "n/a", "+1-800-FLOWERS", "+1 415 555 0100 ext. 3",
                                "＋1 415 555 0100", "+39 06 1234 5678", "+44 (0)20 7946 0958"]
    for _ in range(20_000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 16)))
        number = f"+{rng.choice(codes)}{digits}"
        if rng.random() < 0.3:
            number = f"+{number[1:3]} ({digits[:3]}) {digits[3:6]}-{digits[6:]}"
        values.append(number)
    assert phone_keys(pa.array(values)).to_pylist() == [e164(v) or "" for v in values]


def test_research_keeps_namesakes_with_their_own_mailboxes_apart() -> None:
    # The merge used to join any two finds of one name at one company; dedupe kept people of
    # one name with two addresses apart. One rule now: different addresses, different people.
    jane = Prospect(prospect_id="a", name="Jane Doe", company="Acme", email="jane@acme.com")
    other = Prospect(prospect_id="b", name="Jane Doe", company="Acme", email="jdoe2@acme.com")
    same = Prospect(prospect_id="c", name="Jane Doe", company="Acme Inc",
                    website="https://www.acme.com", phone="+14155550100")
    no_address = [Prospect(prospect_id=f"n{i}", name=f"Person {i}", company=f"Co {i}",
                           email="n/a") for i in range(3)]
    merged = merge_candidates([[jane, other], [same], no_address])
    assert [p.prospect_id for p in merged] == ["a", "b", "c", "n0", "n1", "n2"]


def test_inbound_leads_are_keyed_by_the_same_rule() -> None:
    rows = map_payload({"leads": [
        {"leadPhone": "+1 (415) 555-0100", "leadFirstName": "Jo", "leadCompanyName": "Acme"},
        {"leadPhone": "+14155550100", "leadFirstName": "Jo", "leadLastName": "Doe"},
        {"leadEmail": "N/A", "leadFirstName": "Bo"},  # no address, no company: nobody
    ]}, "lemlist", {})
    assert [row["dedupe_key"] for row in rows] == ["phone:+14155550100"]
    assert rows[0]["name"] == "Jo Doe"  # the last one wins


def test_no_rows_have_no_keys_and_typed_columns() -> None:
    """A search that finds nobody (the research merge of zero prospects) still gets text columns:
    pyarrow would type them null and the key joins would fail."""
    from storage.leads.identity import identities, identity_table, person_keys, rows_table

    assert person_keys([]) == []
    for table in (identity_table(rows_table([])), identities(rows_table([]))):
        assert table.num_rows == 0
        assert all(str(field.type) == "string" for field in table.schema)
