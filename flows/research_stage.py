"""The research stage, shared by the `lead-generation` and `research-only` flows.

Not a flow itself: `gather_candidates` composes the source tasks inside whichever flow calls
it. People sources run concurrently (prospect store, Apollo, People Data Labs), then company
sources (Hunter, websites) over the best companies found; finds merge into one candidate per
person. A failing source becomes an entry in the returned errors, never an exception, unless
every source failed.
"""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from storage.runtime import Runtime
from tasks.reports.artifact_text import markdown_text
from tasks.research.prospect_search import research_prospects
from tasks.research.sources import (
    companies_to_research,
    merge_candidates,
    plan_sources,
    search_company_emails,
    search_provider,
    sources_markdown,
)
from tasks.research.websites import research_websites
from tasks.search.criteria import Prospect, SearchSpec
from tasks.search.hard_filters import within_hard_limits

COMPANIES_TO_RESEARCH = 10  # Hunter domain searches and website visits per run


def gather_candidates(runtime: Runtime, run_key: str, company_id: str, spec: SearchSpec,
                      pool_size: int, backoff: Any) -> tuple[list[Prospect], dict[str, str]]:
    """Run the sources of `spec` (for `spec.site_id`); returns (candidates, failed sources).

    Raises:
        RuntimeError: every source failed, so there is nothing to go on.
    """
    settings = runtime.settings
    site_id = spec.site_id or ""
    plan = plan_sources(runtime, company_id, site_id, spec.sources)
    errors: dict[str, str] = dict(plan["errors"])
    report: dict[str, dict[str, Any]] = {}
    futures = {}
    for source in plan["people"]:
        if source == "prospects":
            futures[source] = research_prospects.with_options(retry_delay_seconds=backoff).submit(
                str(settings.prospect_dir), spec, pool_size, company_id)
        else:
            futures[source] = search_provider.with_options(retry_delay_seconds=backoff).submit(
                runtime, company_id, site_id, source, spec, pool_size)
    found = _collect(futures, errors, report)
    if errors and not found:
        raise RuntimeError("every research source failed: " + "; ".join(
            f"{source}: {error}" for source, error in errors.items()))
    candidates = merge_candidates(found)
    futures = {}
    companies = companies_to_research(candidates, COMPANIES_TO_RESEARCH)
    if "hunter" in plan["companies"]:
        futures["hunter"] = search_company_emails.with_options(
            retry_delay_seconds=backoff).submit(runtime, company_id, site_id, companies)
    if "website" in plan["companies"]:
        futures["website"] = research_websites.with_options(retry_delay_seconds=backoff).submit(
            companies, ",".join(settings.egress_allow_entries), settings.egress_nameservers)
    if futures:
        candidates = merge_candidates([candidates, *_collect(futures, errors, report)])
    # Providers and websites return whatever they find: hold every source to the search's limits.
    candidates = within_hard_limits(candidates, spec)
    if errors:
        get_run_logger().warning("research sources failed for %s: %s", run_key, errors)
    if len(report) + len(errors) > 1 or errors:
        create_markdown_artifact(markdown=sources_markdown(run_key, report, errors),
                                 key=f"{run_key.replace('_', '-').lower()}-sources",
                                 description=markdown_text(f"Research sources of {run_key}"))
    return candidates, errors


def _collect(futures: dict[str, Any], errors: dict[str, str],
             report: dict[str, dict[str, Any]]) -> list[list[Prospect]]:
    """Wait for every source; a failed one becomes an entry in `errors`, not an exception."""
    found = []
    for source, future in futures.items():
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - one source must not fail the run
            errors[source] = f"{type(exc).__name__}: {exc}"[:500]
            continue
        prospects = result if isinstance(result, list) else result.prospects
        report[source] = {"found": len(prospects),
                          "spend": {} if isinstance(result, list) else result.spend}
        found.append(prospects)
    return found
