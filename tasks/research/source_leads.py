"""Research-only runs: their search read off the request, their finds stored as source leads."""

from __future__ import annotations

from typing import Any

from prefect import task

from storage.db.engine import session_scope
from storage.leads.domains import registrable_domain
from storage.leads.source_leads import store_source_leads
from storage.runtime import Runtime
from tasks.run_logging import task_logger
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME
from tasks.search.analysis import build_command_object, search_spec_from_command
from tasks.search.criteria import Prospect, SearchSpec


def research_spec(request: dict[str, Any], site_id: str) -> SearchSpec:
    """The search of a scrape request (`targetAudience`, `searchCriteria`, `maxLeads`), read
    the way a command's is, so both kinds of run search alike."""
    command_request = {"siteId": site_id, "maxLeads": request.get("maxLeads", 100),
                       "leadGenData": {"targetAudience": request.get("targetAudience") or {},
                                       "searchCriteria": request.get("searchCriteria") or {}}}
    return search_spec_from_command(build_command_object(command_request))


def source_lead_row(prospect: Prospect) -> dict[str, Any]:
    location = ", ".join(p for p in (prospect.city, prospect.region, prospect.country) if p)
    return {
        "source": ",".join(dict.fromkeys(s["source"] for s in prospect.provenance())),
        "source_record_id": prospect.prospect_id, "full_name": prospect.name,
        "first_name": prospect.first_name or None, "last_name": prospect.last_name or None,
        "email": prospect.email, "phone": prospect.phone, "title": prospect.title or None,
        "company_name": prospect.company, "company_domain": registrable_domain(prospect.website),
        "linkedin_url": prospect.linkedin, "location": location or None,
        "raw": prospect.model_dump(mode="json"),
    }


@task(name="store-source-leads", retries=3, cache_policy=CACHE_WITHOUT_RUNTIME)
def save_source_leads(runtime: Runtime, company_id: str, client_id: str, run_id: str,
                      prospects: list[Prospect]) -> int:
    with session_scope(runtime.engine) as session:
        stored = store_source_leads(session, company_id=company_id, client_id=client_id,
                                    run_id=run_id, rows=[source_lead_row(p) for p in prospects])
    task_logger(__name__).info("stored %d source leads for %s", stored, run_id)
    return stored
