"""Which addresses Leadmill may connect to on a tenant's behalf, and how host text becomes one.

`parse_ip` reads every form a URL parser or `inet_aton` accepts as an address — `2130706433`,
`0x7f000001`, `017700000001`, `127.1`, `0`, `[::ffff:127.0.0.1]` — because a guard that only
knows dotted quads passes them as "names" while the socket layer connects to 127.0.0.1.
`address_refusal` says why an address is refused: anything `ipaddress` does not call global,
plus ranges that are global on paper but lead back inside (shared address space, NAT64, 6to4)
and the IPv4 address inside an IPv4-mapped IPv6 one. `AllowList` is the operator's way
through (`LEADMILL_EGRESS_ALLOWED_HOSTS`).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Global in `ipaddress`'s tables (or not in every Python version) but routed to private space:
# carrier-grade NAT, NAT64 (the IPv4 address is inside), 6to4 (likewise), "this network".
EXTRA_REFUSED_NETWORKS: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(text) for text in (
    "0.0.0.0/8", "100.64.0.0/10", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16"))
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def _ipv4_part(text: str) -> int | None:
    """One dot-separated part the way inet_aton reads it: 0x.. hex, 0.. octal, else decimal."""
    if text[:2].lower() == "0x":
        digits, base = text[2:] or "0", 16
    elif len(text) > 1 and text.startswith("0"):
        digits, base = text[1:], 8
    else:
        digits, base = text, 10
    if not digits.isalnum():
        return None
    try:
        return int(digits, base)
    except ValueError:
        return None


_LITERAL_CHARACTERS = frozenset("0123456789abcdefABCDEFxX.:")


def parse_loose_ipv4(text: str) -> ipaddress.IPv4Address | None:
    """`127.1`, `2130706433`, `0x7f.0.0.1`, `0` ... as the address a socket would reach."""
    parts = text.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # "127.0.0.1." is still an address
    if not 1 <= len(parts) <= 4 or any(not part for part in parts):
        return None
    numbers = [_ipv4_part(part) for part in parts]
    if any(number is None for number in numbers):
        return None
    *leading, last = numbers  # type: ignore[misc]
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(parts)):
        return None
    value = last
    for position, number in enumerate(leading):
        value += number << 8 * (3 - position)
    return ipaddress.IPv4Address(value)


def parse_ip(host: str) -> IPAddress | None:
    """The address `host` denotes when it is a literal in any accepted form; None for names."""
    text = host.strip().strip("[]").split("%", 1)[0]
    if not _LITERAL_CHARACTERS.issuperset(text):
        return None  # a letter past "f" (or "x"): a name, known without two failed parses
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return parse_loose_ipv4(text)


@functools.lru_cache(maxsize=4096)
def address_refusal(address: IPAddress) -> str | None:
    """Why `address` is not a public destination, or None when it is one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_refusal(address.ipv4_mapped)
    if (not address.is_global or address.is_multicast or address.is_unspecified
            or any(address in network for network in EXTRA_REFUSED_NETWORKS
                   if network.version == address.version)):
        return f"{address} is not a public address"
    return None


def is_local_name(host: str) -> bool:
    """Names every resolver maps to this machine, whatever DNS says."""
    name = host.lower().rstrip(".")
    return name in LOCAL_NAMES or name.endswith(".localhost")


@dataclass(frozen=True)
class AllowList:
    """Hosts (`name`, `name:port`), addresses and CIDRs (`10.0.0.0/8`, `[::1]:8080`) let through.

    A name on the list admits whatever it resolves to; an address or network admits the
    addresses in it. A port, when given, limits the entry to that port.
    """

    names: frozenset[tuple[str, int | None]] = frozenset()
    networks: tuple[tuple[IPNetwork, int | None], ...] = ()

    @classmethod
    def parse(cls, entries: str | Iterable[str]) -> AllowList:
        items = entries.split(",") if isinstance(entries, str) else entries
        names: set[tuple[str, int | None]] = set()
        networks: list[tuple[IPNetwork, int | None]] = []
        for raw in (item.strip() for item in items):
            if not raw:
                continue
            if "/" in raw:
                networks.append((ipaddress.ip_network(raw, strict=False), None))
                continue
            host, port = _split_port(raw)
            address = parse_ip(host)
            if address is None:
                names.add((host.lower().rstrip("."), port))
            else:
                networks.append((ipaddress.ip_network(_unmapped(address)), port))
        return cls(frozenset(names), tuple(networks))

    def __bool__(self) -> bool:
        return bool(self.names or self.networks)

    def admits_name(self, host: str, port: int | None) -> bool:
        name = host.lower().rstrip(".")
        return (name, None) in self.names or (port is not None and (name, port) in self.names)

    def admits_address(self, address: IPAddress, port: int | None) -> bool:
        address = _unmapped(address)
        return any(address.version == network.version and address in network
                   and (allowed_port is None or allowed_port == port)
                   for network, allowed_port in self.networks)


def _unmapped(address: IPAddress) -> IPAddress:
    """`::ffff:a.b.c.d` is a.b.c.d on the wire: allow-list entries and checks compare that."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _split_port(entry: str) -> tuple[str, int | None]:
    """`host:port`, `[v6]:port`, a bare IPv6 address or a bare host."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else None
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return host, int(port)
    return entry, None
