"""Polite, bounded fetching of company websites with httpx.

`SiteFetcher.fetch(url)` honours robots.txt (fetched once per host; a 5xx or unreachable
robots.txt disallows the site, a 4xx allows it), keeps at least `min_interval` seconds between
requests to one host, times out, reads at most `max_bytes` of a body, follows at most
`max_redirects` redirects and only within the site (the same registrable domain), and connects
only where the outbound-call policy (`tasks.egress`) lets it, every hop and robots.txt
included (no SSRF through a prospect list). Bodies are decoded with the declared charset,
else UTF-8 with replacement.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from storage.leads.domains import registrable_domain, url_host
from tasks.egress import EgressPolicy, egress_client

log = logging.getLogger(__name__)
USER_AGENT = "LeadmillBot/0.1 (+https://github.com/leadmill)"


@dataclass
class Page:
    url: str
    status: int
    text: str
    truncated: bool = False


def same_site_as(url: str) -> str:
    """What "within the site" means for redirects: the URL's registrable domain (so `www.`
    and the company's other subdomains count, another company's `github.io` site does not),
    or its host when it has none."""
    return registrable_domain(url) or url_host(url)


@dataclass
class SiteFetcher:
    timeout: float = 5.0
    max_bytes: int = 1_000_000
    min_interval: float = 0.5
    max_redirects: int = 5
    policy: EgressPolicy = field(default_factory=EgressPolicy)
    requests: int = 0
    _robots: dict[str, RobotFileParser | None] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._client = egress_client(self.policy.with_deadline(self.timeout),
                                     timeout=httpx.Timeout(self.timeout),
                                     headers={"User-Agent": USER_AGENT}, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def _wait_turn(self, netloc: str) -> None:
        with self._lock:
            now = time.monotonic()
            due = self._last.get(netloc, 0.0) + self.min_interval
            self._last[netloc] = max(now, due)
        if due > now:
            time.sleep(due - now)

    def _get(self, url: str) -> Page:
        """One GET, size-capped; raises httpx errors."""
        netloc = urlsplit(url).netloc
        self._wait_turn(netloc)
        self.requests += 1
        with self._client.stream("GET", url) as response:
            chunks, size, truncated = [], 0, False
            if not response.is_redirect:
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= self.max_bytes:
                        truncated = True  # a huge page: keep its head, drop the rest
                        break
            body = b"".join(chunks)[: self.max_bytes]
            charset = response.charset_encoding or "utf-8"
            try:
                text = body.decode(charset, errors="replace")
            except LookupError:  # a charset Python does not know
                text = body.decode("utf-8", errors="replace")
            page = Page(str(response.url), response.status_code, text, truncated)
            page.location = response.headers.get("location")  # type: ignore[attr-defined]
            return page

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            return False
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._robots:
            self._robots[key] = self._load_robots(key)
        robots = self._robots[key]
        return robots is not None and robots.can_fetch(USER_AGENT, url)

    def _load_robots(self, origin: str) -> RobotFileParser | None:
        parser = RobotFileParser()
        try:
            page = self._get(origin + "/robots.txt")
        except httpx.HTTPError:
            return None
        if page.status >= 500:
            return None
        parser.parse(page.text.splitlines() if page.status < 400 else [])
        return parser

    def fetch(self, url: str) -> Page | None:
        """The page at `url` after redirects within its site; None when not allowed or failed."""
        site = same_site_as(url)
        for _ in range(self.max_redirects + 1):
            if not self._allowed(url):
                log.info("not fetching %s (robots.txt or network policy)", url)
                return None
            try:
                page = self._get(url)
            except httpx.HTTPError as exc:
                log.info("fetching %s failed: %s", url, type(exc).__name__)
                return None
            location = getattr(page, "location", None)
            if page.status in {301, 302, 303, 307, 308} and location:
                target = urljoin(url, location)
                if same_site_as(target) != site:
                    log.info("%s redirects off site to %s: not followed", url, target)
                    return None
                url = target
                continue
            return page if page.status < 400 else None
        log.info("%s: more than %d redirects", url, self.max_redirects)
        return None
