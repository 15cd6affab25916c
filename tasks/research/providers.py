"""People-search connectors: Apollo, People Data Labs, Hunter.

Each maps a command's `SearchSpec` into the provider's own query, pages through the results,
and returns `Prospect`s whose `found_by` names the provider, its record id and the fields it
gave. Protocols, as documented by each provider:

- Apollo: `POST /api/v1/mixed_people/api_search`, header `X-Api-Key`, JSON `person_titles`,
  `person_locations`, `organization_num_employees_ranges` ("51,200"), `q_keywords`, `page`,
  `per_page` (≤100) → `{"people": [...], "pagination": {"page", "total_pages"}}`. One credit
  per page.
- People Data Labs: `POST /v5/person/search`, header `X-Api-Key`, JSON `query` (Elasticsearch)
  or `sql`, `size` (≤100), `scroll_token` → `{"data": [...], "total", "scroll_token"}`; 404
  means no match. One credit per record returned.
- Hunter: `GET /v2/domain-search?domain=&limit=&offset=&api_key=` →
  `{"data": {"organization", "emails": [{"value", "confidence", ...}]}, "meta": {"results"}}`.
  One credit per request that returned emails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storage.db.clock import iso_z, utcnow
from storage.leads.domains import registrable_domain
from tasks.egress import EgressPolicy
from tasks.research.provider_http import ProviderHttp, Spend
from tasks.search import vocabulary
from tasks.search.criteria import Prospect, SearchSpec

PAGE_SIZE = 100
SIZE_BUCKETS = ((10, "1-10"), (50, "11-50"), (200, "51-200"), (500, "201-500"),
                (1000, "501-1000"), (5000, "1001-5000"), (10000, "5001-10000"))
_COUNTRY_CODES = vocabulary.country_code_lookup()


def size_bucket(employees: int | None) -> str:
    if employees is None:
        return ""
    return next((label for high, label in SIZE_BUCKETS if employees <= high), "10001+")


def _prospect(source: str, record_id: str, values: dict[str, Any]) -> Prospect | None:
    """A prospect from a provider's values; None without a name or company."""
    values = {k: v for k, v in values.items() if v not in (None, "", [])}
    if not values.get("name") and (values.get("first_name") or values.get("last_name")):
        values["name"] = " ".join(filter(None, [values.get("first_name"),
                                                values.get("last_name")]))
    if not values.get("name") or not values.get("company"):
        return None
    if values.get("website") and "://" not in values["website"]:
        values["website"] = "https://" + values["website"]
    if "employee_count" in values:
        values["employee_count"] = int(values["employee_count"])
        values.setdefault("company_size", size_bucket(values["employee_count"]))
    if values.get("country") and not values.get("country_code"):
        values["country_code"] = _COUNTRY_CODES.get(str(values["country"]).lower(), "")
    values["country"] = str(values.get("country", "")).title() if values.get("country") else ""
    fields = sorted(values)
    return Prospect(prospect_id=f"{source}:{record_id}", source=source,
                    found_by=[{"source": source, "record_id": record_id, "fields": fields,
                               "found_at": iso_z(utcnow())}], **values)


# -- Apollo ---------------------------------------------------------------------------------
def apollo_query(spec: SearchSpec) -> dict[str, Any]:
    ranges = []
    for text in spec.company_sizes:
        parsed = vocabulary.parse_size_range(text)
        if parsed:
            ranges.append(f"{parsed[0]},{parsed[1] if parsed[1] is not None else 1000000}")
    query: dict[str, Any] = {"person_titles": spec.roles, "person_locations": spec.locations,
                             "organization_num_employees_ranges": ranges}
    words = [*spec.industries, *spec.interests, *spec.keywords]
    if words:
        query["q_keywords"] = " ".join(words)
    return {k: v for k, v in query.items() if v}


def _apollo_person(person: dict[str, Any]) -> Prospect | None:
    org = person.get("organization") or {}
    return _prospect("apollo", str(person.get("id") or ""), {
        "first_name": person.get("first_name"), "last_name": person.get("last_name"),
        "name": person.get("name"), "title": person.get("title"), "email": person.get("email"),
        "linkedin": person.get("linkedin_url"), "city": person.get("city"),
        "region": person.get("state"), "country": person.get("country"),
        "company": org.get("name"), "company_id": f"apollo:{org.get('id')}" if org.get("id")
        else None, "website": org.get("website_url") or org.get("primary_domain"),
        "industry": (org.get("industry") or "").lower() or None,
        "employee_count": org.get("estimated_num_employees"),
        "revenue_usd": org.get("annual_revenue"), "description": org.get("short_description"),
    })


def search_apollo(http: ProviderHttp, spec: SearchSpec, limit: int) -> list[Prospect]:
    found: list[Prospect] = []
    page, per_page = 1, min(PAGE_SIZE, max(1, limit))
    while len(found) < limit:
        reply = http.request("POST", "/api/v1/mixed_people/api_search",
                             json={**apollo_query(spec), "page": page, "per_page": per_page})
        http.spend.credits += 1
        body = reply.json()
        people = body.get("people") or []
        http.spend.records += len(people)
        found += [p for p in map(_apollo_person, people) if p is not None]
        total_pages = (body.get("pagination") or {}).get("total_pages") or page
        if not people or page >= total_pages:
            break
        page += 1
    return found[:limit]


