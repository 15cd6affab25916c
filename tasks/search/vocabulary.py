"""What the words in a search mean: roles, industries, places and company sizes.

Pure, data-driven normalisation shared by research (to widen the SQL pre-filter) and scoring
(to grade a match). Everything is a small table so a new synonym is a one-line change:

- Titles: abbreviations expand ("CTO" -> "chief technology officer", "VP" -> "vice president"),
  filler words drop ("VP of Operations" == "VP Operations"), and a title parses into a seniority
  rank and a function, so "Head of Engineering" ~ "VP of Engineering" (same rank, same function).
- Industries: families of near-synonyms (saas ~ software ~ tech ~ information technology).
- Places: `tasks.search.geography` (countries, subdivisions, cities, regions from data).
- Company sizes: "51-200", "10001+", "1000+", "10-50 employees" parse to inclusive ranges.
"""

from __future__ import annotations

import re

from tasks.search import geography, industries, roles

# Titles live in `tasks.search.roles` (Unicode-aware, several languages); these names stay.
ROLE_ABBREVIATIONS = roles.ROLE_ABBREVIATIONS
SENIORITY = roles.SENIORITY
FUNCTIONS = roles.FUNCTIONS
normalize_title = roles.normalize_title
parse_title = roles.parse_title
canonical_role = roles.canonical_role
RELATED_FUNCTIONS = {
    frozenset({"engineering", "technology"}), frozenset({"technology", "it"}),
    frozenset({"engineering", "it"}), frozenset({"engineering", "data"}),
    frozenset({"operations", "general"}),
}


def role_similarity(wanted: str, title: str) -> float:
    """Grade how well `title` fills the role `wanted`, from 0.0 to 1.0 (structural part only)."""
    a, b = normalize_title(wanted), normalize_title(title)
    if a == b:
        return 1.0
    (rank_a, fn_a), (rank_b, fn_b) = parse_title(wanted), parse_title(title)
    if fn_a is None or fn_b is None or rank_b == 0:
        return 0.0
    if fn_a == fn_b:
        base = 1.0
    elif frozenset({fn_a, fn_b}) in RELATED_FUNCTIONS:
        base = 0.7
    else:
        return 0.0
    # Same rank ("Head of" vs "VP of") is nearly as good as equal; each rank apart costs more.
    return base * {0: 0.9, 1: 0.6, 2: 0.3}.get(abs(rank_a - rank_b), 0.0)


# Industries live in `tasks.search.industries`; these names stay for callers.
INDUSTRY_FAMILIES = industries.INDUSTRY_FAMILIES
INDUSTRY_ALIASES = industries.INDUSTRY_ALIASES
normalize_industry = industries.normalize_industry
industry_similarity = industries.industry_similarity
canonical_industry = industries.canonical_industry


# Places live in `tasks.search.geography` (pycountry + GeoNames); these names stay for callers.
COUNTRY_NAMES = geography.country_names()
Place = geography.Place
resolve_location = geography.resolve_place
location_similarity = geography.place_similarity


def country_code_lookup() -> dict[str, str]:
    """Lower-case country names and aliases → ISO-2 codes (for filling imported lists)."""
    return geography.country_code_lookup()


def region_abbreviation(region: str | None) -> str | None:
    """Return "IL" for "Illinois" and "ON" for "Ontario"; None for regions without one."""
    return geography.region_abbreviation(region)


_SIZE = re.compile(r"^\s*([\d,]+)\s*(?:-|–|to)\s*([\d,]+)|^\s*([\d,]+)\s*\+")


_DOLLAR_UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K"))


def format_dollars(amount: int) -> str:
    """How an amount of dollars reads in a band or a reason: `$750K`, `$15M`, `$1.5B`, `$400`
    (one decimal at most, and `$1M` rather than `$1000K` when rounding reaches the next unit)."""
    for at, (size, unit) in enumerate(_DOLLAR_UNITS):
        scaled = round(amount / size, 1)
        if scaled >= 1:
            if scaled >= 1000 and at > 0:
                size, unit = _DOLLAR_UNITS[at - 1]
                scaled = round(amount / size, 1)
            return f"${scaled:.1f}".rstrip("0").rstrip(".") + unit
    return f"${amount}"


def parse_size_range(text: str) -> tuple[int, int | None] | None:
    """Parse "51-200" -> (51, 200), "10001+" -> (10001, None), "10 to 50 employees"; else None."""
    match = _SIZE.search(text)
    if match is None:
        return None
    if match.group(3) is not None:
        return int(match.group(3).replace(",", "")), None
    low, high = (int(match.group(i).replace(",", "")) for i in (1, 2))
    return (low, high) if low <= high else (high, low)


def size_in_range(employee_count: int | None, size: tuple[int, int | None]) -> bool:
    """True when `employee_count` lies inside the (inclusive) range (unknown: never)."""
    low, high = size
    if employee_count is None:  # imported lists and providers often give no headcount
        return False
    return employee_count >= low and (high is None or employee_count <= high)


def ranges_overlap(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    """True when two inclusive ranges share a value ("51-200" and "100-250" do)."""
    a_high = a[1] if a[1] is not None else float("inf")
    b_high = b[1] if b[1] is not None else float("inf")
    return a[0] <= b_high and b[0] <= a_high


def term_regex(term: str) -> str:
    """Whole word or phrase, spaces and hyphens interchangeable, optional plural."""
    words = [re.escape(w) for w in re.split(r"[\s\-_]+", term.strip()) if w]
    return r"\b" + r"[\s\-]+".join(words) + r"s?\b"
