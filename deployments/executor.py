"""The local executor: commands become Prefect flow runs that run in a bounded thread pool.

The API stores a command and calls `submit`; it never waits on Prefect. A dispatcher thread
claims waiting commands (fair between companies, by priority within one:
`storage.commands.dispatch`), and each worker thread creates the command's
flow run through Prefect's client, records the run id, and runs the flow in-process with
`run_flow` (~0.1 s to start, against 5–10 s for a new process per run).

A claimed command holds a lease (storage/db/leases.py) that this executor's heartbeat renews.
On start and on every beat, commands whose lease ran out — their process was killed, whatever
its host name — are settled (storage/commands/leases.py): a run that had begun is marked crashed
— nothing else would ever end it — and a run that had not begun is queued again. A final state
is recorded only while the lease is still this executor's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine

from deployments.lease_keeper import LeaseKeeper
from storage.commands.leases import (
    CRASH_MESSAGE,
    record_outcome_under_lease,
    settle_expired_commands,
)
from storage.commands.models import Command
from storage.commands.records import claim_command, dispatchable_commands, update_command
from storage.db.engine import session_scope
from storage.db.leases import Lease, holds_lease
from storage.settings import LeadmillSettings

log = logging.getLogger("leadmill.executor")

__all__ = ["CRASH_MESSAGE", "LocalExecutor"]


class LocalExecutor:
    """Runs commands' flow runs in this process, at most `settings.executor_workers` at once."""

    def __init__(
        self,
        settings: LeadmillSettings,
        engine: Engine,
        instance: str,
        *,
        on_command_finished: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.instance = instance
        self._on_finished = on_command_finished
        self._workers = settings.executor_workers
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="leadmill-run")
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._dispatcher = threading.Thread(target=self._dispatch_forever, daemon=True,
                                            name="leadmill-dispatch")
        self._leases = LeaseKeeper(engine, Command, settings.lease_seconds,
                                   settle=self.reconcile, name="leadmill-command-leases")

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.reconcile()
        self._leases.start()
        self._dispatcher.start()
        self._wake.set()

    def stop(self, wait: bool = True) -> None:
        self._stopping.set()
        self._leases.stop()
        self._wake.set()
        if self._dispatcher.is_alive():
            self._dispatcher.join(timeout=5)
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def submit(self, command_id: str) -> None:
        """A command was stored: wake the dispatcher (the command itself waits in the DB)."""
        self._wake.set()

    # -- dispatch --------------------------------------------------------------------------
    def _dispatch_forever(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            try:
                self._dispatch_waiting()
            except Exception:  # noqa: BLE001 - the loop must survive a DB hiccup
                log.exception("dispatch failed; retrying")

    def _dispatch_waiting(self) -> None:
        with self._busy_lock:
            free = self._workers - self._busy
        if free <= 0:
            return
        with session_scope(self.engine) as session:
            candidates = [c.id for c in dispatchable_commands(session, free)]
        for command_id in candidates:
            token = self._claim(command_id)
            if token is None:
                continue
            with self._busy_lock:
                self._busy += 1
            self._leases.hold(command_id, token)
            self._pool.submit(self._run_command, command_id, token)

    def _claim(self, command_id: str) -> str | None:
        """The token of the lease under which this executor took the command, if it won it."""
        lease = Lease.new(self.settings.lease_seconds)
        with session_scope(self.engine) as session:
            return lease.token if claim_command(session, command_id, self.instance,
                                                lease) else None

    def _run_command(self, command_id: str, token: str) -> None:
        try:
            self._create_and_run(command_id, token)
        except Exception as exc:  # noqa: BLE001 - a run that could not start must not vanish
            log.exception("command %s could not run", command_id)
            if self._record_outcome(command_id, token, "CRASHED", f"{type(exc).__name__}: {exc}"):
                self._announce_failure(command_id)
        finally:
            self._leases.release(command_id)
            with self._busy_lock:
                self._busy -= 1
            self._wake.set()
            if self._on_finished is not None:
                try:
                    self._on_finished(command_id)
                except Exception:  # noqa: BLE001
                    log.exception("after-command hook failed for %s", command_id)

    def _record_outcome(self, command_id: str, token: str, state_type: str,
                        error: str | None) -> bool:
        if record_outcome_under_lease(self.engine, command_id, token, state_type, error):
            return True
        log.warning("command %s was settled by another instance; its outcome (%s) is dropped",
                    command_id, state_type)
        return False

    def _create_and_run(self, command_id: str, token: str) -> None:
        from prefect.client.orchestration import get_client
        from prefect.flow_engine import run_flow

        from flows.lead_generation import lead_generation

        with session_scope(self.engine) as session:
            command = session.get(Command, command_id)
            site_id, priority = command.site_id, command.priority
            if not holds_lease(session, Command, command_id, token):
                return  # settled while it waited for a worker thread
        parameters = {"command_id": command_id, "data_dir": str(self.settings.data_dir),
                      "site_id": site_id}
        with get_client(sync_client=True) as client:
            flow_run = client.create_flow_run(
                lead_generation,
                name=f"{site_id}-{command_id}",
                parameters=parameters,
                tags=[f"executor:{self.instance}", f"site:{site_id}", f"priority:{priority}"],
            )
        with session_scope(self.engine) as session:
            if not holds_lease(session, Command, command_id, token):
                return
            update_command(session, command_id, flow_run_id=str(flow_run.id),
                           run_state=flow_run.state.type.value if flow_run.state else "PENDING")
        state = run_flow(lead_generation, flow_run=flow_run, parameters=parameters,
                         return_type="state")
        error = state.message if state.is_failed() or state.is_crashed() else None
        if self._record_outcome(command_id, token, state.type.value, error) and error:
            self._announce_failure(command_id)

    def _announce_failure(self, command_id: str) -> None:
        """Record the `lead_generation.failed` webhook event (once; the flow's hook may have)."""
        from tasks.delivery.events import FAILED_EVENT, record_command_event

        try:
            record_command_event(self.engine, command_id, FAILED_EVENT)
        except Exception:  # noqa: BLE001 - the command's own state is already recorded
            log.exception("could not record the failed event of %s", command_id)

    # -- recovery --------------------------------------------------------------------------
    def reconcile(self) -> dict[str, int]:
        """Settle the commands whose lease ran out (their process died), whoever ran them."""
        settled = settle_expired_commands(self.engine)
        for command_id, _ in settled.crashed:
            self._announce_failure(command_id)
        self._settle_prefect_runs(settled.requeued, settled.crashed)
        if settled.requeued or settled.crashed:
            log.warning("settled %d crashed and %d requeued commands",
                        len(settled.crashed), len(settled.requeued))
            self._wake.set()
        return {"crashed": len(settled.crashed), "requeued": len(settled.requeued)}

    def _settle_prefect_runs(self, requeued: list[tuple[str, str | None]],
                             crashed: list[tuple[str, str | None]]) -> None:
        from prefect.client.orchestration import get_client
        from prefect.states import Cancelled, Crashed

        runs = [(run_id, Crashed(message=CRASH_MESSAGE)) for _, run_id in crashed if run_id]
        runs += [(run_id, Cancelled(message="requeued after restart")) for _, run_id in requeued
                 if run_id]
        if not runs:
            return
        try:
            with get_client(sync_client=True) as client:
                for run_id, state in runs:
                    client.set_flow_run_state(run_id, state, force=True)
        except Exception as exc:  # noqa: BLE001 - the Leadmill record is already right
            log.warning("could not mark orphaned Prefect runs: %s", exc)
