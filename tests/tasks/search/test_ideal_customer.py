"""Soft criteria from the ideal customer profile, the offering and the selling points."""

from __future__ import annotations

import json

import pytest

from tasks.search.analysis import build_command_object, search_spec_from_command
from tasks.search.ideal_customer import (
    ideal_customer_criteria,
    ideal_customer_from_context,
    website_of_context,
    with_website_profile,
)
from tests.fixtures.examples import DOCUMENTED_EXAMPLE, documented_search_spec


@pytest.mark.parametrize(("profile", "industries", "sizes", "label"), [
    ("Mid-sized manufacturing companies struggling with outdated processes",
     ["manufacturing"], [(51, 1000)], "mid-sized manufacturing"),
    ("SMB SaaS and fintech startups", ["saas", "fintech"], [(1, 200), (1, 50)],
     "smb saas fintech startups"),
    ("Enterprise retailers and banks", ["retail", "banking"], [(1001, None)],
     "enterprise retailers banks"),
    ("Mid-market industrial automation vendors", ["industrial automation"], [(51, 1000)],
     "mid-market industrial automation"),
    ("Anyone who ships parcels", [], [], ""),
    ("", [], [], ""),
])
def test_profile_sizes_and_industries(profile: str, industries: list[str],
                                      sizes: list[tuple[int, int | None]], label: str) -> None:
    icp = ideal_customer_criteria(profile)
    assert (icp.industries, icp.sizes, icp.label) == (industries, sizes, label)


@pytest.mark.parametrize(("args", "needs"), [
    (("Mid-sized manufacturing companies struggling with outdated processes",
      "Workflow Automation Platform", "Reduce manual processes by 60%",
      ["Industry-specific automation templates", "30-day implementation guarantee",
       "24/7 customer support"]),
     ["outdated", "processes", "workflow", "automation"]),  # the first MAX_NEEDS
    (("Anyone who ships parcels",), ["ships", "parcels"]),
    ((None, "Payroll Cloud", None, ["Faster payroll runs"]), ["payroll", "cloud", "faster",
                                                               "runs"]),
])
def test_needs_are_the_remaining_content_words(args: tuple, needs: list[str]) -> None:
    assert ideal_customer_criteria(*args).needs == needs


def test_extraction_is_deterministic() -> None:
    texts = ("Mid-sized manufacturing firms", "Line Monitor", "Fewer stops", ["Templates"])
    assert len({ideal_customer_criteria(*texts).model_dump_json() for _ in range(5)}) == 1


def test_the_sellers_own_industry_and_enterprise_software_are_no_target() -> None:
    """businessInfo.industry is the seller's ("enterprise software"): neither an industry nor
    the enterprise size of its buyers."""
    icp = documented_search_spec().ideal_customer
    assert icp.industries == ["manufacturing"] and icp.sizes == [(51, 1000)]


def test_the_documented_example_feeds_the_spec_and_keeps_its_command_object() -> None:
    spec = documented_search_spec()
    assert spec.ideal_customer.label == "mid-sized manufacturing"
    assert "automation" in spec.ideal_customer.needs
    command = build_command_object({**DOCUMENTED_EXAMPLE})
    assert set(command["targets"][0]["leads"]) == {"count", "profile", "search_parameters"}


@pytest.mark.parametrize("context", [None, "", "Company Context:\n{not json", "plain text"])
def test_a_context_without_a_profile_gives_no_soft_criteria(context: str | None) -> None:
    assert ideal_customer_from_context(context).is_empty()


def test_a_command_without_offering_has_no_soft_criteria() -> None:
    request = json.loads(json.dumps(DOCUMENTED_EXAMPLE))
    del request["leadGenData"]["productOffering"]
    del request["leadGenData"]["businessInfo"]
    assert search_spec_from_command(build_command_object(request)).ideal_customer.is_empty()


SITE = {"businessInfo": {"name": "Acme", "industry": "software"},
        "productOffering": {"name": "Workflow Automation Platform",
                            "primaryValue": "Reduce manual processes by 60%"},
        "keywords": ["digital transformation"], "industries": ["software"]}


@pytest.mark.parametrize(("icp", "profile", "needs", "industries"), [
    (ideal_customer_criteria(None), SITE, ["workflow", "automation", "manual", "processes"], []),
    (ideal_customer_criteria("Mid-sized manufacturing firms with outdated plants"), SITE,
     ["outdated", "plants", "workflow", "automation"], ["manufacturing"]),
    (ideal_customer_criteria("Retailers"), None, [], ["retail"]),  # the site could not be read
])
def test_the_sellers_website_adds_needs_never_industries(icp, profile, needs, industries):
    merged = with_website_profile(icp, profile)
    assert (merged.needs, merged.industries) == (needs, industries)


@pytest.mark.parametrize(("website", "found"), [
    ("https://acme.example.com", "https://acme.example.com"), (None, None)])
def test_the_website_url_travels_in_the_context(website, found) -> None:
    body = json.loads(json.dumps(DOCUMENTED_EXAMPLE))
    if website:
        body["websiteUrl"] = website
    assert website_of_context(build_command_object(body)["context"]) == found
