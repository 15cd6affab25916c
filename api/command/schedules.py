"""Recurring searches: `POST/GET/PUT/DELETE /api/agents/sales/schedules`.

A schedule is a saved lead-generation request (validated exactly like `POST leadGeneration`)
plus a cron expression or an interval, in a time zone. The handlers only write the
operational DB; the scheduler process mirrors each schedule onto a Prefect deployment within
seconds (`deployments.recurring`). Pause and resume are `PUT {"active": false|true}`.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.command.routes import _without_secret
from api.command.schemas import parse_lead_generation_request
from api.command.target import command_site
from api.errors import InvalidRequest, ScheduleNotFound
from api.json_body import load_json
from api.security.auth import authenticate
from storage.commands.models import RecurringSearch
from storage.commands.recurring import (
    get_schedule,
    list_schedules,
    new_schedule_id,
    runs_of_schedule,
)
from storage.db.clock import iso_z, utcnow
from storage.db.engine import session_scope
from storage.tenancy.limits import ensure_recurring_search_allowed, hold_company

MIN_INTERVAL_SECONDS = 60


class ScheduleFields(BaseModel):
    """The body of POST (name, command and one of cron/interval_seconds required) and PUT."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    command: dict[str, Any] | None = None
    cron: str | None = Field(default=None, min_length=1, max_length=200)
    interval_seconds: int | None = Field(default=None, ge=MIN_INTERVAL_SECONDS, le=366 * 86400)
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    active: bool | None = None


