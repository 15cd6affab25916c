"""Ranking: a prospect that misses a criterion outright never outranks one matching them all."""

from __future__ import annotations

import pyarrow as pa
import pytest

from storage.prospects.store import PROSPECT_SCHEMA
from tasks.scoring.match import FULL_MATCH, score_prospect
from tasks.scoring.table import score_table
from tasks.search.criteria import Prospect, SearchSpec

SPEC = SearchSpec(roles=["VP of Operations"], industries=["manufacturing"],
                  company_sizes=["51-200"], locations=["Germany"],
                  interests=["predictive maintenance", "shop floor"],
                  min_revenue=1_000_000, max_revenue=50_000_000)


def prospect(**changes: object) -> Prospect:
    fields: dict[str, object] = {
        "prospect_id": "prs_1", "name": "Anna Adler", "title": "VP of Operations",
        "company": "Adler Werke", "industry": "manufacturing", "employee_count": 120,
        "company_size": "51-200", "revenue_usd": 12_000_000, "city": "Munich",
        "country": "Germany", "country_code": "DE",
        "description": "Predictive maintenance for the shop floor.",
    }
    fields.update(changes)
    return Prospect(**fields)  # type: ignore[arg-type]


# A complete but only near match: every criterion met, several of them partly.
NEAR_BUT_COMPLETE = prospect(title="Head of Operations", industry="Industrial Automation",
                             description="Predictive maintenance for mid-sized plants.")

MISSES = {
    "60 times the wanted size": {"employee_count": 7200, "company_size": "5001-10000"},
    "another country": {"city": "Lyon", "country": "France", "country_code": "FR"},
    "another function": {"title": "Chief Financial Officer"},
    "another industry": {"industry": "Retail"},
    "revenue out of range": {"revenue_usd": 900_000_000},
    "the wanted size band far below": {"employee_count": 3, "company_size": "1-10"},
}


@pytest.mark.parametrize("miss", sorted(MISSES))
def test_a_complete_match_outranks_an_exact_one_that_misses_a_criterion(miss: str) -> None:
    missing = score_prospect(prospect(**MISSES[miss]), SPEC)[0]
    assert score_prospect(NEAR_BUT_COMPLETE, SPEC)[0] > missing
    assert missing < FULL_MATCH


@pytest.mark.parametrize("miss", sorted(MISSES))
def test_every_miss_costs_more(miss: str) -> None:
    one = score_prospect(prospect(**MISSES[miss]), SPEC)[0]
    other = "another country" if miss != "another country" else "another industry"
    two = score_prospect(prospect(**MISSES[miss], **MISSES[other]), SPEC)[0]
    assert two < one


@pytest.mark.parametrize(("employees", "band", "grade_reason"), [
    (120, "51-200", "Company size match: 51-200 employees"),
    (12_000, "10001+", None),  # 60 times the range: a miss, not a near match
    (7200, "5001-10000", None),
])
def test_size_far_outside_the_range_is_a_miss(employees: int, band: str,
                                              grade_reason: str | None) -> None:
    spec = SearchSpec(company_sizes=["51-200"], roles=["VP of Operations"])
    score, reasons = score_prospect(prospect(employee_count=employees, company_size=band), spec)
    if grade_reason:
        assert (score, grade_reason in reasons) == (1.0, True)
    else:
        assert score < FULL_MATCH and not any("size" in r.lower() for r in reasons)


@pytest.mark.parametrize("unknown", [
    {"title": ""}, {"industry": ""}, {"country": "", "country_code": "", "city": None},
    {"employee_count": None, "company_size": ""}, {"revenue_usd": None},
])
def test_an_unknown_value_is_not_a_miss(unknown: dict) -> None:
    """Imported lists leave fields out: no grade, but no miss penalty either."""
    given = prospect(**unknown)
    score = score_prospect(given, SPEC)[0]
    known_miss = {"title": "CFO", "industry": "Retail", "country": "France",
                  "country_code": "FR", "employee_count": 9000, "company_size": "5001-10000",
                  "revenue_usd": 900_000_000}
    wrong = prospect(**{k: known_miss.get(k) for k in unknown})
    assert score > score_prospect(wrong, SPEC)[0]


def test_table_scorer_counts_misses_as_the_row_scorer_does() -> None:
    rows = [NEAR_BUT_COMPLETE, prospect()] + [prospect(**m) for m in MISSES.values()] + [
        prospect(title="", industry="", employee_count=None, company_size="", revenue_usd=None)]
    table = pa.Table.from_pylist(
        [{k: v for k, v in p.model_dump().items() if k in PROSPECT_SCHEMA.names} for p in rows],
        schema=PROSPECT_SCHEMA)
    assert score_table(table, SPEC).tolist() == [score_prospect(p, SPEC)[0] for p in rows]
