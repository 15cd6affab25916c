"""The flow launcher: runs stored background tasks (`TriggeredRun`) as Prefect flow runs in a
bounded thread pool of the API process, like the local executor does for commands.

The API stores the run and answers its id at once; a pool thread creates the Prefect flow run
(tagged `company:<id>`, `leadmill-run:<run id>`, `task:<name>`, `executor:<instance>`), records
its id, runs it in-process with `run_flow`, and records the final state and result. A run
holds a lease its launcher renews (deployments/lease_keeper.py); runs whose lease ran out —
their process died, whatever its host name — are settled by any launcher: not yet created →
launched again; created → marked crashed (after kill -9 nothing else would end them).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Engine

from deployments.lease_keeper import LeaseKeeper
from storage.commands.models import TriggeredRun
from storage.commands.triggered_runs import (
    CRASH_MESSAGE,
    lease_triggered_run,
    record_triggered_outcome,
    record_triggered_state,
    settle_expired_runs,
)
from storage.db.engine import session_scope
from storage.db.leases import Lease, holds_lease
from storage.settings import LeadmillSettings

log = logging.getLogger("leadmill.flow_launcher")

# The task names `/api/trigger` accepts, and the flow each runs ("module:function").
TASK_FLOWS = {
    "lead-enrichment": "flows.lead_enrichment:lead_enrichment",
    "lead-enrichment-batch": "flows.lead_enrichment_batch:lead_enrichment_batch",
    "lead-copywriting": "flows.lead_copywriting:lead_copywriting",
    "lead-sdr": "flows.lead_sdr:lead_sdr",
    "warehouse-sync": "flows.warehouse_sync:warehouse_sync",
    "research-only": "flows.research_only:research_only",
}
__all__ = ["CRASH_MESSAGE", "TASK_FLOWS", "FlowLauncher", "load_flow"]


def load_flow(task: str) -> Any:
    module_name, _, attribute = TASK_FLOWS[task].partition(":")
    return getattr(importlib.import_module(module_name), attribute)


class FlowLauncher:
    """Creates and runs flow runs in this process, at most `workers` at once."""

    def __init__(self, settings: LeadmillSettings, engine: Engine, instance: str,
                 workers: int = 2) -> None:
        self.settings = settings
        self.engine = engine
        self.instance = instance
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="leadmill-task")
        self._leases = LeaseKeeper(engine, TriggeredRun, settings.lease_seconds,
                                   settle=self.reconcile, name="leadmill-task-leases")

    def start(self) -> None:
        self.reconcile()
        self._leases.start()

    def stop(self, wait: bool = True) -> None:
        self._leases.stop()
        self._pool.shutdown(wait=wait, cancel_futures=True)

    # -- the generic part: any flow, any parameters ----------------------------------------
    def launch(self, flow: Any, parameters: dict[str, Any], *, name: str | None = None,
               tags: list[str] | None = None,
               on_created: Callable[[str], None] | None = None) -> Future:
        """Create a flow run of `flow` and run it in the pool; the future holds its state."""
        return self._pool.submit(self._create_and_run, flow, parameters, name, tags or [],
                                 on_created)

    def _create_and_run(self, flow: Any, parameters: dict[str, Any], name: str | None,
                        tags: list[str], on_created: Callable[[str], None] | None) -> Any:
        from prefect.client.orchestration import get_client
        from prefect.flow_engine import run_flow

        with get_client(sync_client=True) as client:
            flow_run = client.create_flow_run(flow, name=name, parameters=parameters,
                                              tags=[f"executor:{self.instance}", *tags])
        if on_created is not None:
            on_created(str(flow_run.id))
        return run_flow(flow, flow_run=flow_run, parameters=parameters, return_type="state")

    # -- stored runs (`/api/trigger`, `/api/leads/process/*`) ------------------------------
    def submit(self, run_id: str) -> Future | None:
        """Take the stored `TriggeredRun`'s lease and run it; its record follows the flow run's
        state. None when another process took it first."""
        lease = Lease.new(self.settings.lease_seconds)
        with session_scope(self.engine) as session:
            if not lease_triggered_run(session, run_id, self.instance, lease):
                return None
        return self._run_leased(run_id, lease.token)

    def _run_leased(self, run_id: str, token: str) -> Future:
        self._leases.hold(run_id, token)
        return self._pool.submit(self._run_stored, run_id, token)

    def _run_stored(self, run_id: str, token: str) -> None:
        try:
            self._run_stored_under_lease(run_id, token)
        finally:
            self._leases.release(run_id)

    def _run_stored_under_lease(self, run_id: str, token: str) -> None:
        with session_scope(self.engine) as session:
            run = session.get(TriggeredRun, run_id)
            if run is None or not holds_lease(session, TriggeredRun, run_id, token):
                return
            task, company_id = run.task, run.company_id
            parameters = {**run.parameters, "data_dir": str(self.settings.data_dir)}
            tags = [f"company:{company_id}", f"leadmill-run:{run_id}", f"task:{task}"]
            if run.batch_tag:
                tags.append(f"batch:{run.batch_tag}")

        def created(flow_run_id: str) -> None:
            with session_scope(self.engine) as session:
                if holds_lease(session, TriggeredRun, run_id, token):
                    record_triggered_state(session, run_id, "PENDING", flow_run_id=flow_run_id)

        try:
            state = self._create_and_run(load_flow(task), parameters, f"{task}-{run_id}", tags,
                                         created)
        except Exception as exc:  # noqa: BLE001 - a run that could not start must not vanish
            log.exception("task run %s could not run", run_id)
            record_triggered_outcome(self.engine, run_id, token, "CRASHED",
                                     error=f"{type(exc).__name__}: {exc}")
            return
        error = state.message if state.is_failed() or state.is_crashed() else None
        result = None
        if state.is_completed():
            value = state.result(raise_on_failure=False)
            result = value if isinstance(value, dict) else {"value": value}
        if not record_triggered_outcome(self.engine, run_id, token, state.type.value,
                                        error=error, result=result):
            log.warning("task run %s was settled by another instance; its outcome (%s) is "
                        "dropped", run_id, state.type.value)

    def reconcile(self) -> dict[str, int]:
        """Settle the runs whose lease ran out (their process died), whoever ran them."""
        settled = settle_expired_runs(self.engine, self.instance, self.settings.lease_seconds)
        if settled.crashed:
            self._mark_crashed_in_prefect(settled.crashed)
        for run_id in settled.relaunch:
            with session_scope(self.engine) as session:
                token = session.get(TriggeredRun, run_id).lease_token
            self._run_leased(run_id, token)
        if settled.relaunch or settled.crashed:
            log.warning("task runs: %d relaunched, %d crashed", len(settled.relaunch),
                        len(settled.crashed))
        return {"relaunched": len(settled.relaunch), "crashed": len(settled.crashed)}

    def _mark_crashed_in_prefect(self, flow_run_ids: list[str]) -> None:
        from prefect.client.orchestration import get_client
        from prefect.states import Crashed

        try:
            with get_client(sync_client=True) as client:
                for flow_run_id in flow_run_ids:
                    client.set_flow_run_state(flow_run_id, Crashed(message=CRASH_MESSAGE),
                                              force=True)
        except Exception as exc:  # noqa: BLE001 - Leadmill's record is already right
            log.warning("could not mark orphaned task runs in Prefect: %s", exc)
