"""One person spread over every store Leadmill keeps, and a colleague who must stay: the
fixture data of the erasure tests (API and CLI)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from storage.commands.models import Command
from storage.db.clock import utcnow
from storage.db.engine import engine_for, session_scope
from storage.leads.models import CommandLead, Lead, LeadSource, SourceLead
from storage.prospects.importer import import_prospects
from storage.settings import LeadmillSettings
from storage.tenancy.accounts import create_client
from storage.tenancy.models import Company, User
from storage.warehouse.catalog import ensure_warehouse
from storage.warehouse.lake import compact, sync_leads
from storage.warehouse.tables import sync_tables
from storage.webhooks.models import WebhookAttempt, WebhookDelivery

ADA = {"name": "Ada Lovelace", "first_name": "Ada", "last_name": "Lovelace",
       "email": "ada.lovelace@analytical-engines.example.com",
       "linkedin": "https://www.linkedin.com/in/ada-lovelace-1815",
       "phone": "+44 20 7946 0815", "company": "Analytical Engines Ltd",
       "website": "https://analytical-engines.example.com"}
CHARLES = {"name": "Charles Babbage", "first_name": "Charles", "last_name": "Babbage",
           "email": "charles.babbage@analytical-engines.example.com",
           "linkedin": "https://www.linkedin.com/in/charles-babbage-1791",
           "phone": "+44 20 7946 0791", "company": "Analytical Engines Ltd",
           "website": "https://analytical-engines.example.com"}


@dataclass
class Seeded:
    ada_leads: list[str]
    charles_lead: str
    command_id: str
    second_client: str
    artifact_keys: list[str] = field(default_factory=list)


def _lead(company_id: str, site_id: str, person: dict[str, Any], command_id: str,
          **changes: Any) -> Lead:
    values = {**person, **changes}
    return Lead(id=str(uuid.uuid4()), company_id=company_id, site_id=site_id,
                dedupe_key=f"seed:{uuid.uuid4().hex}", position="CTO", command_id=command_id,
                **values)


def seed_person(settings: LeadmillSettings, company_id: str, client_id: str,
                tmp_path: Path, *, prefect: bool = True) -> Seeded:
    """Ada in: two leads (one on a second client, known there only by her LinkedIn profile
    spelt otherwise), their sources and command links, a source lead, an imported list,
    the lake (a compacted base and a later version), two webhook deliveries and the command's
    artifacts; Charles, her colleague, beside her in every one of them."""
    engine = engine_for(settings.sqlalchemy_url)
    command_id = f"cmd_{uuid.uuid4().hex[:12]}"
    with session_scope(engine) as session:
        company = session.get(Company, company_id)
        owner = session.exec(select(User).where(User.company_id == company_id)).first()
        second = create_client(session, company, owner, "Second site",
                               client_id=f"site2-{uuid.uuid4().hex[:6]}").client_id
        session.add(Command(id=command_id, company_id=company_id, site_id=client_id,
                            leads_requested=2, request={}, command_object={},
                            run_state="COMPLETED", stage="done"))
        session.flush()
        ada = _lead(company_id, client_id, ADA, command_id)
        ada_elsewhere = _lead(company_id, second, {}, command_id, name="A. Lovelace",
                              linkedin="linkedin.com/in/Ada-Lovelace-1815/?trk=x")
        charles = _lead(company_id, client_id, CHARLES, command_id)
        session.add_all([ada, ada_elsewhere, charles])
        session.flush()
        for rank, lead in enumerate((ada, charles)):
            session.add(CommandLead(command_id=command_id, lead_id=lead.id, rank=rank,
                                    match_score=0.9))
            session.add(LeadSource(id=str(uuid.uuid4()), lead_id=lead.id, source="sample",
                                   source_record_id=f"prs_{rank}", command_id=command_id))
        for person in (ADA, CHARLES):
            session.add(SourceLead(id=str(uuid.uuid4()), company_id=company_id,
                                   client_id=client_id, source="apollo",
                                   full_name=person["name"], email=person["email"].upper(),
                                   company_name=person["company"], raw={"p": person}))
        both = WebhookDelivery(id=f"evt_{uuid.uuid4().hex}", command_id=command_id,
                               event="lead_generation.completed", url="http://127.0.0.1:9/h",
                               payload={"event": "lead_generation.completed",
                                        "metadata": {"contact": ADA["email"].title()},
                                        "leads": [{"email": ADA["email"]},
                                                  {"email": CHARLES["email"]}]},
                               status="delivered")
        only_ada = WebhookDelivery(id=f"evt_{uuid.uuid4().hex}", command_id=command_id,
                                   event="lead.found", url="http://127.0.0.1:9/h",
                                   payload={"lead": {"fullName": ADA["name"],
                                                     "linkedinUrl": ADA["linkedin"]}},
                                   status="pending",  # its next retry tomorrow
                                   next_attempt_at=utcnow() + timedelta(days=1))
        session.add_all([both, only_ada])
        session.flush()
        session.add(WebhookAttempt(id=uuid.uuid4().hex, delivery_id=only_ada.id, number=1,
                                   status_code=500, error="HTTP 500"))
        session.add(WebhookAttempt(id=uuid.uuid4().hex, delivery_id=both.id, number=1,
                                   status_code=400, error=f"refused {ADA['email']}"))
        seeded = Seeded([ada.id, ada_elsewhere.id], charles.id, command_id, second)
    listing = tmp_path / "list.csv"
    listing.write_text("name,email,company,website,title\n"
                       f"{ADA['name']},{ADA['email'].upper()},{ADA['company']},"
                       f"{ADA['website']},CTO\n"
                       f"{CHARLES['name']},{CHARLES['email']},{CHARLES['company']},"
                       f"{CHARLES['website']},CEO\n")
    report = import_prospects(settings.prospect_dir, listing, client_id, company_id=company_id)
    assert report.imported == 2, report
    _fill_lake(settings, engine, ada.id)
    if prefect:
        seeded.artifact_keys = _artifacts(command_id)
    return seeded


def _fill_lake(settings: LeadmillSettings, engine: Any, ada_id: str) -> None:
    ensure_warehouse(settings.warehouse_dir, settings.warehouse_db)
    sync_leads(settings.sqlalchemy_url, settings.warehouse_dir, child_min_rows=None)
    sync_tables(settings.sqlalchemy_url, settings.warehouse_dir)
    compact(settings.warehouse_dir)
    with session_scope(engine) as session:  # a later version, in a file after the base
        lead = session.get(Lead, ada_id)
        lead.status, lead.updated_at = "contacted", utcnow()
        session.add(lead)
    sync_leads(settings.sqlalchemy_url, settings.warehouse_dir, child_min_rows=None)


def _artifacts(command_id: str) -> list[str]:
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    key = command_id.replace("_", "-").lower()
    rows = [{"name": r["name"], "position": "CTO", "company": r["company"],
             "match_score": 0.9} for r in (ADA, CHARLES)]
    create_table_artifact(table=rows[:1], key=f"{key}-leads")  # an older version: Ada only
    create_table_artifact(table=rows, key=f"{key}-leads")
    create_markdown_artifact(markdown=f"## Command {key}\n\n- leads: **2**\n",
                             key=f"{key}-summary")
    return [f"{key}-leads", f"{key}-summary"]


def read_artifacts(keys: list[str]) -> list[Any]:
    """Every version of `keys`, through a new client of the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))


def table_rows(artifact: Any) -> list[dict[str, Any]]:
    return json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
