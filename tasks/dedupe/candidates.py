"""Dedupe within a command and against every earlier lead of the site.

Two leads are one person when they share a normalised email, LinkedIn profile or E.164 phone,
or when their first and last names are close at the same employer (rapidfuzz behind blocking;
`tasks/dedupe/keys.py` has the rules, `tasks/dedupe/matching.py` the engine). Duplicates merge into
the best-ranked one (score, then verified): it keeps its own fields and takes each field it
lacks from the next best that has it; the provenance (`found_by`) of all of them is kept, so
the LeadSource table lists every source that found the person.

A candidate that matches a lead the site already has carries that lead's id
(`ScoredLead.known_lead_id`): the persist task updates that lead instead of adding one.

**Deleted stays deleted; suppressed people are never returned.** A candidate that matches only
leads someone deleted is left out (re-creating the lead with `POST /api/leads` is the only way
back), and so is a person on the company's or the client's suppression entries
(`storage.privacy.suppressions.SuppressionCheck`: do-not-contact lists, erasures); the next best
take their places, and `LeadSelection` counts both for the command's summary.

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
from pydantic import BaseModel, Field

from storage.commands.records import get_command
from storage.db.engine import session_scope
from storage.leads.identity import identity_keys
from storage.leads.matching import site_lead_identities
from storage.privacy.suppressions import SuppressionCheck
from storage.runtime import Runtime
from tasks.dedupe.keys import LEAD_RULES, lead_match_rows
from tasks.dedupe.matching import cluster_records
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME
from tasks.search.criteria import ScoredLead

__all__ = ["LeadSelection", "choose_leads", "dedupe_keys", "dedupe_leads", "merge_duplicates",
           "select_best"]

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


class LeadSelection(BaseModel):
    """The leads a command keeps, and how many people were left out on the way to them:
    `suppressed` (on a do-not-contact list or erased) and `deleted` (known to the site only as
    leads someone deleted). Only the people ranked before the selection filled up count: the
    ones that would have taken a place."""

    leads: list[ScoredLead] = Field(default_factory=list)
    suppressed: int = 0
    deleted: int = 0


def _suppression_rows(lead: ScoredLead) -> list[dict[str, Any]]:
    """The identity rows a candidate is checked under: as found, and as it would be stored
    (the verified address and number)."""
    found = lead.prospect.identity_fields()
    stored = {**found, **_match_row(lead)}
    return [found] if stored == found else [found, stored]


def _suppressed_clusters(suppression: SuppressionCheck | None, members: dict[int, list[int]],
                         leads: list[ScoredLead], known_rows: dict[int, dict[str, Any]]
                         ) -> set[int]:
    """The clusters (label → candidate positions) holding a suppressed person: any member
    as found or as stored, or the live lead it matched (`known_rows`: label → row)."""
    if not suppression:
        return set()
    rows: list[dict[str, Any]] = []
    owners: list[int] = []
    for label, positions in members.items():
        for at in positions:
            for row in _suppression_rows(leads[at]):
                rows.append(row)
                owners.append(label)
        if label in known_rows:
            rows.append(known_rows[label])
            owners.append(label)
    return {label for label, hit in zip(owners, suppression.suppressed(rows), strict=True)
            if hit}


def choose_leads(
    leads: list[ScoredLead],
    count: int,
    known: Sequence[dict[str, Any]] = (),
    new_only: bool = False,
    suppression: SuppressionCheck | None = None,
) -> LeadSelection:
    """The `count` best leads, one per person: score first, verified next, then a stable id.

    `known` are the site's earlier leads (`storage.leads.matching.site_lead_identities`): a
    candidate matching a live one gets its `known_lead_id` (or is left out when `new_only`); a
    candidate matching only deleted ones is left out, as is a person `suppression` names. The
    next best take their places.
    """
    if not leads:
        return LeadSelection()
    rows = [_match_row(lead) for lead in leads] + list(known)
    candidates = np.zeros(len(rows), dtype=bool)
    candidates[: len(leads)] = True
    labels = cluster_records(lead_match_rows(rows), LEAD_RULES, candidates).tolist()
    live_in_cluster: dict[int, dict[str, Any]] = {}
    deleted_in_cluster: set[int] = set()
    for at in range(len(rows) - 1, len(leads) - 1, -1):  # the oldest live known lead wins
        if rows[at].get("deleted"):
            deleted_in_cluster.add(labels[at])
        else:
            live_in_cluster[labels[at]] = rows[at]
    clusters: dict[int, list[int]] = {}
    for at in sorted(range(len(leads)), key=lambda at: _rank(leads[at])):
        clusters.setdefault(labels[at], []).append(at)
    suppressed = _suppressed_clusters(suppression, clusters, leads, live_in_cluster)
    selection = LeadSelection()
    for label, positions in clusters.items():  # insertion order: the best member's rank
        known_lead = live_in_cluster.get(label)
        if known_lead is None and label in deleted_in_cluster:
            selection.deleted += 1  # deleted stays deleted: only POST /api/leads revives
            continue
        if known_lead is not None and new_only:
            continue
        if label in suppressed:
            selection.suppressed += 1
            continue
        merged = merge_duplicates([leads[at] for at in positions])
        known_lead_id = str(known_lead["id"]) if known_lead is not None else None
        selection.leads.append(merged.model_copy(update={"known_lead_id": known_lead_id}))
        if len(selection.leads) == count:
            break
    return selection


def select_best(
    leads: list[ScoredLead],
    count: int,
    known: Sequence[dict[str, Any]] = (),
    new_only: bool = False,
    suppression: SuppressionCheck | None = None,
) -> list[ScoredLead]:
    """The leads of `choose_leads`, without the counts."""
    return choose_leads(leads, count, known, new_only, suppression).leads


@task(name="dedupe-leads", retries=2, cache_policy=CACHE_WITHOUT_RUNTIME)
def dedupe_leads(
    leads: list[ScoredLead],
    count: int,
    runtime: Runtime | None = None,
    command_id: str | None = None,
    new_only: bool = False,
) -> LeadSelection:
    """Dedupe within the command and, given the `runtime` and `command_id`, against the site's
    earlier leads and its company's (and client's) suppression entries; `new_only` leaves
    known people out (see the module docstring)."""
    known: list[dict[str, Any]] = []
    suppression: SuppressionCheck | None = None
    if runtime is not None and command_id is not None:
        with session_scope(runtime.engine) as session:
            command = get_command(session, command_id)
            if command is None:
                raise LookupError(f"command {command_id} does not exist")
            known = site_lead_identities(session, command.company_id, command.site_id)
            suppression = SuppressionCheck.for_site(session, runtime.secret_box,
                                                    command.company_id, command.site_id)
    return choose_leads(leads, count, known, new_only, suppression)
