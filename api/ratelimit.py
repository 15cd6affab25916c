"""Per-credential rate limits (requests per minute by tier) and their X-RateLimit-* headers.

A fixed one-minute window per API key or per user token, counted in this process's memory:
with several API processes each enforces its own window (a shared counter, e.g. Redis, would
be needed for a global limit). `authenticate` charges the request and leaves the window's
numbers on the request state; `RateLimitHeadersMiddleware` writes them on every response,
errors included.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from litestar.types import ASGIApp, Message, Receive, Scope, Send

STATE_KEY = "leadmill_rate_limit"


@dataclass(frozen=True)
class RateWindow:
    limit: int
    remaining: int
    reset_epoch: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": str(self.reset_epoch)}


class RateLimiter:
    """Counts requests per credential in fixed one-minute windows."""

    def __init__(self, limits: dict[str, int], window_seconds: float = 60.0) -> None:
        self._limits = dict(limits)
        self._window = window_seconds
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def limit_for(self, tier: str) -> int:
        return self._limits.get(tier, self._limits["standard"])

    def charge(self, credential: str, tier: str) -> RateWindow:
        limit = self.limit_for(tier)
        now = time.time()
        with self._lock:
            started, count = self._counts.get(credential, (now, 0))
            if now - started >= self._window:
                started, count = now, 0
            allowed = count < limit
            if allowed:
                count += 1
            self._counts[credential] = (started, count)
            if len(self._counts) > 100_000:  # forget idle credentials
                self._counts = {key: value for key, value in self._counts.items()
                                if now - value[0] < self._window}
        return RateWindow(limit, max(limit - count, 0),
                          math.ceil(started + self._window), allowed)


class RateLimitHeadersMiddleware:
    """Adds the charged window's X-RateLimit-* headers to the response of the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                window = scope.get("state", {}).get(STATE_KEY)
                if isinstance(window, RateWindow):
                    headers = list(message.get("headers") or [])
                    headers += [(name.lower().encode(), value.encode())
                                for name, value in window.headers().items()]
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