# -- People Data Labs -------------------------------------------------------------------------
def pdl_query(spec: SearchSpec) -> dict[str, Any]:
    must: list[dict[str, Any]] = []
    if spec.roles:
        must.append({"terms": {"job_title": [r.lower() for r in spec.roles]}})
    if spec.industries:
        must.append({"terms": {"job_company_industry": [i.lower() for i in spec.industries]}})
    if spec.locations:
        must.append({"terms": {"location_country": [
            vocabulary.COUNTRY_NAMES.get(_COUNTRY_CODES.get(loc.lower(), ""), loc).lower()
            for loc in spec.locations]}})
    if spec.company_sizes:
        must.append({"terms": {"job_company_size": list(spec.company_sizes)}})
    return {"bool": {"must": must}}


def _pdl_person(person: dict[str, Any]) -> Prospect | None:
    emails = person.get("emails") or []
    size = person.get("job_company_size")
    parsed = vocabulary.parse_size_range(size) if isinstance(size, str) else None
    return _prospect("peopleDataLabs", str(person.get("id") or ""), {
        "first_name": (person.get("first_name") or "").title() or None,
        "last_name": (person.get("last_name") or "").title() or None,
        "name": (person.get("full_name") or "").title() or None,
        "title": person.get("job_title"),
        "email": person.get("work_email") or (emails[0].get("address") if emails else None),
        "phone": person.get("mobile_phone"), "linkedin": person.get("linkedin_url"),
        "company": (person.get("job_company_name") or "").title() or None,
        "website": person.get("job_company_website"),
        "industry": person.get("job_company_industry"),
        "employee_count": person.get("job_company_employee_count")
        or (parsed[0] if parsed else None),
        "company_size": size if parsed else None,
        "city": (person.get("location_locality") or "").title() or None,
        "region": (person.get("location_region") or "").title() or None,
        "country": person.get("location_country"),
    })


def search_people_data_labs(http: ProviderHttp, spec: SearchSpec, limit: int
                            ) -> list[Prospect]:
    found: list[Prospect] = []
    scroll: str | None = None
    while len(found) < limit:
        body: dict[str, Any] = {"query": pdl_query(spec),
                                "size": min(PAGE_SIZE, limit - len(found))}
        if scroll:
            body["scroll_token"] = scroll
        reply = http.request("POST", "/v5/person/search", json=body, ok_statuses=(404,))
        if reply.status_code == 404:  # PDL's "no records matched"
            break
        payload = reply.json()
        records = payload.get("data") or []
        http.spend.records += len(records)
        http.spend.credits += len(records)
        found += [p for p in map(_pdl_person, records) if p is not None]
        scroll = payload.get("scroll_token")
        if not records or not scroll:
            break
    return found[:limit]


# -- Hunter ------------------------------------------------------------------------------------
def _hunter_email(entry: dict[str, Any], organization: str | None, domain: str,
                  company: Prospect | None) -> Prospect | None:
    inherited = {}
    if company is not None:  # what the company's other records say about the company itself
        inherited = {k: getattr(company, k) for k in (
            "industry", "employee_count", "company_size", "revenue_usd", "city", "region",
            "country", "country_code", "description", "company_id")}
    prospect = _prospect("hunter", str(entry.get("value") or ""), {
        "first_name": entry.get("first_name"), "last_name": entry.get("last_name"),
        "title": entry.get("position"), "email": entry.get("value"),
        "phone": entry.get("phone_number"), "linkedin": entry.get("linkedin"),
        "company": organization or (company.company if company else None),
        "website": domain,
    })
    if prospect is None:
        return None
    prospect.found_by[0]["confidence"] = entry.get("confidence")
    return prospect.model_copy(update={k: v for k, v in inherited.items() if v not in (None, "")})


def search_hunter(http: ProviderHttp, api_key: str | None, companies: list[Prospect],
                  per_domain: int = 10) -> list[Prospect]:
    """Domain search for each company (a prospect standing for it) with a website."""
    found: list[Prospect] = []
    seen: set[str] = set()
    for company in companies:
        domain = registrable_domain(company.website)
        if not domain or domain in seen:
            continue
        seen.add(domain)
        offset = 0
        while offset < per_domain:
            params = {"domain": domain, "limit": min(per_domain - offset, 100),
                      "offset": offset, "api_key": api_key or ""}
            data = http.request("GET", "/v2/domain-search", params=params).json()
            emails = (data.get("data") or {}).get("emails") or []
            http.spend.records += len(emails)
            http.spend.credits += 1 if emails else 0
            organization = (data.get("data") or {}).get("organization")
            found += [p for e in emails if (p := _hunter_email(e, organization, domain,
                                                               company)) is not None]
            total = ((data.get("meta") or {}).get("results")) or 0
            offset += len(emails)
            if not emails or offset >= total:
                break
    return found


PeopleSearch = Callable[[ProviderHttp, SearchSpec, int], list[Prospect]]
PEOPLE_SEARCHES: dict[str, PeopleSearch] = {
    "apollo": search_apollo, "peopleDataLabs": search_people_data_labs}


def provider_http(service: str, url: str, api_key: str | None, backoff: float,
                  spend: Spend | None = None, policy: EgressPolicy | None = None
                  ) -> ProviderHttp:
    """The client for `service`: Apollo and PDL take the key in `X-Api-Key`; Hunter's goes in
    the query (its documented form), added per request."""
    headers = {"X-Api-Key": api_key} if api_key and service != "hunter" else {}
    return ProviderHttp(service, url, headers=headers, backoff=backoff, spend=spend or Spend(),
                        policy=policy or EgressPolicy())
