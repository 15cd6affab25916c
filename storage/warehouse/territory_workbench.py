"""The territory workbench's query: the warehouse's `companies` view for one tenant and client,
joined by name to the companies the team tracks by hand (`TerritoryCompany`).

Sorting goes through a whitelist of columns and every user value is a bound parameter: no
request text is ever put into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from storage.workspace.models import TerritoryCompany

# API sort key -> column of the joined relation below.
SORT_COLUMNS = {"companyName": "company_name", "leads": "leads", "leadCount": "leads",
                "industry": "industry", "companySize": "company_size", "country": "country",
                "avgScore": "avg_score", "verifiedShare": "verified_share",
                "firstSeen": "first_seen", "lastSeen": "last_seen"}

_RECORD_COLUMNS = ("id", "name_key", "company_name", "company_domain", "industry",
                   "company_size", "country", "status", "notes")

_JOINED = """
WITH seen AS (
    SELECT * FROM companies WHERE company_id = $company_id AND site_id = $client_id
)
SELECT
    coalesce(r.company_name, s.company) AS company_name,
    r.company_domain,
    coalesce(r.industry, s.industry) AS industry,
    coalesce(r.company_size, s.company_size) AS company_size,
    coalesce(r.country, s.country) AS country,
    coalesce(s.leads, 0) AS leads,
    s.avg_score, s.verified_share, s.first_seen, s.last_seen,
    r.id AS record_id, r.status, r.notes
FROM seen s FULL OUTER JOIN territory_records r ON lower(trim(s.company)) = r.name_key
"""


@dataclass(frozen=True)
class TerritoryQuery:
    company_id: str
    client_id: str
    sort_by: str = "leads"
    descending: bool = True
    industry: str | None = None
    min_leads: int | None = None
    max_leads: int | None = None
    search: str | None = None
    start: datetime | None = None  # naive UTC: activity on or after
    end: datetime | None = None  # naive UTC: activity before
    limit: int = 100


def _records_table(records: list[TerritoryCompany]) -> pa.Table:
    return pa.table({name: pa.array([getattr(r, name) for r in records], pa.string())
                     for name in _RECORD_COLUMNS})


def territory_companies(con: duckdb.DuckDBPyConnection, query: TerritoryQuery,
                        records: list[TerritoryCompany]) -> tuple[list[dict[str, Any]], int]:
    """The page of companies and how many match in all."""
    con.register("territory_records", _records_table(records))
    params: dict[str, Any] = {"company_id": query.company_id, "client_id": query.client_id,
                              "limit": query.limit}
    where = []
    if query.industry:
        where.append("lower(industry) = lower($industry)")
        params["industry"] = query.industry
    if query.min_leads is not None:
        where.append("leads >= $min_leads")
        params["min_leads"] = query.min_leads
    if query.max_leads is not None:
        where.append("leads <= $max_leads")
        params["max_leads"] = query.max_leads
    if query.search:
        where.append("(contains(lower(company_name), lower($search))"
                     " OR contains(lower(coalesce(company_domain, '')), lower($search)))")
        params["search"] = query.search
    if query.start is not None:
        where.append("last_seen >= $start")
        params["start"] = query.start
    if query.end is not None:
        where.append("first_seen < $end")
        params["end"] = query.end
    order = SORT_COLUMNS[query.sort_by]  # KeyError for anything not whitelisted
    direction = "DESC" if query.descending else "ASC"
    sql = (f"SELECT *, count(*) OVER () AS total FROM ({_JOINED}) "
           + (f"WHERE {' AND '.join(where)} " if where else "")
           + f"ORDER BY {order} {direction} NULLS LAST, company_name ASC LIMIT $limit")
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    total = rows[0]["total"] if rows else 0
    return rows, total
