"""httpx clients that obey the outbound-call policy at the socket, for every hop.

The policy sits in httpcore's network backend: whenever a connection is opened — the first
request or any redirect hop, whoever follows it — `EgressPolicy.destination` resolves the host
once and the socket connects to that checked address. httpcore still sends the URL's host name
as `Host` and as TLS SNI (and checks the certificate against it), so virtual hosts and HTTPS
work unchanged.

Every request carries one deadline for the whole attempt (stamped when the first hop leaves
and carried over redirects); each socket read and write gets only what remains of it, so a
server that drips a byte a second is cut at the deadline, not kept alive read after read.
Replies are capped at `max_reply_bytes` on the wire. Keep-alive is off: each request gets a
fresh connection bound to its own deadline.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
import typing
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

from tasks.egress.policy import EgressPolicy, EgressRefused, HostUnresolvable

_DEADLINE_KEY = "leadmill_deadline"
_current_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "leadmill_egress_deadline", default=None)


DEADLINE_PASSED = "the total deadline of the attempt passed"


def _remaining(deadline: float, timeout: float | None, error: type[Exception]) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise error(DEADLINE_PASSED)
    return left if timeout is None else min(timeout, left)


@contextlib.contextmanager
def _named_after_deadline(deadline: float) -> Iterator[None]:
    """A socket timeout that fell on the deadline says so (it is the policy's doing)."""
    try:
        yield
    except httpcore.TimeoutException as error:
        if time.monotonic() >= deadline:
            raise type(error)(DEADLINE_PASSED) from error
        raise


class _BoundedStream(httpcore.NetworkStream):
    """A socket stream that never waits past the deadline nor reads past the size cap."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float, max_bytes: int) -> None:
        self._inner, self._deadline, self._max_bytes = inner, deadline, max_bytes
        self._received = 0

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _named_after_deadline(self._deadline):
            data = self._inner.read(max_bytes, _remaining(self._deadline, timeout,
                                                          httpcore.ReadTimeout))
        self._received += len(data)
        if self._received > self._max_bytes:
            raise httpcore.ReadError(f"the reply is larger than {self._max_bytes} bytes")
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with _named_after_deadline(self._deadline):
            self._inner.write(buffer, _remaining(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname,
                                      _remaining(self._deadline, timeout, httpcore.ConnectTimeout))
        return _BoundedStream(inner, self._deadline, self._max_bytes)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PolicyBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses the policy checked (no second lookup)."""

    def __init__(self, policy: EgressPolicy) -> None:
        self._policy = policy
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: typing.Iterable[Any] | None = None) -> httpcore.NetworkStream:
        deadline = _current_deadline.get() or time.monotonic() + self._policy.deadline_seconds
        try:
            destination = self._policy.destination(
                host, port, _remaining(deadline, timeout, httpcore.ConnectTimeout))
        except HostUnresolvable as error:
            raise httpcore.ConnectError(str(error)) from error
        stream = self._sockets.connect_tcp(
            destination.address, port, _remaining(deadline, timeout, httpcore.ConnectTimeout),
            local_address, socket_options)
        return _BoundedStream(stream, deadline, self._policy.max_reply_bytes)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise EgressRefused("unix sockets are not an outbound destination")

    def sleep(self, seconds: float) -> None:
        self._sockets.sleep(seconds)


class EgressTransport(httpx.HTTPTransport):
    """httpx's transport over the policy backend, with the attempt's deadline in context."""

    def __init__(self, policy: EgressPolicy, *, verify: bool = True,
                 max_connections: int = 100) -> None:
        # Not `super().__init__`: it would build a second pool (and SSL context) only to be
        # replaced; HTTPTransport's methods need nothing but `_pool`.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=max_connections, max_keepalive_connections=0,
            network_backend=_PolicyBackend(policy))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        token = _current_deadline.set(request.extensions.get(_DEADLINE_KEY))
        try:
            return super().handle_request(request)
        finally:
            _current_deadline.reset(token)


def egress_client(policy: EgressPolicy, *, verify: bool = True, max_connections: int = 100,
                  **client_options: Any) -> httpx.Client:
    """An `httpx.Client` whose every connection, redirects included, obeys `policy`.

    `client_options` are `httpx.Client`'s (base_url, headers, timeout, follow_redirects...);
    `timeout` still bounds each step, the policy's deadline bounds the whole attempt.
    """
    def stamp_deadline(request: httpx.Request) -> None:
        # Redirects copy the extensions, so the first hop's deadline holds for the chain.
        request.extensions.setdefault(_DEADLINE_KEY,
                                      time.monotonic() + policy.deadline_seconds)

    hooks = client_options.pop("event_hooks", {})
    hooks = {**hooks, "request": [stamp_deadline, *hooks.get("request", [])]}
    return httpx.Client(transport=EgressTransport(policy, verify=verify,
                                                  max_connections=max_connections),
                        trust_env=False, event_hooks=hooks, **client_options)
