"""The scale-out executor (`LEADMILL_EXECUTOR=deployment`): commands become flow runs of the
`lead-generation` deployment on the `leadmill` process work pool, and `prefect worker` processes
on any number of machines run them.

Same interface and dispatch as the local executor: `submit` wakes a dispatcher thread that
claims waiting commands (fair between companies, by priority within one: commands a recurring
search stored are claimed the same way) and calls `run_deployment(..., timeout=0)` onto the work
queue named after the command's priority. At most `executor_workers` commands are out on the pool
at once (set it to the workers' total slots); the rest wait in Leadmill's queue, whose order is
fair (`storage.commands.dispatch`), where Prefect's queues would order them by the callers' own
priorities. The queues are created with Prefect priorities high=1, medium=2, low=3, so a worker
with a free slot takes high-priority runs first. The flow's own state hooks write the outcome
onto the command (the workers reach the same operational DB through `LEADMILL_DATABASE_URL`), so
this process only hands runs out. Between its claim and the hand-out a command holds a lease,
so a command claimed by a process that died before handing it out is queued again by any
instance (storage/commands/leases.py).
"""

from __future__ import annotations

import contextlib
import logging
import threading

from sqlalchemy.engine import Engine

from deployments.lease_keeper import LeaseKeeper
from storage.commands.dispatch import count_in_flight
from storage.commands.leases import settle_expired_commands
from storage.commands.models import Command
from storage.commands.records import (
    claim_command,
    dispatchable_commands,
    record_run_state,
    update_command,
)
from storage.db.engine import session_scope
from storage.db.leases import Lease, end_lease
from storage.settings import LeadmillSettings

log = logging.getLogger("leadmill.deployment_executor")

WORK_POOL = "leadmill"
DEPLOYMENT = "lead-generation/lead-generation"
QUEUE_PRIORITIES = {"high": 1, "medium": 2, "low": 3}
DISPATCH_BATCH = 50


def ensure_work_pool(pool: str = WORK_POOL) -> None:
    """Create the process work pool and its high/medium/low queues where missing."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        with contextlib.suppress(ObjectAlreadyExists):
            client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
        existing = {queue.name for queue in client.read_work_queues(work_pool_name=pool)}
        for name, priority in QUEUE_PRIORITIES.items():
            if name not in existing:
                client.create_work_queue(name=name, work_pool_name=pool, priority=priority)


class DeploymentExecutor:
    """Hands commands to `prefect worker` processes through the `lead-generation` deployment."""

    def __init__(self, settings: LeadmillSettings, engine: Engine, instance: str) -> None:
        self.settings = settings
        self.engine = engine
        self.instance = instance
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._dispatcher = threading.Thread(target=self._dispatch_forever, daemon=True,
                                            name="leadmill-deployment-dispatch")
        self._leases = LeaseKeeper(engine, Command, settings.lease_seconds,
                                   settle=self._requeue_unsent, name="leadmill-command-leases")

    def start(self) -> None:
        try:
            ensure_work_pool()
        except Exception:  # noqa: BLE001 - runs still queue on the server; workers can come later
            log.exception("could not create the %s work pool and its queues", WORK_POOL)
        self._requeue_unsent()
        self._leases.start()
        self._dispatcher.start()
        self._wake.set()

    def stop(self, wait: bool = True) -> None:
        self._stopping.set()
        self._leases.stop()
        self._wake.set()
        if wait and self._dispatcher.is_alive():
            self._dispatcher.join(timeout=10)

    def submit(self, command_id: str) -> None:
        self._wake.set()

    def _dispatch_forever(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            try:
                self._dispatch_waiting()
            except Exception:  # noqa: BLE001 - the loop must survive a DB or server hiccup
                log.exception("dispatch failed; retrying")

    def _dispatch_waiting(self) -> None:
        with session_scope(self.engine) as session:
            # Hand out no more than the pool's slots: what waits here is ordered fairly between
            # companies, while Prefect's queues would order it by the callers' own priorities.
            free = min(self.settings.executor_workers - count_in_flight(session), DISPATCH_BATCH)
            waiting = [(c.id, c.site_id, c.priority)
                       for c in dispatchable_commands(session, free)]
        for command_id, site_id, priority in waiting:
            if self._stopping.is_set():
                return
            lease = Lease.new(self.settings.lease_seconds)
            with session_scope(self.engine) as session:
                if not claim_command(session, command_id, self.instance, lease):
                    continue
            self._leases.hold(command_id, lease.token)
            try:
                self._send(command_id, site_id, priority, lease.token)
            finally:
                self._leases.release(command_id)

    def _send(self, command_id: str, site_id: str, priority: str, token: str) -> None:
        from prefect.deployments import run_deployment

        try:
            flow_run = run_deployment(
                DEPLOYMENT,
                parameters={"command_id": command_id, "data_dir": str(self.settings.data_dir),
                            "site_id": site_id},
                flow_run_name=f"{site_id}-{command_id}",
                work_queue_name=priority,
                tags=[f"executor:{self.instance}", f"site:{site_id}", f"priority:{priority}"],
                timeout=0,
                as_subflow=False,
            )
        except Exception as exc:  # noqa: BLE001 - a command that cannot be handed out fails
            log.exception("could not hand %s to the work pool", command_id)
            with session_scope(self.engine) as session:
                if end_lease(session, Command, command_id, token):
                    record_run_state(session, command_id, "CRASHED",
                                     f"{type(exc).__name__}: {exc}")
            return
        # Handed out: the run is the workers' now (Prefect and the flow's hooks settle it).
        with session_scope(self.engine) as session:
            if not end_lease(session, Command, command_id, token):
                log.warning("command %s was requeued while being handed out", command_id)
                return
            update_command(session, command_id, flow_run_id=str(flow_run.id),
                           run_state=flow_run.state.type.value if flow_run.state else "SCHEDULED")

    def _requeue_unsent(self) -> None:
        """Commands claimed by a process that died before handing them out wait again (their
        lease ran out, whatever that process's name). Runs already handed out hold no lease."""
        settled = settle_expired_commands(self.engine)
        if settled.requeued or settled.crashed:
            log.warning("requeued %d commands claimed by a process that stopped",
                        len(settled.requeued))
            self._wake.set()
