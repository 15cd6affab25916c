"""`GET /api/privacy/export` over real HTTP, on SQLite and PostgreSQL: an owner or admin gets
every record of their company about the person; another company's lead with the same address
is never in it; members are refused; a request that does not name exactly one valid key is
400 `invalid_value` naming the field."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from storage.db.engine import engine_for, session_scope
from storage.privacy.suppressions import add_suppressions
from storage.tenancy.accounts import create_user, issue_api_key
from storage.tenancy.models import Company
from tests.api.tenant_helpers import Tenant, create_tenant, start_module_instance
from tests.fixtures.privacy_records import (
    add_command,
    add_delivery,
    add_person_lead,
    add_source_lead,
)

ROUTE = "/api/privacy/export"


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("privacy-export"),
                                    sample_prospect_dir, database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture
def tenant(app) -> Tenant:
    return create_tenant(app.settings, "Export Co")


def _member_key(app, tenant: Tenant, role: str) -> str:
    with session_scope(engine_for(app.settings.sqlalchemy_url)) as session:
        company = session.get(Company, tenant.company_id)
        user = create_user(session, company, f"{role}-{uuid.uuid4().hex[:8]}@example.com",
                           role=role)
        return issue_api_key(session, user, "tests")


def test_an_owner_exports_the_persons_records_of_their_company_only(app, tenant) -> None:
    other = create_tenant(app.settings, "Other Co")
    engine = engine_for(app.settings.sqlalchemy_url)
    email = f"jane.{uuid.uuid4().hex[:6]}@acme.com"
    command = add_command(engine, tenant.company_id, tenant.client_id)
    delivery = add_delivery(engine, command)
    lead = add_person_lead(engine, tenant.company_id, tenant.client_id, command_id=command,
                           email=email, linkedin="https://linkedin.com/in/jane-export")
    deleted = add_person_lead(engine, tenant.company_id, "another-site", deleted=True,
                              email=None, linkedin="https://www.linkedin.com/in/Jane-Export/")
    raw = add_source_lead(engine, tenant.company_id, tenant.client_id, email=email.upper())
    theirs = add_person_lead(engine, other.company_id, other.client_id, email=email)
    their_raw = add_source_lead(engine, other.company_id, other.client_id, email=email)
    with session_scope(engine) as session:
        add_suppressions(session, app.app.state.secret_box, tenant.company_id, None,
                         {"emails": [email]}, tenant.user_id)

    with tenant.client(app.base_url) as http:
        reply = http.get(ROUTE, params={"email": f"  {email.title()} "})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["success"] is True and body["companyId"] == tenant.company_id
    assert body["subject"] == {"field": "email", "value": f"  {email.title()} "}
    assert {(row["id"], row["deleted"]) for row in body["leads"]} == {(lead, False),
                                                                      (deleted, True)}
    assert [row["id"] for row in body["sourceLeads"]] == [raw]
    assert [row["id"] for row in body["commands"]] == [command]
    assert [row["id"] for row in body["webhookDeliveries"]] == [delivery]
    assert [(row["kind"], row["reason"]) for row in body["suppressions"]] == [("email", "list")]
    assert email not in str(body["suppressions"])
    for absent in (theirs, their_raw, other.company_id):
        assert absent not in reply.text

    # The other company asks about the same address: its own lead, nothing of the first.
    with other.client(app.base_url) as http:
        theirs_body = http.get(ROUTE, params={"email": email}).json()
    assert [row["id"] for row in theirs_body["leads"]] == [theirs]
    assert [row["id"] for row in theirs_body["sourceLeads"]] == [their_raw]
    assert theirs_body["suppressions"] == [] and theirs_body["commands"] == []


def test_admins_may_export_and_members_may_not(app, tenant) -> None:
    for role, status in (("admin", 200), ("member", 403)):
        with httpx.Client(base_url=app.base_url, timeout=30,
                          headers={"x-api-key": _member_key(app, tenant, role)}) as http:
            reply = http.get(ROUTE, params={"email": "someone@example.com"})
        assert reply.status_code == status, (role, reply.text)
        if status == 403:
            assert reply.json()["errorType"] == "insufficient_permissions"
    anonymous = httpx.get(f"{app.base_url}{ROUTE}", params={"email": "someone@example.com"})
    assert anonymous.status_code == 401


@pytest.mark.parametrize(("params", "field"), [
    ({}, "email | linkedinUrl | phone"),
    ({"email": ""}, "email | linkedinUrl | phone"),
    ({"email": "a@b.io", "linkedinUrl": "https://linkedin.com/in/a"},
     "email | linkedinUrl | phone"),
    ({"email": "not-an-address"}, "email"),
    ({"linkedinUrl": "https://example.com/in/jane"}, "linkedinUrl"),
    ({"phone": "555-0100"}, "phone"),
])
def test_a_request_naming_no_single_valid_key_is_invalid_value(app, tenant, params,
                                                               field) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.get(ROUTE, params=params)
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["success"] is False and body["errorType"] == "invalid_value"
    assert body["details"]["field"] == field
