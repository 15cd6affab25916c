"""The scheduler process: serves the scheduled deployments (the periodic warehouse sync).

`prefect.serve` pauses its deployments on shutdown by default, which would leave recurring
work off after a restart: serve with `pause_on_shutdown=False`, and `paused=False` on every
deployment so a start also resumes one that an older process paused.
"""

from __future__ import annotations

from deployments.prefect_env import apply_prefect_environment
from storage.settings import LeadmillSettings

WAREHOUSE_SYNC_INTERVAL_SECONDS = 60


def serve_schedules(settings: LeadmillSettings) -> None:
    apply_prefect_environment(settings)
    from prefect import serve

    from flows.warehouse_sync import warehouse_sync

    sync = warehouse_sync.to_deployment(
        name="warehouse-sync-every-minute",
        interval=WAREHOUSE_SYNC_INTERVAL_SECONDS,
        parameters={"data_dir": str(settings.data_dir)},
        paused=False,
        tags=["leadmill", "warehouse"],
    )
    serve(sync, pause_on_shutdown=False, print_starting_message=False, query_seconds=1)
