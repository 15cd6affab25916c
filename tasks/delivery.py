"""Delivery: the completion webhook, signed with the command's secret and retried on failure.

Each event is recorded as a `WebhookDelivery` (its payload, attempts, last status) before the
first attempt; every attempt carries the same `Uncodie-Event-Id` so receivers can drop repeats.
"""

from __future__ import annotations

import ipaddress
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
from prefect import get_run_logger, task

from storage.clock import iso_z, utcnow
from storage.commands import get_command
from storage.database import engine_for_data_dir, session_scope
from storage.models import WebhookDelivery
from storage.secrets import SecretBox
from storage.settings import LeadmillSettings
from tasks.webhook_format import js_json, sign_body

USER_AGENT = "Leadmill-Webhook/1"
# Response bodies are read only this far: a receiver can't make us buffer gigabytes.
MAX_RESPONSE_BYTES = 64 * 1024


class WebhookRejected(RuntimeError):
    """The receiver answered with a non-2xx status, or could not be reached."""


def webhook_target_problem(url: str, allowed_hosts: frozenset[str]) -> str | None:
    """Why `url` may not receive webhooks, or None when it may.

    Loopback, private, link-local and reserved addresses are refused unless the host is on
    the allow-list (`LEADMILL_WEBHOOK_ALLOWED_HOSTS`): a webhook must not become a way to reach
    the machine's own services.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return "url must start with http:// or https://"
    host = (parts.hostname or "").lower()
    if not host:
        return "url must name a host"
    if parts.username or parts.password:
        return "url must not carry credentials"
    if host in allowed_hosts:
        return None
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
        return f"host {host} is on a private network"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not address.is_global:
        return f"address {host} is on a private network"
    return None


def completion_payload(command: Any, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The documented `lead_generation.completed` body (without the unsignable body signature)."""
    summary = dict(command.summary or {})
    completion_time = iso_z(command.completed_at or utcnow())
    return {
        "event": "lead_generation.completed",
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
            },
        },
        "metadata": metadata or {},
    }


@task(name="enqueue-webhook", retries=3)
def enqueue_webhook(data_dir: str, command_id: str) -> str | None:
    """Record the completion event for delivery; None when the command has no webhook."""
    with session_scope(engine_for_data_dir(data_dir)) as session:
        command = get_command(session, command_id)
        if command is None or not command.webhook_url:
            return None
        delivery = WebhookDelivery(
            id=f"evt_{uuid.uuid4().hex}",
            command_id=command_id,
            event="lead_generation.completed",
            url=command.webhook_url,
            payload=completion_payload(command, command.webhook_metadata),
        )
        session.add(delivery)
        return delivery.id


@task(name="deliver-webhook", retries=5)
def deliver_webhook(data_dir: str, delivery_id: str, timeout_seconds: float = 10.0) -> int:
    """POST one recorded event; raises on a non-2xx reply so Prefect retries it."""
    settings = LeadmillSettings(data_dir=data_dir)
    engine = engine_for_data_dir(data_dir)
    with session_scope(engine) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            raise LookupError(f"webhook delivery {delivery_id} does not exist")
        if delivery.status == "delivered":  # a retried task after a success sends nothing
            return delivery.last_status_code or 200
        command = get_command(session, delivery.command_id)
        sealed = command.webhook_secret_sealed if command else None
        url, payload = delivery.url, delivery.payload

    body = js_json(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Uncodie-Event-Id": delivery_id,
        "Uncodie-Event": payload["event"],
    }
    if sealed:
        secret = SecretBox.for_data_dir(settings.secret_key_file).open(sealed)
        headers["Uncodie-Signature"] = sign_body(body, secret)

    started = time.perf_counter()
    status_code: int | None = None
    error: str | None = None
    try:
        with httpx.Client(timeout=timeout_seconds, follow_redirects=False) as client, \
                client.stream("POST", url, content=body, headers=headers) as response:
            status_code = response.status_code
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received >= MAX_RESPONSE_BYTES:
                    break
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    latency_ms = round((time.perf_counter() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300

    with session_scope(engine) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        delivery.attempts += 1
        delivery.last_status_code = status_code
        delivery.last_error = error or (None if succeeded else f"HTTP {status_code}")
        if succeeded:
            delivery.status, delivery.delivered_at = "delivered", utcnow()
        session.add(delivery)
    logger = get_run_logger()
    if not succeeded:
        logger.warning("webhook %s attempt failed after %d ms: %s", delivery_id, latency_ms,
                       error or f"HTTP {status_code}")
        raise WebhookRejected(error or f"receiver answered HTTP {status_code}")
    logger.info("webhook %s delivered (HTTP %s, %d ms)", delivery_id, status_code, latency_ms)
    return status_code


@task(name="mark-webhook-failed", retries=3)
def mark_webhook_failed(data_dir: str, delivery_id: str) -> None:
    with session_scope(engine_for_data_dir(data_dir)) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is not None and delivery.status != "delivered":
            delivery.status = "failed"
            session.add(delivery)
