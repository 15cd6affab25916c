"""Delivery: which webhook events a command produces (where they may go is the outbound-call
policy's decision, `tasks.egress`).

A command's events (`lead_generation.completed`, `lead_generation.failed`) are only *recorded*
here, in the outbox of the operational DB (`storage.webhooks.outbox`); the webhook dispatcher
(`deployments/webhook_dispatcher.py`) sends them, retries them and survives restarts. So a
command is complete once its leads are stored, whatever its receiver does.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from sqlalchemy.engine import Engine

from storage.commands.models import Command
from storage.db.clock import iso_z, utcnow
from storage.db.engine import session_scope
from storage.runtime import Runtime
from storage.webhooks.outbox import enqueue_delivery
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME

COMPLETED_EVENT = "lead_generation.completed"
FAILED_EVENT = "lead_generation.failed"


def completion_payload(command: Any, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The documented `lead_generation.completed` body (without the unsignable body signature)."""
    summary = dict(command.summary or {})
    completion_time = iso_z(command.completed_at or utcnow())
    return {
        "event": COMPLETED_EVENT,
        "timestamp": iso_z(utcnow()),
        "site_id": command.site_id,
        "command_id": command.id,
        "data": {
            "status": "completed",
            "completion_time": completion_time,
            "leads_count": summary.get("total_leads", 0),
            "summary": {
                "average_match_score": summary.get("average_match_score", 0),
                "verified_percentage": summary.get("verified_percentage", 0),
                "industries_breakdown": summary.get("industries_breakdown", {}),
                "roles_breakdown": summary.get("roles_breakdown", {}),
                # Beyond the document: people left out as suppressed (do-not-contact, erased).
                "suppressed": summary.get("suppressed", 0),
            },
        },
        "metadata": metadata or {},
    }


def failure_payload(command: Any, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The `lead_generation.failed` body: the completed event's shape, with the error."""
    return {
        "event": FAILED_EVENT,
        "timestamp": iso_z(utcnow()),
        "site_id": command.site_id,
        "command_id": command.id,
        "data": {
            "status": "failed",
            "completion_time": iso_z(command.completed_at or utcnow()),
            "leads_count": 0,
            "stage": command.stage,
            "error": {"code": "SYSTEM_ERROR",
                      "message": command.error or "The lead generation run failed"},
        },
        "metadata": metadata or {},
    }


def record_command_event(engine: Engine, command_id: str, event: str) -> str | None:
    """Put `event` of a command in the outbox; its event id, or None without a webhook."""
    build = completion_payload if event == COMPLETED_EVENT else failure_payload
    with session_scope(engine) as session:
        command = session.get(Command, command_id)
        if command is None or not command.webhook_url:
            return None
        delivery = enqueue_delivery(session, command_id=command_id, event=event,
                                    url=command.webhook_url,
                                    payload=build(command, command.webhook_metadata))
        return delivery.id


@task(name="enqueue-webhook", retries=3, cache_policy=CACHE_WITHOUT_RUNTIME)
def enqueue_webhook(runtime: Runtime, command_id: str) -> str | None:
    """Record the completion event for delivery; None when the command has no webhook."""
    return record_command_event(runtime.engine, command_id, COMPLETED_EVENT)
