"""Scoring: how well each candidate matches the search, and why.

Each criteria group present in the spec grades the prospect from 0 to 1; the score is the
weighted mean over the groups present, so a prospect that meets every given criterion scores
exactly 1.0 and absent criteria neither help nor hurt. Default weights: roles 0.30, industry
0.20, location 0.15, company size 0.10, interests + keywords 0.15, revenue in range 0.10; a site
overrides them through `SearchSpec.weights` (loaded by `site_weights` from the
`LEADMILL_SCORING_WEIGHTS_FILE` JSON). Company size: the head count inside a wanted range is a
match, a company whose size band only overlaps one ("51-200" vs "100-250") a partial match. An
excluded term in the title, company, industry or description disqualifies: score 0.0 with the
reason "Excluded term: X".

Grades come from `tasks.search.vocabulary` (structure: "VP Operations" == "VP of Operations", "Head
of"
~ "VP of") and rapidfuzz (spelling: "Cheif Technology Officer", "Untied States"). Interests and
keywords are looked for in the company description and industry; matching two terms earns the
whole group, one term half. Every distinct title, industry, place and description is graded once
per call, so scoring a pool costs the number of distinct values, not rows.

Misses: a weighted mean alone lets a contact at a company 60 times the wanted size, or in
another country, outrank contacts who match everything (0.90 against 0.88). So a criterion
the prospect is known to fail outright (grade 0 on a role, industry, place, size or revenue it
has a value for) is a miss, and each miss multiplies the score by `MISS_FACTOR`: any prospect
with a miss scores below `FULL_MATCH`, hence below every prospect that matches every criterion.
Unknown values (no title, no head count or band, no country) are not misses — imported lists
often leave them out — and interests/keywords never are (a description not naming a need is
no evidence against it).

The seller's ideal customer (`SearchSpec.ideal_customer`, from the profile, offering and selling
points) is one soft group, "icp", weight 0.08: the mean of its industry, size and need parts,
reasons "Ideal customer: mid-sized manufacturing" and "Ideal customer need: automation". Its
weight is held below every explicit group's, whatever a site's weights say, so what
`targetAudience` asks always weighs more; it is never a miss.
"""

from __future__ import annotations

import re
from functools import cache

from prefect import task
from rapidfuzz import fuzz

from tasks.run_logging import task_logger
from tasks.search import vocabulary
from tasks.search.criteria import Prospect, SearchSpec

WEIGHTS = {"role": 0.30, "industry": 0.20, "location": 0.15, "size": 0.10, "text": 0.15,
           "revenue": 0.10, "icp": 0.08}
# The ideal-customer group never weighs more than this share of the lightest explicit group.
ICP_CEILING = 0.8
FULL_MATCH = 0.85  # a grade from here up is reported as a match, below as a partial one
# Each outright miss scales the score by this: a mean below 1 times 0.8 stays under FULL_MATCH.
MISS_FACTOR = 0.8
# The criteria groups an outright miss counts in (see the module docstring).
MISS_GROUPS = ("role", "industry", "location", "size", "revenue")
_FUZZY_FLOOR = 88  # rapidfuzz ratio under which two strings are not the same thing misspelt


def _fuzzy(a: str, b: str) -> float:
    """A 0..1 grade for near-identical spellings only (typos), 0 otherwise."""
    ratio = fuzz.ratio(a, b)
    return ratio / 100 if ratio >= _FUZZY_FLOOR else 0.0


