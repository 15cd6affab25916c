"""Is a lead's website alive? Reachability, redirects, TLS errors and parked domains.

One GET of the home page (redirects followed, at most `MAX_REDIRECTS`), with httpx:

- `reachable`: an HTTP answer under 400 came back (over TLS that failed verification too: the
  site is up, its certificate is not — that is `tls_error`);
- `redirects` / `final_url`: where the site really lives (`http://acme.com` → `https://www.
  acme.com/`);
- `tls_error`: the certificate could not be verified (self-signed, expired, wrong host);
- `parked`: the page is a domain parking or for-sale page (known phrases, or a redirect to a
  parking service), which is as good as no website for a sales rep.

Off by default (`LEADMILL_WEBSITE_CHECKS=true` turns it on: it needs the network). Every hop,
redirects included, goes through the outbound-call policy (`tasks.egress`): a prospect record
cannot point Leadmill at an intranet (`LEADMILL_EGRESS_ALLOWED_HOSTS` lets tests through).
"""

from __future__ import annotations

import ssl
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from tasks.egress import EgressPolicy, EgressRefused, egress_client

MAX_REDIRECTS = 5
BODY_BYTES = 65_536
PARKING_PHRASES = (
    "this domain is for sale", "domain is for sale", "buy this domain", "this domain may be for "
    "sale", "domain parking", "parked free", "parked domain", "this web page is parked",
    "is parked free", "the domain name is for sale", "make an offer on this domain",
    "related searches", "sedoparking", "parkingcrew", "bodis.com",
)
PARKING_HOSTS = ("sedo.com", "dan.com", "afternic.com", "hugedomains.com", "parkingcrew.net",
                 "bodis.com", "sedoparking.com", "godaddy.com")


class WebsiteCheck(BaseModel):
    """What one visit to a website's home page found."""

    url: str
    reachable: bool = False
    status_code: int | None = None
    final_url: str | None = None
    redirects: int = 0
    tls_error: str | None = None
    parked: bool = False
    error: str | None = None


def _normalise(url: str) -> str:
    url = url.strip()
    return url if "://" in url else f"http://{url}"


def _tls_failure(exc: Exception) -> str | None:
    """The certificate problem behind a connection error, if that is what it was."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause.verify_message or str(cause)
        if isinstance(cause, ssl.SSLError):
            return str(cause)
        cause = cause.__cause__ or cause.__context__
    return "CERTIFICATE_VERIFY_FAILED" if "CERTIFICATE_VERIFY_FAILED" in str(exc) else None


def _get(url: str, policy: EgressPolicy, verify: bool) -> tuple[httpx.Response, bytes]:
    """The final response and the first BODY_BYTES of its body (all we judge a page by)."""
    client = egress_client(policy, verify=verify, follow_redirects=True,
                           max_redirects=MAX_REDIRECTS, timeout=policy.deadline_seconds,
                           headers={"User-Agent": "Leadmill website check"})
    with client, client.stream("GET", url) as response:
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) >= BODY_BYTES:
                break
        return response, body[:BODY_BYTES]


def _is_parked(response: httpx.Response, body: bytes) -> bool:
    host = (response.url.host or "").lower()
    if any(host == h or host.endswith("." + h) for h in PARKING_HOSTS):
        return True
    text = body.decode("utf-8", "replace").lower()
    return any(phrase in text for phrase in PARKING_PHRASES)


def check_website(url: str, timeout: float = 5.0, policy: EgressPolicy | None = None
                  ) -> WebsiteCheck:
    """Visit `url`'s home page once (plus once without certificate checks after a TLS error)."""
    policy = (policy or EgressPolicy()).with_deadline(timeout)
    target = _normalise(url)
    check = WebsiteCheck(url=url)
    host = urlsplit(target).hostname or ""
    if not host:
        check.error = "no host in the URL"
        return check
    try:
        response, body = _get(target, policy, verify=True)
    except EgressRefused as exc:
        check.error = str(exc)
        return check
    except httpx.TooManyRedirects:
        check.error = f"more than {MAX_REDIRECTS} redirects"
        return check
    except httpx.HTTPError as exc:
        check.tls_error = _tls_failure(exc)
        if check.tls_error is None:
            check.error = f"{type(exc).__name__}: {exc}"[:300]
            return check
        try:  # up, but its certificate is not valid: is anything there?
            response, body = _get(target, policy, verify=False)
        except httpx.HTTPError as again:
            check.error = f"{type(again).__name__}: {again}"[:300]
            return check
    check.status_code = response.status_code
    check.final_url = str(response.url)
    check.redirects = len(response.history)
    check.reachable = response.status_code < 400
    check.parked = check.reachable and _is_parked(response, body)
    return check


def check_websites(urls: list[str], timeout: float = 5.0, policy: EgressPolicy | None = None,
                   workers: int = 8) -> dict[str, WebsiteCheck]:
    """Each distinct URL checked once, `workers` at a time."""
    distinct = list(dict.fromkeys(u for u in urls if u and u.strip()))
    if not distinct:
        return {}
    with ThreadPoolExecutor(max_workers=min(workers, len(distinct))) as pool:
        checks = pool.map(lambda u: check_website(u, timeout, policy), distinct)
        return dict(zip(distinct, checks, strict=True))
