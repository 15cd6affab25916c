"""Rate limits: requests per minute per credential (by tier), failed logins per username and
per client IP, and the X-RateLimit-* / Retry-After headers of the answer.

Counting lives in `storage.rate_counters`: by default in the operational database, so every API
process on it enforces one global window per credential (`rate_limit_backend=memory` counts per
process instead). `authenticate` charges the request and leaves the window's numbers on the
request state; `RateLimitHeadersMiddleware` writes them on every response, errors included.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from storage.rate_counters import Counters

STATE_KEY = "leadmill_rate_limit"


@dataclass(frozen=True)
class RateWindow:
    limit: int
    remaining: int
    reset_epoch: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit),
                   "X-RateLimit-Remaining": str(self.remaining),
                   "X-RateLimit-Reset": str(self.reset_epoch)}
        if not self.allowed:
            headers["Retry-After"] = str(max(math.ceil(self.reset_epoch - time.time()), 1))
        return headers


class RateLimiter:
    """Counts requests per credential in fixed windows (one minute by default)."""

    def __init__(self, limits: dict[str, int], counters: Counters,
                 window_seconds: int = 60) -> None:
        self._limits = dict(limits)
        self._counters = counters
        self._window = window_seconds

    def limit_for(self, tier: str) -> int:
        return self._limits.get(tier, self._limits["standard"])

    def charge(self, credential: str, tier: str) -> RateWindow:
        limit = self.limit_for(tier)
        count, started = self._counters.hit(f"req:{credential}", self._window)
        return RateWindow(limit, max(limit - count, 0), started + self._window, count <= limit)


class LoginThrottle:
    """Failed `POST /api/auth` logins per username and per client IP in short fixed windows.

    A throttled attempt is refused before its password is checked (Argon2 is the expensive
    part an attacker would make us pay). Only failures count, and a window is short, so the
    real user is locked out at most until the window ends, never for good.
    """

    def __init__(self, counters: Counters, per_username: int, per_ip: int,
                 window_seconds: int = 60) -> None:
        self._counters = counters
        self._limits = {"user": per_username, "ip": per_ip}
        self._window = window_seconds

    def _buckets(self, username: str, ip: str) -> dict[str, str]:
        return {"user": f"login-user:{username}", "ip": f"login-ip:{ip}"}

    def check(self, username: str, ip: str) -> RateWindow | None:
        """A refusing window if the username or the IP has used up its failures, else None."""
        for kind, bucket in self._buckets(username, ip).items():
            count, started = self._counters.peek(bucket, self._window)
            if count >= self._limits[kind]:
                return RateWindow(self._limits[kind], 0, started + self._window, False)
        return None

    def record_failure(self, username: str, ip: str) -> None:
        for bucket in self._buckets(username, ip).values():
            self._counters.hit(bucket, self._window)


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
