"""The hard limits of a search, applied to candidates from every source.

The prospect store applies them in its SQL (tasks/research/prospect_search.py); providers and
websites return
whatever they find, so their candidates pass through here after merging. Excluded terms match
as whole words against company, industry, title and description, as scoring matches them. A
revenue range drops a candidate whose revenue is known and outside it — a provider that does
not report revenue is not held against its finds (the prospect store, which always knows,
applies the stricter rule). `hasWebsite: true` needs a website.
"""

from __future__ import annotations

import re

from tasks.search.criteria import Prospect, SearchSpec
from tasks.search.vocabulary import term_regex


def hard_filter(spec: SearchSpec):
    """A predicate: does a candidate stay within `spec`'s hard limits?"""
    excluded = [re.compile(term_regex(term), re.IGNORECASE) for term in spec.excluded_terms]

    def passes(prospect: Prospect) -> bool:
        if spec.has_website and not prospect.website:
            return False
        revenue = prospect.revenue_usd
        if revenue is not None and (
            (spec.min_revenue is not None and revenue < spec.min_revenue)
            or (spec.max_revenue is not None and revenue > spec.max_revenue)
        ):
            return False
        if excluded:
            text = " ".join(filter(None, (prospect.company, prospect.industry, prospect.title,
                                          prospect.description)))
            if any(pattern.search(text) for pattern in excluded):
                return False
        return True

    return passes


def within_hard_limits(candidates: list[Prospect], spec: SearchSpec) -> list[Prospect]:
    passes = hard_filter(spec)
    return [candidate for candidate in candidates if passes(candidate)]
