"""Research sources of a command: which to use, one task per source, and merging their finds.

People sources search by the target audience: `prospects` (the sample plus the site's
imports), `apollo`, `peopleDataLabs`. Company sources look at the companies those found:
`hunter` (domain search) and `website` (the company's own pages). Providers are used when the
company (or the site) has configured them (`storage.workspace.service_settings`, URL + API key);
`searchCriteria.sources` restricts a command to the ones it names.

`merge_candidates` makes one candidate per person by the identity rule
(`storage.leads.identity`: an e-mail, a LinkedIn profile, a phone or a name at the same company
domain); the first source's values win, later sources fill what is missing, and `found_by`
keeps every source with the fields it gave.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from pydantic import BaseModel, Field

from storage.db.engine import session_scope
from storage.leads.domains import registrable_domain
from storage.leads.identity import IDENTITY_FIELDS, PersonKeys, names_may_match, person_keys
from storage.runtime import Runtime
from storage.workspace.service_settings import ServiceEndpoint, resolve_services
from tasks.egress import EgressPolicy
from tasks.reports.artifact_text import markdown_text
from tasks.research.provider_http import ProviderError, Spend
from tasks.research.providers import PEOPLE_SEARCHES, provider_http, search_hunter
from tasks.run_logging import task_logger
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME
from tasks.search.criteria import Prospect, SearchSpec

PEOPLE_SOURCES = ("prospects", "apollo", "peopleDataLabs")
COMPANY_SOURCES = ("hunter", "website")
SOURCE_NAMES = (*PEOPLE_SOURCES, *COMPANY_SOURCES)
PROVIDERS = ("apollo", "peopleDataLabs", "hunter")


class SourceResult(BaseModel):
    source: str
    prospects: list[Prospect] = Field(default_factory=list)
    spend: dict[str, Any] = Field(default_factory=dict)


def _endpoints(runtime: Runtime, company_id: str, site_id: str) -> dict[str, ServiceEndpoint]:
    with session_scope(runtime.engine) as session:
        return resolve_services(session, runtime.secret_box, company_id, site_id)


@task(name="plan-research-sources", retries=2, cache_policy=CACHE_WITHOUT_RUNTIME)
def plan_sources(runtime: Runtime, company_id: str, site_id: str, requested: list[str]
                 ) -> dict[str, Any]:
    """The sources to run: {"people": [...], "companies": [...], "errors": {source: why}}."""
    configured = {s for s in _endpoints(runtime, company_id, site_id) if s in PROVIDERS}
    # By default: the prospect store and every configured provider. Website research visits
    # third-party sites, so a command asks for it by name.
    wanted = list(dict.fromkeys(requested)) or [
        s for s in SOURCE_NAMES if s == "prospects" or s in configured]
    errors = {s: f"{s} is not configured for this site (POST /api/settings/url)"
              for s in wanted if s in PROVIDERS and s not in configured}
    usable = [s for s in wanted if s not in errors]
    return {"people": [s for s in usable if s in PEOPLE_SOURCES],
            "companies": [s for s in usable if s in COMPANY_SOURCES], "errors": errors}


@task(name="search-provider", retries=1, cache_policy=CACHE_WITHOUT_RUNTIME)
def search_provider(runtime: Runtime, company_id: str, site_id: str, service: str,
                    spec: SearchSpec, limit: int) -> SourceResult:
    """People search at one provider; the key is read here, never passed as a parameter."""
    endpoint = _endpoints(runtime, company_id, site_id).get(service)
    if endpoint is None or not endpoint.url:
        raise ProviderError(f"{service} is not configured")
    settings = runtime.settings
    spend = Spend()
    with provider_http(service, endpoint.url, endpoint.api_key, settings.retry_backoff_seconds,
                       spend, EgressPolicy.from_settings(settings)) as http:
        found = PEOPLE_SEARCHES[service](http, spec, limit)
    task_logger(__name__).info("%s found %d people (%s)", service, len(found), spend.as_dict())
    return SourceResult(source=service, prospects=found, spend=spend.as_dict())


@task(name="search-hunter", retries=1, cache_policy=CACHE_WITHOUT_RUNTIME)
def search_company_emails(runtime: Runtime, company_id: str, site_id: str,
                          companies: list[Prospect]) -> SourceResult:
    """Hunter domain search over the best candidates' companies."""
    endpoint = _endpoints(runtime, company_id, site_id).get("hunter")
    if endpoint is None or not endpoint.url:
        raise ProviderError("hunter is not configured")
    settings = runtime.settings
    spend = Spend()
    with provider_http("hunter", endpoint.url, endpoint.api_key, settings.retry_backoff_seconds,
                       spend, EgressPolicy.from_settings(settings)) as http:
        found = search_hunter(http, endpoint.api_key, companies)
    task_logger(__name__).info("hunter found %d people (%s)", len(found), spend.as_dict())
    return SourceResult(source="hunter", prospects=found, spend=spend.as_dict())


