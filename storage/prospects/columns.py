"""Fuzzy mapping of an export's column headers onto the prospect fields.

CRM and data-vendor exports name the same thing many ways ("First Name", "first_name", "Given
name"; "Company", "Organization", "Account Name"; "Employees", "# Employees", "Headcount").
`map_columns` normalises each header and matches it against known synonyms of every field:
exact synonyms first, then rapidfuzz similarity (typos and small variations, "Job-Title",
"E-mail adress"), each field and each column used at most once, best match first. The caller
shows the mapping and may override it.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

# Prospect field → header synonyms (normalised: lower case, words separated by one space).
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "firstname", "given name", "forename", "fname", "first",
                   "person first name", "contact first name"),
    "last_name": ("last name", "lastname", "surname", "family name", "lname", "last",
                  "person last name", "contact last name"),
    "name": ("name", "full name", "fullname", "contact name", "contact", "person name",
             "person", "lead name"),
    "title": ("title", "job title", "jobtitle", "position", "role", "job role", "designation",
              "job", "person title", "headline"),
    "email": ("email", "e mail", "email address", "e mail address", "work email",
              "business email", "mail", "person email", "contact email"),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "mobile phone",
              "direct phone", "work phone", "contact phone", "corporate phone",
              "company phone"),
    "linkedin": ("linkedin", "linkedin url", "linkedin profile", "person linkedin url",
                 "linkedin link", "li url"),
    "company": ("company", "company name", "organization", "organisation", "organization name",
                "account", "account name", "employer", "org", "business name"),
    "website": ("website", "company website", "domain", "company domain", "url", "web",
                "homepage", "site", "web site", "organization website"),
    "industry": ("industry", "sector", "vertical", "company industry", "organization industry"),
    "employee_count": ("employees", "employee count", "number of employees", "num employees",
                       "headcount", "staff", "staff count", "employees count",
                       "estimated num employees", "organization num employees"),
    "company_size": ("company size", "size", "size range", "employee range", "employees range",
                     "company size range"),
    "revenue_usd": ("revenue", "annual revenue", "revenue usd", "estimated revenue",
                    "company revenue", "annual revenue usd", "organization revenue"),
    "city": ("city", "town", "locality", "hq city", "company city", "person city"),
    "region": ("state", "region", "province", "county", "hq state", "state province",
               "company state", "person state"),
    "country": ("country", "hq country", "nation", "country name", "company country",
                "person country", "location country"),
    "country_code": ("country code", "iso country", "country iso", "iso code", "country iso2"),
    "description": ("description", "company description", "about", "summary",
                    "company summary", "keywords", "company keywords", "bio"),
}
PROSPECT_FIELDS: tuple[str, ...] = tuple(FIELD_SYNONYMS)
FUZZY_THRESHOLD = 84  # rapidfuzz ratio (0-100) from which a header counts as a field's synonym

_NON_WORD = re.compile(r"[^a-z0-9#]+")


def normalise_header(header: str) -> str:
    """`"HQ_Country "` → `"hq country"`, `"# Employees"` → `"employees"`."""
    words = _NON_WORD.sub(" ", header.strip().lower()).replace("#", " ").split()
    if words and words[0] in {"num", "no"} and len(words) > 1:
        words = words[1:] if words[1] == "employees" else words
    return " ".join(words)


def _similarity(header: str, synonym: str) -> float:
    return max(fuzz.ratio(header, synonym), fuzz.token_sort_ratio(header, synonym))


def map_columns(
    headers: list[str], overrides: dict[str, str | None] | None = None
) -> dict[str, str]:
    """Map an export's headers to prospect fields.

    Args:
        headers: The column names as the file has them.
        overrides: `{header: field}` to force a mapping, `{header: None}` (or "") to ignore a
            column; fields named here are taken before any guess.

    Returns:
        `{field: header}` for every field a column was found for.

    Raises:
        ValueError: an override names a column the file lacks or a field that does not exist.
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header, field in (overrides or {}).items():
        if header not in headers:
            raise ValueError(f"column {header!r} is not in the file (columns: {headers})")
        if field and field not in FIELD_SYNONYMS:
            raise ValueError(f"{field!r} is not a prospect field ({', '.join(PROSPECT_FIELDS)})")
        taken.add(header)
        if field:
            mapping[field] = header
    candidates: list[tuple[float, int, str, str]] = []
    for position, header in enumerate(headers):
        if header in taken:
            continue
        normal = normalise_header(header)
        for field, synonyms in FIELD_SYNONYMS.items():
            if field in mapping:
                continue
            # Exact synonyms (101) outrank any fuzzy match.
            best = 101.0 if normal in synonyms else max(_similarity(normal, s) for s in synonyms)
            if best >= FUZZY_THRESHOLD:
                candidates.append((best, -position, field, header))
    # Best matches first; on a tie the leftmost column wins, as a person reading would assume.
    for _score, _position, field, header in sorted(candidates, reverse=True):
        if field in mapping or header in taken:
            continue
        mapping[field] = header
        taken.add(header)
    return mapping


def parse_overrides(pairs: list[str]) -> dict[str, str | None]:
    """`["Org=company", "Notes="]` → `{"Org": "company", "Notes": None}` (CLI `--map`)."""
    overrides: dict[str, str | None] = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header:
            raise ValueError(f"--map takes COLUMN=FIELD (or COLUMN= to ignore it), not {pair!r}")
        overrides[header] = field.strip() or None
    return overrides
