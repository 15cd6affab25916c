"""One webhook attempt: build the signed request, POST it through the outbound-call policy,
time it.

Pure of storage: the dispatcher hands in the delivery's URL, payload, event id and secret, and
stores the `AttemptOutcome` this returns. Where the request may go is not decided here: the
client comes from `tasks.egress.egress_client`, which checks the address it connects to.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from typing import Any

import httpx

from storage.db.clock import utcnow
from storage.webhooks.outbox import AttemptOutcome
from tasks.delivery.webhook_format import js_json, sign_body
from tasks.egress import EgressPolicy, EgressRefused

USER_AGENT = "Leadmill-Webhook/1"
# Response bodies are read only this far: a receiver can't make us buffer gigabytes.
MAX_RESPONSE_BYTES = 64 * 1024
# Each retry waits three times longer than the one before: from the base (60 s by default) the
# five retries reach 1, 4, 13, 40 and 121 minutes after the first failure — a window a
# receiver's deploy or short outage fits in, rather than the half-minute doubling gave.
BACKOFF_FACTOR = 3
# Jitter spreads retries of many deliveries that failed together (a receiver's outage) so they
# don't come back as one burst: each delay is moved by a random ±20 %.
JITTER_FACTOR = 0.2


def retry_schedule(base_seconds: float, retries: int = 5) -> list[float]:
    """The nominal delay before each retry, without jitter: base · 3^(n-1)."""
    return [base_seconds * BACKOFF_FACTOR ** n for n in range(retries)]


def retry_delay(failed_attempts: int, base_seconds: float, rng: random.Random | None = None
                ) -> timedelta:
    """The wait after `failed_attempts` failures: base · 3^(n-1) · (1 ± 0.2)."""
    nominal = base_seconds * BACKOFF_FACTOR ** (failed_attempts - 1)
    spread = (rng or random).uniform(-JITTER_FACTOR, JITTER_FACTOR)
    return timedelta(seconds=nominal * (1 + spread))


def signed_request(event_id: str, payload: dict[str, Any], secret: str | None
                   ) -> tuple[bytes, dict[str, str]]:
    """The body (as JSON.stringify writes it) and headers of every attempt of one event."""
    body = js_json(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Uncodie-Event-Id": event_id,
        "Uncodie-Event": str(payload.get("event", "")),
    }
    if secret:
        headers["Uncodie-Signature"] = sign_body(body, secret)
    return body, headers


def post_webhook(client: httpx.Client, url: str, body: bytes, headers: dict[str, str],
                 timeout_seconds: float, policy: EgressPolicy) -> AttemptOutcome:
    """POST once through `client` (an egress client of `policy`). Any 2xx succeeds; anything
    else (status, timeout, refusal) is an error, recorded in the delivery log."""
    started_at = utcnow()
    started = time.perf_counter()
    status_code: int | None = None
    error = policy.literal_problem(url)
    if error is None:
        try:
            with client.stream("POST", url, content=body, headers=headers,
                               timeout=timeout_seconds) as response:
                status_code = response.status_code
                received = 0
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received >= MAX_RESPONSE_BYTES:
                        break
        except EgressRefused as exc:
            error = str(exc)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    latency_ms = round((time.perf_counter() - started) * 1000)
    if status_code is not None and not 200 <= status_code < 300:
        error = f"HTTP {status_code}"
    return AttemptOutcome(status_code=status_code, latency_ms=latency_ms, error=error,
                          started_at=started_at)