class _Scorer:
    """Grades prospects against one spec, remembering every distinct value it has graded."""

    def __init__(self, spec: SearchSpec) -> None:
        self.spec = spec
        self.places = [vocabulary.resolve_location(text) for text in spec.locations]
        self.sizes = [
            (text, r) for text in spec.company_sizes
            if (r := vocabulary.parse_size_range(text)) is not None
        ]
        terms = [("Interest", t) for t in spec.interests] + [("Keyword", t) for t in spec.keywords]
        self.terms = [
            (kind, term, re.compile(vocabulary.term_regex(term), re.IGNORECASE))
            for kind, term in terms if term.strip()
        ]
        self.excluded = [(term, re.compile(vocabulary.term_regex(term), re.IGNORECASE))
                         for term in spec.excluded_terms if term.strip()]
        self.weights = WEIGHTS | {k: v for k, v in spec.weights.items() if k in WEIGHTS}
        explicit = [w for k, w in self.weights.items() if k != "icp" and w > 0]
        self.weights["icp"] = min(self.weights["icp"], ICP_CEILING * min(explicit, default=0))
        self.icp = spec.ideal_customer
        self.icp_needs = [(need, re.compile(vocabulary.term_regex(need), re.IGNORECASE))
                          for need in self.icp.needs]
        self.icp_industry = cache(self._grade_icp_industry)
        self.icp_text = cache(self._grade_icp_text)
        # Per-call memo tables: a pool of 250 rows has a few dozen distinct values in each.
        self.role = cache(self._grade_role)
        self.industry = cache(self._grade_industry)
        self.location = cache(self._grade_location)
        self.text = cache(self._grade_text)
        self.size_band = cache(self._grade_size_band)
        self.excluded_in = cache(self._excluded_in)

    def _excluded_in(self, text: str) -> str | None:
        """The first excluded term found in `text`, if any."""
        return next((term for term, pattern in self.excluded if pattern.search(text)), None)

    def _grade_size_band(self, band: str) -> tuple[float, str | None]:
        """0.5 when the company's size band overlaps a wanted range ("51-200" vs "100-250")."""
        own = vocabulary.parse_size_range(band)
        if own is None:
            return 0.0, None
        hit = next((text for text, r in self.sizes if vocabulary.ranges_overlap(own, r)), None)
        return (0.5, f"{band} overlaps {hit}") if hit else (0.0, None)

    def exclusion(self, prospect: Prospect) -> str | None:
        if not self.excluded:
            return None
        for text in (prospect.title, prospect.company, prospect.industry, prospect.description):
            term = self.excluded_in(text or "")
            if term is not None:
                return term
        return None

    def _grade_role(self, title: str) -> tuple[float, str | None]:
        normal = vocabulary.normalize_title(title)
        best, label = 0.0, None
        for role in self.spec.roles:
            grade = max(vocabulary.role_similarity(role, title),
                        _fuzzy(vocabulary.normalize_title(role), normal))
            if grade > best:
                best, label = grade, role
        return best, label

    def _grade_industry(self, industry: str) -> tuple[float, str | None]:
        best, label = 0.0, None
        for wanted in self.spec.industries:
            grade = max(vocabulary.industry_similarity(wanted, industry),
                        _fuzzy(vocabulary.normalize_industry(wanted), industry.lower()))
            if grade > best:
                best, label = grade, wanted
        return best, label

    def _grade_location(
        self, city: str | None, region: str | None, country_code: str, country: str
    ) -> tuple[float, str | None]:
        best, label = 0.0, None
        for place in self.places:
            grade = vocabulary.location_similarity(place, city, region, country_code)
            if grade == 0 and not place.countries and not place.region:
                # An unrecognised place: maybe a misspelt country or city ("Untied States").
                grade = max(_fuzzy(place.label.lower(), country.lower()),
                            _fuzzy(place.label.lower(), (city or "").lower()))
            if grade > best:
                best, label = grade, place.label
        return best, label

    def _grade_text(self, description: str, industry: str) -> tuple[float, tuple[str, ...]]:
        text = f"{industry}. {description}"
        found = [f"{kind} match: {term}" for kind, term, pattern in self.terms
                 if pattern.search(text)]
        wanted = min(len(self.terms), 2)
        return min(1.0, len(found) / wanted), tuple(found)

    def _grade_icp_industry(self, industry: str) -> tuple[float, str | None]:
        best, label = 0.0, None
        for wanted in self.icp.industries:
            grade = vocabulary.industry_similarity(wanted, industry)
            if grade > best:
                best, label = grade, wanted
        return best, label

    def _grade_icp_text(self, description: str, industry: str) -> tuple[float, tuple[str, ...]]:
        text = f"{industry}. {description}"
        found = tuple(need for need, pattern in self.icp_needs if pattern.search(text))
        return min(1.0, len(found) / min(len(self.icp_needs), 2)), found

    def icp_size(self, employee_count: int | None, band: str) -> tuple[float, str | None]:
        """1.0 when the head count (else the size band) falls in a size the profile names."""
        own = vocabulary.parse_size_range(band or "") if employee_count is None else None
        for word, size in zip(self.icp.size_words, self.icp.sizes, strict=True):
            if (vocabulary.size_in_range(employee_count, size)
                    or (own is not None and vocabulary.ranges_overlap(own, size))):
                return 1.0, word
        return 0.0, None

    def grade_icp(self, prospect: Prospect) -> tuple[float, list[str]]:
        """The ideal-customer group's grade and reasons."""
        parts: list[float] = []
        matched: list[str] = []
        if self.icp.sizes:
            grade, word = self.icp_size(prospect.employee_count, prospect.company_size)
            parts.append(grade)
            matched += [word] if word else []
        if self.icp.industries:
            grade, wanted = self.icp_industry(prospect.industry)
            parts.append(grade)
            matched += [wanted] if wanted and grade > 0 else []
        reasons = [f"Ideal customer: {' '.join(matched)}"] if matched else []
        if self.icp_needs:
            grade, found = self.icp_text(prospect.description, prospect.industry)
            parts.append(grade)
            reasons += [f"Ideal customer need: {', '.join(found)}"] if found else []
        return sum(parts) / len(parts), reasons

    def score(self, prospect: Prospect) -> tuple[float, list[str]]:
        """Return (score in [0, 1] to 2 decimals, match reasons) for one prospect."""
        excluded = self.exclusion(prospect)
        if excluded is not None:
            return 0.0, [f"Excluded term: {excluded}"]
        grades: dict[str, float] = {}
        reasons: list[str] = []

        def credit(group: str, grade: float, what: str | None, reason: str) -> None:
            grades[group] = grade
            if what is not None and grade >= FULL_MATCH:
                reasons.append(f"{reason} match: {what}")
            elif what is not None and grade > 0:
                reasons.append(f"Partial {reason.lower()} match: {what}")

        if self.spec.roles:
            credit("role", *self.role(prospect.title), "Role")
        if self.spec.industries:
            credit("industry", *self.industry(prospect.industry), "Industry")
        if self.places:
            credit("location", *self.location(prospect.city, prospect.region,
                                              prospect.country_code, prospect.country), "Location")
        if self.spec.company_sizes:
            hit = next((text for text, r in self.sizes
                        if vocabulary.size_in_range(prospect.employee_count, r)), None)
            grades["size"] = 1.0 if hit else 0.0
            if hit:
                reasons.append(f"Company size match: {hit} employees")
            else:
                grades["size"], overlap = self.size_band(prospect.company_size)
                if overlap:
                    reasons.append(f"Partial company size match: {overlap}")
        if self.terms:
            grades["text"], found = self.text(prospect.description, prospect.industry)
            reasons.extend(found)
        if self.spec.min_revenue is not None or self.spec.max_revenue is not None:
            grades["revenue"] = 1.0 if self._revenue_in_range(prospect.revenue_usd) else 0.0
            if grades["revenue"]:
                reasons.append(f"Revenue in range: {self._revenue_label()}")
        if not self.icp.is_empty() and grades:  # soft: only beside explicit criteria
            grades["icp"], found = self.grade_icp(prospect)
            reasons.extend(found)
        if not grades:
            return 0.0, reasons
        total = sum(self.weights[group] for group in grades)
        if total <= 0:
            return 0.0, reasons
        score = sum(self.weights[group] * grade for group, grade in grades.items()) / total
        misses = sum(1 for group in MISS_GROUPS
                     if grades.get(group, 1.0) == 0 and self.known(group, prospect))
        score *= MISS_FACTOR ** misses
        return round(min(1.0, max(0.0, score)), 2), reasons

    @staticmethod
    def known(group: str, prospect: Prospect) -> bool:
        """Does the prospect have a value for `group`, so that a grade of 0 is a real miss?"""
        if group == "role":
            return bool(prospect.title)
        if group == "industry":
            return bool(prospect.industry)
        if group == "location":
            return bool(prospect.country_code or prospect.country)
        if group == "size":
            return (prospect.employee_count is not None
                    or vocabulary.parse_size_range(prospect.company_size or "") is not None)
        return prospect.revenue_usd is not None

    def _revenue_in_range(self, revenue: int | None) -> bool:
        low, high = self.spec.min_revenue, self.spec.max_revenue
        return revenue is not None and (low is None or revenue >= low) and (
            high is None or revenue <= high)

    def _revenue_label(self) -> str:
        low, high = self.spec.min_revenue, self.spec.max_revenue
        dollars = vocabulary.format_dollars
        if low is not None and high is not None:
            return f"{dollars(low)}-{dollars(high)}"
        return f"{dollars(low)}+" if low is not None else f"up to {dollars(high or 0)}"


