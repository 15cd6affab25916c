"""One webhook attempt: build the signed request, check where it goes, POST it, time it.

Pure of storage: the dispatcher hands in the delivery's URL, payload, event id and secret, and
stores the `AttemptOutcome` this returns.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from storage.clock import utcnow
from storage.webhook_outbox import AttemptOutcome
from tasks.delivery import webhook_target_problem
from tasks.webhook_format import js_json, sign_body

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


Resolver = Callable[..., list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Target:
    """Where one attempt goes: the problem that stops it, or the address it must connect to.

    `address` is None when the URL's own host is used (a literal IP, or a name on the
    allow-list); otherwise it is the resolved address that passed the check, and the attempt
    connects to exactly that one, so a second lookup can't answer differently (DNS rebinding).
    """

    problem: str | None
    address: str | None = None


def resolve_target(url: str, allowed_hosts: frozenset[str],
                   resolve: Resolver = socket.getaddrinfo) -> Target:
    """`webhook_target_problem`, then the addresses the host resolves to *now*.

    A public name may point at 127.0.0.1 or 10.x today (or tomorrow: DNS rebinding), so the
    check on the literal URL when the command arrived is not enough. An address on the
    allow-list is admitted like a host name on it.
    """
    problem = webhook_target_problem(url, allowed_hosts)
    if problem:
        return Target(problem)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in allowed_hosts:
        return Target(None)
    try:
        ipaddress.ip_address(host)
        return Target(None)  # a literal address was checked above
    except ValueError:
        pass
    try:
        infos = resolve(host, parts.port or (443 if parts.scheme == "https" else 80),
                        type=socket.SOCK_STREAM)
    except OSError as exc:
        return Target(f"host {host} does not resolve: {exc}")
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        return Target(f"host {host} does not resolve")
    for address in addresses:
        if not address.is_global and str(address) not in allowed_hosts:
            return Target(f"host {host} resolves to {address}, on a private network")
    return Target(None, str(addresses[0]))


def pinned_request(url: str, address: str | None) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The URL to open, extra headers and httpx extensions that connect to `address`.

    The request still names the original host (Host header; TLS SNI and certificate check via
    httpx's `sni_hostname` extension), it just skips a second DNS lookup.
    """
    if address is None:
        return url, {}, {}
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return urlunsplit(parts._replace(netloc=netloc)), {"Host": host_header}, extensions


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
                 timeout_seconds: float, allowed_hosts: frozenset[str],
                 resolve: Resolver = socket.getaddrinfo) -> AttemptOutcome:
    """POST once. Any 2xx succeeds; anything else (status, timeout, refusal) is an error."""
    started_at = utcnow()
    started = time.perf_counter()
    status_code: int | None = None
    target = resolve_target(url, allowed_hosts, resolve)
    error = target.problem
    if error is None:
        request_url, host_header, extensions = pinned_request(url, target.address)
        try:
            with client.stream("POST", request_url, content=body,
                               headers={**headers, **host_header}, extensions=extensions,
                               timeout=timeout_seconds) as response:
                status_code = response.status_code
                received = 0
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received >= MAX_RESPONSE_BYTES:
                        break
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    latency_ms = round((time.perf_counter() - started) * 1000)
    if status_code is not None and not 200 <= status_code < 300:
        error = f"HTTP {status_code}"
    return AttemptOutcome(status_code=status_code, latency_ms=latency_ms, error=error,
                          started_at=started_at)
