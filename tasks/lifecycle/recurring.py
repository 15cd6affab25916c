"""Recurring searches: a scheduled run becomes a normal command that keeps only new leads.

`start_scheduled_command` stores a command from the schedule's saved request (so status,
leads and the webhook work as for any command) and opens its search-history entry; the
executor that serves the API picks the command up like one posted over HTTP. The
lead-generation flow asks `is_scheduled_command` and passes the answer to `dedupe_leads` as
`new_only` (the site's earlier leads, matched exactly and fuzzily, are left out before the best
are chosen), so a scheduled command only ever holds, and its webhook only ever carries, leads
new to the site.
`finish_scheduled_command` waits for the command and closes the search-history entry.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from prefect import task

from storage.commands.models import Command, RecurringSearchRun
from storage.commands.records import TERMINAL_STATES, count_command_leads
from storage.commands.recurring import get_schedule, new_run_id, run_for_command
from storage.commands.submission import QuotaRefused, StoredRequest, create_command
from storage.db.clock import utcnow
from storage.db.engine import session_scope
from storage.runtime import Runtime
from storage.tenancy.accounts import find_client
from storage.workspace.models import SearchHistory
from tasks.run_logging import task_logger
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME
from tasks.search.analysis import build_command_object

SEARCH_CATEGORY = "recurring-search"


def _history_entry(schedule: Any, command_id: str, status: str, error: str | None) -> SearchHistory:
    request = schedule.request
    return SearchHistory(
        id=f"sh_{uuid.uuid4().hex[:16]}",
        company_id=schedule.company_id,
        owner=request.get("userId") or "scheduler",
        search_name=schedule.name,
        search_description=f"Scheduled run of {schedule.id}: command {command_id}",
        search_criteria=(request.get("leadGenData") or {}).get("targetAudience") or {},
        search_filters={"schedule_id": schedule.id, "command_id": command_id,
                        "new_leads_only": True,
                        **((request.get("leadGenData") or {}).get("searchCriteria") or {})},
        client_id=schedule.site_id,
        category=SEARCH_CATEGORY,
        tags=["recurring", schedule.id],
        status=status,
        error_message=error,
    )


@task(name="start-scheduled-command", retries=3, cache_policy=CACHE_WITHOUT_RUNTIME)
def start_scheduled_command(
    runtime: Runtime, schedule_id: str, flow_run_id: str | None = None
) -> str | None:
    """Store this run's command; None when the schedule is gone, paused, or over quota."""
    logger = task_logger(__name__)
    settings = runtime.settings
    with session_scope(runtime.engine) as session:
        schedule = get_schedule(session, schedule_id)
        if schedule is None or not schedule.active:
            logger.info("schedule %s is deleted or paused; nothing to run", schedule_id)
            return None
        client = find_client(session, schedule.company_id, schedule.site_id)
        if client is None:
            logger.warning("site %s of schedule %s is gone", schedule.site_id, schedule_id)
            return None
        stored = StoredRequest(dict(schedule.request), schedule.webhook_secret_sealed)
        try:
            command = create_command(session, client, stored,
                                     build_command_object(stored.request),
                                     settings.company_lead_quota)
        except QuotaRefused as refused:
            # The refusal is recorded where the team looks for its searches; no command runs.
            session.add(_history_entry(schedule, "", "failed",
                                       f"QUOTA_EXCEEDED: {refused.shortfall.describe()}"))
            schedule.last_run_at = utcnow()
            session.add(schedule)
            logger.warning("schedule %s skipped: site %s is over its quota", schedule_id,
                           schedule.site_id)
            return None
        history = _history_entry(schedule, command.id, "running", None)
        session.add(history)
        session.flush()
        session.add(RecurringSearchRun(id=new_run_id(), recurring_search_id=schedule.id,
                                       command_id=command.id, flow_run_id=flow_run_id,
                                       search_history_id=history.id))
        schedule.last_run_at = utcnow()
        session.add(schedule)
    logger.info("schedule %s queued command %s", schedule_id, command.id)
    return command.id


@task(name="is-scheduled-command", retries=2, cache_policy=CACHE_WITHOUT_RUNTIME)
def is_scheduled_command(runtime: Runtime, command_id: str) -> bool:
    """True when a recurring search stored this command: its dedupe keeps new people only."""
    with session_scope(runtime.engine) as session:
        return run_for_command(session, command_id) is not None


@task(name="finish-scheduled-command", cache_policy=CACHE_WITHOUT_RUNTIME)
def finish_scheduled_command(
    runtime: Runtime, command_id: str, timeout_seconds: float = 3600.0,
    poll_seconds: float = 1.0
) -> dict[str, Any]:
    """Wait for the command to end; record its outcome in search history and on the run."""
    engine = runtime.engine
    deadline = time.monotonic() + timeout_seconds
    while True:
        with session_scope(engine) as session:
            command = session.get(Command, command_id)
            state, error = command.run_state, command.error
        if state in TERMINAL_STATES or time.monotonic() > deadline:
            break
        time.sleep(poll_seconds)
    status = {"COMPLETED": "completed", "CANCELLED": "failed"}.get(state, "failed")
    if state not in TERMINAL_STATES:
        status, error = "running", None  # still going: the command's own status tells the end
    with session_scope(engine) as session:
        # The leads it delivered (the status's leads_found counts candidates: progress.py).
        found = count_command_leads(session, command_id) if state == "COMPLETED" else None
        run = run_for_command(session, command_id)
        if run is not None:
            run.new_leads = found
            session.add(run)
            history = session.get(SearchHistory, run.search_history_id)
            if history is not None:
                history.status = status
                history.results_count = run.new_leads
                history.error_message = error
                history.updated_at = utcnow()
                history.completed_at = utcnow() if status != "running" else None
                session.add(history)
    return {"command_id": command_id, "state": state, "new_leads": found, "status": status}
