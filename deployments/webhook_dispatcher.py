"""The webhook dispatcher: delivers what the outbox holds, from the API process.

Flows only *record* webhook events (`tasks.delivery.events`); this thread claims due deliveries from
the operational DB with a lease (renewed while the attempt runs), POSTs them on a small pool of
sender threads, records every attempt and schedules the next one with exponential backoff and
jitter (tasks/delivery/webhook_sender.py). Everything it needs is in the database, so after a crash
—
even kill -9 — any instance, whatever its name, picks up the deliveries once their lease runs
out: nothing is lost, and a delivered event is never claimed again. A request that cannot even
be built (a sealed secret that no longer opens) counts as a failed attempt, with the reason,
so it ends `failed` after the retries instead of coming back forever.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime

import httpx
from sqlalchemy.engine import Engine

from deployments.lease_keeper import LeaseKeeper
from storage.commands.models import Command
from storage.db.clock import utcnow
from storage.db.engine import session_scope
from storage.settings import LeadmillSettings
from storage.tenancy.secrets import SecretBox, load_secret_box
from storage.webhooks.models import WebhookDelivery
from storage.webhooks.outbox import (
    DROPPED,
    AttemptOutcome,
    claim_due_deliveries,
    next_due_at,
    record_attempt,
)
from tasks.delivery.webhook_sender import post_webhook, retry_delay, signed_request
from tasks.egress import EgressPolicy, egress_client

log = logging.getLogger("leadmill.webhooks")

SENDER_THREADS = 16
# How long to sleep when nothing is due; new events are recorded by flows in other threads.
IDLE_POLL_SECONDS = 0.25


class WebhookDispatcher:
    """Sends due webhook deliveries; one per API process, `owner` naming its leases."""

    def __init__(self, settings: LeadmillSettings, engine: Engine, owner: str,
                 *, senders: int = SENDER_THREADS, policy: EgressPolicy | None = None,
                 secret_box: SecretBox | None = None) -> None:
        self.settings = settings
        # One total deadline per attempt: the webhook timeout, however slowly a receiver drips.
        self._policy = (policy or EgressPolicy.from_settings(settings)).with_deadline(
            settings.webhook_timeout_seconds)
        self.engine = engine
        self.owner = owner
        self._senders = senders
        # The process's box (its runtime's); loading one here serves callers without a runtime.
        self._box = secret_box or load_secret_box(settings)
        self._work: queue.Queue[WebhookDelivery | None] = queue.Queue()
        self._free = threading.Semaphore(senders)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._client: httpx.Client | None = None
        # SQLite has one writer at a time and its busy handler waits by sleeping; taking turns
        # in-process instead keeps 16 senders from sleeping on each other's locks.
        self._write_turn = threading.Lock()
        self._leases = LeaseKeeper(engine, WebhookDelivery, settings.lease_seconds,
                                   name="leadmill-webhook-leases")

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._leases.start()
        self._client = self._new_client()
        # Daemon threads: an attempt hanging on a slow receiver must not hold up shutdown; its
        # lease runs out and the delivery is sent again.
        self._threads = [threading.Thread(target=self._send_forever, daemon=True,
                                          name=f"leadmill-webhook-{n}")
                         for n in range(self._senders)]
        self._threads.append(threading.Thread(target=self._claim_forever, daemon=True,
                                              name="leadmill-webhook-claim"))
        for thread in self._threads:
            thread.start()

    def _new_client(self) -> httpx.Client:
        return egress_client(self._policy, follow_redirects=False,
                             max_connections=self._senders)

    def stop(self) -> None:
        self._stopping.set()
        self._leases.stop()
        self._wake.set()
        for _ in range(self._senders):
            self._work.put(None)

    def wake(self) -> None:
        """Something became due (a redelivery, a new event): look now instead of at next poll."""
        self._wake.set()

    # -- claiming --------------------------------------------------------------------------
    def _claim_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                claimed = self._claim_batch()
            except Exception:  # noqa: BLE001 - the loop must survive a DB hiccup
                log.exception("claiming webhook deliveries failed; retrying")
                claimed = 0
            if claimed == 0 and not self._stopping.is_set():
                self._wake.wait(timeout=self._idle_seconds_or_default())
                self._wake.clear()

    def _claim_batch(self) -> int:
        """Claim as many due deliveries as there are idle senders; -1 when none is idle."""
        if not self._free.acquire(timeout=IDLE_POLL_SECONDS):
            return -1
        free = 1
        while free < self._senders and self._free.acquire(blocking=False):
            free += 1
        try:
            with self._write_turn:
                deliveries = claim_due_deliveries(self.engine, self.owner, free,
                                                  self.settings.lease_seconds)
        except Exception:
            for _ in range(free):  # hand the idle senders back, or they are lost for good
                self._free.release()
            raise
        for delivery in deliveries:
            self._leases.hold(delivery.id, delivery.lease_token or "")
            self._work.put(delivery)
        for _ in range(free - len(deliveries)):
            self._free.release()
        return len(deliveries)

    def _idle_seconds_or_default(self) -> float:
        try:
            return self._idle_seconds()
        except Exception:  # noqa: BLE001 - a DB hiccup: poll again at the usual pace
            log.exception("reading the next due webhook failed")
            return IDLE_POLL_SECONDS

    def _idle_seconds(self) -> float:
        with session_scope(self.engine) as session:
            due = next_due_at(session)
        if due is None:
            return IDLE_POLL_SECONDS
        if isinstance(due, str):  # SQLite hands an aggregate back as text
            due = datetime.fromisoformat(due)
        if due.tzinfo is None:
            due = due.replace(tzinfo=utcnow().tzinfo)
        return min(IDLE_POLL_SECONDS, max(0.01, (due - utcnow()).total_seconds()))

    # -- sending ---------------------------------------------------------------------------
    def _send_forever(self) -> None:
        while True:
            delivery = self._work.get()
            if delivery is None:
                return
            try:
                self.deliver(delivery)
            except Exception:  # noqa: BLE001 - its lease runs out and it is tried again
                log.exception("webhook %s could not be attempted", delivery.id)
            finally:
                self._leases.release(delivery.id)
                self._free.release()

    def deliver(self, delivery: WebhookDelivery) -> str:
        """One attempt of a claimed delivery; returns its new status (`DROPPED` when the lease
        ran out meanwhile and another sender owns the delivery now)."""
        try:
            body, headers = self._request(delivery)
        except Exception as exc:  # noqa: BLE001 - recorded as the attempt's error, below
            # Nothing was sent; as an attempt it takes a retry, so it ends `failed` with the
            # reason after the last one instead of being claimed again forever.
            log.exception("webhook %s: the request could not be built", delivery.id)
            outcome = AttemptOutcome(status_code=None, latency_ms=0, started_at=utcnow(),
                                     error=f"the request could not be built: "
                                           f"{type(exc).__name__}: {exc}"[:500])
        else:
            outcome = post_webhook(
                self._client or self._new_client(), delivery.url, body, headers,
                self.settings.webhook_timeout_seconds, self._policy)
        retry_at = utcnow() + retry_delay(delivery.attempts + 1,
                                          self.settings.webhook_retry_base_seconds)
        with self._write_turn:
            status = record_attempt(self.engine, delivery, outcome, retry_at)
        if status == DROPPED:
            log.warning("webhook %s: the lease ran out during the attempt; its outcome is "
                        "dropped (another sender owns the delivery now)", delivery.id)
        elif outcome.succeeded:
            log.info("webhook %s %s delivered (HTTP %s, %d ms, attempt %d)", delivery.id,
                     delivery.event, outcome.status_code, outcome.latency_ms,
                     delivery.attempts + 1)
        else:
            log.warning("webhook %s attempt %d failed after %d ms: %s; now %s", delivery.id,
                        delivery.attempts + 1, outcome.latency_ms, outcome.error, status)
        return status

    def _request(self, delivery: WebhookDelivery) -> tuple[bytes, dict[str, str]]:
        with session_scope(self.engine) as session:
            command = session.get(Command, delivery.command_id)
            sealed = command.webhook_secret_sealed if command else None
        secret = self._box.open(sealed) if sealed else None
        return signed_request(delivery.id, delivery.payload, secret)
