"""The summary of a command's leads, as the command API documents it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from tasks.search.criteria import ScoredLead


def _breakdown(values: Iterable[str]) -> dict[str, int]:
    """Counts per value, largest first."""
    return dict(Counter(values).most_common())


def summarize_leads(leads: list[ScoredLead]) -> dict[str, Any]:
    """total_leads, average_match_score, verified_percentage and the breakdowns."""
    total = len(leads)
    if total == 0:
        return {
            "total_leads": 0,
            "average_match_score": 0,
            "verified_percentage": 0,
            "industries_breakdown": {},
            "roles_breakdown": {},
        }
    verified = sum(1 for lead in leads if lead.verification.verified)
    return {
        "total_leads": total,
        "average_match_score": round(sum(lead.match_score for lead in leads) / total, 2),
        # An integer percentage, as documented ("verified_percentage": 92).
        "verified_percentage": round(100 * verified / total),
        "industries_breakdown": _breakdown(lead.prospect.industry for lead in leads),
        "roles_breakdown": _breakdown(lead.prospect.title for lead in leads),
    }
