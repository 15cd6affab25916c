"""Ranking quality over real HTTP: a vendor list imported as users import it, a niche command
run over it, and the order of the leads it returns judged against the list's labels
(tests/fixtures/labelled_set.py; the same figures in bench/bench_ranking.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.command.test_lead_generation_api import submit, wait_for_status
from tests.fixtures.labelled_set import (
    EXCLUDED,
    NICHE_OFFERING,
    NOISE,
    PARTIAL,
    STRONG,
    label_of,
    labelled_csv,
    niche_request,
    ranking_metrics,
)
from tests.fixtures.servers import RunningLeadmill, make_settings, start_in_thread


@pytest.fixture(scope="module")
def runs(tmp_path_factory, prefect_server: str,
         module_database_url: str | None) -> Iterator[dict[str, list[dict]]]:
    """The niche command's leads, best first, from an instance whose prospect store holds
    nothing but the imported labelled list (so no sample prospect competes): once with the
    explicit audience alone, once with a productOffering and its ideal customer profile."""
    root: Path = tmp_path_factory.mktemp("ranking")
    (root / "prospects").mkdir()
    running: RunningLeadmill = start_in_thread(make_settings(
        root / "data", root / "prospects", database_url=module_database_url))
    try:
        site = running.credentials["site_id"]
        with running.client() as client:
            imported = client.post("/api/prospects/import", content=labelled_csv(),
                                   params={"siteId": site, "filename": "vendor-export.csv"},
                                   headers={"content-type": "text/csv"})
            assert imported.status_code == 200, imported.text
            report = imported.json()["data"]
            assert report["imported"] == STRONG + PARTIAL + EXCLUDED + NOISE, report
            runs = {}
            for name, offering in (("explicit", None), ("with_offering", NICHE_OFFERING)):
                accepted = submit(client, niche_request(site, max_leads=25, offering=offering))
                data = wait_for_status(client, accepted["command_id"])
                assert data["status"] == "completed", data
                runs[name] = data["leads_generated"]
        yield runs
    finally:
        running.stop()


@pytest.fixture(params=["explicit", "with_offering"])
def ranked(request, runs: dict[str, list[dict]]) -> list[dict]:
    return runs[request.param]


def test_niche_command_precision_at_10_is_at_least_0_9(ranked: list[dict]) -> None:
    labels = [label_of(lead["email"]) for lead in ranked]
    assert ranking_metrics(labels)["precision@10"] >= 0.9, labels


def test_no_excluded_term_prospect_in_the_top_25(ranked: list[dict]) -> None:
    assert len(ranked) == 25
    assert [lead["company"] for lead in ranked if label_of(lead["email"]) == "excluded"] == []


def test_every_full_match_outranks_every_prospect_missing_a_criterion(ranked) -> None:
    labels = [label_of(lead["email"]) for lead in ranked]
    assert labels[:STRONG] == ["strong"] * STRONG, labels
    metrics = ranking_metrics(labels)
    assert metrics["recall@25"] == 1.0 and metrics["ndcg@25"] >= 0.95, metrics


def test_leads_say_why_they_match(ranked: list[dict]) -> None:
    for lead in ranked[:STRONG]:
        assert any(r.startswith(("Role match", "Partial role match"))
                   for r in lead["match_reasons"]), lead
        assert "Location match: Germany" in lead["match_reasons"], lead


def test_the_ideal_customer_profile_gives_its_own_reasons(runs) -> None:
    strong = runs["with_offering"][:STRONG]
    for lead in strong:
        assert "Ideal customer: mid-sized manufacturing" in lead["match_reasons"], lead
    # Half the strong rows' descriptions name the shop floor, a need of the profile.
    assert sum(any(r.startswith("Ideal customer need: shop, floor") for r in lead[
        "match_reasons"]) for lead in strong) >= STRONG // 2
    assert not any(r.startswith("Ideal customer") for lead in runs["explicit"]
                   for r in lead["match_reasons"])
