"""Lead processing: `POST /api/leads/process/enrich`, `/copyright`, `/sdr`.

Each request is planned (what to trigger, what to skip), stored as one background run and
answered at once with `{success, runIds, batchTag, triggered, skipped, leadId}`; the flow launcher
creates and runs the Prefect flow run afterwards. Track it with `/api/trigger-task-status`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, post
from litestar.datastructures import State
from pydantic import BaseModel
from sqlmodel import Session

from api.guards import authenticated
from api.security.auth import Caller, require_record_owner
from api.workbench.processing_plans import (
    BatchPlan,
    CopyrightRequest,
    EnrichRequest,
    Plan,
    SdrRequest,
    batch_tag,
    plan_copyright,
    plan_enrichment,
    plan_sdr,
)
from storage.commands.models import TriggeredRun
from storage.commands.triggered_runs import create_triggered_run
from storage.tenancy.secrets import SecretBox

Planner = Callable[[Session, SecretBox, str, Any], Plan]


def store_plan(session: Session, instance: str, company_id: str,
               plan: Plan | BatchPlan) -> TriggeredRun | None:
    """Store the plan's run (none when everything was skipped), to submit after the commit."""
    if not plan.triggered:
        return None
    run = create_triggered_run(session, company_id=company_id, task=plan.task,
                               parameters=plan.parameters, instance=instance,
                               batch_tag=batch_tag(plan.batch_prefix))
    run.parameters = {**plan.parameters, "run_id": run.id}
    session.add(run)
    return run


def launch_stored(state: State, session: Session, run: TriggeredRun) -> None:
    """Commit the request's transaction, then hand the stored run to the flow launcher (it
    reads the run from the database: it must be committed first)."""
    session.commit()
    state.flow_launcher.submit(run.id)


def plan_reply(plan: Plan, run: TriggeredRun | None) -> dict[str, Any]:
    return {"success": True, "runIds": [run.id] if run else [],
            "batchTag": run.batch_tag if run else None, "triggered": plan.triggered,
            "skipped": plan.skipped, "skippedReasons": plan.reasons, "leadId": plan.lead.id}


def start_processing(state: State, session: Session, caller: Caller, request: BaseModel,
                     planner: Planner) -> dict[str, Any]:
    """Plan and store in the request's transaction, commit, then hand the run over."""
    plan = planner(session, state.secret_box, caller.company_id, request)
    # Processing writes on the lead: owner-based isolation as for PUT /api/leads.
    require_record_owner(caller, plan.lead.owner, "lead", plan.lead.id)
    run = store_plan(session, state.flow_launcher.instance, caller.company_id, plan)
    reply = plan_reply(plan, run)
    if run is not None:
        launch_stored(state, session, run)
    return reply


class LeadProcessingController(Controller):
    path = "/api/leads/process"
    tags = ["Lead processing"]
    guards = [authenticated]

    @post("/enrich", status_code=200, summary="Call the configured enrichment services",
          sync_to_thread=True)
    def enrich(self, state: State, session: Session, caller: Caller,
               data: EnrichRequest) -> dict[str, Any]:
        """Body `{leadId, services: [companyUrl|emailFinder|enrichment1..10], overwrite}`."""
        return start_processing(state, session, caller, data, plan_enrichment)

    @post("/copyright", status_code=200, summary="Write copy processes 1-10",
          sync_to_thread=True)
    def copyright(self, state: State, session: Session, caller: Caller,
                  data: CopyrightRequest) -> dict[str, Any]:
        """Body `{leadId, processes: [1..10], overwrite}`; writes `copyright<N>`."""
        return start_processing(state, session, caller, data, plan_copyright)

    @post("/sdr", status_code=200, summary="Write SDR AI fields", sync_to_thread=True)
    def sdr(self, state: State, session: Session, caller: Caller,
            data: SdrRequest) -> dict[str, Any]:
        """Body `{leadId, fields: [message1.., aiLeadScore, ...], overwrite}`."""
        return start_processing(state, session, caller, data, plan_sdr)
