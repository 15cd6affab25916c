"""`POST /api/privacy/erase` over real HTTP, on SQLite and PostgreSQL: every store read back
afterwards through fresh connections (the operational DB, the Parquet files with pyarrow and
DuckDB, the Prefect API), the suppression entries and the audit, the errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import duckdb
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from storage.db.engine import build_engine, engine_for, session_scope
from storage.leads.models import CommandLead, Lead, LeadSource, SourceLead
from storage.privacy.models import ErasureAudit, Suppression
from storage.privacy.suppressions import SuppressionCheck
from storage.prospects.identities import RULE_METADATA
from storage.prospects.sites import site_dir
from storage.tenancy.accounts import create_user, issue_api_key
from storage.tenancy.models import Company
from storage.tenancy.secrets import load_secret_box
from storage.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.api.privacy.erasure_seed import (
    ADA,
    CHARLES,
    read_artifacts,
    seed_person,
    table_rows,
)
from tests.api.tenant_helpers import Tenant, add_lead, create_tenant, start_module_instance


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("erasure"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture
def tenant(app) -> Tenant:
    return create_tenant(app.settings, "Engines Co")


@pytest.fixture
def fresh(app) -> Iterator[Session]:
    """A session on a new engine: what another process would read."""
    engine = build_engine(app.settings.sqlalchemy_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _lake_ids(app, folder: str, column: str) -> list[str]:
    glob = str(app.settings.warehouse_dir / folder / "*.parquet")
    with duckdb.connect() as con:
        return [row[0] for row in con.sql(
            f"SELECT {column} FROM read_parquet('{glob}', union_by_name = true)").fetchall()]


def test_erasure_by_email_removes_the_person_from_every_store(app, tenant, tmp_path,
                                                              fresh) -> None:
    seeded = seed_person(app.settings, tenant.company_id, tenant.client_id, tmp_path)
    everyone = [*seeded.ada_leads, seeded.charles_lead]
    assert set(everyone) <= set(_lake_ids(app, "leads", "id"))
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/privacy/erase", json={"email": f"  {ADA['email'].upper()} "})
    assert reply.status_code == 200, reply.text
    erasure = reply.json()["erasure"]
    removed = erasure["removed"]
    assert removed["operational_db"] == {"leads": 2, "command_leads": 1, "lead_sources": 1,
                                         "generated_fields": 0, "source_leads": 1}
    assert removed["prospect_store"]["rows"] == 1
    assert removed["prospect_store"]["files_rewritten"] == 1
    # Ada's first lead: in the base and in the later file; her second lead: in the base.
    assert removed["warehouse"]["rows"] >= 3 and removed["warehouse"]["files_rewritten"] >= 2
    assert removed["webhook_outbox"] == {"deliveries_rewritten": 1, "deliveries_deleted": 1,
                                         "attempts_deleted": 1, "attempt_logs_rewritten": 1}
    assert removed["prefect_artifacts"] == {"rewritten": 1, "deleted": 1, "read": 3}
    assert erasure["subjectKind"] == "email" and erasure["suppressionsAdded"] >= 3

    # The operational DB, read by a new engine.
    company = tenant.company_id
    assert fresh.exec(select(Lead.id).where(Lead.company_id == company)).all() == [
        seeded.charles_lead]
    assert fresh.exec(select(CommandLead.lead_id)).all().count(seeded.charles_lead) == 1
    assert not fresh.exec(select(CommandLead).where(
        CommandLead.lead_id.in_(seeded.ada_leads))).all()
    assert not fresh.exec(select(LeadSource).where(
        LeadSource.lead_id.in_(seeded.ada_leads))).all()
    assert [row.email for row in fresh.exec(select(SourceLead).where(
        SourceLead.company_id == company)).all()] == [CHARLES["email"].upper()]
    deliveries = fresh.exec(select(WebhookDelivery).where(
        WebhookDelivery.command_id == seeded.command_id)).all()
    assert len(deliveries) == 1
    assert deliveries[0].payload["leads"] == [{"email": CHARLES["email"]}]
    stored = json.dumps(deliveries[0].payload).lower()
    attempts = fresh.exec(select(WebhookAttempt).where(
        WebhookAttempt.delivery_id == deliveries[0].id)).all()
    assert "lovelace" not in stored
    assert all("lovelace" not in (a.error or "") for a in attempts)

    # The prospect store's files, read with pyarrow.
    folder = site_dir(app.settings.prospect_dir, company, tenant.client_id)
    files = sorted(folder.glob("*.parquet"))
    emails = [email for path in files for email in pq.read_table(path).column("email")
              .to_pylist()]
    assert emails == [CHARLES["email"]]
    assert RULE_METADATA.encode() in pq.ParquetFile(files[0]).schema_arrow.metadata
    assert not list(folder.glob(".*"))  # no temporary file left behind

    # The lake, read with DuckDB: no version of Ada, Charles still there; views still work.
    assert not set(seeded.ada_leads) & set(_lake_ids(app, "leads", "id"))
    assert seeded.charles_lead in _lake_ids(app, "leads", "id")
    assert not set(seeded.ada_leads) & set(_lake_ids(app, "command_leads", "lead_id"))
    assert not set(seeded.ada_leads) & set(_lake_ids(app, "lead_sources", "lead_id"))
    from storage.warehouse.catalog import open_warehouse

    con = open_warehouse(app.settings.warehouse_db)
    try:
        leads = con.sql("SELECT id FROM leads WHERE company_id = $c",
                        params={"c": company}).fetchall()
        territory = con.sql("SELECT sum(leads) FROM territory_breakdown WHERE company_id = $c",
                            params={"c": company}).fetchall()
    finally:
        con.close()
    assert leads == [(seeded.charles_lead,)] and territory == [(1,)]

    # The Prefect artifacts, read through a new client.
    artifacts = read_artifacts(seeded.artifact_keys)
    tables = [a for a in artifacts if a.type == "table"]
    assert [[row["name"] for row in table_rows(a)] for a in tables] == [[CHARLES["name"]]]
    assert all("Ada" not in str(a.data) for a in artifacts)
    assert len(artifacts) == 2  # the version that listed only Ada is gone


def test_suppression_entries_match_the_person_and_not_their_colleague(app, tenant,
                                                                      tmp_path) -> None:
    seed_person(app.settings, tenant.company_id, tenant.client_id, tmp_path, prefect=False)
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/privacy/erase", json={"linkedinUrl": ADA["linkedin"]})
    assert reply.status_code == 200, reply.text
    box = load_secret_box(app.settings)
    engine = build_engine(app.settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            entries = session.exec(select(Suppression).where(
                Suppression.company_id == tenant.company_id)).all()
            check = SuppressionCheck.for_site(session, box, tenant.company_id,
                                              tenant.client_id)
            other_company = SuppressionCheck.for_site(
                session, box, create_tenant(app.settings, "Elsewhere").company_id, None)
            audit = session.exec(select(ErasureAudit).where(
                ErasureAudit.company_id == tenant.company_id)).one()
    finally:
        engine.dispose()
    assert {e.kind for e in entries} == {"email", "linkedin", "phone", "person"}
    assert all(e.reason == "erasure" and e.scope == "" and e.sealed_value is None
               for e in entries)
    assert len(entries) == reply.json()["erasure"]["suppressionsAdded"]
    # Found again by any one key, however spelt: suppressed; the colleague at the same
    # domain is not, nor is the person in another company.
    again = [{"email": ADA["email"].upper()}, {"linkedin": ADA["linkedin"] + "/"},
             {"phone": "+442079460815"}, {"name": ADA["name"], "website": ADA["website"]},
             CHARLES]
    assert check.suppressed(again) == [True, True, True, True, False]
    assert other_company.suppressed([ADA]) == [False]
    # The audit: who, how named, counts per store; no PII.
    assert audit.user_id == tenant.user_id and audit.subject_kind == "linkedinUrl"
    assert audit.removed["operational_db"]["leads"] == 2
    text = json.dumps(audit.removed).lower() + audit.subject_fingerprint
    assert "lovelace" not in text


def test_erasing_again_finds_nothing_left_and_adds_no_entries(app, tenant, tmp_path) -> None:
    seed_person(app.settings, tenant.company_id, tenant.client_id, tmp_path, prefect=False)
    with tenant.client(app.base_url) as http:
        first = http.post("/api/privacy/erase", json={"phone": "+44 20 7946 0815"})
        second = http.post("/api/privacy/erase", json={"phone": "+44 20 7946 0815"})
    assert first.status_code == second.status_code == 200, second.text
    assert first.json()["erasure"]["removed"]["operational_db"]["leads"] >= 1
    again = second.json()["erasure"]
    assert again["removed"]["operational_db"]["leads"] == 0
    assert again["removed"]["prospect_store"]["files_rewritten"] == 0
    assert again["removed"]["warehouse"]["files_rewritten"] == 0
    assert again["suppressionsAdded"] == 0


def test_erasure_by_lead_id_takes_that_leads_person(app, tenant, tmp_path, fresh) -> None:
    seeded = seed_person(app.settings, tenant.company_id, tenant.client_id, tmp_path,
                         prefect=False)
    with tenant.client(app.base_url) as http:
        # The second lead knows Ada only by her profile: that is enough to find the first.
        reply = http.post("/api/privacy/erase", json={"leadId": seeded.ada_leads[1]})
    assert reply.status_code == 200, reply.text
    assert reply.json()["erasure"]["subjectKind"] == "leadId"
    left = fresh.exec(select(Lead.id).where(Lead.company_id == tenant.company_id)).all()
    assert left == [seeded.charles_lead]


def test_a_member_may_not_erase(app, tenant) -> None:
    with session_scope(engine_for(app.settings.sqlalchemy_url)) as session:
        member = create_user(session, session.get(Company, tenant.company_id),
                             f"member-{uuid.uuid4().hex[:6]}@example.com", role="member")
        key = issue_api_key(session, member, "tests", tier="premium")
    lead_id = add_lead(app.settings, tenant, email="kept@example.com")
    with Tenant(tenant.company_id, member.id, tenant.client_id, key).client(app.base_url) as h:
        reply = h.post("/api/privacy/erase", json={"leadId": lead_id})
    assert reply.status_code == 403, reply.text
    assert reply.json()["errorType"] == "insufficient_permissions"
    engine = build_engine(app.settings.sqlalchemy_url)
    with Session(engine) as session:
        assert session.get(Lead, lead_id) is not None
    engine.dispose()


@pytest.mark.parametrize(("body", "status", "error_type", "field"), [
    ({}, 400, "invalid_value", "email | linkedinUrl | phone | leadId"),
    ({"email": "a@example.com", "phone": "+14155550100"}, 400, "invalid_value",
     "email | linkedinUrl | phone | leadId"),
    ({"email": "not an address"}, 400, "invalid_value", "email"),
    ({"linkedinUrl": "https://example.com/in/x"}, 400, "invalid_value", "linkedinUrl"),
    ({"phone": "555-0100"}, 400, "invalid_value", "phone"),
    ({"leadId": "  "}, 400, "invalid_value", "email | linkedinUrl | phone | leadId"),
    ({"email": 5}, 400, "invalid_format", "email"),
    ({"name": "Ada Lovelace"}, 400, "invalid_format", "name"),
    ({"leadId": "no-such-lead"}, 404, "not_found", "leadId"),
])
def test_bad_erasure_requests_are_refused(app, tenant, body, status, error_type,
                                          field) -> None:
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/privacy/erase", json=body)
    assert reply.status_code == status, reply.text
    assert reply.json()["errorType"] == error_type
    assert reply.json()["details"]["field"] == field


def test_another_companys_lead_is_not_found_and_stays(app, tenant, fresh) -> None:
    other = create_tenant(app.settings, "Other Engines")
    lead_id = add_lead(app.settings, other, email="theirs@example.com")
    with tenant.client(app.base_url) as http:
        reply = http.post("/api/privacy/erase", json={"leadId": lead_id})
        by_email = http.post("/api/privacy/erase", json={"email": "theirs@example.com"})
    assert reply.status_code == 404 and reply.json()["errorType"] == "not_found"
    assert by_email.status_code == 200
    assert by_email.json()["erasure"]["removed"]["operational_db"]["leads"] == 0
    assert fresh.get(Lead, lead_id) is not None
    assert fresh.exec(select(func.count()).select_from(Suppression).where(
        Suppression.company_id == other.company_id)).one() == 0
