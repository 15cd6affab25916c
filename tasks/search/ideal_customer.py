"""Soft criteria read from what the seller says about itself (issue 17, item 1).

`productOffering.idealCustomerProfile` ("Mid-sized manufacturing companies struggling with
outdated processes"), the offering's name and primary value, and the business's unique selling
points say something about size, industry and need, though no field of `targetAudience` says
it. `ideal_customer_criteria` turns that text into `IdealCustomer`: a pure, deterministic
transform, so the same command always scores the same way.

- Sizes: a small vocabulary of size words ("mid-sized", "SMB", "enterprise") → ranges; read from
  the ideal customer profile only (the seller's own "enterprise software" is not a size).
- Industries: phrases of one to three words the industry vocabulary knows
  (`tasks.search.industries`), also from the profile only: the business's own industry is the
  seller's, not the buyer's (a software vendor selling to manufacturers is the documented
  example), so it is never taken as a target industry.
- Needs: the remaining content words of the profile, offering name, primary value and selling
  points, minus English stop words (the `stop-words` package) and marketing filler; the first
  `MAX_NEEDS`.

Scoring weighs them as one soft group (`tasks.scoring.match`, "icp"), below every explicit
`targetAudience` criterion.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from pydantic import BaseModel, Field

from tasks.search import industries as industry_vocabulary

# Size words → inclusive employee ranges (the usual SMB / mid-market / enterprise bands).
SIZE_WORDS: dict[str, tuple[int, int | None]] = {
    "startup": (1, 50), "startups": (1, 50), "small": (1, 50),
    "smb": (1, 200), "smbs": (1, 200), "sme": (1, 250), "smes": (1, 250),
    "mid-sized": (51, 1000), "midsized": (51, 1000), "mid-size": (51, 1000),
    "midsize": (51, 1000), "medium-sized": (51, 1000), "medium": (51, 1000),
    "mid-market": (51, 1000), "midmarket": (51, 1000),
    "large": (1001, None), "enterprise": (1001, None), "enterprises": (1001, None),
}
# Plurals and agent nouns a profile uses for an industry the vocabulary names otherwise.
INDUSTRY_WORDS = {"manufacturers": "manufacturing", "manufacturer": "manufacturing",
                  "retailers": "retail", "banks": "banking", "insurers": "insurance",
                  "hospitals": "healthcare", "clinics": "healthcare"}
# Words of every sales pitch that say nothing about a buyer's need.
FILLER = {"company", "companies", "business", "businesses", "firm", "firms", "organization",
          "organizations", "organisation", "organisations", "customer", "customers", "client",
          "clients", "platform", "solution", "solutions", "service", "services", "product",
          "products", "team", "teams", "support", "guarantee", "day", "days", "specific",
          "reduce", "improve", "help", "helps", "struggling", "looking", "need", "needs",
          "want", "wants", "based", "implementation", "industry", "industries", "sized"}
# The profile's words come first, then the offer's: the first few are the most specific, and
# each need is one more scan of every description when a whole audience is scored.
MAX_NEEDS = 4
_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]")


class IdealCustomer(BaseModel):
    """Soft criteria from the seller's own description of its customers and offer."""

    label: str = Field("", description="The profile's words that matched, for reasons: "
                                       "'mid-sized manufacturing'.")
    industries: list[str] = Field(default_factory=list)
    sizes: list[tuple[int, int | None]] = Field(default_factory=list)
    size_words: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.industries or self.sizes or self.needs)


@cache
def _stop_words() -> frozenset[str]:
    from stop_words import get_stop_words  # the package's bundled list: no network

    return frozenset(get_stop_words("en"))


def _known_industry(phrase: str) -> str | None:
    """The vocabulary's industry for a phrase ("manufacturing", "saas"), or None."""
    phrase = INDUSTRY_WORDS.get(phrase, phrase)
    normal = industry_vocabulary.normalize_industry(phrase)
    members = {m for family in industry_vocabulary.INDUSTRY_FAMILIES.values() for m in family}
    return phrase if normal in members or normal in industry_vocabulary.INDUSTRY_FAMILIES else None


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ideal_customer_criteria(profile: str | None, offering: str | None = None,
                            value: str | None = None,
                            selling_points: list[str] | None = None) -> IdealCustomer:
    """Soft criteria of a command: see the module docstring for what comes from where."""
    words = _words(profile or "")
    used: set[int] = set()
    sizes: list[tuple[int, int | None]] = []
    size_words: list[str] = []
    industries: list[str] = []
    for at, word in enumerate(words):
        if word in SIZE_WORDS and SIZE_WORDS[word] not in sizes:
            sizes.append(SIZE_WORDS[word])
            size_words.append(word)
            used.add(at)
    at = 0
    while at < len(words):  # longest known phrase first: "industrial automation" over "industrial"
        for length in (3, 2, 1):
            phrase = " ".join(words[at: at + length])
            if len(words[at: at + length]) == length and (found := _known_industry(phrase)):
                if found not in industries:
                    industries.append(found)
                used.update(range(at, at + length))
                at += length
                break
        else:
            at += 1
    stop = _stop_words() | FILLER | set(SIZE_WORDS)
    needs: list[str] = []
    texts = [w for i, w in enumerate(words) if i not in used]
    for text in (offering, value, *(selling_points or [])):
        texts.extend(_words(text or ""))
    # "Industry-specific" and "24/7" are pitch, not need: hyphenated words count word by word.
    for word in (part for text in texts for part in text.split("-")):
        if word not in stop and len(word) > 3 and word not in needs and len(needs) < MAX_NEEDS:
            needs.append(word)
    label = [words[i] for i in sorted(used)]  # in the profile's own order
    return IdealCustomer(label=" ".join(label), industries=industries, sizes=sizes,
                         size_words=size_words, needs=needs)


def ideal_customer_from_context(context: str | None) -> IdealCustomer:
    """The soft criteria of a command object's "Company Context" block
    (`tasks.search.analysis.build_context`), which carries the profile, offer and selling
    points; an empty one for a context without them."""
    if not context or "{" not in context:
        return IdealCustomer()
    try:
        company: dict[str, Any] = json.loads(context[context.index("{"):])
    except ValueError:
        return IdealCustomer()
    return ideal_customer_criteria(company.get("ideal_customer"), company.get("offering"),
                                   company.get("value_proposition"),
                                   list(company.get("selling_points") or []))


def with_website_profile(icp: IdealCustomer, profile: dict[str, Any] | None) -> IdealCustomer:
    """`icp` with what the seller's own website says (`profile_from_pages` output): its themes
    and primary value become needs (after the command's own, up to `MAX_NEEDS`). Its industries
    are the seller's, so, like `businessInfo.industry`, they never become target industries."""
    if not profile:
        return icp
    offering = profile.get("productOffering") or {}
    site = ideal_customer_criteria(None, offering.get("name"), offering.get("primaryValue"),
                                   list(profile.get("keywords") or []))
    needs = list(icp.needs)
    for need in site.needs:
        if need not in needs and len(needs) < MAX_NEEDS:
            needs.append(need)
    return icp.model_copy(update={"needs": needs})


def website_of_context(context: str | None) -> str | None:
    """The tester's `websiteUrl`, as `build_context` keeps it in the "Company Context" block."""
    if not context or "{" not in context:
        return None
    try:
        company = json.loads(context[context.index("{"):])
    except ValueError:
        return None
    url = company.get("website") if isinstance(company, dict) else None
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
