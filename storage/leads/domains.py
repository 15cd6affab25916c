"""Website, URL or e-mail address → the registrable domain: the one domain parser.

`registrable_domain("https://www.shop.acme.co.uk/about")` is `acme.co.uk`: the part of the
host a company registers, found with the Public Suffix List (`publicsuffixlist`, which bundles
the list: no network), not by dropping a `www.`. Research (provider queries, website visits,
e-mails on a company's pages), the lead store's `company_domain`, the identity rule's "name at
company domain" and prospect imports all call it, so a company has one domain everywhere.

Batches (`registrable_domains`) parse each distinct host once: a lead list names a company's
site on every row of its people.
"""

from __future__ import annotations

import ipaddress
from functools import cache, lru_cache
from importlib import resources

import pyarrow as pa
import pyarrow.compute as pc
from publicsuffixlist import PublicSuffixList

# RFC 2606 reserves these for examples; Leadmill's generated sample and its tests give each
# pretend company a name under them (`acme.example.com`), so each such name stands for one
# company's own domain, as `acme.com` would. Everything else follows the list as published.
_EXAMPLE_SUFFIXES = ("example.com", "example.net", "example.org")


@cache
def _suffix_list() -> PublicSuffixList:
    """The list, read on first use (~60 ms): a process that parses no domain never pays."""
    published = resources.files("publicsuffixlist").joinpath("public_suffix_list.dat")
    lines = published.read_text(encoding="utf-8").splitlines()
    return PublicSuffixList([*lines, *_EXAMPLE_SUFFIXES])


def url_host(text: str | None) -> str:
    """The lower-case host of a URL, a bare host or an e-mail address ("" when none):
    `https://User@WWW.Acme.com:8080/x?y` → `www.acme.com`, `jane@Acme.com` → `acme.com`."""
    if not text:
        return ""
    rest = text.strip().split("://", 1)[-1]
    if "/" not in rest and "?" not in rest and "#" not in rest and "@" in rest:
        rest = rest.rsplit("@", 1)[1]  # an e-mail address (or a mailto: without the scheme)
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    if host.startswith("["):  # an IPv6 literal, [::1]:8080
        return host[1:].split("]", 1)[0].lower()
    return host.split(":", 1)[0].lower().rstrip(".")


@lru_cache(maxsize=65536)
def _domain_of_host(host: str) -> str | None:
    if not host:
        return None
    if (host[-1].isdigit() or ":" in host) and _is_address(host):
        return host  # an address has no registrable part: the address is the site
    if "." not in host:
        return host  # a single-label name (localhost, an intranet host) is its own site
    return _suffix_list().privatesuffix(host)  # None when the host is itself a public suffix


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def registrable_domain(text: str | None) -> str | None:
    """The registrable domain of a website, URL, host or e-mail address; None when there is
    none (empty, or a public suffix itself such as `co.uk`)."""
    return _domain_of_host(url_host(text))


def registrable_domains(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`registrable_domain` of every value ("" for none), each distinct value parsed once."""
    column = pc.fill_null(pc.cast(column, pa.string()), "")
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    distinct = pc.unique(column)
    parsed = pa.array([registrable_domain(value) or "" for value in distinct.to_pylist()],
                      pa.string())
    return pc.take(parsed, pc.index_in(column, value_set=distinct))
