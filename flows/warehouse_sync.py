"""The `warehouse-sync` flow: bring the warehouse up to date with the operational database.

Run by the scheduler periodically and by the API soon after commands finish. In deployment
mode, where commands run on workers, each finished lead-generation run asks the
`warehouse-sync` deployment for a run instead (`request_warehouse_sync`, debounced). Its single
writer is guaranteed by the lake's own lock; a Prefect concurrency limit only saves queued
runs.
"""

from __future__ import annotations

import logging
from typing import Any

from prefect import flow

from storage.runtime import runtime_for
from tasks.lifecycle.warehouse import sync_warehouse


@flow(name="warehouse-sync")
def warehouse_sync(data_dir: str) -> dict[str, Any]:
    """Sync the leads changed since the last run into the warehouse of `data_dir`."""
    return sync_warehouse(runtime_for(data_dir))


WAREHOUSE_SYNC_DEPLOYMENT = "warehouse-sync/warehouse-sync"
AFTER_COMMANDS_TAG = "after-commands"

log = logging.getLogger("leadmill.warehouse")


def request_warehouse_sync(data_dir: str) -> str | None:
    """Ask the `warehouse-sync` deployment to sync `data_dir` soon; returns the id of the run
    that will, or None when none could be asked for.

    Debounced: when a run this asked for has not started yet, it will read everything committed
    so far, so it is reused instead of adding another (a sync reads the changes when it starts;
    a window with an idempotency key would not do: workers start runs up to 10 s early). A
    failure is only logged: the deployment's minutely schedule syncs anyway.
    """
    try:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import (
            DeploymentFilter,
            DeploymentFilterName,
            FlowRunFilter,
            FlowRunFilterState,
            FlowRunFilterStateType,
            FlowRunFilterTags,
        )
        from prefect.client.schemas.objects import StateType
        from prefect.deployments import run_deployment

        with get_client(sync_client=True) as client:
            waiting = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    tags=FlowRunFilterTags(all_=[AFTER_COMMANDS_TAG]),
                    state=FlowRunFilterState(type=FlowRunFilterStateType(
                        any_=[StateType.SCHEDULED, StateType.PENDING]))),
                deployment_filter=DeploymentFilter(name=DeploymentFilterName(
                    any_=[WAREHOUSE_SYNC_DEPLOYMENT.split("/")[1]])))
        for run in waiting:
            if (run.parameters or {}).get("data_dir") == data_dir:
                return str(run.id)
        run = run_deployment(
            WAREHOUSE_SYNC_DEPLOYMENT,
            parameters={"data_dir": data_dir},
            tags=["leadmill", "warehouse", AFTER_COMMANDS_TAG],
            timeout=0,
            as_subflow=False,
        )
    except Exception:  # noqa: BLE001 - the periodic sync still brings the leads in
        log.warning("could not request a warehouse sync run", exc_info=True)
        return None
    return str(run.id)
