"""Scoring: near variants match, a perfect match is 1.0, reasons read as the contract shows."""

from __future__ import annotations

import re

import pytest

from tasks.scoring.match import score_candidates, score_prospect, score_prospects
from tasks.search.criteria import Prospect, SearchSpec
from tests.fixtures.examples import documented_search_spec

EXAMPLE = documented_search_spec()


def prospect(**changes: object) -> Prospect:
    fields: dict[str, object] = {
        "prospect_id": "prs_1", "first_name": "Jane", "last_name": "Smith", "name": "Jane Smith",
        "title": "CTO", "email": "jane.smith@techcorp.example.com", "phone": "+1 312-555-0142",
        "company_id": "co_1", "company": "TechCorp Manufacturing Inc.",
        "website": "https://techcorp.example.com", "industry": "manufacturing",
        "employee_count": 320, "company_size": "201-500", "revenue_usd": 18_000_000,
        "city": "Chicago", "region": "Illinois", "country": "United States", "country_code": "US",
        "description": "TechCorp builds machines. It invests in workflow automation, digital "
                       "transformation and cost reduction.",
    }
    fields.update(changes)
    return Prospect(**fields)  # type: ignore[arg-type]


def test_perfect_match_scores_exactly_one() -> None:
    score, reasons = score_prospect(prospect(), EXAMPLE)
    assert score == 1.0
    assert reasons == [
        "Role match: CTO",
        "Industry match: manufacturing",
        "Location match: United States",
        "Company size match: 201-500 employees",
        "Interest match: automation",
        "Interest match: cost-reduction",
        "Keyword match: digital transformation",
        "Keyword match: workflow automation",
        "Revenue in range: $1M-$50M",
        # From the example's idealCustomerProfile and offering (soft criteria, issue 17).
        "Ideal customer: mid-sized manufacturing",
        "Ideal customer need: workflow, automation",
    ]


@pytest.mark.parametrize(
    ("wanted", "title"),
    [("VP of Operations", "VP Operations"), ("VP Operations", "VP of Operations"),
     ("CTO", "Chief Technology Officer"), ("Chief Technology Officer", "CTO"),
     ("VP of Operations", "Vice President, Operations"), ("CTO", "Cheif Technology Officer")],
)
def test_role_variants_are_full_matches(wanted: str, title: str) -> None:
    score, reasons = score_prospect(prospect(title=title), SearchSpec(roles=[wanted]))
    assert score >= 0.9
    assert reasons == [f"Role match: {wanted}"]


@pytest.mark.parametrize(
    ("title", "low", "high"),
    [("Head of Engineering", 0.85, 1.0), ("Director of Engineering", 0.2, 0.75),
     ("Software Engineer", 0.0, 0.1), ("Engineering Intern", 0.0, 0.0), ("Recruiter", 0.0, 0.0)],
)
def test_near_roles_get_partial_credit(title: str, low: float, high: float) -> None:
    score, _ = score_prospect(prospect(title=title), SearchSpec(roles=["VP of Engineering"]))
    assert low <= score <= high


@pytest.mark.parametrize(
    ("wanted", "city", "region", "country", "code"),
    [("UK", "London", "England", "United Kingdom", "GB"),
     ("United Kingdom", "London", "England", "United Kingdom", "GB"),
     ("USA", "Chicago", "Illinois", "United States", "US"),
     ("Chicago, IL", "Chicago", "Illinois", "United States", "US"),
     ("Illinois", "Chicago", "Illinois", "United States", "US"),
     ("North America", "Toronto", "Ontario", "Canada", "CA"),
     ("EMEA", "Berlin", "Berlin", "Germany", "DE"),
     ("Untied States", "Chicago", "Illinois", "United States", "US")],
)
def test_location_aliases_match(wanted: str, city: str, region: str, country: str,
                                code: str) -> None:
    p = prospect(city=city, region=region, country=country, country_code=code)
    score, reasons = score_prospect(p, SearchSpec(locations=[wanted]))
    assert score >= 0.85
    assert reasons == [f"Location match: {wanted}"]


@pytest.mark.parametrize(
    ("wanted", "industry", "expected"),
    [("saas", "software", 0.8), ("tech", "information technology", 1.0),
     ("manufacturing", "industrial automation", 0.8), ("software", "healthcare", 0.0)],
)
def test_industry_families(wanted: str, industry: str, expected: float) -> None:
    score, _ = score_prospect(prospect(industry=industry), SearchSpec(industries=[wanted]))
    assert score == expected


def test_wrong_everything_scores_zero() -> None:
    p = prospect(title="Engineering Intern", industry="healthcare", country="Japan",
                 country_code="JP", city="Tokyo", region="Tokyo", employee_count=5,
                 company_size="1-10", revenue_usd=None, description="Clinics.")
    assert score_prospect(p, EXAMPLE) == (0.0, [])


def test_only_given_criteria_count() -> None:
    score, reasons = score_prospect(prospect(industry="retail"), SearchSpec(roles=["CTO"]))
    assert (score, reasons) == (1.0, ["Role match: CTO"])


def test_empty_spec_scores_zero_without_reasons() -> None:
    assert score_prospect(prospect(), SearchSpec()) == (0.0, [])


@pytest.mark.parametrize(
    ("low", "high", "label"),
    [(1_000_000, 50_000_000, "$1M-$50M"), (15_000_000, 25_000_000, "$15M-$25M"),
     (1_500_000, None, "$1.5M+"), (None, 20_000_000, "up to $20M")],
)
def test_revenue_reason_names_the_range(low: int | None, high: int | None, label: str) -> None:
    spec = SearchSpec(min_revenue=low, max_revenue=high)
    assert score_prospect(prospect(), spec) == (1.0, [f"Revenue in range: {label}"])


def test_unknown_revenue_is_not_in_range() -> None:
    spec = SearchSpec(min_revenue=1_000_000, roles=["CTO"])
    score, reasons = score_prospect(prospect(revenue_usd=None), spec)
    assert 0 < score < 1 and not any(r.startswith("Revenue") for r in reasons)


def test_scores_in_range_and_reasons_in_documented_style() -> None:
    titles = ["CTO", "VP Operations", "Head of IT", "Engineering Intern", "Plant Manager",
              "Director of Engineering", "Account Executive"]
    pool = [prospect(prospect_id=f"prs_{i}", title=t) for i, t in enumerate(titles)]
    results = score_prospects(pool, EXAMPLE)
    assert len(results) == len(pool)
    style = re.compile(r"^(Partial )?[A-Za-z ]+ match: .+$|^Revenue in range: \$.+$"
                       r"|^Ideal customer( need)?: .+$")
    for score, reasons in results:
        assert 0.0 <= score <= 1.0 and score == round(score, 2)
        assert all(style.match(r) for r in reasons)
    assert results == [score_prospect(p, EXAMPLE) for p in pool]


def test_task_runs_as_plain_function() -> None:
    assert score_candidates.fn([prospect()], EXAMPLE) == [score_prospect(prospect(), EXAMPLE)]
