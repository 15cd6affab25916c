"""Research: find the candidates for a search in the prospect store.

`search_prospects` is one DuckDB query over every Parquet prospect list:

- Hard filters drop a prospect outright: an excluded term (whole word or phrase, any case) in its
  company, industry, title or description; revenue outside the range (unknown revenue fails a
  given bound); no website when one is required.
- Soft criteria pre-rank the rest: each criteria group (roles, industries, locations, company
  sizes, interests, keywords) adds its weight times how well it matched (0..1), and a candidate
  must match at least one group when any is given. The best `pool_size` come back, ties broken
  by prospect id so the same search always returns the same pool; scoring then grades them.

Roles, industries and locations are graded in Python with `tasks.search.vocabulary` once per
distinct
value in the store (a few hundred titles and places, not a million rows) and joined in as small
weight tables, so the SQL never has to know what "CTO" means.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import task

from storage.prospects.store import PROSPECT_COLUMNS, open_prospects
from tasks.run_logging import task_logger
from tasks.search import vocabulary
from tasks.search.criteria import Prospect, SearchSpec

# Pre-rank weights of the soft criteria groups (roles matter most, as in scoring).
GROUP_WEIGHTS = {
    "role": 3.0, "industry": 2.0, "location": 1.5, "size": 1.0, "interest": 1.0, "keyword": 1.0
}


def term_pattern(term: str) -> str:
    """A pattern (RE2 and Python `re`) for `term` as a whole word or phrase in any case.

    "cost-reduction" also matches "cost reduction", and a trailing plural "s" is allowed. Word
    edges are spelled out instead of `\\b`, which pushes RE2 off its fast DFA (5x slower here).
    """
    words = [re.escape(w) for w in re.split(r"[\s\-_]+", term.strip()) if w]
    edge = "[^a-z0-9]"
    return f"(?i)(?:^|{edge})" + r"[\s\-]+".join(words) + f"s?(?:{edge}|$)"


def rank_pattern(term: str) -> str:
    """A fast any-case pattern for pre-ranking: `term` as a substring, any space or hyphen.

    RE2 runs a case-insensitive literal many times faster than one with spelled-out word edges,
    and pre-ranking can afford "automation" matching "automations". Terms of three characters
    or fewer ("AI") keep their word edges: as substrings they would match "maintain".
    """
    words = [re.escape(w) for w in re.split(r"[\s\-_]+", term.strip()) if w]
    if sum(len(w) for w in words) <= 3:
        return term_pattern(term)
    return "(?i)" + r"[\s\-]+".join(words)


def _weight_table(
    values: list[Any], grade: Callable[[Any], float]
) -> tuple[list[Any], list[float]]:
    """Grade each distinct value once; keep only those that match at all."""
    keys, weights = [], []
    for value in values:
        weight = grade(value)
        if weight > 0:
            keys.append(value)
            weights.append(round(weight, 4))
    return keys, weights


def _distinct_values(con: Any, spec: SearchSpec) -> dict[str, list[Any]]:
    """Fetch the distinct titles, industries and places (only the groups the search needs)."""
    selects = []
    if spec.roles or spec.excluded_terms:
        selects.append("SELECT DISTINCT 'title', title, NULL, NULL FROM prospects")
    if spec.industries:
        selects.append("SELECT DISTINCT 'industry', industry, NULL, NULL FROM prospects")
    if spec.locations:
        selects.append("SELECT DISTINCT 'place', city, region, country_code FROM prospects")
    found: dict[str, list[Any]] = {"title": [], "industry": [], "place": []}
    if not selects:
        return found
    for kind, first, region, country_code in con.sql(" UNION ALL ".join(selects)).fetchall():
        found[kind].append((first, region, country_code) if kind == "place" else first)
    return found


class _Query:
    """The SQL pieces of one search: weight-table CTEs and joins, company-text checks, filters."""

    def __init__(self) -> None:
        self.ctes: list[str] = []
        self.joins: list[str] = []
        self.columns: list[str] = []  # per-row match columns m_<group>, each in [0, 1]
        self.text_columns: list[str] = []  # per-company-text columns, computed once per company
        self.where: list[str] = []  # hard filters on the row
        self.params: dict[str, Any] = {}

    def add_table(self, group: str, keys: list[list[Any]], on: str, grades: list[float]) -> None:
        """Join a table of graded keys; `on` compares the table's k0, k1... with `p.*`."""
        names = [f"k{i}" for i in range(len(keys))]
        unnests = ", ".join(f"unnest(${group}_{n}) AS {n}" for n in names)
        for n, key in zip(names, keys, strict=True):
            self.params[f"{group}_{n}"] = key
        self.params[f"{group}_w"] = grades
        self.ctes.append(f"{group}_w AS (SELECT {unnests}, unnest(${group}_w) AS w)")
        self.joins.append(f"LEFT JOIN {group}_w ON {on}")
        self.columns.append(f"coalesce({group}_w.w, 0) AS m_{group}")


