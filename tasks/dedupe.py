"""Dedupe within a command: one lead per person, the best-scoring finding kept.

A person is known by their normalised email, else their LinkedIn profile, else their name at
their company. The same keys identify leads across commands in the lead store.
"""

from __future__ import annotations

from prefect import task

from storage.lead_identity import identity_key, normalise_linkedin
from tasks.criteria import ScoredLead

__all__ = ["dedupe_key", "dedupe_leads", "normalise_linkedin", "select_best"]


def dedupe_key(lead: ScoredLead) -> str:
    """The identity of the person behind a lead."""
    return identity_key(lead.verification.email or lead.prospect.email, lead.prospect.linkedin,
                        lead.prospect.name, lead.prospect.company)


def select_best(leads: list[ScoredLead], count: int) -> list[ScoredLead]:
    """The `count` best leads, one per person: score first, verified next, then a stable id."""
    ranked = sorted(
        leads,
        key=lambda lead: (
            -lead.match_score, not lead.verification.verified, lead.prospect.prospect_id
        ),
    )
    chosen: list[ScoredLead] = []
    seen: set[str] = set()
    for lead in ranked:
        key = dedupe_key(lead)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(lead)
        if len(chosen) == count:
            break
    return chosen


@task(name="dedupe-leads")
def dedupe_leads(leads: list[ScoredLead], count: int) -> list[ScoredLead]:
    return select_best(leads, count)