def score_prospect(prospect: Prospect, spec: SearchSpec) -> tuple[float, list[str]]:
    """Score one prospect against `spec`.

    Args:
        prospect: The candidate.
        spec: What the command looks for.

    Returns:
        The score in [0, 1] rounded to 2 decimals, and the reasons it matches.
    """
    return _Scorer(spec).score(prospect)


def score_prospects(
    prospects: list[Prospect], spec: SearchSpec
) -> list[tuple[float, list[str]]]:
    """Score many prospects against one spec, grading each distinct value once.

    Returns:
        (score, reasons) per prospect, in the order given.
    """
    scorer = _Scorer(spec)
    return [scorer.score(p) for p in prospects]


@task(name="score-prospects")
def score_candidates(
    prospects: list[Prospect], spec: SearchSpec
) -> list[tuple[float, list[str]]]:
    """Prefect task: score every candidate against the spec."""
    scores = score_prospects(prospects, spec)
    if scores:
        task_logger(__name__).info(
            "scored %d candidates, best %.2f", len(scores), max(s for s, _ in scores)
        )
    return scores


def site_weights(weights_file: object, site_id: str | None,
                 company_id: str | None = None) -> dict[str, float]:
    """A site's scoring weights from the `LEADMILL_SCORING_WEIGHTS_FILE` JSON
    (`{"default": {...}, "<site_id>": {...}, "<company_id>/<site_id>": {...}}`); {} without a
    file. Client ids are unique within a company only, so a bare `<site_id>` entry applies to
    that id in every company; `<company_id>/<site_id>` names one company's site and wins."""
    import json
    from pathlib import Path

    if not weights_file or not Path(weights_file).is_file():
        return {}
    table = json.loads(Path(weights_file).read_text())
    scoped = table.get(f"{company_id}/{site_id}", {}) if company_id and site_id else {}
    return {**table.get("default", {}), **table.get(site_id or "", {}), **scoped}
