"""The `verified` rule at both levels, phone details, and the deep path against loopback SMTP."""

from __future__ import annotations

import pytest

from tasks.search.criteria import Prospect
from tasks.verification.contacts import deep_check_emails, verify_prospect
from tasks.verification.email import StaticMxResolver, VerifierOptions
from tests.fixtures import smtp as smtp_fixtures

mail_server = smtp_fixtures.mail_server


def prospect(email: str | None, phone: str | None = None, country_code: str = "US") -> Prospect:
    return Prospect(prospect_id="prs_1", first_name="Jane", last_name="Smith", name="Jane Smith",
                    title="CTO", email=email, phone=phone, company_id="co_1", company="TechCorp",
                    industry="software", employee_count=120, company_size="51-200",
                    country="United States", country_code=country_code)


def test_disposable_address_is_not_verified_offline() -> None:
    result = verify_prospect(prospect("jane@mailinator.com"))
    assert result.email_valid and not result.verified and result.level == "syntax"
    assert any("risky" in note for note in result.notes)


def test_typo_suggestion_is_a_note() -> None:
    result = verify_prospect(prospect("jane@gnail.com"))
    assert "did you mean jane@gmail.com?" in result.notes


@pytest.mark.parametrize(
    ("phone", "country_code", "phone_type", "region"),
    [("+1 312-945-0142", "US", "fixed_line_or_mobile", "US"),
     ("07400 123456", "GB", "mobile", "GB"), ("020 7946 0123", "GB", "fixed_line", "GB"),
     ("030 123456", "DE", "fixed_line", "DE"), ("+44 7400 123456", "US", "mobile", "GB")],
)
def test_phone_type_and_region(phone: str, country_code: str, phone_type: str,
                               region: str) -> None:
    result = verify_prospect(prospect("jane@techcorp.example.com", phone, country_code))
    assert (result.phone_type, result.phone_region, result.phone_possible) == (
        phone_type, region, True)


def test_deep_level_verifies_only_safe_addresses(mail_server) -> None:
    mailbox, port = mail_server
    mailbox.replies["ok@acme.example.com"] = ["250 OK"]
    mailbox.replies["full@acme.example.com"] = ["552 5.2.2 Mailbox full"]
    resolver = StaticMxResolver({"acme.example.com": [(10, "127.0.0.1")]})
    prospects = [prospect("ok@acme.example.com"), prospect("full@acme.example.com"),
                 prospect("gone@acme.example.com"), prospect(None)]
    checks = deep_check_emails(prospects, resolver, VerifierOptions(smtp_port=port,
                                                                     allowed_hosts=["127.0.0.1"]))
    results = [verify_prospect(p, c) for p, c in zip(prospects, checks, strict=True)]
    assert [r.verified for r in results] == [True, False, False, False]
    assert [r.level for r in results] == ["deep", "deep", "deep", "syntax"]
    assert results[0].email_check["is_reachable"] == "safe"
    assert results[1].email_check["smtp"]["has_full_inbox"] is True


def test_deep_checks_fall_back_to_syntax_when_dns_never_answers() -> None:
    domains = frozenset({"acme.example.com", "other.example.com"})
    resolver = StaticMxResolver({}, unavailable=domains)
    prospects = [prospect("a@acme.example.com"), prospect("b@other.example.com")]
    checks = deep_check_emails(prospects, resolver, VerifierOptions())
    assert checks == [None, None]
    assert all(verify_prospect(p).verified for p in prospects)
