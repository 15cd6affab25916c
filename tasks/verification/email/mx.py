"""MX look-ups through an injectable resolver.

`MxResolver` is anything with `async mx(domain) -> list[(preference, exchange)]`; production
uses dnspython's asyncio resolver, tests a dictionary. A domain without MX records, or with the
RFC 7505 null MX (`0 .`), accepts no mail; a resolver that cannot answer at all (no network,
timeout) raises `MxUnavailable`, which makes the result unknown rather than invalid.
"""

from __future__ import annotations

from typing import Protocol

from tasks.verification.email.models import MxResult


class MxUnavailable(Exception):
    """DNS could not answer (no network, timeout, SERVFAIL): we do not know."""


class MxResolver(Protocol):
    async def mx(self, domain: str) -> list[tuple[int, str]]: ...


class DnsMxResolver:
    """dnspython's asyncio resolver; NXDOMAIN and 'no answer' are an empty list."""

    def __init__(self, timeout_seconds: float = 5.0, nameservers: list[str] | None = None) -> None:
        import dns.asyncresolver
        import dns.nameserver

        self._resolver = dns.asyncresolver.Resolver(configure=nameservers is None)
        if nameservers is not None:
            # "10.0.0.53" or "127.0.0.1:5353": a port for local resolvers (and tests).
            self._resolver.nameservers = [
                dns.nameserver.Do53Nameserver(host, int(port or 53))
                for host, _, port in (ns.partition(":") for ns in nameservers)
            ]
        self._resolver.lifetime = timeout_seconds

    async def mx(self, domain: str) -> list[tuple[int, str]]:
        import dns.exception
        import dns.resolver

        try:
            answer = await self._resolver.resolve(domain, "MX")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.resolver.NoNameservers, dns.exception.Timeout,
                dns.resolver.NoResolverConfiguration) as error:
            raise MxUnavailable(str(error) or type(error).__name__) from error
        return [(record.preference, record.exchange.to_text()) for record in answer]


class StaticMxResolver:
    """A resolver from a dictionary (tests, benchmarks, air-gapped installs)."""

    def __init__(self, records: dict[str, list[tuple[int, str]]],
                 unavailable: frozenset[str] = frozenset()) -> None:
        self.records = {domain.lower(): list(value) for domain, value in records.items()}
        self.unavailable = unavailable
        self.queries = 0

    async def mx(self, domain: str) -> list[tuple[int, str]]:
        self.queries += 1
        if domain.lower() in self.unavailable:
            raise MxUnavailable(f"no answer for {domain}")
        return self.records.get(domain.lower(), [])


def mx_result(records: list[tuple[int, str]]) -> MxResult:
    """Exchanges ordered lowest preference first, trailing dots dropped; null MX takes no mail."""
    ordered = [exchange.rstrip(".") for _, exchange in sorted(records)]
    hosts = [host for host in ordered if host]
    return MxResult(accepts_mail=bool(hosts), records=hosts)
