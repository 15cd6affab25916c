"""How recurring searches reach Prefect: the scheduler mirrors the operational DB.

The API only writes `RecurringSearch` rows (one transaction, no Prefect call in the request).
The scheduler process re-reads them every `MIRROR_SECONDS` and, for each row that changed,
registers a deployment of the `recurring-search` flow named `recurring-<schedule id>` with the
row's cron or interval and time zone, paused when the row is not active, on its own Runner —
so the deployment and its schedule show in the Prefect UI, Prefect's scheduler creates the
runs, and this process executes them. Deleted rows lose their deployment. Why not create
deployments from the API: a served deployment only runs while the process serving it polls
for it, so the process that serves must learn of new schedules anyway, and a DB it already
reads is the one source of truth that also survives a Prefect server reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine

from storage.commands.models import RecurringSearch
from storage.commands.recurring import schedules_to_mirror
from storage.db.engine import session_scope
from storage.settings import LeadmillSettings

log = logging.getLogger("leadmill.recurring")

MIRROR_SECONDS = 5.0


def deployment_name(schedule_id: str) -> str:
    return f"recurring-{schedule_id}"


def _fingerprint(row: RecurringSearch) -> tuple[Any, ...]:
    return (row.cron, row.interval_seconds, row.timezone, row.active, row.deleted_at is None)


class RecurringScheduleMirror:
    """Keeps one Prefect deployment per live recurring search, on the given Runner."""

    def __init__(self, settings: LeadmillSettings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self._applied: dict[str, tuple[Any, ...]] = {}

    async def _deployment(self, row: RecurringSearch):  # -> RunnerDeployment
        from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule

        from flows.recurring_search import recurring_search

        if row.cron:
            schedule = CronSchedule(cron=row.cron, timezone=row.timezone)
        else:
            schedule = IntervalSchedule(interval=timedelta(seconds=row.interval_seconds or 3600),
                                        timezone=row.timezone)
        return await recurring_search.ato_deployment(
            name=deployment_name(row.id),
            schedule=schedule,
            paused=not row.active,
            parameters={"schedule_id": row.id, "data_dir": str(self.settings.data_dir)},
            description=f"Recurring search {row.name!r} of site {row.site_id}",
            tags=["leadmill", "recurring-search", f"site:{row.site_id}"],
        )

    async def sync(self, runner: Any) -> dict[str, int]:
        """Bring Prefect in line with the DB; returns how many deployments changed."""
        with session_scope(self.engine) as session:
            rows = [row.model_copy() for row in schedules_to_mirror(session)]
        applied = removed = 0
        for row in rows:
            fingerprint = _fingerprint(row)
            if self._applied.get(row.id) == fingerprint:
                continue
            try:
                if row.deleted_at is None:
                    deployment_id = await runner.aadd_deployment(await self._deployment(row))
                    self._record_deployment(row.id, str(deployment_id))
                    applied += 1
                elif row.prefect_deployment_id:
                    await self._delete(row.prefect_deployment_id)
                    self._record_deployment(row.id, None)
                    removed += 1
                self._applied[row.id] = fingerprint
            except Exception:  # noqa: BLE001 - one bad row must not stop the others
                log.exception("could not mirror recurring search %s", row.id)
        if applied or removed:
            log.info("recurring searches: %d deployments applied, %d removed", applied, removed)
        return {"applied": applied, "removed": removed}

    async def _delete(self, deployment_id: str) -> None:
        from prefect.client.orchestration import get_client
        from prefect.exceptions import ObjectNotFound

        async with get_client() as client:
            with contextlib.suppress(ObjectNotFound):  # already gone is fine
                await client.delete_deployment(deployment_id)

    def _record_deployment(self, schedule_id: str, deployment_id: str | None) -> None:
        with session_scope(self.engine) as session:
            row = session.get(RecurringSearch, schedule_id)
            if row is not None and row.prefect_deployment_id != deployment_id:
                row.prefect_deployment_id = deployment_id
                session.add(row)

    async def run_forever(self, runner: Any, every: float = MIRROR_SECONDS) -> None:
        while True:
            try:
                await self.sync(runner)
            except Exception:  # noqa: BLE001 - the DB may be briefly unavailable
                log.exception("recurring-search mirror failed; retrying")
            await asyncio.sleep(every)
