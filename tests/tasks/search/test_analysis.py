"""The generated command object and the search read back out of it."""

from __future__ import annotations

import json

from api.command.schemas import parse_lead_generation_request
from tasks.search.analysis import build_command_object, describe_command, search_spec_from_command
from tests.fixtures.examples import DOCUMENTED_EXAMPLE, example


def validated(body) -> dict:
    return parse_lead_generation_request(json.dumps(body).encode()).model_dump(mode="json")


def test_command_object_round_trips_into_the_search_spec():
    spec = search_spec_from_command(build_command_object(validated(DOCUMENTED_EXAMPLE)))
    assert spec.count == 25
    assert spec.roles == ["CTO", "Head of Engineering", "VP of Operations"]
    assert spec.company_sizes == ["51-200", "201-500"]
    assert spec.excluded_terms == ["recruiting", "staffing"]
    assert (spec.min_revenue, spec.max_revenue, spec.has_website) == (1_000_000, 50_000_000, True)


def test_description_names_the_offering_audience_and_interests():
    sentence = describe_command(validated(DOCUMENTED_EXAMPLE))
    assert sentence == (
        "Generate 25 qualified leads for Acme Automation Inc.'s Workflow Automation Platform, "
        "targeting CTO, Head of Engineering and VP of Operations roles at saas, tech or "
        "manufacturing companies of 51-200 or 201-500 employees in United States, Canada and "
        "United Kingdom interested in automation, efficiency, cost-reduction, digital "
        "transformation and workflow automation."
    )


def test_description_without_business_info_still_reads_well():
    body = example(maxLeads=3)
    body["leadGenData"] = {"targetAudience": {"locations": ["Germany"]}}
    assert describe_command(validated(body)) == (
        "Generate 3 qualified leads, targeting companies in Germany.")


def test_missing_revenue_bounds_stay_open():
    body = example()
    body["leadGenData"]["searchCriteria"] = {"keywords": ["cloud"]}
    spec = search_spec_from_command(build_command_object(validated(body)))
    assert (spec.min_revenue, spec.max_revenue, spec.has_website) == (None, None, None)


def test_website_and_capture_mechanism_appear_in_the_context_only_when_given():
    documented = build_command_object(validated(DOCUMENTED_EXAMPLE))["context"]
    assert "website" not in documented and "lead_capture_mechanism" not in documented
    body = example(websiteUrl="https://acme.example.com", leadCaptureMechanism="chatbot")
    context = json.loads(build_command_object(validated(body))["context"]
                         .removeprefix("Company Context:\n"))
    assert context["website"] == "https://acme.example.com"
    assert context["lead_capture_mechanism"] == "chatbot"
