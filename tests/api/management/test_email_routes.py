"""POST /api/email-validate and /api/email-verify over real HTTP, with a loopback DNS server
and a loopback SMTP server standing in for the internet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures import dns as dns_fixtures
from tests.fixtures import smtp as smtp_fixtures
from tests.fixtures.servers import RunningLeadmill, make_settings, start_in_thread

pytestmark = pytest.mark.sqlite_only("checks addresses over SMTP and DNS and stores nothing")
mail_server = smtp_fixtures.mail_server
mx_dns_server = dns_fixtures.mx_dns_server


@pytest.fixture
def email_api(tmp_path: Path, prefect_server: str, mail_server, mx_dns_server,
              database_url: str | None) -> Iterator[RunningLeadmill]:
    _, smtp_port = mail_server
    mx_dns_server.records.update({"acme.example.com": [(10, "127.0.0.1.")],
                                  "nullmx.example.com": [(0, ".")]})
    settings = make_settings(
        tmp_path / "data", tmp_path / "no-prospects", email_smtp_port=smtp_port,
        email_nameservers=f"127.0.0.1:{mx_dns_server.port}", email_greylist_retry_seconds=0.05,
        database_url=database_url,
    )
    running = start_in_thread(settings)
    yield running
    running.stop()


def test_validate_one_address_offline(email_api: RunningLeadmill) -> None:
    with email_api.client() as client:
        reply = client.post("/api/email-validate", json={"email": "Info@Gnail.com"})
    assert reply.status_code == 200, reply.text
    data = reply.json()["data"]
    assert data["syntax"]["normalized_email"] == "info@gnail.com"
    assert data["syntax"]["suggestion"] == "info@gmail.com"
    assert data["misc"]["is_role_account"] is True
    assert data["mx"] is None and data["smtp"] is None


def test_verify_many_addresses_deep(email_api: RunningLeadmill, mail_server) -> None:
    mailbox, _ = mail_server
    mailbox.replies["jane@acme.example.com"] = ["250 OK"]
    emails = ["jane@acme.example.com", "ghost@acme.example.com", "x@nullmx.example.com",
              "not an email"]
    with email_api.client() as client:
        reply = client.post("/api/email-verify", json={"emails": emails})
    assert reply.status_code == 200, reply.text
    results = reply.json()["data"]
    assert [r["is_reachable"] for r in results] == ["safe", "invalid", "invalid", "invalid"]
    assert results[0]["mx"] == {"accepts_mail": True, "records": ["127.0.0.1"]}
    assert results[0]["smtp"]["is_deliverable"] is True
    assert results[2]["mx"]["accepts_mail"] is False


@pytest.mark.parametrize(
    ("body", "status", "error_type"),
    [(b"not json", 400, "invalid_format"), (b"[1]", 400, "invalid_format"),
     (b"{}", 400, "missing_required_field"), (b'{"email": 5}', 400, "invalid_value"),
     (b'{"emails": []}', 400, "invalid_value"),
     (b'{"emails": [' + b",".join([b'"a@b.com"'] * 101) + b"]}", 400, "invalid_value")],
)
def test_bad_requests_get_the_management_envelope(email_api: RunningLeadmill, body: bytes,
                                                  status: int, error_type: str) -> None:
    with email_api.client() as client:
        for path in ("/api/email-validate", "/api/email-verify"):
            reply = client.post(path, content=body,
                                headers={"content-type": "application/json"})
            assert reply.status_code == status, reply.text
            assert reply.json()["success"] is False
            assert reply.json()["errorType"] == error_type


def test_an_api_key_is_required(email_api: RunningLeadmill) -> None:
    with email_api.client(api_key="wrong") as client:
        reply = client.post("/api/email-validate", json={"email": "jane@acme.example.com"})
    assert reply.status_code == 401
