"""Dedupe within a command and against every earlier lead of the site.

Two leads are one person when they share a normalised email, LinkedIn profile or E.164 phone,
or when their first and last names are close at the same employer (rapidfuzz behind blocking;
`tasks/dedupe/keys.py` has the rules, `tasks/dedupe/matching.py` the engine). Duplicates merge into
the best-ranked one (score, then verified): it keeps its own fields and takes each field it
lacks from the next best that has it; the provenance (`found_by`) of all of them is kept, so
the LeadSource table lists every source that found the person.

A candidate that matches a lead the site already has carries that lead's id
(`ScoredLead.known_lead_id`): the persist task updates that lead instead of adding one.

**New leads only (recurring searches).** `dedupe_leads(leads, count, runtime=...,
command_id=..., new_only=True)` leaves every candidate the site already knows out of the
selection, so the next best new people take their places and the command holds `count` new
leads when the pool has them. A scheduled run's flow passes `new_only=True`; ordinary commands
pass False and re-find (and refresh) known people.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from prefect import task

from storage.commands.records import get_command
from storage.db.engine import session_scope
from storage.leads.identity import identity_keys
from storage.leads.matching import site_lead_identities
from storage.runtime import Runtime
from tasks.dedupe.keys import LEAD_RULES, lead_match_rows
from tasks.dedupe.matching import cluster_records
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME
from tasks.search.criteria import ScoredLead

__all__ = ["dedupe_keys", "dedupe_leads", "merge_duplicates", "select_best"]

# Prospect fields a merge may fill from a duplicate when the best find lacks them.
MERGED_FIELDS = ("first_name", "last_name", "title", "email", "phone", "linkedin", "website",
                 "industry", "employee_count", "company_size", "revenue_usd", "city", "region",
                 "country", "country_code", "description")


def dedupe_keys(leads: Sequence[ScoredLead]) -> list[str | None]:
    """The identity of the person behind each lead (`storage.leads.identity`), in one batch;
    the verified address and number stand for the found ones."""
    return identity_keys([{**lead.prospect.identity_fields(), **_match_row(lead)}
                          for lead in leads])


def _rank(lead: ScoredLead) -> tuple[float, bool, str]:
    return (-lead.match_score, not lead.verification.verified, lead.prospect.prospect_id)


def _match_row(lead: ScoredLead) -> dict[str, Any]:
    prospect = lead.prospect
    return {"email": lead.verification.email or prospect.email, "linkedin": prospect.linkedin,
            "phone": lead.verification.phone_e164 or prospect.phone,
            "first_name": prospect.first_name, "last_name": prospect.last_name,
            "name": prospect.name, "company": prospect.company}


def merge_duplicates(members: Sequence[ScoredLead]) -> ScoredLead:
    """One lead from duplicates ranked best first: the best one's fields, each blank filled
    from the next best that has it, and the provenance of all of them."""
    best = members[0]
    if len(members) == 1:
        return best
    prospect, verification = best.prospect, best.verification
    missing = {}
    for name in MERGED_FIELDS:
        if getattr(prospect, name) in (None, ""):
            donor = next((m.prospect for m in members[1:]
                          if getattr(m.prospect, name) not in (None, "")), None)
            if donor is not None:
                missing[name] = getattr(donor, name)
    if not verification.email:
        # No address of its own: take a duplicate's address with the check that vouches for it.
        donor = next((m for m in members[1:] if m.verification.email), None)
        if donor is not None:
            verification = donor.verification
    found_by: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for member in members:
        for source in member.prospect.provenance():
            key = (str(source.get("source")), str(source.get("record_id") or ""))
            if key not in seen:
                seen.add(key)
                found_by.append(source)
    return best.model_copy(update={
        "prospect": prospect.model_copy(update={**missing, "found_by": found_by}),
        "verification": verification,
    })


def select_best(
    leads: list[ScoredLead],
    count: int,
    known: Sequence[dict[str, Any]] = (),
    new_only: bool = False,
) -> list[ScoredLead]:
    """The `count` best leads, one per person: score first, verified next, then a stable id.

    `known` are the site's earlier leads (`storage.leads.matching.site_lead_identities`): a
    candidate matching one gets its `known_lead_id`, or is left out when `new_only`.
    """
    if not leads:
        return []
    rows = [_match_row(lead) for lead in leads] + list(known)
    candidates = np.zeros(len(rows), dtype=bool)
    candidates[: len(leads)] = True
    labels = cluster_records(lead_match_rows(rows), LEAD_RULES, candidates).tolist()
    known_in_cluster: dict[int, str] = {}
    for at in range(len(rows) - 1, len(leads) - 1, -1):  # the oldest known lead wins
        known_in_cluster[labels[at]] = str(rows[at]["id"])
    clusters: dict[int, list[ScoredLead]] = {}
    ranked = sorted(range(len(leads)), key=lambda at: _rank(leads[at]))
    for at in ranked:
        clusters.setdefault(labels[at], []).append(leads[at])
    chosen: list[ScoredLead] = []
    for label, members in clusters.items():  # insertion order: the best member's rank
        known_lead_id = known_in_cluster.get(label)
        if known_lead_id is not None and new_only:
            continue
        merged = merge_duplicates(members)
        chosen.append(merged.model_copy(update={"known_lead_id": known_lead_id}))
        if len(chosen) == count:
            break
    return chosen


@task(name="dedupe-leads", retries=2, cache_policy=CACHE_WITHOUT_RUNTIME)
def dedupe_leads(
    leads: list[ScoredLead],
    count: int,
    runtime: Runtime | None = None,
    command_id: str | None = None,
    new_only: bool = False,
) -> list[ScoredLead]:
    """Dedupe within the command and, given the `runtime` and `command_id`, against the site's
    earlier leads; `new_only` leaves known people out (see the module docstring)."""
    known: list[dict[str, Any]] = []
    if runtime is not None and command_id is not None:
        with session_scope(runtime.engine) as session:
            command = get_command(session, command_id)
            if command is None:
                raise LookupError(f"command {command_id} does not exist")
            known = site_lead_identities(session, command.company_id, command.site_id)
    return select_best(leads, count, known, new_only)
