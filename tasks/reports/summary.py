"""The summary of a command's leads, as the command API documents it.

`roles_breakdown` and `industries_breakdown` count leads per **requested** role and industry
(the command's own spelling, each spelling once), with an `other` bucket for the leads that fill
none of them; a lead counts for the requested value it matches best, and only when it matches
it ("Chief Technology Officer" and "CTO" for "CTO", "Software" for "SaaS"). Without requested
values, leads count per canonical role ("sales director") and industry ("technology"). The
leads themselves keep their raw titles and industries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from tasks.search import vocabulary
from tasks.search.criteria import ScoredLead

OTHER = "other"
# A lead fills a requested role or industry from this grade up: the scorer's "match" (0.85)
# for roles, and the same family for industries ("software" for "saas" grades 0.8).
_ROLE_FLOOR, _INDUSTRY_FLOOR = 0.85, 0.8


def _breakdown(values: Iterable[str]) -> dict[str, int]:
    """Counts per value, largest first."""
    return dict(Counter(values).most_common())


def _per_requested(values: list[str], requested: list[str], same: Callable[[str], str],
                   grade: Callable[[str, str], float], floor: float) -> dict[str, int]:
    """Counts per requested value (every one listed, zero included) and `other`."""
    wanted: dict[str, str] = {}
    for value in requested:
        if value.strip():
            wanted.setdefault(same(value), value)  # "CTO" and "Chief Technology Officer": once
    picks: dict[str, str] = {}
    counts = dict.fromkeys([*wanted.values(), OTHER], 0)
    for value in values:
        if value not in picks:
            best, label = 0.0, OTHER
            for spelling in wanted.values():
                g = grade(spelling, value)
                if g > best:
                    best, label = g, spelling
            picks[value] = label if best >= floor else OTHER
        counts[picks[value]] += 1
    return counts


def roles_breakdown(titles: list[str], requested: list[str]) -> dict[str, int]:
    """Leads per requested role (+ `other`), or per canonical role when none was requested."""
    if not any(r.strip() for r in requested):
        return _breakdown(vocabulary.canonical_role(t).label for t in titles)
    return _per_requested(titles, requested, vocabulary.normalize_title,
                          vocabulary.role_similarity, _ROLE_FLOOR)


def industries_breakdown(industries: list[str], requested: list[str]) -> dict[str, int]:
    """Leads per requested industry (+ `other`), or per canonical industry without any."""
    if not any(r.strip() for r in requested):
        return _breakdown(vocabulary.canonical_industry(i) if i else OTHER for i in industries)
    return _per_requested(industries, requested, vocabulary.normalize_industry,
                          vocabulary.industry_similarity, _INDUSTRY_FLOOR)


def summarize_leads(leads: list[ScoredLead], suppressed: int = 0, deleted: int = 0,
                    roles: list[str] | None = None,
                    industries: list[str] | None = None) -> dict[str, Any]:
    """total_leads, average_match_score, verified_percentage and the breakdowns (per the
    requested `roles` and `industries`), plus (beyond the document) `suppressed` and
    `deleted_skipped`: the people left out because they are on a do-not-contact list (or were
    erased) and because someone deleted their lead."""
    return summarize_values(
        [lead.match_score for lead in leads],
        [lead.verification.verified for lead in leads],
        [lead.prospect.industry for lead in leads],
        [lead.prospect.title for lead in leads],
        suppressed=suppressed, deleted=deleted,
        requested_roles=roles or [], requested_industries=industries or [])


def summarize_values(scores: list[float], verified: list[bool], industries: list[str],
                     roles: list[str], suppressed: int = 0, deleted: int = 0,
                     requested_roles: list[str] | None = None,
                     requested_industries: list[str] | None = None) -> dict[str, Any]:
    """The summary of leads given as columns (one entry per lead in each)."""
    total = len(scores)
    skipped = {"suppressed": suppressed, "deleted_skipped": deleted}
    if total == 0:
        return {
            "total_leads": 0,
            "average_match_score": 0,
            "verified_percentage": 0,
            "industries_breakdown": {},
            "roles_breakdown": {},
            **skipped,
        }
    return {
        "total_leads": total,
        "average_match_score": round(sum(scores) / total, 2),
        # An integer percentage, as documented ("verified_percentage": 92).
        "verified_percentage": round(100 * sum(map(bool, verified)) / total),
        "industries_breakdown": industries_breakdown(industries, requested_industries or []),
        "roles_breakdown": roles_breakdown(roles, requested_roles or []),
        **skipped,
    }


def live_summary(summary: dict[str, Any], rows: list[tuple[Any, Any]],
                 roles: list[str] | None = None,
                 industries: list[str] | None = None) -> dict[str, Any]:
    """A completed command's `summary`, its lead figures recomputed from `rows` (its live
    leads, `storage.commands.records.command_leads`) when leads were deleted since: a deleted
    lead is in no command's summary. The counts of people left out are kept; `roles` and
    `industries` are the command's requested ones, as in the run's summary."""
    if not summary or summary.get("total_leads") == len(rows):
        return summary
    return summarize_values([link.match_score for _, link in rows],
                            [lead.verified for lead, _ in rows],
                            [lead.industry or "" for lead, _ in rows],
                            [lead.position or "" for lead, _ in rows],
                            suppressed=summary.get("suppressed", 0),
                            deleted=summary.get("deleted_skipped", 0),
                            requested_roles=roles, requested_industries=industries)
