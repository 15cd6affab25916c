"""What the Prefect UI shows of a finished command: its leads as a table, its summary as text.

Names, titles, companies and countries come from tenants' imports and researched sites: every
one goes through `tasks.reports.artifact_text` before it reaches an artifact."""

from __future__ import annotations

from typing import Any

from tasks.reports.artifact_text import markdown_cells, markdown_text
from tasks.reports.charts import markdown_table, score_histogram, top_counts, unicode_bar_chart
from tasks.search.criteria import ScoredLead


def leads_table(leads: list[ScoredLead]) -> list[dict[str, Any]]:
    return markdown_cells([
        {
            "name": lead.prospect.name,
            "position": lead.prospect.title,
            "company": lead.prospect.company,
            "industry": lead.prospect.industry,
            "location": lead.location,
            "match_score": lead.match_score,
            "verified": lead.verification.verified,
            "match_reasons": "; ".join(lead.match_reasons),
        }
        for lead in leads
    ])


def _breakdown(title: str, counts: dict[str, int]) -> str:
    return markdown_table(title, ("value", "leads"), counts)


def leads_markdown(
    command_id: str, summary: dict[str, Any], leads: list[ScoredLead] | None = None
) -> str:
    """The command's summary, its breakdowns as tables, and (given its leads) a score
    histogram and leads by country as unicode bar charts the Prefect UI shows as text."""
    text = (
        f"## Command {markdown_text(command_id)}\n\n"
        f"- leads: **{summary['total_leads']}**\n"
        f"- average match score: **{summary['average_match_score']}**\n"
        f"- verified: **{summary['verified_percentage']}%**\n"
        f"- left out: **{summary.get('suppressed', 0)}** suppressed, "
        f"**{summary.get('deleted_skipped', 0)}** deleted earlier\n\n"
        + _breakdown("Industries", summary["industries_breakdown"])
        + "\n"
        + _breakdown("Roles", summary["roles_breakdown"])
    )
    if leads is None:
        return text
    countries = top_counts(lead.prospect.country for lead in leads)
    sizes = top_counts(lead.prospect.company_size for lead in leads)
    return (
        text
        + "\n" + markdown_table("Countries", ("country", "leads"), countries)
        + "\n" + markdown_table("Company sizes", ("size", "leads"), sizes)
        + "\n" + unicode_bar_chart("Match scores",
                                   score_histogram(lead.match_score for lead in leads))
        + "\n" + unicode_bar_chart("Leads by country", countries)
    )
