"""The SQL of the warehouse views; `storage.warehouse.catalog` documents their columns.

Bump `WAREHOUSE_VERSION` whenever a view changes: `ensure_warehouse` rebuilds a
`warehouse.duckdb` whose `warehouse_info.schema_version` is older.
"""

from __future__ import annotations

from pathlib import Path

from storage.warehouse.territory import territory_breakdown_sql

WAREHOUSE_VERSION = 5

# Latest version of each lead: newest updated_at, then the newest file (names carry a
# zero-padded sequence), then the last row of that file. Deletion is decided on that latest
# version only, so an older live version can never resurface after a delete.
#
# The newest compaction output (`leads-<seq>-base.parquet`) holds exactly one live version per
# lead, so its rows for ids no other file mentions are taken as they are; the window runs only
# over the other files plus the base rows of the ids they touch. That is the same answer as
# the window over every file, and on a compacted 10M-lead lake it is a scan instead of a sort.
# (While a compaction swaps files, the old base counts as an ordinary file: slower, still right.)
_LATEST_VERSION = """
SELECT * EXCLUDE (deleted, filename, file_row_number)
FROM read_parquet({base_glob}, {options})
WHERE filename = {newest_base}
  AND id NOT IN (SELECT id FROM ({delta}))
  AND NOT deleted AND deleted_at IS NULL
UNION ALL BY NAME
SELECT * EXCLUDE (deleted, filename, file_row_number)
FROM (
    SELECT * FROM read_parquet({base_glob}, {options})
    WHERE filename = {newest_base} AND id IN (SELECT id FROM ({delta}))
    UNION ALL BY NAME
    {delta}
)
QUALIFY row_number() OVER (
    PARTITION BY id ORDER BY updated_at DESC, filename DESC, file_row_number DESC
) = 1 AND NOT deleted AND deleted_at IS NULL
"""
_READ_OPTIONS = "union_by_name = true, filename = true, file_row_number = true"


def _latest_version_sql(warehouse_dir: Path) -> str:
    # Files are read directly rather than through CTEs: DuckDB materialises a CTE used twice,
    # which copied the whole 10M-row base and cost more than the window it avoids.
    base_glob = sql_string(str(warehouse_dir.resolve() / "leads" / "*-base.parquet"))
    all_glob = sql_string(lake_glob(warehouse_dir))
    delta = (f"SELECT * FROM read_parquet({all_glob}, {_READ_OPTIONS}) "
             "WHERE filename NOT LIKE '%-base.parquet'")
    return _LATEST_VERSION.format(base_glob=base_glob, options=_READ_OPTIONS, delta=delta,
                                  newest_base=f"(SELECT max(file) FROM glob({base_glob}))")

_COMPANIES = """
SELECT
    company_id,
    site_id,
    company,
    mode(industry) AS industry,
    mode(company_size) AS company_size,
    mode(country) AS country,
    count(*) AS leads,
    avg(score) AS avg_score,
    avg(CASE WHEN verified THEN 1.0 ELSE 0.0 END) AS verified_share,
    min(created_at) AS first_seen,
    max(updated_at) AS last_seen
FROM leads
WHERE company IS NOT NULL
GROUP BY company_id, site_id, company
"""

# `territory_breakdown` is in `storage.warehouse.territory`: pre-aggregated at compaction.



# Found → verified → delivered per command: `found` is the leads the command stored, `verified`
# those whose lead is verified now, `delivered` the found leads of a completed command (its
# leads are then served by the API and announced to its webhook).
_COMMAND_FUNNEL = """
SELECT
    c.company_id,
    c.site_id,
    c.id AS command_id,
    c.created_at,
    c.completed_at,
    c.run_state AS status,
    c.priority,
    c.leads_requested,
    count(cl.lead_id) AS found,
    count(cl.lead_id) FILTER (WHERE l.verified) AS verified,
    count(cl.lead_id) FILTER (WHERE c.run_state = 'COMPLETED') AS delivered,
    avg(cl.match_score) AS avg_match_score
FROM commands c
LEFT JOIN command_leads cl ON cl.command_id = c.id
LEFT JOIN leads l ON l.id = cl.lead_id
GROUP BY ALL
"""