def _parse_body(body: bytes) -> ScheduleFields:
    try:
        payload = load_json(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest("Request body is not valid JSON", field="body",
                             issue=str(exc)) from exc
    if not isinstance(payload, dict):
        raise InvalidRequest(field="body", issue="request body must be a JSON object")
    try:
        return ScheduleFields.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidRequest(field=field, issue=first["msg"]) from exc


def check_timing(cron: str | None, interval: int | None, timezone: str) -> None:
    if (cron is None) == (interval is None):
        raise InvalidRequest(field="cron", issue="give exactly one of cron or interval_seconds")
    if interval is not None and interval < MIN_INTERVAL_SECONDS:
        raise InvalidRequest(field="interval_seconds",
                             issue=f"interval_seconds must be at least {MIN_INTERVAL_SECONDS}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest(field="timezone", issue=f"unknown time zone {timezone!r}") from None
    if cron is not None:
        from prefect._internal.schemas.validators import validate_cron_string

        try:
            validate_cron_string(cron)
        except ValueError as exc:
            raise InvalidRequest(field="cron", issue=str(exc)) from None


def public_schedule(schedule: RecurringSearch, runs: list[Any] | None = None) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "schedule_id": schedule.id,
        "name": schedule.name,
        "site_id": schedule.site_id,
        "status": "active" if schedule.active else "paused",
        "active": schedule.active,
        "cron": schedule.cron,
        "interval_seconds": schedule.interval_seconds,
        "timezone": schedule.timezone,
        "command": schedule.request,
        "prefect_deployment_id": schedule.prefect_deployment_id,
        "last_run_at": iso_z(schedule.last_run_at),
        "created_at": iso_z(schedule.created_at),
        "updated_at": iso_z(schedule.updated_at),
    }
    if runs is not None:
        reply["runs"] = [{"command_id": run.command_id, "new_leads": run.new_leads,
                          "search_history_id": run.search_history_id,
                          "created_at": iso_z(run.created_at)} for run in runs]
    return reply


class ScheduleController(Controller):
    path = "/api/agents/sales/schedules"
    tags = ["Recurring searches"]

    def _apply_command(self, state: State, session: Any, company_id: str,
                       schedule: RecurringSearch, command: dict[str, Any]) -> None:
        parsed = parse_lead_generation_request(json.dumps(command).encode())
        if parsed.webhook is not None:
            problem = state.egress_policy.literal_problem(parsed.webhook.url)
            if problem:
                raise InvalidRequest(field="command.webhook.url", issue=problem)
        # The command API's own rule: siteId and userId of the caller's company, or not found.
        client = command_site(session, company_id, parsed, field_prefix="command.")
        schedule.site_id = client.client_id
        schedule.request = _without_secret(parsed.model_dump(mode="json"))
        secret = parsed.webhook.secret if parsed.webhook is not None else None
        schedule.webhook_secret_sealed = state.secret_box.seal(secret) if secret else None

    @post("/", status_code=201, summary="Create a recurring search", sync_to_thread=True)
    def create_schedule(self, request: Request, state: State, body: bytes) -> dict[str, Any]:
        """Save a lead-generation request to run on a cron or interval schedule."""
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            fields = _parse_body(body)
            for name in ("name", "command"):
                if getattr(fields, name) is None:
                    raise InvalidRequest(field=name, issue=f"{name} is required")
            timezone = fields.timezone or "UTC"
            check_timing(fields.cron, fields.interval_seconds, timezone)
            hold_company(session, caller.company_id)
            ensure_recurring_search_allowed(session, caller.company_id,
                                            state.settings.max_recurring_searches_per_company)
            schedule = RecurringSearch(
                id=new_schedule_id(), company_id=caller.company_id, site_id="", name=fields.name,
                request={}, cron=fields.cron, interval_seconds=fields.interval_seconds,
                timezone=timezone, active=True if fields.active is None else fields.active,
            )
            self._apply_command(state, session, caller.company_id, schedule, fields.command)
            session.add(schedule)
            return {"success": True, "data": public_schedule(schedule)}

    @get("/", summary="List recurring searches", sync_to_thread=True)
    def list_all(self, request: Request, state: State) -> dict[str, Any]:
        """The caller's schedules, oldest first; `?siteId=` narrows to one site."""
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            site = request.query_params.get("siteId") or None
            rows = list_schedules(session, caller.company_id, site)
            return {"success": True, "data": {"schedules": [public_schedule(r) for r in rows]}}

    @get("/{schedule_id:str}", summary="One recurring search and its runs", sync_to_thread=True)
    def get_one(self, request: Request, state: State, schedule_id: str) -> dict[str, Any]:
        """One recurring search with its schedule and recent runs."""
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            schedule = self._find(session, caller.company_id, schedule_id)
            runs = list(runs_of_schedule(session, schedule.id))
            return {"success": True, "data": public_schedule(schedule, runs)}

    @put("/{schedule_id:str}", summary="Change, pause or resume a recurring search",
         sync_to_thread=True)
    def update(self, request: Request, state: State, schedule_id: str,
               body: bytes) -> dict[str, Any]:
        """Any of name, command, cron or interval_seconds, timezone, active (false pauses)."""
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            schedule = self._find(session, caller.company_id, schedule_id)
            fields = _parse_body(body)
            cron, interval = schedule.cron, schedule.interval_seconds
            if fields.cron is not None or fields.interval_seconds is not None:
                cron, interval = fields.cron, fields.interval_seconds
            timezone = fields.timezone or schedule.timezone
            check_timing(cron, interval, timezone)
            schedule.cron, schedule.interval_seconds, schedule.timezone = cron, interval, timezone
            if fields.name is not None:
                schedule.name = fields.name
            if fields.active is not None:
                schedule.active = fields.active
            if fields.command is not None:
                self._apply_command(state, session, caller.company_id, schedule, fields.command)
            schedule.updated_at = utcnow()
            session.add(schedule)
            return {"success": True, "data": public_schedule(schedule)}

    @delete("/{schedule_id:str}", status_code=200, summary="Delete a recurring search",
            sync_to_thread=True)
    def remove(self, request: Request, state: State, schedule_id: str) -> dict[str, Any]:
        """Stops future runs; commands it already made, and their leads, stay."""
        with session_scope(state.engine) as session:
            caller = authenticate(request, session)
            schedule = self._find(session, caller.company_id, schedule_id)
            schedule.active = False
            schedule.deleted_at = schedule.updated_at = utcnow()
            session.add(schedule)
            return {"success": True, "data": {"schedule_id": schedule.id, "deleted": True}}

    @staticmethod
    def _find(session: Any, company_id: str, schedule_id: str) -> RecurringSearch:
        schedule = get_schedule(session, schedule_id, company_id)
        if schedule is None:
            raise ScheduleNotFound(field="schedule_id", issue=f"no schedule {schedule_id}")
        return schedule
