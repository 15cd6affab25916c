"""The one outbound-call policy (issue 12): every connection Leadmill opens on a tenant's
behalf — enrichment and chat services, research providers, website fetches and checks,
webhooks, SMTP probes — goes through `EgressPolicy`.

- `addresses`: literal parsing (every IPv4 spelling), what is refused, the allow-list;
- `policy`: resolve once, check every answer, return the address to connect to;
- `http`: httpx clients enforcing it at the socket for every redirect hop, with one total
  deadline per attempt and a reply-size cap.
"""

from tasks.egress.addresses import AllowList, address_refusal, parse_ip
from tasks.egress.http import EgressTransport, egress_client
from tasks.egress.policy import (
    Destination,
    DnsResolver,
    EgressPolicy,
    EgressRefused,
    HostUnresolvable,
    Resolver,
    SystemResolver,
)

__all__ = [
    "AllowList", "Destination", "DnsResolver", "EgressPolicy", "EgressRefused",
    "EgressTransport", "HostUnresolvable", "Resolver", "SystemResolver", "address_refusal",
    "egress_client", "parse_ip",
]
