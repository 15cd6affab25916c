"""Industries: the words a user types and the names the data uses, folded into families.

`canonical_industry` names the family an industry belongs to ("SaaS", "Software" and
"Information Technology" are all "technology"); `industry_similarity` grades a wanted industry
against a prospect's: the same industry 1.0, the same family 0.8 (the family's own name,
"tech", matches every member fully).
"""

from __future__ import annotations

from functools import cache

INDUSTRY_FAMILIES: dict[str, tuple[str, ...]] = {
    "technology": ("software", "saas", "tech", "technology", "information technology", "it",
                   "internet", "cloud computing", "enterprise software", "computer software"),
    "manufacturing": ("manufacturing", "industrial automation", "industrial", "automotive",
                      "aerospace", "machinery"),
    "finance": ("financial services", "fintech", "banking", "insurance"),
    "health": ("healthcare", "biotech", "pharmaceuticals", "medical devices", "health care"),
    "commerce": ("retail", "e-commerce", "ecommerce", "consumer goods"),
    "staffing": ("staffing and recruiting", "staffing", "recruiting", "human resources"),
}
_INDUSTRY_FAMILY = {m: family for family, members in INDUSTRY_FAMILIES.items() for m in members}
# Words a user types for an industry that name it differently in the data.
INDUSTRY_ALIASES = {"tech": "technology", "it": "information technology",
                    "ecommerce": "e-commerce", "health care": "healthcare",
                    "enterprise software": "software", "computer software": "software"}


@cache
def normalize_industry(industry: str) -> str:
    """Lower-case, trim, resolve aliases: "E-Commerce" -> "e-commerce", "Tech" -> "technology"."""
    text = " ".join(industry.casefold().replace("&", "and").split())
    return INDUSTRY_ALIASES.get(text, text)


def industry_similarity(wanted: str, industry: str) -> float:
    """1.0 for the same industry, 0.8 for the same family (saas ~ software), else 0.0."""
    a, b = normalize_industry(wanted), normalize_industry(industry)
    if a == b or (a == "technology" and _INDUSTRY_FAMILY.get(b) == "technology"):
        return 1.0  # "tech" is the family's own name: every member is a full match
    family = _INDUSTRY_FAMILY.get(a)
    return 0.8 if family is not None and family == _INDUSTRY_FAMILY.get(b) else 0.0


@cache
def canonical_industry(industry: str) -> str:
    """The family of an industry ("Software" → "technology"), else its normalised name."""
    normal = normalize_industry(industry)
    return _INDUSTRY_FAMILY.get(normal, normal)