def _keys_of(prospects: list[Prospect]) -> list[PersonKeys]:
    return person_keys([prospect.identity_fields() for prospect in prospects])


def _same_person_at(index: dict[str, int], merged: list[PersonKeys], keys: PersonKeys
                    ) -> int | None:
    """The merged candidate sharing a key with `keys`; by name only when their e-mail
    addresses do not say they are two people (`storage.leads.identity`)."""
    for key in (keys.email, keys.linkedin, keys.phone):
        if key in index:
            return index[key]
    at = index.get(keys.person) if keys.person else None
    return at if at is not None and names_may_match(merged[at], keys) else None


def merge_candidates(found: list[list[Prospect]]) -> list[Prospect]:
    """One candidate per person across sources, in the order first found (pure)."""
    merged: list[Prospect] = []
    merged_keys: list[PersonKeys] = []
    index: dict[str, int] = {}
    every = [prospect for prospects in found for prospect in prospects]
    for prospect, keys in zip(every, _keys_of(every), strict=True):  # keys in one batch
        at = _same_person_at(index, merged_keys, keys)
        if at is None:
            at = len(merged)
            merged.append(prospect.model_copy(update={"found_by": prospect.provenance()}))
            merged_keys.append(keys)
        else:
            current = merged[at]
            missing = {k: v for k, v in prospect.model_dump(exclude={"found_by"}).items()
                       if v not in (None, "", []) and getattr(current, k) in (None, "", [])}
            merged[at] = current.model_copy(update={
                **missing, "found_by": [*current.found_by, *prospect.provenance()]})
            if missing.keys() & set(IDENTITY_FIELDS):  # it may now be known by more keys
                merged_keys[at] = _keys_of([merged[at]])[0]
        for key in (*merged_keys[at], *keys):
            if key:
                index.setdefault(key, at)
    return merged


def companies_to_research(candidates: list[Prospect], limit: int) -> list[Prospect]:
    """One candidate per company with a website, best first, at most `limit` companies."""
    chosen: list[Prospect] = []
    seen: set[str] = set()
    for prospect in candidates:
        domain = registrable_domain(prospect.website)
        if domain and domain not in seen:
            seen.add(domain)
            chosen.append(prospect)
            if len(chosen) == limit:
                break
    return chosen


@task(name="record-source-errors", retries=3, cache_policy=CACHE_WITHOUT_RUNTIME)
def record_source_errors(runtime: Runtime, command_id: str, errors: dict[str, str]) -> None:
    """Note the sources that failed on the command (the status reply shows them)."""
    from storage.commands.records import update_command

    with session_scope(runtime.engine) as session:
        update_command(session, command_id, source_errors=dict(errors))


def sources_markdown(command_id: str, results: dict[str, dict[str, Any]],
                     errors: dict[str, str]) -> str:
    """The research report for the Prefect UI: what each source found and spent, what failed."""
    lines = [f"# Research sources of {markdown_text(command_id)}", "",
             "| source | found | spent | error |",
             "| --- | --- | --- | --- |"]
    for source, result in results.items():
        spend = ", ".join(f"{k} {v}" for k, v in result.get("spend", {}).items() if v)
        lines.append(f"| {markdown_text(source)} | {result.get('found', 0)} | "
                     f"{markdown_text(spend) or '-'} | |")
    for source, error in errors.items():
        # An error can quote a provider's or a website's reply: tenant-reachable text.
        lines.append(f"| {markdown_text(source)} | 0 | - | {markdown_text(error)} |")
    return "\n".join(lines) + "\n"
