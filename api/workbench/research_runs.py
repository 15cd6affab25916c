"""The Apify-style scrape of leadgenius-pro-api.md: a research-only run whose finds become
source leads.

`POST /api/start-lead-scrape-complete` {`clientId` (or `siteId`/`client_id`), `targetAudience`,
`searchCriteria` (with `sources`), `maxLeads` (1-1000, default 100)} stores a run and answers
its `runId` at once; the flow launcher runs the `research-only` flow. `GET
/api/lead-generation-status?runId=` reports `status` (queued, running, completed, failed),
`sourceLeads` stored so far, `sourceErrors` and the Prefect flow-run id; the leads themselves
are at `GET /api/source-leads/list`.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from sqlmodel import Session

from api.command.schemas import SearchCriteria, TargetAudience
from api.errors import MissingRequiredField, NotFound
from api.guards import authenticated
from api.management.requests import query_text
from api.security.auth import Caller
from storage.commands.models import TriggeredRun
from storage.commands.triggered_runs import create_triggered_run, get_triggered_run
from storage.db.clock import iso_z
from storage.leads.source_leads import count_source_leads
from storage.tenancy.accounts import find_client

TASK = "research-only"
STATUS_OF_STATE = {"QUEUED": "queued", "SCHEDULED": "queued", "PENDING": "running",
                   "RUNNING": "running", "COMPLETED": "completed", "FAILED": "failed",
                   "CRASHED": "failed", "CANCELLING": "cancelled", "CANCELLED": "cancelled",
                   "PAUSED": "paused"}


class ScrapeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clientId: str | None = Field(default=None, min_length=1, max_length=128)
    targetAudience: TargetAudience
    searchCriteria: SearchCriteria = Field(default_factory=SearchCriteria)
    maxLeads: Annotated[StrictInt, Field(ge=1, le=1000)] = 100

    @model_validator(mode="before")
    @classmethod
    def _client_aliases(cls, data: Any) -> Any:
        if isinstance(data, dict) and "clientId" not in data:
            for alias in ("siteId", "client_id"):
                if alias in data:
                    data = {k: v for k, v in data.items() if k != alias} | {"clientId": data[alias]}
                    break
        return data


def run_status(run: TriggeredRun, source_leads: int) -> dict[str, Any]:
    result = run.result or {}
    return {"runId": run.id, "status": STATUS_OF_STATE.get(run.run_state, "running"),
            "clientId": run.parameters.get("site_id"), "sourceLeads": source_leads,
            "sourceErrors": result.get("source_errors") or {}, "flowRunId": run.flow_run_id,
            "error": run.error, "createdAt": iso_z(run.created_at),
            "updatedAt": iso_z(run.updated_at), "finishedAt": iso_z(run.finished_at)
            if run.finished_at else None}


@post("/api/start-lead-scrape-complete", summary="Start a research-only scrape run",
      tags=["Research"], status_code=202, guards=[authenticated], sync_to_thread=True)
def start_lead_scrape(state: State, session: Session, caller: Caller,
                      data: ScrapeRequest) -> dict[str, Any]:
    """Starts a research-only (Apify-style scrape) flow run; its finds become source leads. Answers
    at once with the run id.
    """
    if not data.clientId:
        raise MissingRequiredField("clientId is required",
                                   details={"field": "clientId", "issue": "missing"})
    launcher = state.flow_launcher
    if find_client(session, caller.company_id, data.clientId) is None:
        raise NotFound(f"No client {data.clientId}",
                       details={"field": "clientId", "issue": "not a client of your company"})
    run = create_triggered_run(session, company_id=caller.company_id, task=TASK,
                               parameters={}, instance=launcher.instance)
    run.parameters = {"run_id": run.id, "company_id": caller.company_id,
                      "site_id": data.clientId,
                      "request": data.model_dump(mode="json", exclude={"clientId"})}
    session.add(run)
    reply = run_status(run, 0)
    session.commit()  # the launcher reads the stored run: it must be committed first
    launcher.submit(run.id)
    return {"success": True, "data": reply}


@get("/api/lead-generation-status", summary="Status of a scrape run", tags=["Research"],
     guards=[authenticated], sync_to_thread=True)
def lead_generation_status(request: Request, session: Session, caller: Caller) -> dict[str, Any]:
    """Status of a scrape run (`?runId=`) and the source leads it found."""
    run_id = query_text(request, "runId", required=True)
    run = get_triggered_run(session, run_id or "", caller.company_id)
    if run is None or run.task != TASK:
        raise NotFound(f"No scrape run {run_id}",
                       details={"field": "runId", "issue": "unknown run"})
    return {"success": True,
            "data": run_status(run, count_source_leads(session, caller.company_id, run.id))}


RESEARCH_ROUTES = [start_lead_scrape, lead_generation_status]
