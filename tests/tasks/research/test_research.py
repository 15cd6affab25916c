"""Research over a generated 20k-contact sample, with the contract's example criteria."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storage.prospects.store import generate_sample
from tasks.research.prospect_search import research_prospects, search_prospects
from tasks.search.criteria import Prospect, SearchSpec
from tests.fixtures.examples import documented_search_spec

EXAMPLE = documented_search_spec()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("prospects")
    generate_sample(directory, contacts=20_000, companies=4_000)
    return directory


def _mentions(prospect: Prospect, term: str) -> bool:
    text = " ".join([prospect.company, prospect.industry, prospect.title, prospect.description])
    return re.search(rf"\b{re.escape(term)}s?\b", text, re.IGNORECASE) is not None


def test_example_request_finds_enough_candidates_within_hard_filters(store: Path) -> None:
    found = search_prospects(store, EXAMPLE, pool_size=200)
    assert len(found) >= 25
    for prospect in found:
        assert prospect.website
        assert prospect.revenue_usd is not None and 1_000_000 <= prospect.revenue_usd <= 50_000_000
        assert not _mentions(prospect, "recruiting") and not _mentions(prospect, "staffing")


def test_best_candidates_match_the_wanted_roles_first(store: Path) -> None:
    top = search_prospects(store, EXAMPLE, pool_size=25)
    wanted = {"CTO", "Chief Technology Officer", "Head of Engineering", "VP of Operations",
              "VP Operations", "Vice President, Operations"}
    # This 20k sample holds 18 exact matches of every criterion; near roles may follow them.
    assert all(p.title in wanted for p in top[:15])
    assert all(p.country_code in {"US", "CA", "GB"} for p in top)


def test_same_search_returns_same_pool(store: Path) -> None:
    first = [p.prospect_id for p in search_prospects(store, EXAMPLE, pool_size=100)]
    assert first == [p.prospect_id for p in search_prospects(store, EXAMPLE, pool_size=100)]


@pytest.mark.parametrize(
    "term", ["recruiting", "staffing", "Recruiter", "software", "VP Operations"]
)
def test_excluded_term_excludes_every_prospect_mentioning_it(store: Path, term: str) -> None:
    spec = SearchSpec(roles=["Recruiter", "VP of Operations", "CTO"], industries=["software"],
                      excluded_terms=[term])
    found = search_prospects(store, spec, pool_size=500)
    assert found
    assert not any(_mentions(p, term) for p in found)


def test_excluded_terms_are_whole_words(store: Path) -> None:
    # "auto" must not exclude "automation" or "automotive"
    spec = SearchSpec(industries=["industrial automation", "automotive"], excluded_terms=["auto"])
    assert search_prospects(store, spec, pool_size=50)


@pytest.mark.parametrize(
    ("low", "high"), [(1_000_000, None), (None, 5_000_000), (10_000_000, 20_000_000)]
)
def test_revenue_range_drops_unknown_and_out_of_range(
    store: Path, low: int | None, high: int | None
) -> None:
    spec = SearchSpec(roles=["CTO"], min_revenue=low, max_revenue=high)
    found = search_prospects(store, spec, pool_size=300)
    assert found
    for p in found:
        assert p.revenue_usd is not None
        assert (low is None or p.revenue_usd >= low) and (high is None or p.revenue_usd <= high)


def test_without_website_requirement_sites_may_be_missing(store: Path) -> None:
    found = search_prospects(store, SearchSpec(roles=["Software Engineer"]), pool_size=2_000)
    assert any(p.website is None for p in found)


def test_candidate_must_match_some_soft_criterion(store: Path) -> None:
    spec = SearchSpec(roles=["Chief Astronaut"], locations=["Antarctica"])
    assert search_prospects(store, spec, pool_size=50) == []


@pytest.mark.parametrize(
    ("location", "codes"),
    [("UK", {"GB"}), ("North America", {"US", "CA", "MX"}), ("DACH", {"DE", "AT", "CH"}),
     ("Chicago, IL", {"US"}), ("Illinois", {"US"}), ("Toronto", {"CA"})],
)
def test_location_aliases_find_prospects_there(store: Path, location: str, codes: set[str]) -> None:
    found = search_prospects(store, SearchSpec(locations=[location]), pool_size=100)
    assert found and all(p.country_code in codes for p in found)


def test_no_criteria_returns_the_first_prospects(store: Path) -> None:
    found = search_prospects(store, SearchSpec(), pool_size=5)
    assert [p.prospect_id for p in found] == sorted(p.prospect_id for p in found)
    assert len(found) == 5


@pytest.mark.parametrize("pool_size", [0, -1])
def test_empty_pool_returns_nothing(store: Path, pool_size: int) -> None:
    assert search_prospects(store, EXAMPLE, pool_size=pool_size) == []


def test_empty_store_returns_nothing(tmp_path: Path) -> None:
    assert search_prospects(tmp_path, EXAMPLE, pool_size=10) == []


def test_task_runs_as_plain_function(store: Path) -> None:
    assert len(research_prospects.fn(str(store), EXAMPLE, 30)) == 30
