"""HTTP for research providers: retries, rate limits and a record of what was spent.

Providers answer 429 with `Retry-After` when we go too fast and 5xx when they are unwell;
`ProviderHttp.request` waits as told (capped) on 429, backs off exponentially on 5xx and
transport errors, and gives up after `attempts`. `Spend` counts requests, records and credits so
a command can say what its research cost. API keys travel in headers or query parameters and
are never logged. Every request goes through the outbound-call policy (`tasks.egress`): a base
URL on a private address is refused at once, without retries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tasks.egress import EgressPolicy, EgressRefused, egress_client

log = logging.getLogger(__name__)

MAX_RETRY_AFTER_SECONDS = 30.0


class ProviderError(RuntimeError):
    """A provider could not answer: the message says which and why (never the key)."""


@dataclass
class Spend:
    """What a source cost: HTTP requests, records returned and provider credits."""

    requests: int = 0
    records: int = 0
    credits: float = 0.0
    rate_limited: int = 0
    retries: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "records": self.records, "credits": self.credits,
                "rate_limited": self.rate_limited, "retries": self.retries}


def _retry_after(response: httpx.Response, fallback: float) -> float:
    value = response.headers.get("retry-after", "").strip()
    try:
        return min(MAX_RETRY_AFTER_SECONDS, max(0.0, float(value)))
    except ValueError:
        return fallback  # an HTTP date or garbage: use our own backoff


@dataclass
class ProviderHttp:
    """One provider's HTTP client; `sleep` is injectable so nothing but time is faked."""

    name: str
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 20.0
    attempts: int = 5
    backoff: float = 0.5
    spend: Spend = field(default_factory=Spend)
    sleep: Callable[[float], None] = time.sleep
    policy: EgressPolicy = field(default_factory=EgressPolicy)

    def __post_init__(self) -> None:
        self._client = egress_client(self.policy.with_deadline(self.timeout),
                                     base_url=self.base_url.rstrip("/"), timeout=self.timeout,
                                     headers=self.headers, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ProviderHttp:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, *, ok_statuses: tuple[int, ...] = (),
                **kwargs: Any) -> httpx.Response:
        """Send one request, retrying 429 (after Retry-After), 5xx and transport errors.

        Only for idempotent requests: the providers' people and domain searches (POST at
        Apollo and PDL, but read-only queries) — never for a call that acts or is billed per
        arrival.

        Args:
            ok_statuses: Non-2xx statuses that are an answer, not a failure (PDL's 404 = none).

        Raises:
            ProviderError: every attempt failed, or the provider refused the request (4xx).
        """
        delay = self.backoff
        last = "no attempt"
        for attempt in range(1, self.attempts + 1):
            self.spend.requests += 1
            try:
                response = self._client.request(method, path, **kwargs)
            except EgressRefused as exc:
                raise ProviderError(f"{self.name}: {exc}") from exc
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"[:200]
            else:
                if response.is_success or response.status_code in ok_statuses:
                    return response
                if response.status_code == 429:
                    self.spend.rate_limited += 1
                    wait = _retry_after(response, delay)
                    last = f"429 (rate limited, Retry-After {wait:g} s)"
                    if attempt < self.attempts:
                        log.info("%s: rate limited, waiting %.1f s", self.name, wait)
                        self.spend.retries += 1
                        self.sleep(wait)
                        continue
                    break
                if response.status_code < 500:
                    raise ProviderError(
                        f"{self.name} refused the request: HTTP {response.status_code} "
                        f"{response.text[:200]}")
                last = f"HTTP {response.status_code}"
            if attempt < self.attempts:
                self.spend.retries += 1
                log.info("%s: %s, retrying in %.1f s", self.name, last, delay)
                self.sleep(delay)
                delay *= 2
        raise ProviderError(f"{self.name} failed after {self.attempts} attempts: {last}")
