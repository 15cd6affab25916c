"""The SQL of the warehouse views; `storage.warehouse` documents their columns.

Bump `WAREHOUSE_VERSION` whenever a view changes: `ensure_warehouse` rebuilds a
`warehouse.duckdb` whose `warehouse_info.schema_version` is older.
"""

from __future__ import annotations

from pathlib import Path

WAREHOUSE_VERSION = 1

# Latest version of each lead: newest updated_at, then the newest file (names carry a
# zero-padded sequence), then the last row of that file. Deletion is decided on that latest
# version only, so an older live version can never resurface after a delete.
_LATEST_VERSION = """
SELECT * EXCLUDE (deleted, filename, file_row_number)
FROM lead_versions
QUALIFY row_number() OVER (
    PARTITION BY id ORDER BY updated_at DESC, filename DESC, file_row_number DESC
) = 1 AND NOT deleted AND deleted_at IS NULL
"""

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

_TERRITORY_BREAKDOWN = """
SELECT
    company_id,
    site_id,
    country,
    industry,
    company_size,
    position,
    count(*) AS leads,
    avg(score) AS avg_score,
    avg(CASE WHEN verified THEN 1.0 ELSE 0.0 END) AS verified_share
FROM leads
GROUP BY company_id, site_id, country, industry, company_size, position
"""


def sql_string(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def lake_glob(warehouse_dir: Path) -> str:
    """The absolute glob of every lead file of the lake."""
    return str(warehouse_dir.resolve() / "leads" / "*.parquet")


def view_statements(warehouse_dir: Path) -> list[str]:
    """`CREATE OR REPLACE VIEW` statements for every view, reading the lake at `warehouse_dir`."""
    glob = sql_string(lake_glob(warehouse_dir))
    lake = sql_string(str(warehouse_dir.resolve()))
    return [
        "CREATE OR REPLACE VIEW lead_versions AS SELECT * FROM read_parquet("
        f"{glob}, union_by_name = true, filename = true, file_row_number = true)",
        f"CREATE OR REPLACE VIEW leads AS {_LATEST_VERSION}",
        f"CREATE OR REPLACE VIEW companies AS {_COMPANIES}",
        f"CREATE OR REPLACE VIEW territory_breakdown AS {_TERRITORY_BREAKDOWN}",
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
