"""The command API: submit a lead-generation command, poll its status, page through its leads."""

from __future__ import annotations

import math
from typing import Any

from litestar import Controller, Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from sqlmodel import Session

from api.command.idempotency import idempotency_key, replay_or_refuse
from api.command.schemas import LeadGenerationRequest, parse_lead_generation_request
from api.command.status import (
    accepted_reply,
    estimate_completion,
    public_lead,
    status_reply,
)
from api.command.target import command_site
from api.command.webhook_deliveries import delivery_states
from api.docs.schema import request_body_operation
from api.errors import CommandNotFound, InvalidRequest, QuotaExceeded
from api.guards import authenticated
from api.security.auth import Caller
from storage.commands.idempotency import record_key_reply, request_digest, take_key
from storage.commands.records import (
    command_leads,
    count_command_leads,
    count_waiting_ahead,
    get_command,
)
from storage.commands.submission import QuotaRefused, create_command, seal_request
from storage.leads.provenance import sources_by_lead
from storage.tenancy.platform_admins import is_platform_admin
from tasks.reports.summary import live_summary
from tasks.search.analysis import build_command_object
from tasks.search.geography import location_warnings

# The documented example takes ~1.5 s end to end on the embedded default (bench/RESULTS.md);
# estimates round that up.
TYPICAL_RUN_SECONDS = 2.0
MAX_PER_PAGE = 100


def command_warnings(parsed: LeadGenerationRequest) -> list[dict[str, str]]:
    """What the command asks that Leadmill cannot read as given (an unknown or ambiguous
    place), each naming its field: the command runs, but the user is told, not guessed for."""
    locations = parsed.leadGenData.targetAudience.locations
    return [{"field": f"leadGenData.targetAudience.locations[{at}]", "value": locations[at],
             "message": message} for at, message in location_warnings(locations)]


def _page_param(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest(field=name, issue=f"{name} must be a whole number") from None
    if not 1 <= value <= maximum:
        raise InvalidRequest(field=name, issue=f"{name} must be between 1 and {maximum}")
    return value


class LeadGenerationController(Controller):
    path = "/api/agents/sales"
    tags = ["Lead generation"]
    guards = [authenticated]

    @post(["/leadGeneration", "/command/leadGeneration"], status_code=200,
          summary="Create a lead-generation command",
          operation_class=request_body_operation(LeadGenerationRequest,
                                                 "lead_generation_request.json",
                                                 "lead_generation_accepted.json"))
    async def create_command(self, request: Request, state: State, session: Session,
                             caller: Caller, body: bytes) -> dict[str, Any]:
        """Validate the request, store the command and its command object, and queue it.

        Answers at once with the command id; the run happens in the background.
        """
        # Not a sync_to_thread handler: with two paths, Litestar 2.25 documents such a
        # handler under its thread wrapper's name and docstring. The session is used only in
        # the worker thread below.
        # The raw body, not a request model: the Idempotency-Key's digest is taken over the
        # bytes as sent, and parse_lead_generation_request answers the command API's own
        # INVALID_REQUEST details (field paths such as leadGenData.targetAudience.roles[2]).
        return await sync_to_thread(self._create_command, request, state, session, caller,
                                    body)

    def _create_command(self, request: Request, state: State, session: Session, caller: Caller,
                        body: bytes) -> dict[str, Any]:
        settings = state.settings
        key = idempotency_key(request)
        if key is not None and (first := take_key(session, caller.company_id, key,
                                                  request_digest(body))):
            return replay_or_refuse(first)  # no second command, no second quota charge
        parsed = parse_lead_generation_request(body)
        if parsed.webhook is not None:
            problem = state.egress_policy.literal_problem(parsed.webhook.url)
            if problem:
                raise InvalidRequest(field="webhook.url", issue=problem)
        client = command_site(session, caller.company_id, parsed)
        stored = seal_request(parsed.model_dump(mode="json"), state.secret_box)
        try:
            command = create_command(session, client, stored,
                                     build_command_object(stored.request),
                                     settings.company_lead_quota)
        except QuotaRefused as refused:
            raise QuotaExceeded(details=refused.shortfall.details()) from None
        ahead = count_waiting_ahead(session, command)
        command.estimated_completion_time = estimate_completion(
            ahead, settings.executor_workers, TYPICAL_RUN_SECONDS)
        session.add(command)
        # Beside the documented fields: what Leadmill could not place, never silently guessed.
        reply = accepted_reply(command) | {"warnings": command_warnings(parsed)}
        if key is not None:
            record_key_reply(session, caller.company_id, key, command.id, reply)
        # The executor's worker reads the command at once: it must be stored first.
        session.commit()
        state.executor.submit(command.id)
        return {"success": True, "data": reply}

    @get("/leadGeneration/status/{command_id:str}", summary="Status of a lead-generation command",
         sync_to_thread=True)
    def get_status(self, state: State, session: Session, caller: Caller,
                   command_id: str) -> dict[str, Any]:
        """Progress while the command runs; the complete response with its leads once done."""
        command = get_command(session, command_id, caller.company_id)
        if command is None:
            raise CommandNotFound(field="command_id", issue=f"no command {command_id}")
        leads = None
        if command.run_state == "COMPLETED":
            rows = command_leads(session, command.id)
            sources = sources_by_lead(session, [lead.id for lead, _ in rows])
            leads = [public_lead(lead, link, sources[lead.id]) for lead, link in rows]
        # The Prefect UI is the operators' back office (every tenant's runs): its link is
        # for platform admins only.
        operator = is_platform_admin(session, caller.user_id)
        reply = status_reply(command, leads, TYPICAL_RUN_SECONDS,
                             state.settings.prefect_ui_url if operator else None)
        if leads is not None:  # leads deleted since the run are in no summary
            profile = command.command_object["targets"][0]["leads"]["profile"]
            reply["summary"] = live_summary(reply["summary"], rows, profile.get("roles"),
                                            profile.get("industries"))
        if command.webhook_url:
            # Delivery is separate from the run: the command completes once its leads are
            # stored; each webhook event's own state is shown here.
            reply["webhook_deliveries"] = delivery_states(session, command.id)
        return {"success": True, "data": reply}

    @get("/leadGeneration/leads/{command_id:str}", summary="Leads of a lead-generation command",
         sync_to_thread=True)
    def get_leads(self, request: Request, session: Session, caller: Caller,
                  command_id: str) -> dict[str, Any]:
        """The command's leads, best match first, `page` and `per_page` (1–100, default 50)."""
        page = _page_param(request, "page", 1, 10**6)
        per_page = _page_param(request, "per_page", 50, MAX_PER_PAGE)
        command = get_command(session, command_id, caller.company_id)
        if command is None:
            raise CommandNotFound(field="command_id", issue=f"no command {command_id}")
        total = count_command_leads(session, command.id)
        rows = command_leads(session, command.id, offset=(page - 1) * per_page, limit=per_page)
        sources = sources_by_lead(session, [lead.id for lead, _ in rows])
        return {
            "success": True,
            "data": {
                "command_id": command.id,
                "leads": [public_lead(lead, link, sources[lead.id]) for lead, link in rows],
                "pagination": {
                    "total": total,
                    "page": page,
                    "per_page": per_page,
                    "total_pages": math.ceil(total / per_page) if total else 0,
                },
            },
        }
