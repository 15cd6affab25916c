"""Website analysis for the API tester: read a company's own site and suggest the business
info, offering and keywords of a lead-generation command, which the person then edits.

`profile_from_pages` is pure (HTML in, suggestions out); `analyze_website` fetches the home and
about pages through `SiteFetcher` (robots.txt, size caps, timeouts, no private addresses unless
allow-listed) and profiles them.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from prefect import task

from storage.prospects.store import INDUSTRIES, TOPICS
from tasks.egress import EgressPolicy
from tasks.research.website_extract import extract_page
from tasks.research.website_fetch import SiteFetcher
from tasks.search.vocabulary import INDUSTRY_FAMILIES

ABOUT_PATHS = ("/about", "/about-us", "/company")
MAX_KEYWORDS = 8
# Themes a B2B site talks about, beyond the sample's topics, for keyword suggestions.
EXTRA_THEMES = ("customer support", "integrations", "security", "scalability", "onboarding",
                "machine learning", "logistics", "procurement", "quality control", "reporting")
_INDUSTRY_TERMS = sorted({*INDUSTRIES, *(m for ms in INDUSTRY_FAMILIES.values() for m in ms)}
                         - {"it", "tech", "industrial"})


class _HeadReader(HTMLParser):
    """<title>, meta description / og:site_name / og:description, <h1>, JSON-LD Organization."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.meta, self.h1, self.json_ld = "", {}, [], []
        self._in: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta":
            key = (values.get("name") or values.get("property") or "").lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"].strip())
        elif tag in {"title", "h1"} or (tag == "script" and
                                          values.get("type") == "application/ld+json"):
            self._in, self._buffer = tag, []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != self._in:
            return
        text = "".join(self._buffer)
        if tag == "title":
            self.title = self.title or " ".join(text.split())
        elif tag == "h1":
            self.h1.append(" ".join(text.split()))
        else:
            self.json_ld.append(text)
        self._in = None


def _organization(blobs: list[str]) -> dict[str, Any]:
    for blob in blobs:
        try:
            data = json.loads(blob)
        except (ValueError, RecursionError):  # not JSON, or nested past any real document
            continue
        if not isinstance(data, list | dict):  # a bare number or string names no one
            continue
        for node in data if isinstance(data, list) else data.get("@graph", [data]):
            if isinstance(node, dict) and node.get("@type") in {"Organization", "Corporation",
                                                                "LocalBusiness"}:
                return node
    return {}


def _mentions(text: str, terms: list[str] | tuple[str, ...]) -> list[str]:
    """Terms the text mentions as whole words, most mentioned first."""
    counts = Counter({term: len(re.findall(rf"\b{re.escape(term.lower())}\b", text))
                      for term in terms})
    return [term for term, count in counts.most_common() if count > 0]


def _site_name(reader: _HeadReader, organization: dict[str, Any]) -> str | None:
    name = organization.get("name") or reader.meta.get("og:site_name")
    if not name and reader.title:
        name = re.split(r"\s+[|\-–—:]\s+", reader.title)[0]
    return name.strip() if isinstance(name, str) and name.strip() else None


def profile_from_pages(pages: list[str]) -> dict[str, Any]:
    """Suggestions for `businessInfo`, `productOffering` and `searchCriteria.keywords`."""
    if not pages:
        return {"businessInfo": {}, "productOffering": {}, "keywords": [], "industries": []}
    head = _HeadReader()
    with contextlib.suppress(Exception):  # broken HTML: keep what was read before the break
        head.feed(pages[0])
    organization = _organization(head.json_ld)
    text = " ".join(extract_page(page).text for page in pages).lower()
    description = (organization.get("description") or head.meta.get("description")
                   or head.meta.get("og:description"))
    industries = _mentions(text, _INDUSTRY_TERMS)[:3]
    keywords = _mentions(text, [*TOPICS, *EXTRA_THEMES])[:MAX_KEYWORDS]
    business = {"name": _site_name(head, organization),
                "industry": industries[0] if industries else None}
    offering = {"name": head.h1[0] if head.h1 else None,
                "primaryValue": description.strip() if isinstance(description, str) else None}
    return {"businessInfo": {k: v for k, v in business.items() if v},
            "productOffering": {k: v for k, v in offering.items() if v},
            "keywords": keywords, "industries": industries}


def analyze_website(url: str, policy: EgressPolicy | None = None,
                    timeout: float = 5.0) -> dict[str, Any] | None:
    """Fetch the home page (and an about page if there is one) and profile them; None when the
    site cannot be read (unreachable, refused by robots.txt or the network policy)."""
    fetcher = SiteFetcher(timeout=timeout, max_bytes=500_000, min_interval=0.0,
                          policy=policy or EgressPolicy())
    try:
        home = fetcher.fetch(url)
        if home is None:
            return None
        pages = [home.text]
        for path in ABOUT_PATHS:
            about = fetcher.fetch(urljoin(home.url, path))
            if about is not None:
                pages.append(about.text)
                break
    finally:
        fetcher.close()
    return {"url": home.url, **profile_from_pages(pages)}


@task(name="analyze-seller-website")
def analyze_seller_website(url: str, allowed_hosts: list[str], nameservers: str = "",
                           timeout: float = 5.0) -> dict[str, Any] | None:
    """Prefect task: the command's own website (the tester's `websiteUrl`) profiled, for the
    soft criteria (`tasks.search.ideal_customer.with_website_profile`); None when it cannot be
    read, which never fails the command. No retries: a seller's site that does not answer
    within the page timeout is skipped rather than delaying the leads."""
    return analyze_website(url, EgressPolicy.from_entries(allowed_hosts, nameservers), timeout)
