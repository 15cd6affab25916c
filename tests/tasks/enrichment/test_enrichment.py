"""Enrichment: revenue bands, locations as the contract writes them, and the lead itself."""

from __future__ import annotations

import pytest

from tasks.enrichment.derived import enrich, enrich_leads, estimated_revenue_band, format_location
from tasks.search.criteria import Prospect, Verification


@pytest.mark.parametrize(
    ("revenue", "band"),
    [(None, None), (-5, None), (0, "Under $1M"), (999_999, "Under $1M"),
     (1_000_000, "$1M-$5M"), (18_000_000, "$15M-$25M"), (25_000_000, "$25M-$50M"),
     (750_000_000, "$500M-$1B"), (2_000_000_000, "$1B-$5B"), (9_000_000_000, "$5B+")],
)
def test_revenue_bands(revenue: int | None, band: str | None) -> None:
    assert estimated_revenue_band(revenue) == band


@pytest.mark.parametrize(
    ("city", "region", "country", "text"),
    [("Chicago", "Illinois", "United States", "Chicago, IL, United States"),
     ("Chicago", "IL", "United States", "Chicago, IL, United States"),
     ("Toronto", "Ontario", "Canada", "Toronto, ON, Canada"),
     ("London", "England", "United Kingdom", "London, England, United Kingdom"),
     ("Singapore", "Singapore", "Singapore", "Singapore"),
     (None, None, "Germany", "Germany"), (None, None, None, "")],
)
def test_locations_read_as_in_the_contract(city: str | None, region: str | None,
                                           country: str | None, text: str) -> None:
    assert format_location(city, region, country) == text


def _prospect() -> Prospect:
    return Prospect(prospect_id="prs_1", first_name="Jane", last_name="Smith", name="Jane Smith",
                    title="CTO", company_id="co_1", company="TechCorp", industry="manufacturing",
                    employee_count=320, company_size="201-500", revenue_usd=18_000_000,
                    city="Chicago", region="Illinois", country="United States",
                    country_code="US")


def test_enrich_builds_the_lead() -> None:
    lead = enrich(_prospect(), Verification(verified=True), 0.89, ["Role match: CTO"])
    assert lead.estimated_revenue == "$15M-$25M"
    assert lead.location == "Chicago, IL, United States"
    assert (lead.match_score, lead.match_reasons) == (0.89, ["Role match: CTO"])


def test_task_refuses_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        enrich_leads.fn([_prospect()], [], [])


def test_task_runs_as_plain_function() -> None:
    leads = enrich_leads.fn([_prospect()], [Verification()], [(0.5, [])])
    assert [lead.match_score for lead in leads] == [0.5]
