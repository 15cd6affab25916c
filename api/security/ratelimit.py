"""Rate limits: requests per minute per credential (by tier), failed logins per username and
per client IP, and the X-RateLimit-* / Retry-After headers of the answer.

Counting lives in `storage.tenancy.rate_counters`: by default in the operational database, so every
API
process on it enforces one global window per credential (`rate_limit_backend=memory` counts per
process instead). `authenticate` charges the request and leaves the window's numbers on the
request state; `RateLimitHeadersMiddleware` writes them on every response, errors included.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from storage.tenancy.rate_counters import Counters

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


@dataclass(frozen=True)
class LoginReservation:
    """The failure a login attempt counted before its password was checked: which buckets,
    in which windows (so a successful login can take it back)."""

    username: str
    ip: str
    window_starts: dict[str, int]


class LoginThrottle:
    """Failed `POST /api/auth` logins per username and per client IP in short fixed windows.

    Each attempt is counted as a failure *before* its password is checked, in one atomic
    statement per bucket, and taken back if the password was right: twenty wrong passwords
    sent at once are all counted, and only the first `limit` are ever checked. A throttled
    attempt is refused before Argon2 runs (the expensive part an attacker would make us pay).
    Only failures stay counted, and a window is short, so the real user is locked out at most
    until the window ends, never for good.
    """

    def __init__(self, counters: Counters, per_username: int, per_ip: int,
                 window_seconds: int = 60) -> None:
        self._counters = counters
        self._limits = {"user": per_username, "ip": per_ip}
        self._window = window_seconds

    def _buckets(self, username: str, ip: str) -> dict[str, str]:
        return {"user": f"login-user:{username}", "ip": f"login-ip:{ip}"}

    def reserve(self, username: str, ip: str) -> LoginReservation | RateWindow:
        """Count this attempt as a failure; a refusing window if the username or the IP had
        already used up its failures (nothing then stays counted: no password was tried)."""
        buckets = self._buckets(username, ip)
        counted = {kind: self._counters.hit(bucket, self._window)
                   for kind, bucket in buckets.items()}
        over = [kind for kind, (count, _) in counted.items() if count > self._limits[kind]]
        if over:
            for kind, (_, started) in counted.items():
                self._counters.release(buckets[kind], started)
            started = counted[over[0]][1]
            return RateWindow(self._limits[over[0]], 0, started + self._window, False)
        return LoginReservation(username, ip, {kind: started
                                               for kind, (_, started) in counted.items()})

    def forgive(self, reservation: LoginReservation) -> None:
        """The password was right: the attempt is not a failure after all."""
        buckets = self._buckets(reservation.username, reservation.ip)
        for kind, started in reservation.window_starts.items():
            self._counters.release(buckets[kind], started)


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
