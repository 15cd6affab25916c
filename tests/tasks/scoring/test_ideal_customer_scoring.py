"""Scoring the ideal customer: its own reasons, a lower weight than any explicit criterion."""

from __future__ import annotations

import pyarrow as pa
import pytest

from storage.prospects.store import PROSPECT_SCHEMA
from tasks.scoring.match import score_prospect
from tasks.scoring.table import score_table
from tasks.search.criteria import Prospect, SearchSpec
from tasks.search.ideal_customer import ideal_customer_criteria

ICP = ideal_customer_criteria("Mid-sized manufacturing companies struggling with outdated "
                              "processes", "Workflow Automation Platform")
SPEC = SearchSpec(roles=["CTO"], locations=["United States"], ideal_customer=ICP)


def prospect(**changes: object) -> Prospect:
    fields: dict[str, object] = {
        "prospect_id": "prs_1", "name": "Jane Smith", "title": "CTO", "company": "TechCorp",
        "industry": "manufacturing", "employee_count": 320, "company_size": "201-500",
        "city": "Chicago", "country": "United States", "country_code": "US",
        "description": "Replaces outdated processes with workflow automation.",
    }
    fields.update(changes)
    return Prospect(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "reasons"), [
    ({}, ["Ideal customer: mid-sized manufacturing",
          "Ideal customer need: outdated, processes, workflow, automation"]),
    ({"industry": "Machinery"}, ["Ideal customer: mid-sized manufacturing",
                                 "Ideal customer need: outdated, processes, workflow, automation"]),
    ({"employee_count": 9000, "company_size": "5001-10000"},
     ["Ideal customer: manufacturing",
      "Ideal customer need: outdated, processes, workflow, automation"]),
    ({"industry": "Retail", "description": "Sells shoes."}, ["Ideal customer: mid-sized"]),
    ({"industry": "Retail", "employee_count": 4, "company_size": "1-10",
      "description": "Sells shoes."}, []),
])
def test_ideal_customer_reasons(changes: dict, reasons: list[str]) -> None:
    got = score_prospect(prospect(**changes), SPEC)[1]
    assert [r for r in got if r.startswith("Ideal customer")] == reasons


def test_the_ideal_customer_raises_a_score_but_never_past_an_explicit_criterion() -> None:
    fits = score_prospect(prospect(), SPEC)[0]
    misfit = score_prospect(prospect(industry="Retail", employee_count=4, company_size="1-10",
                                     description="Sells shoes."), SPEC)[0]
    assert fits == 1.0 and misfit < fits
    # Explicit beats soft: a misfit to the profile in the right place outranks a perfect
    # ideal customer in the wrong one.
    elsewhere = score_prospect(prospect(country="France", country_code="FR", city="Lyon"),
                               SPEC)[0]
    assert misfit > elsewhere


@pytest.mark.parametrize("weights", [{}, {"icp": 5.0}, {"icp": 5.0, "location": 0.01}])
def test_a_site_cannot_weigh_the_ideal_customer_above_an_explicit_criterion(weights) -> None:
    spec = SPEC.model_copy(update={"weights": weights})
    from tasks.scoring.match import _Scorer

    scorer = _Scorer(spec)
    assert scorer.weights["icp"] < min(w for k, w in scorer.weights.items() if k != "icp")


def test_no_explicit_criterion_no_score_from_the_profile_alone() -> None:
    assert score_prospect(prospect(), SearchSpec(ideal_customer=ICP)) == (0.0, [])


def test_table_scorer_grades_the_ideal_customer_as_the_row_scorer_does() -> None:
    rows = [prospect(), prospect(industry="Machinery"), prospect(employee_count=None),
            prospect(employee_count=None, company_size="1001-5000"),
            prospect(industry="Retail", description="Sells shoes."),
            prospect(employee_count=9000, company_size="5001-10000", description="")]
    table = pa.Table.from_pylist(
        [{k: v for k, v in p.model_dump().items() if k in PROSPECT_SCHEMA.names} for p in rows],
        schema=PROSPECT_SCHEMA)
    assert score_table(table, SPEC).tolist() == [score_prospect(p, SPEC)[0] for p in rows]
