"""The `research-only` flow: a scrape run (`POST /api/start-lead-scrape-complete`) that runs
the research sources and stores what they find as source leads, without qualifying them.

Started by the flow launcher from a stored `TriggeredRun` (task "research-only"); its return
value becomes the run's result, which `GET /api/lead-generation-status` reports.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.tasks import exponential_backoff

from flows.research_stage import gather_candidates
from storage.runtime import runtime_for
from tasks.research.source_leads import research_spec, save_source_leads


@flow(name="research-only", flow_run_name="{site_id}-{run_id}", persist_result=False)
def research_only(run_id: str, company_id: str, site_id: str, request: dict[str, Any],
                  data_dir: str) -> dict[str, Any]:
    """Research `request`'s audience for `site_id`; store up to maxLeads source leads."""
    runtime = runtime_for(data_dir)
    backoff = exponential_backoff(backoff_factor=runtime.settings.retry_backoff_seconds)
    spec = research_spec(request, site_id)
    candidates, errors = gather_candidates(runtime, run_id, company_id, spec,
                                           max(spec.count, 1), backoff)
    stored = save_source_leads(runtime, company_id, site_id, run_id, candidates[: spec.count])
    get_run_logger().info("%s: %d source leads, failed sources: %s", run_id, stored,
                          errors or "none")
    return {"source_leads": stored, "source_errors": errors}
