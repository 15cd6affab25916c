"""The summary of a command's leads, as the command API documents it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from tasks.search.criteria import ScoredLead


def _breakdown(values: Iterable[str]) -> dict[str, int]:
    """Counts per value, largest first."""
    return dict(Counter(values).most_common())


def summarize_leads(leads: list[ScoredLead], suppressed: int = 0,
                    deleted: int = 0) -> dict[str, Any]:
    """total_leads, average_match_score, verified_percentage and the breakdowns, plus (beyond
    the document) `suppressed` and `deleted_skipped`: the people left out because they are on
    a do-not-contact list (or were erased) and because someone deleted their lead."""
    return summarize_values(
        [lead.match_score for lead in leads],
        [lead.verification.verified for lead in leads],
        [lead.prospect.industry for lead in leads],
        [lead.prospect.title for lead in leads],
        suppressed=suppressed, deleted=deleted)


def summarize_values(scores: list[float], verified: list[bool], industries: list[str],
                     roles: list[str], suppressed: int = 0, deleted: int = 0
                     ) -> dict[str, Any]:
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
        "industries_breakdown": _breakdown(industries),
        "roles_breakdown": _breakdown(roles),
        **skipped,
    }


def live_summary(summary: dict[str, Any], rows: list[tuple[Any, Any]]) -> dict[str, Any]:
    """A completed command's `summary`, its lead figures recomputed from `rows` (its live
    leads, `storage.commands.records.command_leads`) when leads were deleted since: a deleted
    lead is in no command's summary. The counts of people left out are kept."""
    if not summary or summary.get("total_leads") == len(rows):
        return summary
    return summarize_values([link.match_score for _, link in rows],
                            [lead.verified for lead, _ in rows],
                            [lead.industry or "" for lead, _ in rows],
                            [lead.position or "" for lead, _ in rows],
                            suppressed=summary.get("suppressed", 0),
                            deleted=summary.get("deleted_skipped", 0))
