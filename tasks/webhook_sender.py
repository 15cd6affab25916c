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

from storage.clock import utcnow
from storage.webhook_outbox import AttemptOutcome
from tasks.egress import EgressPolicy, EgressRefused
from tasks.webhook_format import js_json, sign_body

USER_AGENT = "Leadmill-Webhook/1"
# Response bodies are read only this far: a receiver can't make us buffer gigabytes.
MAX_RESPONSE_BYTES = 64 * 1024
# Jitter spreads retries of many deliveries that failed together (a receiver's outage) so they
# don't come back as one burst: each delay is stretched by a random 0–50 %.
JITTER_FACTOR = 0.5


def retry_delay(failed_attempts: int, base_seconds: float, rng: random.Random | None = None
                ) -> timedelta:
    """Exponential backoff with jitter: base · 2^(n-1) · (1 + U[0, 0.5]) after n failures."""
    spread = (rng or random).uniform(0, JITTER_FACTOR)
    return timedelta(seconds=base_seconds * 2 ** (failed_attempts - 1) * (1 + spread))


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
