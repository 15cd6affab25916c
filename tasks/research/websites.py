"""Website research: visit each candidate company's site and turn what it says into people.

For each company (a candidate standing for it) with a website: the home page, then its about,
team, contact and careers pages (links found on the home page first, the usual paths else), at
most `MAX_PAGES` pages, through `SiteFetcher` (robots.txt, per-host rate limit, timeouts, size
caps, redirects within the site). Each person found becomes a prospect of source `website` at
that company, with the e-mail that is theirs, the site's phone and their LinkedIn profile when
the pages give them; the company's own text becomes the description used for interest and
keyword matching.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from prefect import task

from storage.db.clock import iso_z, utcnow
from storage.leads.domains import registrable_domain
from tasks.egress import EgressPolicy
from tasks.research.sources import SourceResult
from tasks.research.website_extract import PageFacts, email_for, extract_page
from tasks.research.website_fetch import SiteFetcher
from tasks.run_logging import task_logger
from tasks.search.criteria import Prospect

MAX_PAGES = 6
SECTION_WORDS = ("about", "team", "people", "leadership", "contact", "careers", "jobs")
DEFAULT_PATHS = ("/about", "/team", "/contact", "/careers")
_COMPANY_FIELDS = ("industry", "employee_count", "company_size", "revenue_usd", "city", "region",
                   "country", "country_code", "company_id")


def _section_links(home: str, facts: PageFacts) -> list[str]:
    host = urlsplit(home).netloc
    found = []
    for href, text in facts.links:
        target = urljoin(home, href).split("#")[0]
        if urlsplit(target).netloc != host or target.rstrip("/") == home.rstrip("/"):
            continue
        label = f"{urlsplit(target).path} {text}".lower()
        if any(word in label for word in SECTION_WORDS):
            found.append(target)
    found += [urljoin(home, path) for path in DEFAULT_PATHS]
    return list(dict.fromkeys(found))


def read_company_site(fetcher: SiteFetcher, website: str, region: str) -> PageFacts:
    """Everything the company's pages say, merged over at most MAX_PAGES pages."""
    merged = PageFacts()
    home = fetcher.fetch(website)
    if home is None:
        return merged
    pages = [extract_page(home.text, region)]
    for url in _section_links(home.url, pages[0])[: MAX_PAGES - 1]:
        page = fetcher.fetch(url)
        if page is not None:
            pages.append(extract_page(page.text, region))
    for facts in pages:
        merged.people += facts.people
        merged.emails += facts.emails
        merged.phones += facts.phones
        merged.socials += facts.socials
    merged.people = list({p["name"]: p for p in reversed(merged.people)}.values())[::-1]
    merged.emails = list(dict.fromkeys(merged.emails))
    merged.phones = list(dict.fromkeys(merged.phones))
    merged.socials = list(dict.fromkeys(merged.socials))
    merged.text = " ".join(f.text for f in pages)[:20_000]
    return merged


def people_from_site(company: Prospect, facts: PageFacts) -> list[Prospect]:
    """One prospect per person the site names, at `company`."""
    domain = registrable_domain(company.website) or ""
    found_at = iso_z(utcnow())
    inherited = {k: getattr(company, k) for k in _COMPANY_FIELDS
                 if getattr(company, k) not in (None, "")}
    people = []
    for person in facts.people:
        name = " ".join(person["name"].split())
        values: dict[str, Any] = {
            "name": name, "first_name": name.split()[0], "last_name": " ".join(name.split()[1:]),
            "title": person.get("title") or "",
            "email": person.get("email") or email_for(name, facts.emails, domain),
            "phone": person.get("phone") or (facts.phones[0] if facts.phones else None),
            "linkedin": person.get("linkedin"),
        }
        given = sorted(k for k, v in values.items() if v)
        people.append(Prospect(
            prospect_id=f"website:{domain}:{name.lower()}", company=company.company,
            website=company.website, description=facts.text[:2000], source="website",
            found_by=[{"source": "website", "record_id": f"{domain}:{name.lower()}",
                       "fields": [*given, "company", "website", "description"],
                       "found_at": found_at}],
            **inherited, **values))
    return people


@task(name="research-websites", retries=1)
def research_websites(companies: list[Prospect], allowed_hosts: str = "",
                      nameservers: str = "") -> SourceResult:
    """Visit each company's site; every person found is a candidate of source `website`.

    `allowed_hosts` and `nameservers` are the outbound-call policy's settings (plain values:
    they travel as task parameters)."""
    logger = task_logger(__name__)
    fetcher = SiteFetcher(policy=EgressPolicy.from_entries(allowed_hosts, nameservers))
    found: list[Prospect] = []
    try:
        for company in companies:
            if not company.website:
                continue
            facts = read_company_site(fetcher, company.website, company.country_code or "US")
            found += people_from_site(company, facts)
    finally:
        fetcher.close()
    logger.info("website research: %d people at %d companies, %d requests", len(found),
                len(companies), fetcher.requests)
    return SourceResult(source="website", prospects=found,
                        spend={"requests": fetcher.requests, "records": len(found)})
