"""The NUL guard reads every body whatever its Content-Type, headers too, and prospect imports
report a row holding a NUL as a bad row (issue 12). Routes parse JSON whatever the client
declares, so a `\\u0000` sent as `application/octet-stream` used to reach the database."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.management.test_management_leads import bearer

NUL_JSON = b'{"clientName": "Ada\\u0000Lovelace"}'
BOUNDARY = "leadmillboundary"
MULTIPART = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"clientName\"\r\n\r\n"
             f"Ada\x00Lovelace\r\n--{BOUNDARY}--\r\n").encode()


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/octet-stream", NUL_JSON),
    ("application/xml", NUL_JSON),
    ("text/csv", NUL_JSON),
    ("application/x-www-form-urlencoded", b"clientName=Ada%00Lovelace"),
    ("application/x-www-form-urlencoded", b"clientName=Ada\x00Lovelace"),
    (f"multipart/form-data; boundary={BOUNDARY}", MULTIPART),
    ("text/plain", b"Ada\x00Lovelace"),
], ids=["octet-stream", "xml", "csv", "form-escaped", "form-raw", "multipart", "text"])
def test_a_nul_in_any_body_is_an_invalid_value(leadmill, content_type: str, body: bytes) -> None:
    reply = httpx.post(f"{leadmill.base_url}/api/clients", content=body, timeout=30,
                       headers={**bearer(leadmill), "Content-Type": content_type})
    assert reply.status_code == 400, reply.text
    assert reply.json()["errorType"] == "invalid_value"
    assert reply.json()["details"]["field"] == "body"
    names = [c["clientName"] for c in httpx.get(f"{leadmill.base_url}/api/clients",
                                                 headers=bearer(leadmill)).json()["clients"]]
    assert not any("Ada" in name for name in names)


def test_a_nul_in_a_command_body_of_any_type_is_an_invalid_request(leadmill) -> None:
    with leadmill.client() as client:
        reply = client.post("/api/agents/sales/leadGeneration", content=NUL_JSON,
                            headers={"Content-Type": "application/octet-stream"})
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["code"] == "INVALID_REQUEST" and error["details"]["field"] == "body"


def test_a_nul_in_a_header_never_reaches_a_route(leadmill) -> None:
    """httpx will not send one; a raw socket does. The HTTP server or the guard refuses it."""
    address = urlsplit(leadmill.base_url)
    request = (b"GET /api/clients HTTP/1.1\r\nHost: " + address.netloc.encode() +
               b"\r\nx-api-key: lm_\x00x\r\nx-user-id: u\x00\r\nConnection: close\r\n\r\n")
    with socket.create_connection((address.hostname, address.port), timeout=30) as raw:
        raw.sendall(request)
        reply = b""
        while chunk := raw.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]


def test_an_imported_row_holding_a_nul_is_a_bad_row(leadmill) -> None:
    csv = b"name,company,email\nAda Lovelace,Acme,ada@acme.test\nBad\x00Guy,Acme,bad@acme.test\n"
    reply = httpx.post(f"{leadmill.base_url}/api/prospects/import", content=csv, timeout=60,
                       params={"siteId": "site_456abc", "format": "csv"},
                       headers={**bearer(leadmill), "Content-Type": "text/csv"})
    assert reply.status_code == 200, reply.text
    report = reply.json()["data"]
    assert report["bad_rows"] == [{"row": 3, "reason": "text holds a NUL character"}]
    assert report["rows_read"] == 2
