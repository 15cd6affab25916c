"""Recurring searches: `POST/GET/PUT/DELETE /api/agents/sales/schedules`.

A schedule is a saved lead-generation request (validated exactly like `POST leadGeneration`)
plus a cron expression or an interval, in a time zone. The handlers parse the body, check the
command's site and user, and call the operations `leadmill schedules` calls too
(`tasks.lifecycle.schedules`); they only write the operational DB: the scheduler process
mirrors each schedule onto a Prefect deployment within seconds (`deployments.recurring`).
Pause and resume are `PUT {"active": false|true}`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from sqlmodel import Session

from api.command.schemas import parse_lead_generation_request, parse_schedule_fields
from api.command.status import public_schedule
from api.command.target import command_site
from api.errors import InvalidRequest, ScheduleNotFound
from api.guards import authenticated
from api.security.auth import Caller
from storage.commands.models import RecurringSearch
from storage.commands.recurring import get_schedule, list_schedules, runs_of_schedule
from storage.tenancy.models import Client
from tasks.lifecycle.schedules import (
    InvalidSchedule,
    ScheduleTiming,
    change_schedule,
    create_schedule,
    delete_schedule,
)


@contextlib.contextmanager
def _answering_invalid_schedule() -> Iterator[None]:
    """The schedule rules' refusals as the API's INVALID_REQUEST, on the body's field."""
    try:
        yield
    except InvalidSchedule as refused:
        raise InvalidRequest(field=refused.field, issue=refused.issue) from None


def _command_client(session: Any, company_id: str,
                    command: dict[str, Any]) -> tuple[Client, dict[str, Any]]:
    """The client a schedule's command names and the command validated as `leadGeneration`."""
    parsed = parse_lead_generation_request(json.dumps(command).encode(), field_prefix="command.")
    # The command API's own rule: siteId and userId of the caller's company, or not found.
    client = command_site(session, company_id, parsed, field_prefix="command.")
    return client, parsed.model_dump(mode="json")


class ScheduleController(Controller):
    path = "/api/agents/sales/schedules"
    tags = ["Recurring searches"]
    guards = [authenticated]

    # POST and PUT take the raw body, not `data: ScheduleFields`: parse_schedule_fields answers
    # in the command API's envelope (INVALID_REQUEST naming the field, with pydantic's message
    # as the issue), where a request model would answer the lead-management errors
    # (invalid_format, missing_required_field, ...) of api/request_body.py.

    @post("/", status_code=201, summary="Create a recurring search", sync_to_thread=True)
    def create_schedule(self, state: State, session: Session, caller: Caller,
                        body: bytes) -> dict[str, Any]:
        """Save a lead-generation request to run on a cron or interval schedule."""
        with _answering_invalid_schedule():
            fields = parse_schedule_fields(body)
            for name in ("name", "command"):
                if getattr(fields, name) is None:
                    raise InvalidRequest(field=name, issue=f"{name} is required")
            timing = ScheduleTiming(fields.cron, fields.interval_seconds,
                                    fields.timezone or "UTC")
            client, command = _command_client(session, caller.company_id, fields.command)
            schedule = create_schedule(
                session, client, fields.name, command, timing,
                active=True if fields.active is None else fields.active,
                secret_box=state.secret_box, egress_policy=state.egress_policy,
                max_per_company=state.settings.max_recurring_searches_per_company)
            return {"success": True, "data": public_schedule(schedule)}

    @get("/", summary="List recurring searches", sync_to_thread=True)
    def list_all(self, request: Request, session: Session, caller: Caller) -> dict[str, Any]:
        """The caller's schedules, oldest first; `?siteId=` narrows to one site."""
        site = request.query_params.get("siteId") or None
        rows = list_schedules(session, caller.company_id, site)
        return {"success": True, "data": {"schedules": [public_schedule(r) for r in rows]}}

    @get("/{schedule_id:str}", summary="One recurring search and its runs", sync_to_thread=True)
    def get_one(self, session: Session, caller: Caller, schedule_id: str) -> dict[str, Any]:
        """One recurring search with its schedule and recent runs."""
        schedule = self._find(session, caller.company_id, schedule_id)
        runs = list(runs_of_schedule(session, schedule.id))
        return {"success": True, "data": public_schedule(schedule, runs)}

    @put("/{schedule_id:str}", summary="Change, pause or resume a recurring search",
         sync_to_thread=True)
    def update(self, state: State, session: Session, caller: Caller, schedule_id: str,
               body: bytes) -> dict[str, Any]:
        """Any of name, command, cron or interval_seconds, timezone, active (false pauses)."""
        with _answering_invalid_schedule():
            schedule = self._find(session, caller.company_id, schedule_id)
            fields = parse_schedule_fields(body)
            cron, interval = schedule.cron, schedule.interval_seconds
            if fields.cron is not None or fields.interval_seconds is not None:
                cron, interval = fields.cron, fields.interval_seconds
            timing = ScheduleTiming(cron, interval, fields.timezone or schedule.timezone)
            client, command = (None, None) if fields.command is None else _command_client(
                session, caller.company_id, fields.command)
            change_schedule(session, schedule, secret_box=state.secret_box,
                            egress_policy=state.egress_policy, name=fields.name, timing=timing,
                            active=fields.active, client=client, payload=command)
            return {"success": True, "data": public_schedule(schedule)}

    @delete("/{schedule_id:str}", status_code=200, summary="Delete a recurring search",
            sync_to_thread=True)
    def remove(self, session: Session, caller: Caller, schedule_id: str) -> dict[str, Any]:
        """Stops future runs; commands it already made, and their leads, stay."""
        schedule = self._find(session, caller.company_id, schedule_id)
        delete_schedule(session, schedule)
        return {"success": True, "data": {"schedule_id": schedule.id, "deleted": True}}

    @staticmethod
    def _find(session: Any, company_id: str, schedule_id: str) -> RecurringSearch:
        schedule = get_schedule(session, schedule_id, company_id)
        if schedule is None:
            raise ScheduleNotFound(field="schedule_id", issue=f"no schedule {schedule_id}")
        return schedule
