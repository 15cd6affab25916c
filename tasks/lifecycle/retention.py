"""The `purge-expired` task: apply the retention setting (storage.privacy.retention)."""

from __future__ import annotations

from typing import Any

from prefect import task

from storage.privacy.retention import purge_expired
from storage.runtime import Runtime
from tasks.run_logging import task_logger
from tasks.runtime_input import CACHE_WITHOUT_RUNTIME


@task(name="purge-expired", retries=2, retry_delay_seconds=[1, 5],
      cache_policy=CACHE_WITHOUT_RUNTIME)
def purge_expired_records(runtime: Runtime) -> dict[str, Any]:
    """Purge raw source leads and settled webhook payloads older than the retention setting.

    Retried because it is I/O (a locked SQLite file, a dropped connection); a retry is safe:
    the purge is one transaction, and what it removed is not there to remove again.

    Returns:
        `cutoff`, `retention_days`, `source_leads`, `webhook_payloads`, `webhook_attempts`.
    """
    result = purge_expired(runtime.engine, runtime.settings.retention_days).as_dict()
    task_logger(__name__).info(
        "Retention (%d days, before %s): %d source leads, %d webhook payloads and %d attempt "
        "log rows purged", result["retention_days"], result["cutoff"], result["source_leads"],
        result["webhook_payloads"], result["webhook_attempts"])
    return result
