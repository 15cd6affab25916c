"""Every source's candidates are held to the search's hard limits."""

from __future__ import annotations

import pytest

from tasks.search.criteria import Prospect, SearchSpec
from tasks.search.hard_filters import within_hard_limits


def candidate(**changes) -> Prospect:
    values = dict(prospect_id="p1", first_name="Ada", last_name="Lee", name="Ada Lee",
                  title="CTO", company_id="c1", company="Quillworks", industry="software",
                  employee_count=120, company_size="51-200", country="United States",
                  country_code="US", website="https://quillworks.example.com",
                  revenue_usd=10_000_000, description="Workflow automation for plants.",
                  source="apollo")
    values.update(changes)
    return Prospect(**values)


SPEC = SearchSpec(excluded_terms=["recruiting", "staffing"], min_revenue=1_000_000,
                  max_revenue=50_000_000, has_website=True)


@pytest.mark.parametrize(("changes", "kept"), [
    ({}, True),
    ({"revenue_usd": None}, True),  # a provider that does not report revenue
    ({"revenue_usd": 500_000}, False),
    ({"revenue_usd": 90_000_000}, False),
    ({"website": None}, False),
    ({"company": "Quill Staffing Partners"}, False),
    ({"description": "We do recruiting for plants."}, False),
    ({"title": "Recruiter"}, True),  # whole words only: "recruiter" is not "recruiting"
    ({"industry": "staffing and recruiting"}, False),
])
def test_candidates_outside_the_hard_limits_are_dropped(changes, kept):
    assert (within_hard_limits([candidate(**changes)], SPEC) != []) is kept


def test_a_search_without_limits_keeps_everyone():
    people = [candidate(website=None, revenue_usd=None), candidate(prospect_id="p2")]
    assert within_hard_limits(people, SearchSpec()) == people
