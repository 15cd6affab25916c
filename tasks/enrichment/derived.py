"""Enrichment: the derived fields a lead carries beyond the raw prospect.

Revenue becomes a band ("$15M-$25M") because exact figures from lists are estimates anyway;
locations read the way the contract shows them ("Chicago, IL, United States").
"""

from __future__ import annotations

from prefect import task

from tasks.run_logging import task_logger
from tasks.search import vocabulary
from tasks.search.criteria import Prospect, ScoredLead, Verification

# Band edges in USD; each band runs from one edge up to (not including) the next.
_BAND_EDGES = (1_000_000, 5_000_000, 10_000_000, 15_000_000, 25_000_000, 50_000_000,
               100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 5_000_000_000)


def estimated_revenue_band(revenue_usd: int | None) -> str | None:
    """Return the revenue band: "Under $1M", "$15M-$25M", ..., "$5B+"; None when unknown."""
    if revenue_usd is None or revenue_usd < 0:
        return None
    if revenue_usd < _BAND_EDGES[0]:
        return "Under $1M"
    for low, high in zip(_BAND_EDGES, _BAND_EDGES[1:], strict=False):
        if revenue_usd < high:
            return f"{vocabulary.format_dollars(low)}-{vocabulary.format_dollars(high)}"
    return f"{vocabulary.format_dollars(_BAND_EDGES[-1])}+"


def format_location(city: str | None, region: str | None, country: str | None) -> str:
    """Join the known parts, abbreviating US states and Canadian provinces ("Chicago, IL, ...").

    A region equal to its city ("Singapore, Singapore") is said once.
    """
    region_text = vocabulary.region_abbreviation(region) or region
    parts: list[str] = []
    for part in (city, region_text, country):
        if part and part.strip() and part.strip() not in parts:
            parts.append(part.strip())
    return ", ".join(parts)


def enrich(
    prospect: Prospect, verification: Verification, score: float, reasons: list[str]
) -> ScoredLead:
    """Combine a prospect, its verification and its score into a lead."""
    return ScoredLead(
        prospect=prospect,
        verification=verification,
        match_score=score,
        match_reasons=list(reasons),
        estimated_revenue=estimated_revenue_band(prospect.revenue_usd),
        location=format_location(prospect.city, prospect.region, prospect.country) or None,
    )


@task(name="enrich-leads")
def enrich_leads(
    prospects: list[Prospect],
    verifications: list[Verification],
    scores: list[tuple[float, list[str]]],
) -> list[ScoredLead]:
    """Prefect task: build one lead per prospect from its verification and score."""
    if not len(prospects) == len(verifications) == len(scores):
        raise ValueError("prospects, verifications and scores must have the same length")
    leads = [
        enrich(p, v, score, reasons)
        for p, v, (score, reasons) in zip(prospects, verifications, scores, strict=True)
    ]
    task_logger(__name__).info("enriched %d leads", len(leads))
    return leads
