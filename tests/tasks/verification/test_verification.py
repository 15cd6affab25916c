"""Verification: e-mail syntax and phone validity, offline."""

from __future__ import annotations

import pytest

from tasks.search.criteria import Prospect
from tasks.verification.contacts import verify_prospect, verify_prospects


def prospect(email: str | None, phone: str | None, country_code: str = "US") -> Prospect:
    return Prospect(prospect_id="prs_1", first_name="Jane", last_name="Smith", name="Jane Smith",
                    title="CTO", email=email, phone=phone, company_id="co_1", company="TechCorp",
                    industry="software", employee_count=120, company_size="51-200",
                    country="United States", country_code=country_code)


@pytest.mark.parametrize(
    ("phone", "country_code", "e164"),
    [("(312) 055-0142", "US", None), ("+1 312-945-0142", "US", "+13129450142"),
     ("(312) 945-0142", "US", "+13129450142"), ("020 7946 0123", "GB", "+442079460123"),
     ("+44 20 7946 0123", "US", "+442079460123"), ("030 123456", "DE", "+4930123456"),
     ("02 1234 5678", "IT", "+390212345678")],
)
def test_phone_is_read_in_the_prospects_country(phone: str, country_code: str,
                                                 e164: str | None) -> None:
    result = verify_prospect(prospect("jane@techcorp.example.com", phone, country_code))
    assert result.phone_e164 == e164
    assert result.phone_valid is (e164 is not None)
    assert result.verified is (e164 is not None)


@pytest.mark.parametrize(
    ("email", "valid"),
    [("Jane.Smith@TechCorp.Example.com", True), ("jane.smith@example.com", True),
     ("jane smith@example.com", False), ("jane@", False), ("@example.com", False),
     ("jane@localhost", False), ("", False), (None, False)],
)
def test_email_syntax_decides_verification(email: str | None, valid: bool) -> None:
    result = verify_prospect(prospect(email, None))
    assert result.email_valid is valid
    assert result.verified is valid  # no phone given: the e-mail decides


@pytest.mark.parametrize(("given", "shown"), [
    ("Jane.Smith@TechCorp.EXAMPLE.com", "Jane.Smith@techcorp.example.com"),
    # The lead shows the address as given; only its identity key is the mailbox.
    ("Jane.Doe+news@GMail.com", "Jane.Doe+news@gmail.com"),
])
def test_email_keeps_the_address_as_given_with_its_domain_normalised(given, shown) -> None:
    result = verify_prospect(prospect(given, None))
    assert result.email == shown and result.email_valid


@pytest.mark.parametrize("phone", ["not a number", "123", "+1 999 999 9999"])
def test_invalid_phone_fails_verification_with_a_note(phone: str) -> None:
    result = verify_prospect(prospect("jane@techcorp.example.com", phone))
    assert result.email_valid and not result.phone_valid and not result.verified
    assert result.notes


def test_task_runs_as_plain_function() -> None:
    results = verify_prospects.fn([prospect("jane@techcorp.example.com", None)] * 2)
    assert [r.verified for r in results] == [True, True]
