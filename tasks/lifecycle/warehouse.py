"""The `sync-warehouse` task: copy leads changed since the last sync into the Parquet lake.

The flow takes only the data dir (the database URL may carry a password, and flow-run
parameters are stored by Prefect in clear); the task gets the process's runtime from it.
"""

from __future__ import annotations

from typing import Any

from prefect import task

from storage.runtime import Runtime
from storage.warehouse.catalog import compact, ensure_warehouse, sync_leads, sync_tables
from storage.warehouse.lake import lead_files
from tasks.run_logging import task_logger
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME

# Each sync that finds changes adds a file; past this many, the sync compacts the lake into one
# base file, which keeps the `leads` view a scan rather than a window over every version.
COMPACT_AFTER_FILES = 24


@task(name="sync-warehouse", retries=2, retry_delay_seconds=[1, 5],
      cache_policy=CACHE_WITHOUT_RUNTIME)
def sync_warehouse(runtime: Runtime) -> dict[str, Any]:
    """Make sure the warehouse exists, then sync the changed leads into it.

    Retried because it is I/O: a locked SQLite file or a dropped PostgreSQL connection passes.
    A retry is safe: a version written twice changes nothing in the `leads` view.

    Args:
        runtime: The process's runtime of the instance (its settings name the stores; the
            warehouse reads the operational DB through the runtime's engine, `engine_for`).

    Returns:
        `rows_written`, `files_written`, `synced_until` (ISO 8601 or None) and `seconds`.
    """
    logger = task_logger(__name__)
    settings = runtime.settings
    ensure_warehouse(settings.warehouse_dir, settings.warehouse_db)
    result = sync_leads(settings.sqlalchemy_url, settings.warehouse_dir)
    tables = sync_tables(settings.sqlalchemy_url, settings.warehouse_dir)
    if len(lead_files(settings.warehouse_dir / "leads")) > COMPACT_AFTER_FILES:
        compacted = compact(settings.warehouse_dir)
        logger.info("Compacted %d lead files in %.2f s", compacted.files_removed,
                    compacted.seconds)
    synced_until = result.synced_until.isoformat() if result.synced_until else None
    logger.info(
        "Warehouse sync wrote %d lead versions in %d file(s) in %.2f s; synced until %s",
        result.rows_written,
        result.files_written,
        result.seconds,
        synced_until,
    )
    return {
        "rows_written": result.rows_written,
        "files_written": result.files_written,
        "synced_until": synced_until,
        "seconds": round(result.seconds, 3),
        "table_rows_written": tables,
    }
