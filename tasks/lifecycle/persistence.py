"""Persistence: a command's leads into the lead store, and its outcome onto its record."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task

from storage.commands.records import get_command, update_command
from storage.db.engine import session_scope
from storage.leads.domains import registrable_domain
from storage.leads.identity import normalise_linkedin
from storage.leads.persist import upsert_command_leads
from storage.runtime import Runtime
from tasks.dedupe.candidates import dedupe_keys
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME
from tasks.search.criteria import ScoredLead


def lead_rows(leads: list[ScoredLead]) -> list[dict[str, Any]]:
    """The lead-store fields of scored leads (their identities computed in one batch)."""
    return [lead_row(lead, key) for lead, key in zip(leads, dedupe_keys(leads), strict=True)]


def lead_row(lead: ScoredLead, dedupe_key: str | None) -> dict[str, Any]:
    """The lead-store fields of a scored lead known by `dedupe_key`."""
    prospect, verification = lead.prospect, lead.verification
    website = prospect.website
    return {
        "dedupe_key": dedupe_key,
        "known_lead_id": lead.known_lead_id,
        "name": prospect.name,
        "first_name": prospect.first_name,
        "last_name": prospect.last_name,
        "email": verification.email or prospect.email,
        "phone": verification.phone_e164 or prospect.phone,
        "company": prospect.company,
        "company_domain": registrable_domain(website),
        "position": prospect.title,
        "industry": prospect.industry,
        "website": website,
        "location": lead.location,
        "city": prospect.city,
        "region": prospect.region,
        "country": prospect.country,
        "company_size": prospect.company_size,
        "revenue": lead.estimated_revenue,
        "revenue_usd": prospect.revenue_usd,
        "linkedin": normalise_linkedin(prospect.linkedin) or prospect.linkedin,
        "score": lead.match_score,
        "match_score": lead.match_score,
        "match_reasons": lead.match_reasons,
        "verified": verification.verified,
        "source": prospect.source,
        "source_record_id": prospect.prospect_id,
        "sources": prospect.provenance(),
    }


@task(name="persist-leads", retries=3, cache_policy=CACHE_WITHOUT_RUNTIME)
def persist_leads(runtime: Runtime, command_id: str, leads: list[ScoredLead]) -> list[str]:
    """Upsert the leads and link them to the command; safe to run again (idempotent)."""
    with session_scope(runtime.engine) as session:
        command = get_command(session, command_id)
        if command is None:
            raise LookupError(f"command {command_id} does not exist")
        lead_ids = upsert_command_leads(
            session,
            company_id=command.company_id,
            site_id=command.site_id,
            command_id=command_id,
            rows=lead_rows(leads),
        )
    get_run_logger().info("stored %d leads for %s", len(lead_ids), command_id)
    return lead_ids


@task(name="record-summary", retries=3, cache_policy=CACHE_WITHOUT_RUNTIME)
def record_summary(runtime: Runtime, command_id: str, summary: dict[str, Any]) -> None:
    with session_scope(runtime.engine) as session:
        update_command(session, command_id, summary=summary)
