"""Breakdowns count leads per requested role and industry, with an `other` bucket."""

from __future__ import annotations

import pytest

from tasks.reports.summary import industries_breakdown, roles_breakdown, summarize_values

EXAMPLE_ROLES = ["CTO", "Head of Engineering", "VP of Operations"]


@pytest.mark.parametrize(("titles", "requested", "expected"), [
    # The figures: nine CTOs, three spelled out, eleven VPs of Operations two ways.
    (["CTO"] * 9 + ["VP of Operations"] * 6 + ["VP Operations"] * 5
     + ["Chief Technology Officer"] * 3, EXAMPLE_ROLES,
     {"CTO": 12, "Head of Engineering": 0, "VP of Operations": 11, "other": 0}),
    (["VP of Engineering", "Head of Engineering", "Office Manager"], EXAMPLE_ROLES,
     {"CTO": 0, "Head of Engineering": 2, "VP of Operations": 0, "other": 1}),
    (["Geschäftsführer", "Directeur Général", "Directeur commercial"], ["CEO", "Sales Director"],
     {"CEO": 2, "Sales Director": 1, "other": 0}),
    (["CTO", "cto"], ["CTO", "Chief Technology Officer"], {"CTO": 2, "other": 0}),
    (["Directeur commercial", "Geschäftsführer", "Vertriebsleiterin"], [],
     {"sales director": 1, "general executive": 1, "sales vice president": 1}),
])
def test_roles_breakdown_counts_per_requested_role(titles, requested, expected):
    assert roles_breakdown(titles, requested) == expected


@pytest.mark.parametrize(("industries", "requested", "expected"), [
    (["Information Technology"] * 4 + ["Software"] * 3 + ["SaaS"] * 2 + ["Industrial Automation"]
     + ["Retail"], ["saas", "tech", "manufacturing"],
     {"saas": 2, "tech": 7, "manufacturing": 1, "other": 1}),
    (["Software", "Banking"], [], {"technology": 1, "finance": 1}),
])
def test_industries_breakdown_counts_per_requested_industry(industries, requested, expected):
    assert industries_breakdown(industries, requested) == expected


def test_summary_breakdowns_add_up_to_the_leads():
    summary = summarize_values([0.9, 0.8, 0.7], [True, False, True],
                               ["SaaS", "Retail", "Software"], ["CTO", "Baker", "VP Ops"],
                               requested_roles=["CTO", "VP of Operations"],
                               requested_industries=["saas"])
    assert summary["roles_breakdown"] == {"CTO": 1, "VP of Operations": 1, "other": 1}
    assert summary["industries_breakdown"] == {"saas": 2, "other": 1}
