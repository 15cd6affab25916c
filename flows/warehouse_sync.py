"""The `warehouse-sync` flow: bring the warehouse up to date with the operational database.

Run by the scheduler periodically and by the API soon after commands finish. Its single writer
is guaranteed by the lake's own lock; a Prefect concurrency limit only saves queued runs.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from tasks.warehouse import sync_warehouse


@flow(name="warehouse-sync")
def warehouse_sync(data_dir: str) -> dict[str, Any]:
    """Sync the leads changed since the last run into the warehouse of `data_dir`."""
    return sync_warehouse(data_dir)