# A lead counts once for every source that found it: the provenance table where a source
# recorded itself, else the lead's own `source`.
_SOURCE_YIELD = """
WITH attributed AS (
    SELECT lead_id, source FROM lead_sources
    UNION
    SELECT id AS lead_id, source FROM leads WHERE source IS NOT NULL
)
SELECT
    l.company_id,
    l.site_id,
    a.source,
    count(*) AS leads,
    avg(CASE WHEN l.verified THEN 1.0 ELSE 0.0 END) AS verified_share,
    avg(l.score) AS avg_score
FROM attributed a
JOIN leads l ON l.id = a.lead_id
GROUP BY ALL
"""

# Tenths of the 0..1 match score; `score_bucket` is the bucket's lower bound (1.0 joins 0.9).
_SCORE_DISTRIBUTION = """
SELECT
    company_id,
    site_id,
    least(floor(coalesce(score, 0) * 10), 9) / 10 AS score_bucket,
    count(*) AS leads,
    count(*) FILTER (WHERE verified) AS verified
FROM leads
GROUP BY ALL
"""


def _latest(glob: str, key: str, order: str) -> str:
    return (f"SELECT * EXCLUDE (filename) FROM read_parquet({glob}, union_by_name = true, "
            f"filename = true) QUALIFY row_number() OVER (PARTITION BY {key} "
            f"ORDER BY {order}filename DESC) = 1")


def sql_string(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def lake_glob(warehouse_dir: Path) -> str:
    """The absolute glob of every lead file of the lake."""
    return str(warehouse_dir.resolve() / "leads" / "*.parquet")


def _folder_glob(warehouse_dir: Path, folder: str) -> str:
    return sql_string(str(warehouse_dir.resolve() / folder / "*.parquet"))


def view_statements(warehouse_dir: Path) -> list[str]:
    """`CREATE OR REPLACE VIEW` statements for every view, reading the lake at `warehouse_dir`."""
    glob = sql_string(lake_glob(warehouse_dir))
    lake = sql_string(str(warehouse_dir.resolve()))
    return [
        "CREATE OR REPLACE VIEW lead_versions AS SELECT * FROM read_parquet("
        f"{glob}, union_by_name = true, filename = true, file_row_number = true)",
        f"CREATE OR REPLACE VIEW leads AS {_latest_version_sql(warehouse_dir)}",
        f"CREATE OR REPLACE VIEW companies AS {_COMPANIES}",
        "CREATE OR REPLACE VIEW territory_breakdown AS "
        + territory_breakdown_sql(warehouse_dir, read_options=_READ_OPTIONS),
        "CREATE OR REPLACE VIEW commands AS "
        + _latest(_folder_glob(warehouse_dir, "commands"), "id", "updated_at DESC, "),
        "CREATE OR REPLACE VIEW command_leads AS "
        + _latest(_folder_glob(warehouse_dir, "command_leads"), "command_id, lead_id", ""),
        "CREATE OR REPLACE VIEW lead_sources AS "
        + _latest(_folder_glob(warehouse_dir, "lead_sources"), "id", ""),
        f"CREATE OR REPLACE VIEW command_funnel AS {_COMMAND_FUNNEL}",
        f"CREATE OR REPLACE VIEW source_yield AS {_SOURCE_YIELD}",
        f"CREATE OR REPLACE VIEW score_distribution AS {_SCORE_DISTRIBUTION}",
        "CREATE OR REPLACE VIEW warehouse_info AS SELECT "
        f"{WAREHOUSE_VERSION} AS schema_version, {lake} AS lake_dir",
    ]


def latest_versions_query(files: list[Path]) -> str:
    """The `leads` view's query over an explicit file list, for compaction (keeps `deleted`)."""
    listed = ", ".join(sql_string(str(path)) for path in files)
    return f"""
SELECT * EXCLUDE (filename, file_row_number)
FROM read_parquet([{listed}], union_by_name = true, filename = true, file_row_number = true)
QUALIFY row_number() OVER (
    PARTITION BY id ORDER BY updated_at DESC, filename DESC, file_row_number DESC
) = 1 AND NOT deleted
ORDER BY updated_at
"""
