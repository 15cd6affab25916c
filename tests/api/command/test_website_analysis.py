"""Website analysis suggests business info, offering and keywords from a real (loopback) site."""

from __future__ import annotations

import pytest

ROUTE = "/api/agents/sales/websiteAnalysis"
pytestmark = pytest.mark.sqlite_only("reads a website and stores nothing")


def test_site_is_read_into_command_suggestions(leadmill_reading_loopback, company_site):
    with leadmill_reading_loopback.client() as client:
        reply = client.post(ROUTE, json={"url": company_site})
    assert reply.status_code == 200, reply.text
    data = reply.json()["data"]
    assert data["businessInfo"] == {"name": "Acme Automation Inc.", "industry": "manufacturing"}
    assert data["productOffering"] == {"name": "Workflow Automation Platform",
                                       "primaryValue": "Reduce manual processes by 60%"}
    assert {"workflow automation", "digital transformation", "predictive maintenance"} <= set(
        data["keywords"])


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"url": "ftp://example.com"}, 400, "INVALID_REQUEST"),
    ({}, 400, "INVALID_REQUEST"),
    ({"url": "http://127.0.0.1:9/"}, 422, "WEBSITE_UNREADABLE"),  # private: not allow-listed
])
def test_bad_or_private_urls_are_refused(leadmill, body, status, code):
    with leadmill.client() as client:
        reply = client.post(ROUTE, json=body)
    assert reply.status_code == status
    assert reply.json()["error"]["code"] == code
