"""Dedupe within a command: one lead per person, the best-scoring finding kept.

A person is known by their normalised email, else their LinkedIn profile, else their name at
their company. The same keys identify leads across commands in the lead store.
"""

from __future__ import annotations

import re

from prefect import task

from tasks.criteria import ScoredLead

_LINKEDIN = re.compile(r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/in/([^/?#]+)", re.I)


def normalise_linkedin(url: str | None) -> str | None:
    """`https://www.linkedin.com/in/Jane-Smith/` → `linkedin.com/in/jane-smith`."""
    if not url:
        return None
    match = _LINKEDIN.match(url.strip())
    return f"linkedin.com/in/{match.group(1).lower()}" if match else None


def dedupe_key(lead: ScoredLead) -> str:
    """The identity of the person behind a lead."""
    email = lead.verification.email or lead.prospect.email
    if email:
        return f"email:{email.strip().lower()}"
    linkedin = normalise_linkedin(lead.prospect.linkedin)
    if linkedin:
        return f"linkedin:{linkedin}"
    name = " ".join(lead.prospect.name.lower().split())
    company = " ".join(lead.prospect.company.lower().split())
    return f"person:{name}@{company}"


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