def _add_vocabulary_groups(query: _Query, spec: SearchSpec, con: Any) -> None:
    """Grade roles, industries and places once per distinct value and join them in."""
    distinct = _distinct_values(con, spec)
    if spec.roles and distinct["title"]:
        titles, grades = _weight_table(
            distinct["title"], lambda t: max(vocabulary.role_similarity(r, t) for r in spec.roles)
        )
        query.add_table("role", [titles], "role_w.k0 = p.title", grades)
    if distinct["industry"]:
        industries, grades = _weight_table(
            distinct["industry"],
            lambda i: max(vocabulary.industry_similarity(w, i) for w in spec.industries),
        )
        query.add_table("industry", [industries], "industry_w.k0 = p.industry", grades)
    if distinct["place"]:
        places = [vocabulary.resolve_location(text) for text in spec.locations]
        keys, grades = _weight_table(
            distinct["place"],
            lambda c: max(vocabulary.location_similarity(place, *c) for place in places),
        )
        query.add_table(
            "location",
            [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]],
            "location_w.k0 IS NOT DISTINCT FROM p.city AND location_w.k1 IS NOT DISTINCT FROM "
            "p.region AND location_w.k2 = p.country_code",
            grades,
        )
    excluded = [t for t in dict.fromkeys(spec.excluded_terms) if t.strip()]
    if excluded and distinct["title"]:
        # Titles are few: check them here rather than running a regex on every row.
        pattern = re.compile("|".join(term_pattern(t).removeprefix("(?i)") for t in excluded),
                             re.IGNORECASE)
        query.params["excluded_titles"] = [t for t in distinct["title"] if pattern.search(t)]
        query.where.append("NOT list_contains($excluded_titles, p.title)")


def _add_company_groups(query: _Query, spec: SearchSpec) -> None:
    """Company size, interests, keywords and excluded terms over the company's own text."""
    ranges = [r for r in map(vocabulary.parse_size_range, spec.company_sizes) if r is not None]
    if ranges:
        inside = " OR ".join(
            f"(p.employee_count >= {int(low)}"
            + (f" AND p.employee_count <= {int(high)})" if high is not None else ")")
            for low, high in ranges
        )
        query.columns.append(f"CASE WHEN {inside} THEN 1 ELSE 0 END AS m_size")
    for group, words in (("interest", spec.interests), ("keyword", spec.keywords)):
        words = [w for w in dict.fromkeys(words) if w.strip()]
        if not words:
            continue
        hits = []
        for n, word in enumerate(words):
            query.params[f"{group}_{n}"] = rank_pattern(word)
            hits.append(f"(regexp_matches(description, ${group}_{n}) "
                        f"OR regexp_matches(industry, ${group}_{n}))::INTEGER")
        query.text_columns.append(f"({' + '.join(hits)}) AS hits_{group}")
        # Any one term is worth half the group; every term, all of it.
        query.columns.append(f"CASE WHEN t.hits_{group} = 0 THEN 0 "
                             f"ELSE 0.5 + 0.5 * t.hits_{group} / {len(words)} END AS m_{group}")
    excluded = [t for t in dict.fromkeys(spec.excluded_terms) if t.strip()]
    if excluded:
        # A hard filter must be exact (whole words), but the exact pattern is slow in RE2; a
        # plain any-case substring test first leaves it only the few texts that might match.
        query.params["maybe_excluded"] = "(?i)(?:" + "|".join(
            rank_pattern(t).removeprefix("(?i)") for t in excluded) + ")"
        query.params["excluded"] = "(?i)(?:" + "|".join(
            term_pattern(t).removeprefix("(?i)") for t in excluded) + ")"
        checks = " OR ".join(
            f"CASE WHEN regexp_matches({column}, $maybe_excluded) "
            f"THEN regexp_matches({column}, $excluded) ELSE false END"
            for column in ("company", "industry", "coalesce(description, '')")
        )
        query.text_columns.append(f"({checks}) AS excluded")
        query.where.append("NOT t.excluded")


