"""The client's IP address, for per-IP login throttling.

Behind a reverse proxy every request comes from the proxy's address, and the client's is in
`X-Forwarded-For` — which anyone can also send straight to the API. So the header is read only
when the peer is a trusted proxy (`LEADMILL_TRUSTED_PROXIES`, CIDRs; default none), and then
from the right: each proxy appends the address it saw, so the first address that is not one of
our proxies is the client; whatever is left of it the client wrote itself.

uvicorn has its own proxy-header handling, which trusts 127.0.0.1 by default; Leadmill serves
with it off (api/server.py) so that this setting is the only one.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address

from litestar import Request

from storage.settings import IPNetwork


def client_ip(request: Request, trusted_proxies: Sequence[IPNetwork]) -> str:
    peer = request.client.host if request.client else "unknown"
    if not _is_trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for header in request.headers.getall("x-forwarded-for", [])
            for hop in header.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        if _parsed(hop) is None:
            break  # not written by one of our proxies: keep the last trusted hop's address
        client = hop
        if not _is_trusted(hop, trusted_proxies):
            break
    return client


def _parsed(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text)
    except ValueError:
        return None


def _is_trusted(address: str, trusted_proxies: Sequence[IPNetwork]) -> bool:
    parsed = _parsed(address)
    return parsed is not None and any(parsed in network for network in trusted_proxies)
