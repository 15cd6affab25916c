"""The outbound-call policy: resolve a host once, refuse what is not public, pin the answer.

`EgressPolicy.destination(host, port)` is the one decision every connection Leadmill opens for
a tenant goes through (HTTP via `tasks.egress.http`, SMTP via the e-mail verifier). It returns
the address that passed the check; callers connect to exactly that address, so a DNS server
that answers "public" to the check and "127.0.0.1" to a second lookup never gets the second
lookup. `literal_problem(url)` is the save-time half: no DNS, only what the URL itself says.

Name resolution is injected (`SystemResolver`, or `DnsResolver` with explicit nameservers, as
the tests and `LEADMILL_EGRESS_NAMESERVERS` use), never patched.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import httpx
import idna

from tasks.egress.addresses import AllowList, address_refusal, is_local_name, parse_ip

if TYPE_CHECKING:
    from storage.settings import LeadmillSettings

DEFAULT_DEADLINE_SECONDS = 30.0
DEFAULT_MAX_REPLY_BYTES = 10 * 1024 * 1024
REFUSED = "refused by the outbound-call policy"


class EgressRefused(httpx.ConnectError):
    """The policy refused a destination; nothing was sent. The message is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{REFUSED}: {reason}")
        self.reason = reason


class HostUnresolvable(OSError):
    """The name has no address (NXDOMAIN, no answer, no nameserver)."""


class Resolver(Protocol):
    def addresses(self, host: str, timeout: float | None = None) -> list[str]:
        """Every address `host` resolves to, within `timeout` seconds when the resolver can
        bound its own wait (the attempt's remaining deadline)."""
        ...


class SystemResolver:
    """The operating system's resolver (getaddrinfo), as every library would use; its wait is
    the system's to bound (resolv.conf `timeout`/`attempts`)."""

    def addresses(self, host: str, timeout: float | None = None) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError as error:
            raise HostUnresolvable(f"{host} does not resolve: {error}") from error
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


class DnsResolver:
    """dnspython against explicit nameservers ("10.0.0.53", "127.0.0.1:5353"): A, then AAAA."""

    def __init__(self, nameservers: list[str], timeout_seconds: float = 5.0) -> None:
        import dns.nameserver
        import dns.resolver

        self._resolver = dns.resolver.Resolver(configure=False)
        self._resolver.nameservers = [
            dns.nameserver.Do53Nameserver(host, int(port or 53))
            for host, _, port in (ns.strip().partition(":") for ns in nameservers)]
        self._resolver.lifetime = timeout_seconds

    def addresses(self, host: str, timeout: float | None = None) -> list[str]:
        import dns.exception
        import dns.resolver

        found: list[str] = []
        for record_type in ("A", "AAAA"):
            try:
                answer = self._resolver.resolve(host, record_type, search=False,
                                                lifetime=timeout)
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                continue
            except dns.exception.DNSException as error:
                raise HostUnresolvable(f"{host}: {type(error).__name__}") from error
            found.extend(record.to_text() for record in answer)
        if not found:
            raise HostUnresolvable(f"{host} does not resolve")
        return found


def _ascii(host: str) -> str:
    """The host as IDNA (UTS 46) spells it: `ⓛocalhost` is `localhost` to a resolver."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return host  # not a name any client will send: the call fails on its own


@dataclass(frozen=True)
class Destination:
    """Where a connection goes: the name asked for, and the one address that was checked."""

    host: str
    port: int
    address: str


@dataclass(frozen=True)
class EgressPolicy:
    """What Leadmill may connect to on a tenant's behalf; build one per process from settings."""

    allowed: AllowList = field(default_factory=AllowList)
    resolver: Resolver = field(default_factory=SystemResolver)
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS
    max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES

    @classmethod
    def from_settings(cls, settings: LeadmillSettings) -> EgressPolicy:
        return cls.from_entries(settings.egress_allow_entries, settings.egress_nameservers)

    @classmethod
    def from_entries(cls, allowed: str | Iterable[str] = (),
                     nameservers: str | Iterable[str] = ()) -> EgressPolicy:
        """A policy from plain values (what a Prefect task can take as parameters)."""
        servers = nameservers.split(",") if isinstance(nameservers, str) else list(nameservers)
        servers = [server.strip() for server in servers if server.strip()]
        return cls(allowed=AllowList.parse(allowed),
                   resolver=DnsResolver(servers) if servers else SystemResolver())

    def with_deadline(self, seconds: float) -> EgressPolicy:
        """The same policy with another total deadline per attempt (a caller's own timeout)."""
        return EgressPolicy(self.allowed, self.resolver, seconds, self.max_reply_bytes)

    def literal_problem(self, url: str) -> str | None:
        """What is wrong with `url` as a saved destination, judged without DNS; None if fine."""
        parts = urlsplit(url.strip())
        if parts.scheme not in {"http", "https"}:
            return "url must start with http:// or https://"
        host = _ascii(parts.hostname or "")
        if not host:
            return "url must name a host"
        if parts.username or parts.password:
            return "url must not carry credentials"
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return "url has an invalid port"
        address = parse_ip(host)
        if address is not None:
            refusal = address_refusal(address)
            if refusal and not self.allowed.admits_address(address, port):
                return f"{REFUSED}: {host}: {refusal}"
        elif is_local_name(host) and not self.allowed.admits_name(host, port):
            return f"{REFUSED}: {host} names this machine"
        return None

    def destination(self, host: str, port: int, timeout: float | None = None) -> Destination:
        """Resolve `host` once (within `timeout`) and return the address to connect to.

        Raises:
            EgressRefused: the host, or any address it resolves to, is not public and not
                allowed (a name with one private address among public ones is refused: a
                later connection could pick either).
            HostUnresolvable: the name has no address.
        """
        literal = parse_ip(host)
        if literal is not None:
            refusal = address_refusal(literal)
            if refusal and not self.allowed.admits_address(literal, port):
                raise EgressRefused(f"{host}: {refusal}")
            return Destination(host, port, str(literal))
        if self.allowed.admits_name(host, port):
            return Destination(host, port, self.resolver.addresses(host, timeout)[0])
        if is_local_name(host):
            raise EgressRefused(f"{host} names this machine")
        checked = []
        for text in self.resolver.addresses(host, timeout):
            address = parse_ip(text)
            if address is None:
                raise HostUnresolvable(f"{host} resolved to a non-address {text!r}")
            refusal = address_refusal(address)
            if refusal and not self.allowed.admits_address(address, port):
                raise EgressRefused(f"{host} resolves to {refusal}")
            checked.append(address)
        return Destination(host, port, str(checked[0]))