def _add_hard_filters(query: _Query, spec: SearchSpec) -> None:
    """Revenue range and website: cheap row filters, applied before any text is looked at."""
    if spec.min_revenue is not None:
        query.params["min_revenue"] = spec.min_revenue
        query.where.append("p.revenue_usd >= $min_revenue")  # NULL fails: unknown isn't in range
    if spec.max_revenue is not None:
        query.params["max_revenue"] = spec.max_revenue
        query.where.append("p.revenue_usd <= $max_revenue")
    if spec.has_website:
        query.where.append("coalesce(p.website, '') <> ''")


def _build_sql(query: _Query, cheap_filters: list[str]) -> str:
    """Assemble the search: company texts are matched once per distinct text, then joined."""
    columns = ", ".join(f"p.{c}" for c in PROSPECT_COLUMNS)
    scored = [c.rsplit(" AS ", 1)[1] for c in query.columns]
    weights = {f"m_{g}": w for g, w in GROUP_WEIGHTS.items()}
    score = " + ".join(f"{weights[name]} * {name}" for name in scored) or "0"
    filtered = f"prospects p{' WHERE ' + ' AND '.join(cheap_filters) if cheap_filters else ''}"
    ctes = list(query.ctes)
    join_texts = ""
    if query.text_columns:
        # Company, industry and description repeat on every contact of a company: group them
        # by a hash so each distinct text pays for the regexes once, then join back on it.
        ctes.append(
            f"texts AS (SELECT h, {', '.join(query.text_columns)} FROM ("
            "SELECT hash(p.company, p.industry, p.description) AS h, any_value(p.company) AS "
            "company, any_value(p.industry) AS industry, any_value(p.description) AS description"
            f" FROM {filtered} GROUP BY 1))"
        )
        join_texts = "JOIN texts t ON t.h = hash(p.company, p.industry, p.description)"
    where = cheap_filters + query.where
    return (
        (f"WITH {', '.join(ctes)} " if ctes else "")
        + f"SELECT * FROM (SELECT *, {score} AS pre_rank FROM ("
        + f"SELECT {', '.join([columns, *query.columns])} FROM prospects p {join_texts} "
        + " ".join(query.joins)
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + "))"
        + (" WHERE pre_rank > 0" if scored else "")
        + " ORDER BY pre_rank DESC, prospect_id LIMIT $pool_size"
    )


def search_prospects(prospect_dir: Path, spec: SearchSpec, pool_size: int,
                     company_id: str | None = None) -> list[Prospect]:
    """Return the best `pool_size` candidates for `spec` from the prospect store.

    Args:
        prospect_dir: Directory of the prospect store (Parquet lists).
        spec: What the command looks for.
        pool_size: How many candidates to return at most.
        company_id: The company of `spec.site_id`; the site's own imports are read only with it
            (a client id names a site only within its company).

    Returns:
        Candidates passing every hard filter, best pre-rank first, ties by prospect id.
    """
    if pool_size <= 0:
        return []
    with open_prospects(prospect_dir, spec.site_id, company_id) as con:
        query = _Query()
        _add_hard_filters(query, spec)
        cheap_filters, query.where = query.where, []
        _add_vocabulary_groups(query, spec, con)
        _add_company_groups(query, spec)
        query.params["pool_size"] = pool_size
        result = con.execute(_build_sql(query, cheap_filters), query.params)
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    return [
        Prospect(**{k: v for k, v in zip(names, row, strict=True) if k in PROSPECT_COLUMNS})
        for row in rows
    ]


@task(name="research-prospects", retries=2)
def research_prospects(prospect_dir: str, spec: SearchSpec, pool_size: int,
                       company_id: str | None = None) -> list[Prospect]:
    """Prefect task: find up to `pool_size` candidates for `spec` (of a site of `company_id`)
    in the prospect store."""
    logger = task_logger(__name__)
    candidates = search_prospects(Path(prospect_dir), spec, pool_size, company_id)
    logger.info(
        "research found %d candidates (pool %d) in %s", len(candidates), pool_size, prospect_dir
    )
    return candidates
