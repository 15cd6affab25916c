"""The `lead-generation` flow: one command, from its command object to delivered leads.

analysis → research → verification → scoring → enrichment → dedupe → persist → delivery.
The flow only composes; each stage is a task in `tasks/`. Its state is mirrored onto the
command record by the state hooks, so the API reads status without asking Prefect.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.states import Cancelled, State
from prefect.tasks import exponential_backoff

from flows.research_stage import gather_candidates
from flows.warehouse_sync import request_warehouse_sync
from storage.commands.records import get_command, record_run_state
from storage.db.engine import session_scope
from storage.runtime import Runtime, runtime_for
from tasks.dedupe.candidates import dedupe_leads
from tasks.delivery.events import FAILED_EVENT, enqueue_webhook, record_command_event
from tasks.enrichment.derived import enrich_leads
from tasks.lifecycle.persistence import persist_leads, record_summary
from tasks.lifecycle.progress import CommandProgress
from tasks.lifecycle.recurring import is_scheduled_command
from tasks.reports.artifact_text import markdown_text
from tasks.reports.artifacts import leads_markdown, leads_table
from tasks.reports.summary import summarize_leads
from tasks.research.sources import record_source_errors
from tasks.research.website_analysis import analyze_seller_website
from tasks.scoring.match import score_candidates, site_weights
from tasks.search.analysis import analyze_command
from tasks.search.criteria import Prospect, SearchSpec
from tasks.search.ideal_customer import website_of_context, with_website_profile
from tasks.verification.contacts import verifier_options, verify_prospects, website_check_options

# Research returns a pool this many times the leads asked for, so scoring has room to choose.
POOL_FACTOR = 8
MIN_POOL = 100


def _record_state(_flow: Any, flow_run: FlowRun, state: State) -> None:
    """State hook: mirror the run's final state onto the command record; a failed command's
    webhook gets the `lead_generation.failed` event."""
    parameters = flow_run.parameters or {}
    failed = state.type in {StateType.FAILED, StateType.CRASHED}
    error = state.message if failed else None
    engine = runtime_for(parameters["data_dir"]).engine
    with session_scope(engine) as session:
        record_run_state(session, parameters["command_id"], state.type.value, error)
    if failed:
        record_command_event(engine, parameters["command_id"], FAILED_EVENT)
    if flow_run.deployment_id is not None:
        # On a worker (deployment mode): the warehouse follows soon, not only every minute.
        # In-process runs have no deployment; the local executor asks its own trigger.
        request_warehouse_sync(parameters["data_dir"])


def _cancel_requested(flow_run_id: str | None) -> bool:
    """Cancellation is cooperative: a run set to Cancelling stops between stages."""
    if flow_run_id is None:
        return False
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
    return run.state is not None and run.state.type in {StateType.CANCELLING, StateType.CANCELLED}


def _research(runtime: Runtime, command_id: str, company_id: str, spec: SearchSpec,
              pool_size: int, backoff: Any) -> list[Prospect]:
    """The research stage; sources that failed are noted on the command (status, Prefect UI)."""
    candidates, errors = gather_candidates(runtime, command_id, company_id, spec, pool_size,
                                           backoff)
    if errors:
        record_source_errors(runtime, command_id, errors)
    return candidates


@flow(
    name="lead-generation",
    flow_run_name="{site_id}-{command_id}",
    on_completion=[_record_state],
    on_failure=[_record_state],
    on_crashed=[_record_state],
    on_cancellation=[_record_state],
    persist_result=False,
)
def lead_generation(command_id: str, data_dir: str, site_id: str = "") -> dict[str, Any] | State:
    """Generate, qualify and deliver the leads of one stored command.

    `site_id` only names the run (`<site>-<command>`) in the Prefect UI.
    """
    from prefect.runtime import flow_run

    logger = get_run_logger()
    runtime = runtime_for(data_dir)  # the API process's own, or built once in a worker's
    settings = runtime.settings
    backoff = exponential_backoff(backoff_factor=settings.retry_backoff_seconds)
    progress = CommandProgress(runtime, command_id)
    with session_scope(runtime.engine) as session:
        record_run_state(session, command_id, "RUNNING")
        command = get_command(session, command_id)
        if command is None:
            raise LookupError(f"command {command_id} does not exist")
        command_object = command.command_object

    progress.stage("initial_search")
    spec = analyze_command(command_object)
    seller_site = website_of_context(command_object.get("context"))
    if seller_site:  # the tester's websiteUrl: what the seller's site says feeds the soft needs
        profile = analyze_seller_website(seller_site, sorted(settings.egress_allow_entries),
                                         settings.egress_nameservers)
        spec.ideal_customer = with_website_profile(spec.ideal_customer, profile)
    spec.weights = (site_weights(settings.scoring_weights_file, site_id, command.company_id)
                    or spec.weights)
    progress.stage("research")
    pool_size = max(MIN_POOL, spec.count * POOL_FACTOR)
    prospects = _research(runtime, command_id, command.company_id, spec, pool_size, backoff)
    if _cancel_requested(flow_run.id):
        return Cancelled(message="cancelled after research")
    progress.stage("verification", leads_found=len(prospects))
    verifications = verify_prospects(prospects, verifier_options(settings),
                                     website_check_options(settings))
    progress.stage("scoring", leads_verified=sum(v.verified for v in verifications))
    scores = score_candidates(prospects, spec)
    progress.stage("enrichment")
    enriched = enrich_leads(prospects, verifications, scores)
    # A recurring search's run keeps only people new to the site.
    new_only = is_scheduled_command(runtime, command_id)
    # Deleted and suppressed people are left out here (the next best take their places).
    selection = dedupe_leads(enriched, spec.count, runtime=runtime, command_id=command_id,
                             new_only=new_only)
    leads = selection.leads
    if _cancel_requested(flow_run.id):
        return Cancelled(message="cancelled before storing leads")
    persist_leads.with_options(retry_delay_seconds=backoff)(runtime, command_id, leads)
    summary = summarize_leads(leads, suppressed=selection.suppressed,
                              deleted=selection.deleted, roles=spec.roles,
                              industries=spec.industries)
    record_summary(runtime, command_id, summary)
    # The counts stay those of the candidates (tasks.lifecycle.progress): the leads delivered
    # are the summary's.
    progress.stage("delivery")
    # Only recorded here: the webhook dispatcher delivers it (with retries, across restarts), so
    # the command completes once its leads are stored, however slow its receiver is.
    enqueue_webhook(runtime, command_id)

    key = command_id.replace("_", "-").lower()
    create_table_artifact(table=leads_table(leads), key=f"{key}-leads",
                          description=markdown_text(f"Leads of {command_id}"))
    create_markdown_artifact(markdown=leads_markdown(command_id, summary, leads),
                             key=f"{key}-summary",
                             description=markdown_text(f"Summary of {command_id}"))
    progress.stage("done")
    logger.info("%s: %d leads, average score %s", command_id, len(leads),
                summary["average_match_score"])
    return summary
