"""The vectorised scorer gives the row scorer's scores; new scoring rules."""

from __future__ import annotations

import json
from pathlib import Path

from storage.prospects.store import generate_sample
from tasks.scoring.match import score_prospect, score_prospects
from tasks.scoring.table import read_audience, reasons_for, score_table
from tasks.search.criteria import Prospect, SearchSpec

SPEC = SearchSpec(industries=["saas", "manufacturing"], roles=["CTO", "VP of Operations"],
                  locations=["North America", "UK"], company_sizes=["100-250"],
                  interests=["automation"], keywords=["digital transformation"],
                  excluded_terms=["staffing"], min_revenue=1_000_000, max_revenue=50_000_000)


def prospect(**changes: object) -> Prospect:
    values = {"prospect_id": "p1", "first_name": "Jane", "last_name": "Smith",
              "name": "Jane Smith", "title": "CTO", "company_id": "c1", "company": "TechCorp",
              "industry": "SaaS", "employee_count": 120, "company_size": "51-200",
              "revenue_usd": 10_000_000, "city": "Chicago", "region": "Illinois",
              "country": "United States", "country_code": "US",
              "description": "Workflow automation for digital transformation."}
    return Prospect(**(values | changes))


def test_table_scores_equal_row_scores(tmp_path: Path) -> None:
    path = generate_sample(tmp_path, 3000, 300)
    table = read_audience(str(path))
    rows = [Prospect(**row) for row in table.to_pylist()]
    expected = [score for score, _ in score_prospects(rows, SPEC)]
    assert score_table(table, SPEC).tolist() == expected
    best = sorted(range(len(rows)), key=lambda i: -expected[i])[:5]
    assert reasons_for(table, best, SPEC) == [score_prospects([rows[i]], SPEC)[0][1]
                                              for i in best]


def test_excluded_term_disqualifies() -> None:
    score, reasons = score_prospect(prospect(industry="Staffing and Recruiting"), SPEC)
    assert (score, reasons) == (0.0, ["Excluded term: staffing"])


def test_size_band_overlap_is_a_partial_match() -> None:
    spec = SearchSpec(company_sizes=["100-250"])
    assert score_prospect(prospect(employee_count=120), spec) == (
        1.0, ["Company size match: 100-250 employees"])
    assert score_prospect(prospect(employee_count=60, company_size="51-200"), spec) == (
        0.5, ["Partial company size match: 51-200 overlaps 100-250"])
    assert score_prospect(prospect(employee_count=20, company_size="11-50"), spec)[0] == 0.0


def test_site_weights_change_the_balance() -> None:
    spec = SearchSpec(roles=["CTO"], industries=["manufacturing"])
    # No industry given: a grade of 0 there is unknown, not a miss, so only the weights count.
    unknown_industry = prospect(industry="")
    assert score_prospect(unknown_industry, spec)[0] == 0.6  # 0.30 / (0.30 + 0.20)
    weighted = spec.model_copy(update={"weights": {"role": 0.9, "industry": 0.1}})
    assert score_prospect(unknown_industry, weighted)[0] == 0.9
    assert score_prospect(prospect(), SearchSpec(roles=["CTO"], weights={"role": 0}))[0] == 0.0


def test_site_weights_of_one_company_do_not_reach_another_company_with_the_same_site_id(
        tmp_path) -> None:
    from tasks.scoring.match import site_weights

    weights = tmp_path / "weights.json"
    weights.write_text(json.dumps({"default": {"role": 0.3}, "shop": {"industry": 0.5},
                                   "company_a/shop": {"role": 0.9}}))
    assert site_weights(weights, "shop", "company_a") == {"role": 0.9, "industry": 0.5}
    assert site_weights(weights, "shop", "company_b") == {"role": 0.3, "industry": 0.5}
    assert site_weights(weights, "other", "company_a") == {"role": 0.3}
    assert site_weights(tmp_path / "missing.json", "shop", "company_a") == {}
