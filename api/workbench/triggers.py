"""Background tasks as Prefect flow runs: `POST /api/trigger`, `POST /api/enrichment/trigger`,
`GET /api/trigger-task-status`, `GET /api/trigger-recent-runs`.

Accepted task names (`task`, or Trigger.dev's `taskId`/`taskIdentifier`) and their payloads:
`lead-enrichment` (`{leadId, services?, overwrite}`), `lead-copywriting` (`{leadId,
processes?, overwrite}`), `lead-sdr` (`{leadId, fields?, overwrite}`), `lead-enrichment-batch`
(`{leadIds, enrichmentType, overwrite}`, as `/api/enrichment/trigger`) and `warehouse-sync`
(`{}`). Runs are tagged `company:<id>` in Prefect; a caller only ever sees its own company's
runs.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, select

from api.errors import InvalidValue, NotFound
from api.guards import authenticated
from api.management.requests import query_int, query_text, validate
from api.security.auth import Caller, RecordOwnerMismatch, may_change, require_record_owner
from api.workbench.processing import launch_stored, store_plan
from api.workbench.processing_plans import (
    CopyrightRequest,
    EnrichmentTriggerRequest,
    EnrichRequest,
    Plan,
    SdrRequest,
    plan_copyright,
    plan_enrichment,
    plan_enrichment_job,
    plan_sdr,
)
from deployments.flow_launcher import TASK_FLOWS
from storage.commands.limits import WAREHOUSE_SYNC, queue_warehouse_sync
from storage.commands.models import TriggeredRun
from storage.commands.triggered_runs import create_triggered_run, get_triggered_run
from storage.db.clock import iso_z

log = logging.getLogger("leadmill.api.triggers")

BATCH_ENRICHMENT = "lead-enrichment-batch"
PLANNERS = {"lead-enrichment": (EnrichRequest, plan_enrichment),
            "lead-copywriting": (CopyrightRequest, plan_copyright),
            "lead-sdr": (SdrRequest, plan_sdr)}
# Prefect state type -> the Trigger.dev-style status clients of the document expect.
STATUS_OF_STATE = {"QUEUED": "QUEUED", "SCHEDULED": "QUEUED", "PENDING": "QUEUED",
                   "RUNNING": "EXECUTING", "COMPLETED": "COMPLETED", "FAILED": "FAILED",
                   "CRASHED": "CRASHED", "CANCELLING": "CANCELED", "CANCELLED": "CANCELED",
                   "PAUSED": "PAUSED"}


class TriggerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    task: str = Field(min_length=1)
    payload: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _task_aliases(cls, data: Any) -> Any:
        if isinstance(data, dict) and "task" not in data:
            for alias in ("taskId", "taskIdentifier"):
                if alias in data:
                    data = {**data, "task": data[alias]}
                    data.pop(alias)
                    break
        return data


def _iso(moment: datetime | None) -> str | None:
    return iso_z(moment) if moment else None


def run_view(run: TriggeredRun, flow_run: Any = None) -> dict[str, Any]:
    """A run as the API answers it; a Prefect flow run, when read, gives the live state."""
    state, error = run.run_state, run.error
    if flow_run is not None and flow_run.state is not None and run.run_state not in (
            "COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
        # Prefect may know the end before the launcher has recorded it.
        state = flow_run.state.type.value
        if state in ("FAILED", "CRASHED") and error is None:
            error = flow_run.state.message
    return {"runId": run.id, "taskId": run.task, "status": STATUS_OF_STATE.get(state, state),
            "state": state, "flowRunId": run.flow_run_id,
            "flowRunName": getattr(flow_run, "name", None), "batchTag": run.batch_tag,
            "payload": {k: v for k, v in run.parameters.items() if k != "run_id"},
            "createdAt": _iso(run.created_at),
            "startedAt": _iso(getattr(flow_run, "start_time", None)),
            "finishedAt": _iso(run.finished_at or getattr(flow_run, "end_time", None)),
            "error": error, "output": run.result}


def prefect_run_view(flow_run: Any) -> dict[str, Any]:
    """A flow run from Prefect, known by its tags (`leadmill-run:`, `task:`)."""
    tags = {tag.partition(":")[0]: tag.partition(":")[2] for tag in flow_run.tags}
    state = flow_run.state.type.value if flow_run.state else "PENDING"
    return {"runId": tags.get("leadmill-run") or str(flow_run.id), "taskId": tags.get("task"),
            "status": STATUS_OF_STATE.get(state, state), "state": state,
            "flowRunId": str(flow_run.id), "flowRunName": flow_run.name,
            "batchTag": tags.get("batch"), "createdAt": _iso(flow_run.created),
            "startedAt": _iso(flow_run.start_time), "finishedAt": _iso(flow_run.end_time)}


class TriggerController(Controller):
    path = "/api"
    tags = ["Background tasks"]
    guards = [authenticated]

    @post("/trigger", status_code=200, summary="Submit a background task", sync_to_thread=True)
    def trigger(self, state: State, session: Session, caller: Caller,
                data: TriggerRequest) -> dict[str, Any]:
        """Body `{task, payload}`; answered at once with the run id (`status` QUEUED)."""
        plan: Plan | None = None
        if data.task not in TASK_FLOWS:
            raise InvalidValue(f"Unknown task {data.task}", details={
                "field": "task", "issue": f"one of {', '.join(TASK_FLOWS)}"})
        instance = state.flow_launcher.instance
        fresh = True
        if data.task == BATCH_ENRICHMENT:
            job = validate(EnrichmentTriggerRequest, data.payload, prefix="payload.")
            return {**start_enrichment_job(state, session, caller, job), "taskId": data.task}
        if data.task in PLANNERS:
            model, planner = PLANNERS[data.task]
            payload = validate(model, data.payload, prefix="payload.")
            plan = planner(session, state.secret_box, caller.company_id, payload)
            require_record_owner(caller, plan.lead.owner, "lead", plan.lead.id)
            run = store_plan(session, instance, caller.company_id, plan)
        else:
            if data.payload:
                raise InvalidValue(f"{data.task} takes no payload",
                                   details={"field": "payload", "issue": "must be {}"})
            if data.task == WAREHOUSE_SYNC:  # one waiting sync serves every request
                run, fresh = queue_warehouse_sync(session, caller.company_id, instance)
            else:
                run = create_triggered_run(session, company_id=caller.company_id,
                                           task=data.task, parameters={}, instance=instance)
        reply: dict[str, Any] = {"success": True, "taskId": data.task,
                                 "runId": run.id if run else None,
                                 "status": "QUEUED" if run else "SKIPPED",
                                 "batchTag": run.batch_tag if run else None}
        if plan is not None:
            reply.update(triggered=plan.triggered, skipped=plan.skipped,
                         skippedReasons=plan.reasons, leadId=plan.lead.id)
        if run is not None and fresh:
            launch_stored(state, session, run)
        return reply

    @post("/enrichment/trigger", status_code=200, summary="Enrich many leads in one job",
          sync_to_thread=True)
    def trigger_enrichment(self, state: State, session: Session, caller: Caller,
                           data: EnrichmentTriggerRequest) -> dict[str, Any]:
        """Body `{leadIds: [1-100 ids], enrichmentType, overwrite}`; answered at once with
        `jobId` (a run id: track it with `GET /api/trigger-task-status?runId=<jobId>`).

        `enrichmentType` picks URL-settings services, each run only where configured:
        `technographic`, `firmographic` and `company` run the company-level services
        (`companyUrl`, `enrichment1`..`enrichment10`: Leadmill cannot tell what kind of data a
        custom service returns); `contact` and `email` run `emailFinder`; `all` (the default)
        runs every service; a service name (`companyUrl`, `enrichment3`, ...) runs that one.
        Another type is 400 invalid_value listing the allowed ones. Filled fields are skipped
        unless `overwrite`. Lead ids that are not your company's live leads are 404, all named
        in `details.ids`. With nothing to run, `jobId` is null and `status` SKIPPED.
        """
        return start_enrichment_job(state, session, caller, data)

    @get("/trigger-task-status", summary="Status of a background task")
    async def task_status(self, request: Request, session: Session,
                          caller: Caller) -> dict[str, Any]:
        """`runId`: the id `/api/trigger` or `/api/leads/process/*` answered (or its flow run's)."""
        run_id = query_text(request, "runId", required=True)
        run = await sync_to_thread(_visible_run, session, caller, run_id)
        flow_run = await _read_flow_run(run.flow_run_id) if run.flow_run_id else None
        return {"success": True, **run_view(run, flow_run)}

    @get("/trigger-recent-runs", summary="Recent background tasks of your company")
    async def recent_runs(self, request: Request, session: Session,
                          caller: Caller) -> dict[str, Any]:
        """`limit` 1-100 (default 20), newest first: Prefect's runs tagged with your company,
        after the runs whose flow run is not created yet."""
        limit = query_int(request, "limit", 20, 1, 100)
        stored = await sync_to_thread(_recent_stored_runs, session, caller, limit)
        waiting = [run_view(run) for run in stored if run.flow_run_id is None]
        try:
            flow_runs = await _company_flow_runs(caller.company_id, limit)
            runs = waiting + [prefect_run_view(flow_run) for flow_run in flow_runs]
        except Exception as exc:  # noqa: BLE001 - Prefect down: answer from Leadmill's records
            log.warning("Prefect unavailable for recent runs, answering from records: %s", exc)
            runs = [run_view(run) for run in stored]
        return {"success": True, "runs": runs[:limit], "count": len(runs[:limit])}


def start_enrichment_job(state: State, session: Session, caller: Caller,
                         request: EnrichmentTriggerRequest) -> dict[str, Any]:
    """Plan and store one `lead-enrichment-batch` run, commit, then hand it over."""
    plan = plan_enrichment_job(session, state.secret_box, caller.company_id, request)
    refused = [lead.id for lead in plan.leads if not may_change(caller, lead.owner)]
    if refused:  # processing writes on the leads: owner-based isolation as for one lead
        raise RecordOwnerMismatch("lead", refused)
    run = store_plan(session, state.flow_launcher.instance, caller.company_id, plan)
    reply = {"success": True, "jobId": run.id if run else None,
             "runId": run.id if run else None, "status": "QUEUED" if run else "SKIPPED",
             "batchTag": run.batch_tag if run else None,
             "enrichmentType": plan.enrichment_type, "services": list(plan.services),
             "leadIds": list(plan.triggered), "triggered": plan.triggered,
             "skipped": plan.skipped}
    if run is not None:
        launch_stored(state, session, run)
    return reply


# The database parts of the async handlers, run in a worker thread. Each ends the request's
# transaction before the handler awaits Prefect: no connection is held across the network call.
def _visible_run(session: Session, caller: Caller, run_id: str) -> TriggeredRun:
    """The caller's stored run."""
    run = get_triggered_run(session, run_id, caller.company_id)
    session.commit()
    if run is None:
        raise NotFound(f"No run {run_id}", details={"field": "runId",
                                                    "issue": "not found"})
    return run


def _recent_stored_runs(session: Session, caller: Caller, limit: int) -> list[TriggeredRun]:
    runs = list(session.exec(
        select(TriggeredRun).where(TriggeredRun.company_id == caller.company_id)
        .order_by(col(TriggeredRun.created_at).desc()).limit(limit)).all())
    session.commit()
    return runs


async def _read_flow_run(flow_run_id: str) -> Any:
    from prefect.client.orchestration import get_client

    try:
        async with get_client() as client:
            return await client.read_flow_run(flow_run_id)
    except Exception as exc:  # noqa: BLE001 - the stored state is still an answer
        log.warning("could not read flow run %s: %s", flow_run_id, exc)
        return None


async def _company_flow_runs(company_id: str, limit: int) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
    from prefect.client.schemas.sorting import FlowRunSort

    async with get_client() as client:
        return await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"company:{company_id}"])),
            sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=limit)
