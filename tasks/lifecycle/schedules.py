"""Saving recurring searches: the operations behind the schedules API and `leadmill schedules`.

A schedule is a validated lead-generation request, the client it names and a timing. Both
faces parse their own input (an HTTP body, a JSON file) and resolve the client; from there
`create_schedule`, `change_schedule`, `set_schedule_active` and `delete_schedule` apply the
one set of rules: the timing Prefect's scheduler accepts, the outbound-call policy for the
webhook, the company's cap on recurring searches, and the webhook secret sealed, never stored
in clear. A refusal is an `InvalidSchedule` (or the cap's `CapReached`) for each face to answer.

This sits above storage because two of those rules are not storage's: a cron expression is
valid when Prefect's own cron rule says so, and a webhook URL when `tasks.egress` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from storage.commands.limits import ensure_recurring_search_allowed, hold_company
from storage.commands.models import RecurringSearch
from storage.commands.recurring import new_schedule_id
from storage.commands.submission import seal_request
from storage.db.clock import utcnow
from storage.tenancy.models import Client
from storage.tenancy.secrets import SecretBox
from tasks.egress import EgressPolicy

MIN_INTERVAL_SECONDS = 60


class InvalidSchedule(ValueError):
    """A schedule field the rules refuse; `field` is its path in the schedules API body."""

    def __init__(self, field: str, issue: str) -> None:
        self.field, self.issue = field, issue
        super().__init__(f"{field}: {issue}")


def _check_cron(cron: str) -> None:
    # Imported here: Prefect takes seconds to import, and only a cron needs it.
    from prefect._internal.schemas.validators import validate_cron_string

    try:
        validate_cron_string(cron)
    except ValueError as exc:
        raise InvalidSchedule("cron", str(exc)) from None


@dataclass(frozen=True)
class ScheduleTiming:
    """When a schedule runs: exactly one of a cron expression or an interval, in a time zone.

    Checked when built, so a timing that exists is one the scheduler can mirror.

    Raises:
        InvalidSchedule: both or neither of cron and interval, an interval under a minute,
            an unknown time zone or a cron expression Prefect refuses.
    """

    cron: str | None
    interval_seconds: int | None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if (self.cron is None) == (self.interval_seconds is None):
            raise InvalidSchedule("cron", "give exactly one of cron or interval_seconds")
        if self.interval_seconds is not None and self.interval_seconds < MIN_INTERVAL_SECONDS:
            raise InvalidSchedule(
                "interval_seconds", f"interval_seconds must be at least {MIN_INTERVAL_SECONDS}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidSchedule("timezone", f"unknown time zone {self.timezone!r}") from None
        if self.cron is not None:
            _check_cron(self.cron)


def _apply_request(schedule: RecurringSearch, client: Client, payload: dict[str, Any],
                   secret_box: SecretBox, egress_policy: EgressPolicy) -> None:
    webhook = payload.get("webhook") or {}
    if webhook.get("url"):
        problem = egress_policy.literal_problem(webhook["url"])
        if problem:
            raise InvalidSchedule("command.webhook.url", problem)
    stored = seal_request(payload, secret_box)
    schedule.site_id = client.client_id
    schedule.request = stored.request
    schedule.webhook_secret_sealed = stored.webhook_secret_sealed


def _apply_timing(schedule: RecurringSearch, timing: ScheduleTiming) -> None:
    schedule.cron, schedule.interval_seconds = timing.cron, timing.interval_seconds
    schedule.timezone = timing.timezone


def create_schedule(
    session: Session,
    client: Client,
    name: str,
    payload: dict[str, Any],
    timing: ScheduleTiming,
    *,
    active: bool,
    secret_box: SecretBox,
    egress_policy: EgressPolicy,
    max_per_company: int,
) -> RecurringSearch:
    """Store a new recurring search of `client`'s company that runs `payload` on `timing`.

    Args:
        client: The live client the request's `siteId` names (checked by the caller).
        payload: The validated lead-generation request's JSON dump, secret included.
        max_per_company: The company's cap on recurring searches.

    Raises:
        CapReached: the company already has `max_per_company` recurring searches.
        InvalidSchedule: the outbound-call policy refuses the webhook URL.
    """
    # The lock first, so two requests of one company cannot both pass the cap.
    hold_company(session, client.company_id)
    ensure_recurring_search_allowed(session, client.company_id, max_per_company)
    schedule = RecurringSearch(id=new_schedule_id(), company_id=client.company_id,
                               site_id=client.client_id, name=name, request={}, active=active)
    _apply_timing(schedule, timing)
    _apply_request(schedule, client, payload, secret_box, egress_policy)
    session.add(schedule)
    session.flush()
    return schedule


def change_schedule(
    session: Session,
    schedule: RecurringSearch,
    *,
    secret_box: SecretBox,
    egress_policy: EgressPolicy,
    name: str | None = None,
    timing: ScheduleTiming | None = None,
    active: bool | None = None,
    client: Client | None = None,
    payload: dict[str, Any] | None = None,
) -> RecurringSearch:
    """Change what is given of a schedule (`client` and `payload` together); None keeps it.

    Raises:
        InvalidSchedule: the outbound-call policy refuses the new webhook URL.
    """
    if timing is not None:
        _apply_timing(schedule, timing)
    if name is not None:
        schedule.name = name
    if active is not None:
        schedule.active = active
    if payload is not None:
        if client is None:
            raise ValueError("a new request needs the client it names")
        _apply_request(schedule, client, payload, secret_box, egress_policy)
    schedule.updated_at = utcnow()
    session.add(schedule)
    return schedule


def set_schedule_active(session: Session, schedule: RecurringSearch, active: bool) -> None:
    """Pause (`False`) or resume (`True`) a schedule; the scheduler follows within seconds."""
    schedule.active = active
    schedule.updated_at = utcnow()
    session.add(schedule)


def delete_schedule(session: Session, schedule: RecurringSearch) -> None:
    """Stop future runs; the commands it already made, and their leads, stay (soft delete)."""
    schedule.active = False
    schedule.deleted_at = schedule.updated_at = utcnow()
    session.add(schedule)
