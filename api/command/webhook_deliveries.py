"""A command's webhook deliveries, each with every attempt, and redelivery by hand.

`GET  /api/agents/sales/leadGeneration/deliveries/{command_id}`
`POST /api/agents/sales/leadGeneration/deliveries/{delivery_id}/redeliver`
Command-API routes: the command-API envelope and API-key auth; another company's command or
delivery is not found.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import State
from sqlmodel import Session

from api.errors import ApiError, CommandNotFound, InvalidRequest
from api.guards import authenticated
from api.security.auth import Caller
from storage.commands.records import get_command
from storage.db.clock import iso_z
from storage.webhooks.models import WebhookAttempt, WebhookDelivery
from storage.webhooks.outbox import command_deliveries, delivery_attempts, schedule_redelivery


class DeliveryNotFound(ApiError):
    code, status_code, message = ("DELIVERY_NOT_FOUND", 404,
                                  "The specified webhook delivery does not exist")


def public_attempt(attempt: WebhookAttempt) -> dict[str, Any]:
    return {"number": attempt.number, "started_at": iso_z(attempt.started_at),
            "status_code": attempt.status_code, "latency_ms": attempt.latency_ms,
            "error": attempt.error, "succeeded": attempt.succeeded}


def public_delivery(delivery: WebhookDelivery,
                    attempts: list[WebhookAttempt] | None = None) -> dict[str, Any]:
    """A delivery's state as the API shows it (never the secret, never the signature)."""
    view: dict[str, Any] = {
        "delivery_id": delivery.id,
        "event": delivery.event,
        "url": delivery.url,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "max_attempts": delivery.max_attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "next_attempt_at": iso_z(delivery.next_attempt_at) if delivery.status == "pending"
        else None,
        "created_at": iso_z(delivery.created_at),
        "delivered_at": iso_z(delivery.delivered_at),
    }
    if attempts is not None:
        view["attempt_log"] = [public_attempt(attempt) for attempt in attempts]
    return view


def delivery_states(session: Session, command_id: str) -> list[dict[str, Any]]:
    """What the status endpoint shows of a command's webhook: each event's state."""
    return [public_delivery(delivery) for delivery in command_deliveries(session, command_id)]


class WebhookDeliveryController(Controller):
    path = "/api/agents/sales/leadGeneration/deliveries"
    tags = ["Webhook deliveries"]
    guards = [authenticated]

    @get("/{command_id:str}", summary="Webhook deliveries of a command, with every attempt",
         sync_to_thread=True)
    def list_deliveries(self, session: Session, caller: Caller,
                        command_id: str) -> dict[str, Any]:
        """Every webhook delivery of a command (event, status, attempts with time, status code,
        latency and error).
        """
        command = get_command(session, command_id, caller.company_id)
        if command is None:
            raise CommandNotFound(field="command_id", issue=f"no command {command_id}")
        deliveries = [
            public_delivery(delivery, list(delivery_attempts(session, delivery.id)))
            for delivery in command_deliveries(session, command.id)
        ]
        return {"success": True,
                "data": {"command_id": command.id, "webhook_url": command.webhook_url,
                         "deliveries": deliveries}}

    @post("/{delivery_id:str}/redeliver", status_code=202,
          summary="Send a failed webhook delivery again, with the same event id",
          sync_to_thread=True)
    def redeliver(self, state: State, session: Session, caller: Caller,
                  delivery_id: str) -> dict[str, Any]:
        """One more attempt, now; the delivery's attempts show how it went."""
        delivery = session.get(WebhookDelivery, delivery_id)
        command = (get_command(session, delivery.command_id, caller.company_id)
                   if delivery is not None else None)
        if delivery is None or command is None:
            raise DeliveryNotFound(field="delivery_id", issue=f"no delivery {delivery_id}")
        if delivery.status != "failed":
            raise InvalidRequest(
                field="delivery_id",
                issue=f"only a failed delivery can be redelivered; this one is "
                      f"{delivery.status}")
        if delivery.payload_purged_at is not None:
            raise InvalidRequest(
                field="delivery_id",
                issue="its payload was purged by the retention setting "
                      "(LEADMILL_RETENTION_DAYS)")
        schedule_redelivery(session, delivery)
        reply = public_delivery(delivery)
        # The dispatcher reads the delivery as soon as it wakes: store it first.
        session.commit()
        dispatcher = getattr(state, "webhook_dispatcher", None)
        if dispatcher is not None:
            dispatcher.wake()
        return {"success": True, "data": reply}
