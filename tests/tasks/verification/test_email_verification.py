"""Deep e-mail verification against a real SMTP server on loopback and a fake resolver."""

from __future__ import annotations

import asyncio

import pytest

from tasks.verification.email import (
    EmailVerifier,
    StaticMxResolver,
    VerifierOptions,
    validate_offline,
    verify_emails,
)
from tasks.verification.email.classify import RcptVerdict, classify_rcpt
from tests.fixtures import smtp as smtp_fixtures

mail_server = smtp_fixtures.mail_server

MX = {"acme.example.com": [(20, "backup.invalid."), (10, "127.0.0.1.")],
      "catchall.example.com": [(10, "127.0.0.1.")], "nullmx.example.com": [(0, ".")]}


def options(port: int, **changes: object) -> VerifierOptions:
    return VerifierOptions(smtp_port=port, greylist_retry_seconds=0.05, timeout_seconds=5,
                           allowed_hosts=["127.0.0.1"], **changes)


@pytest.mark.parametrize(
    ("script", "reachable", "smtp_fields"),
    [
        (["250 2.1.5 OK"], "safe", {"is_deliverable": True}),
        (["550 5.1.1 The email account that you tried to reach does not exist"], "invalid", {}),
        (["552 5.2.2 Mailbox full"], "risky", {"has_full_inbox": True}),
        (["550 5.2.1 The email account that you tried to reach is disabled"], "invalid",
         {"is_disabled": True}),
        (["451 4.7.1 Greylisted, please try again later", "250 OK"], "safe",
         {"is_deliverable": True}),
        (["450 4.2.0 Greylisted, try again later"], "unknown", {}),
        (["554 5.7.1 Service unavailable; client host blocked using Spamhaus"], "unknown", {}),
    ],
)
def test_smtp_reply_decides_reachability(mail_server, script, reachable, smtp_fields) -> None:
    mailbox, port = mail_server
    mailbox.replies["jane@acme.example.com"] = list(script)
    [check] = verify_emails(["Jane@ACME.example.com"], StaticMxResolver(MX), options(port))
    assert check.is_reachable == reachable
    assert check.mx is not None and check.mx.records == ["127.0.0.1", "backup.invalid"]
    assert check.smtp is not None and check.smtp.can_connect_smtp
    expected = {"is_deliverable": False, "has_full_inbox": False, "is_disabled": False,
                "is_catch_all": False} | smtp_fields
    assert check.smtp.model_dump(exclude={"can_connect_smtp"}) == expected
    # The catch-all probe (a random address) went first, the real address second.
    rcpts = [r.lower() for r in mailbox.rcpts]
    assert rcpts[0] != "jane@acme.example.com" and rcpts[1] == "jane@acme.example.com"
    if script[0].startswith("45") and len(script) > 1:
        assert rcpts.count("jane@acme.example.com") == 2  # greylisting retried once


def test_catch_all_domain_is_risky_and_probed_once(mail_server) -> None:
    mailbox, port = mail_server
    mailbox.catch_all.add("catchall.example.com")
    addresses = ["a@catchall.example.com", "b@catchall.example.com"]
    checks = verify_emails(addresses, StaticMxResolver(MX), options(port, per_domain_concurrency=1))
    assert [c.is_reachable for c in checks] == ["risky", "risky"]
    assert all(c.smtp and c.smtp.is_catch_all for c in checks)
    assert len(mailbox.rcpts) == 3  # one random probe for the domain, then each address


def test_domain_without_mail_is_invalid_and_unresolvable_is_unknown(mail_server) -> None:
    _, port = mail_server
    resolver = StaticMxResolver(MX, unavailable=frozenset({"offline.example.com"}))
    addresses = ["x@nullmx.example.com", "x@nomx.example.com", "x@offline.example.com"]
    nullmx, nomx, offline = verify_emails(addresses, resolver, options(port))
    assert (nullmx.is_reachable, nullmx.mx.accepts_mail, nullmx.smtp) == ("invalid", False, None)
    assert (nomx.is_reachable, nomx.mx.records) == ("invalid", [])
    assert offline.is_reachable == "unknown" and "dns" in offline.error


def test_unreachable_server_is_unknown() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    [check] = verify_emails(["jane@acme.example.com"], StaticMxResolver(MX), options(closed_port))
    assert check.is_reachable == "unknown"
    assert check.smtp is not None and not check.smtp.can_connect_smtp


def test_per_domain_limit_and_result_cache(mail_server) -> None:
    mailbox, port = mail_server
    mailbox.catch_all.add("catchall.example.com")
    mailbox.rcpt_delay = 0.02
    resolver = StaticMxResolver(MX)
    verifier = EmailVerifier(resolver, options(port, per_domain_concurrency=2))
    addresses = [f"user{i}@catchall.example.com" for i in range(12)]

    async def twice() -> None:
        await verifier.verify_many(addresses)
        await verifier.verify_many(addresses)

    asyncio.run(twice())
    assert mailbox.peak_by_domain["catchall.example.com"] <= 2
    assert mailbox.conversations == 12  # the second pass came from the cache
    assert resolver.queries == 1  # one MX query for the domain


