"""Analysis: the documented "Generated Command Structure", and the search it asks for.

`build_command_object` turns a validated request into the command object that is stored with
the command and is the flow's input; `search_spec_from_command` reads the search back out.
Both are pure.
"""

from __future__ import annotations

import json
from typing import Any

from prefect import task

from storage.commands.supervisors import initial_supervisors
from tasks.search.criteria import SearchSpec
from tasks.search.ideal_customer import ideal_customer_from_context


def _join(items: list[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def describe_command(request: dict[str, Any]) -> str:
    """One human sentence saying what the command will do, built from the request."""
    data = request["leadGenData"]
    audience = data["targetAudience"]
    offering = data.get("productOffering") or {}
    business = data.get("businessInfo") or {}
    criteria = data.get("searchCriteria") or {}

    sentence = f"Generate {request.get('maxLeads', 10)} qualified leads"
    owner, product = business.get("name"), offering.get("name")
    if owner and product:
        sentence += f" for {owner}'s {product}"
    elif owner or product:
        sentence += f" for {owner or product}"
    parts: list[str] = []
    if audience.get("roles"):
        parts.append(f"{_join(audience['roles'])} roles")
    where = "companies"
    if audience.get("industries"):
        where = f"{_join(audience['industries'], 'or')} companies"
    if audience.get("companySize"):
        where += f" of {_join(audience['companySize'], 'or')} employees"
    parts.append(("at " if parts else "") + where)
    if audience.get("locations"):
        parts.append(f"in {_join(audience['locations'])}")
    topics = list(audience.get("interests") or []) + list(criteria.get("keywords") or [])
    if topics:
        parts.append(f"interested in {_join(topics)}")
    return f"{sentence}, targeting {' '.join(parts)}."


def build_context(request: dict[str, Any]) -> str:
    """The "Company Context" block: who is selling what, as the documentation lays it out."""
    data = request["leadGenData"]
    offering = data.get("productOffering") or {}
    business = data.get("businessInfo") or {}
    company = {
        "name": business.get("name"),
        "industry": business.get("industry"),
        "offering": offering.get("name"),
        "value_proposition": offering.get("primaryValue"),
        "ideal_customer": offering.get("idealCustomerProfile"),
        "selling_points": list(business.get("uniqueSellingPoints") or []),
    }
    # Only when given, so the documented example's context stays exactly as documented.
    if request.get("websiteUrl"):
        company["website"] = request["websiteUrl"]
    if request.get("leadCaptureMechanism"):
        company["lead_capture_mechanism"] = request["leadCaptureMechanism"]
    return "Company Context:\n" + json.dumps(company, indent=1, ensure_ascii=False)


def build_command_object(request: dict[str, Any]) -> dict[str, Any]:
    """The documented command object for a validated request (`LeadGenerationRequest` dump)."""
    data = request["leadGenData"]
    audience = data["targetAudience"]
    criteria = data.get("searchCriteria") or {}
    return {
        "task": "generate qualified sales leads",
        "userId": request.get("userId"),
        "agentId": request.get("agent_id"),
        "site_id": request["siteId"],
        "description": describe_command(request),
        "targets": [
            {
                "leads": {
                    "count": request.get("maxLeads", 10),
                    "profile": {
                        "industries": list(audience.get("industries") or []),
                        "company_sizes": list(audience.get("companySize") or []),
                        "roles": list(audience.get("roles") or []),
                        "locations": list(audience.get("locations") or []),
                        "interests": list(audience.get("interests") or []),
                    },
                    "search_parameters": {
                        "keywords": list(criteria.get("keywords") or []),
                        "excluded_terms": list(criteria.get("excludedTerms") or []),
                        "revenue_range": {
                            "min": criteria.get("minRevenueUSD"),
                            "max": criteria.get("maxRevenueUSD"),
                        },
                        "has_website": criteria.get("hasWebsite"),
                        **({"sources": list(criteria["sources"])}
                           if criteria.get("sources") else {}),
                    },
                }
            }
        ],
        "context": build_context(request),
        "supervisor": initial_supervisors(),
    }


def search_spec_from_command(command_object: dict[str, Any]) -> SearchSpec:
    """What the research, scoring and dedupe stages need, read off the command object."""
    leads = command_object["targets"][0]["leads"]
    profile, params = leads["profile"], leads["search_parameters"]
    revenue = params.get("revenue_range") or {}

    def whole(value: float | None) -> int | None:
        return None if value is None else int(value)

    return SearchSpec(
        industries=profile.get("industries", []),
        company_sizes=profile.get("company_sizes", []),
        roles=profile.get("roles", []),
        locations=profile.get("locations", []),
        interests=profile.get("interests", []),
        keywords=params.get("keywords", []),
        excluded_terms=params.get("excluded_terms", []),
        min_revenue=whole(revenue.get("min")),
        max_revenue=whole(revenue.get("max")),
        has_website=params.get("has_website"),
        count=leads["count"],
        # The profile, offer and selling points travel in the documented "context" block, so
        # the command object stays exactly as documented.
        ideal_customer=ideal_customer_from_context(command_object.get("context")),
        site_id=command_object.get("site_id"),
        sources=list(params.get("sources") or []),
    )


@task(name="analyze-command")
def analyze_command(command_object: dict[str, Any]) -> SearchSpec:
    """Analysis stage: the search a command asks for."""
    return search_spec_from_command(command_object)
