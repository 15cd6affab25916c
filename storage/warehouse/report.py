"""The numbers of a site's report, read from the warehouse views over one period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

_TOP = 12


def _counts(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> dict[str, int]:
    return {str(label): int(count) for label, count in con.sql(sql, params=params).fetchall()}


def warehouse_site_company(con: duckdb.DuckDBPyConnection, site_id: str,
                           company_id: str | None = None) -> str | None:
    """The company whose site `site_id` an operator's report or export means: `company_id` when
    given, else the one company whose leads carry that site id (None: no leads yet).

    Raises:
        LookupError: several companies have a site `site_id` and `company_id` names none.
    """
    if company_id:
        return company_id
    companies = [row[0] for row in con.sql(
        "SELECT DISTINCT company_id FROM leads WHERE site_id = $site ORDER BY 1",
        params={"site": site_id}).fetchall()]
    if len(companies) > 1:
        raise LookupError(f"several companies have a site {site_id} ({', '.join(companies)}); "
                          "name one with --company")
    return companies[0] if companies else None


def site_report_data(
    con: duckdb.DuckDBPyConnection, site_id: str, start: datetime, end: datetime,
    company_id: str | None = None,
) -> dict[str, Any]:
    """Totals, score histogram, breakdowns and command funnel of `site_id`'s leads created in
    [start, end) (naive UTC); of company `company_id`'s site when given (site ids are unique
    within a company only: `warehouse_site_company`)."""
    params = {"site": site_id, "start": start, "end": end, "company": company_id}
    site = "site_id = $site AND ($company IS NULL OR company_id = $company)"
    period = f"{site} AND created_at >= $start AND created_at < $end"
    (leads, verified, avg_score), = con.sql(
        f"SELECT count(*), count(*) FILTER (WHERE verified), avg(score) FROM leads "
        f"WHERE {period}", params=params).fetchall()
    scores = [score for (score,) in con.sql(
        f"SELECT score FROM leads WHERE {period}", params=params).fetchall()]

    def by(column: str) -> dict[str, int]:
        return _counts(con, f"SELECT coalesce({column}, 'unknown'), count(*) FROM leads "
                       f"WHERE {period} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {_TOP}", params)

    funnel = con.sql(
        "SELECT command_id, created_at, status, leads_requested, found, verified, delivered "
        f"FROM command_funnel WHERE {period} ORDER BY created_at DESC LIMIT 50",
        params=params).fetchall()
    per_day = _counts(con, f"SELECT strftime(created_at, '%Y-%m-%d'), count(*) FROM leads "
                      f"WHERE {period} GROUP BY 1 ORDER BY 1", params)
    return {
        "site_id": site_id, "start": start, "end": end,
        "leads": int(leads), "verified": int(verified),
        "avg_score": float(avg_score) if avg_score is not None else None,
        "scores": scores,
        "countries": by("country"), "industries": by("industry"),
        "company_sizes": by("company_size"), "roles": by("position"),
        "sources": _counts(con, f"SELECT source, leads FROM source_yield WHERE {site} "
                           f"ORDER BY leads DESC LIMIT {_TOP}",
                           {"site": site_id, "company": company_id}),
        "per_day": per_day,
        "commands": [dict(zip(("command_id", "created_at", "status", "leads_requested", "found",
                               "verified", "delivered"), row, strict=True)) for row in funnel],
    }