@pytest.mark.parametrize(
    ("address", "valid", "normalized", "suggestion", "disposable", "role", "b2c", "reachable"),
    [
        ("Jane.Smith@Gnail.com", True, "jane.smith@gnail.com", "Jane.Smith@gmail.com",
         False, False, False, "unknown"),
        ("jane@outlok.com", True, "jane@outlok.com", "jane@outlook.com", False, False, False,
         "unknown"),
        # Typo-squatting domains are on the disposable list: risky, and still a suggestion.
        ("jane@gmial.com", True, "jane@gmial.com", "jane@gmail.com", True, False, False,
         "risky"),
        ("jane@gmail.com", True, "jane@gmail.com", None, False, False, True, "unknown"),
        ("info@acme-corp.com", True, "info@acme-corp.com", None, False, True, False, "unknown"),
        ("temp@mailinator.com", True, "temp@mailinator.com", None, True, False, False, "risky"),
        # The normalised address is the mailbox, the identity rule's key.
        ("Jane.Doe+news@GoogleMail.com", True, "janedoe@gmail.com", None, False, False, True,
         "unknown"),
        ("jane+crm@outlook.com", True, "jane@outlook.com", None, False, False, True, "unknown"),
        # RFC 5321: a local part of at most 64 characters (email-validator 2 takes 65).
        ("a" * 65 + "@acme.com", False, None, None, False, False, False, "invalid"),
        ("a" * 64 + "@acme.com", True, "a" * 64 + "@acme.com", None, False, False, False,
         "unknown"),
        ("jane smith@acme.com", False, None, None, False, False, False, "invalid"),
        ("jane@", False, None, None, False, False, False, "invalid"),
    ],
)
def test_offline_validation(address, valid, normalized, suggestion, disposable, role, b2c,
                            reachable) -> None:
    check = validate_offline(address)
    assert check.syntax.is_valid_syntax is valid
    assert check.syntax.normalized_email == normalized
    assert check.syntax.suggestion == suggestion
    assert (check.misc.is_disposable, check.misc.is_role_account, check.misc.is_b2c) == (
        disposable, role, b2c)
    assert check.is_reachable == reachable
    assert check.mx is None and check.smtp is None


@pytest.mark.parametrize(
    ("code", "text", "verdict"),
    [(250, "OK", RcptVerdict.DELIVERABLE), (550, "5.1.1 User unknown", RcptVerdict.UNKNOWN_USER),
     (550, "Requested action not taken: mailbox unavailable", RcptVerdict.UNKNOWN_USER),
     (452, "4.2.2 The email account that you tried to reach is over quota",
      RcptVerdict.FULL_INBOX),
     (550, "Account disabled", RcptVerdict.DISABLED),
     (450, "Greylisted, see http://postgrey", RcptVerdict.GREYLISTED),
     (421, "Too many connections", RcptVerdict.UNDETERMINED),
     (554, "rejected because 1.2.3.4 is in a black list at spamhaus", RcptVerdict.BLOCKED)],
)
def test_reply_classification(code: int, text: str, verdict: RcptVerdict) -> None:
    assert classify_rcpt(code, text) is verdict


HOSTILE = "mx7.corp.internal ESMTP <script>alert(1)</script> build 4.2-secret"


def test_a_remote_reply_text_is_never_echoed_only_its_codes(mail_server) -> None:
    mailbox, port = mail_server
    mailbox.replies["jane@acme.example.com"] = [f"550 5.7.1 refused by policy: {HOSTILE}"]
    [check] = verify_emails(["jane@acme.example.com"], StaticMxResolver(MX), options(port))
    assert check.error == "smtp blocked: 550 5.7.1"
    assert "corp.internal" not in check.model_dump_json()


def test_a_hostile_greeting_is_summarised_by_its_code() -> None:
    from tests.fixtures.egress import LoopbackServer

    def greet(connection) -> None:
        connection.sendall(f"554-{HOSTILE}\r\n554 {HOSTILE}\r\n".encode())
        connection.recv(1024)

    server = LoopbackServer(greet)
    try:
        [check] = verify_emails(["jane@acme.example.com"], StaticMxResolver(MX),
                                options(server.port))
    finally:
        server.stop()
    assert check.error is not None and "greeting 554" in check.error
    assert "corp.internal" not in check.error and "script" not in check.error


def test_the_result_cache_is_bounded_in_size_and_time(mail_server) -> None:
    mailbox, port = mail_server
    mailbox.catch_all.add("catchall.example.com")
    first, second = "a@catchall.example.com", "b@catchall.example.com"

    async def verify(verifier: EmailVerifier, addresses: list[str]) -> None:
        for address in addresses:
            await verifier.verify(address)

    # One entry: verifying `second` evicts `first`, which is then verified again.
    small = EmailVerifier(StaticMxResolver(MX), options(port, cache_entries=1))
    asyncio.run(verify(small, [first, second, first]))
    assert mailbox.conversations == 3
    # A zero TTL keeps nothing.
    expired = EmailVerifier(StaticMxResolver(MX), options(port, cache_ttl_seconds=0))
    asyncio.run(verify(expired, [first, first]))
    assert mailbox.conversations == 5
