"""The scheduler process: serves the scheduled deployments — the periodic warehouse sync, the
daily retention purge (`privacy-retention`) and every recurring search
(`deployments.recurring` mirrors those from the operational DB).

`prefect.serve` pauses its deployments on shutdown by default, which would leave recurring
work off after a restart: the Runner here has `pause_on_shutdown=False`, and every deployment
is applied with its `paused` flag (False unless a user paused the search) on each start.
"""

from __future__ import annotations

import asyncio
import contextlib

from deployments.prefect_env import apply_prefect_environment
from storage.settings import LeadmillSettings

WAREHOUSE_SYNC_INTERVAL_SECONDS = 60
# Daily, at a quiet hour (UTC): what retention purges is days old, so the hour does not matter.
PRIVACY_RETENTION_CRON = "17 3 * * *"


async def _serve(settings: LeadmillSettings) -> None:
    from prefect.runner import Runner

    from deployments.recurring import RecurringScheduleMirror
    from flows.privacy_retention import privacy_retention
    from flows.warehouse_sync import warehouse_sync
    from storage.runtime import open_runtime
    from storage.schema import create_schema

    engine = open_runtime(settings).engine
    create_schema(engine)
    runner = Runner(name=f"leadmill-scheduler-{settings.executor_instance}",
                    pause_on_shutdown=False, query_seconds=1)
    # The instance's own periodic flows; each takes only the data dir.
    for flow, name, schedule, tag in (
            (warehouse_sync, "warehouse-sync-every-minute",
             {"interval": WAREHOUSE_SYNC_INTERVAL_SECONDS}, "warehouse"),
            (privacy_retention, "privacy-retention-daily", {"cron": PRIVACY_RETENTION_CRON},
             "privacy")):
        await runner.aadd_deployment(await flow.ato_deployment(
            name=name, parameters={"data_dir": str(settings.data_dir)}, paused=False,
            tags=["leadmill", tag], **schedule))
    mirror = RecurringScheduleMirror(settings, engine)
    await mirror.sync(runner)
    mirroring = asyncio.create_task(mirror.run_forever(runner))
    try:
        await runner.start()
    finally:
        mirroring.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await mirroring


def serve_schedules(settings: LeadmillSettings) -> None:
    from storage.runtime import open_runtime

    # The process's runtime first: a bad secret stops the start before Prefect is loaded.
    open_runtime(settings)
    apply_prefect_environment(settings)
    asyncio.run(_serve(settings))
