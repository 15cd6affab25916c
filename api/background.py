"""The API process's background workers, built once by `create_app` (api/app.py).

- the command executor: runs commands' flow runs in this process's threads (`local`) or hands
  them to `prefect worker` processes (`deployment`);
- the warehouse sync trigger: a finished command asks for a sync of the DuckDB lake;
- the webhook dispatcher: delivers the durable outbox, resuming what a killed process left;
- the flow launcher: runs background tasks (`/api/trigger`, `/api/leads/process/*`).

`Background.start`/`stop` are the app's start-up and shutdown hooks; the route handlers reach
the workers through the app's state (`state.executor`, `state.flow_launcher`,
`state.webhook_dispatcher`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from storage.runtime import Runtime
from storage.settings import LeadmillSettings


class CommandExecutor(Protocol):
    def start(self) -> None: ...
    def stop(self, wait: bool = True) -> None: ...
    def submit(self, command_id: str) -> None: ...


@dataclass
class Background:
    executor: CommandExecutor
    flow_launcher: Any
    webhook_dispatcher: Any
    warehouse_trigger: Any

    def start(self) -> None:
        self.executor.start()
        self.warehouse_trigger.start()
        self.webhook_dispatcher.start()
        self.flow_launcher.start()

    def stop(self) -> None:
        self.executor.stop()
        self.flow_launcher.stop()
        self.webhook_dispatcher.stop()
        self.warehouse_trigger.stop()


def build_background(settings: LeadmillSettings, runtime: Runtime,
                     executor: CommandExecutor | None = None) -> Background:
    """Every worker over the runtime's engine; `executor` replaces the command executor the
    settings name (a benchmark of the API alone passes one that runs nothing)."""
    from deployments.flow_launcher import FlowLauncher
    from deployments.warehouse_trigger import WarehouseSyncTrigger
    from deployments.webhook_dispatcher import WebhookDispatcher

    engine, instance = runtime.engine, settings.executor_instance
    trigger = WarehouseSyncTrigger(str(settings.data_dir))
    if executor is None and settings.executor == "deployment":
        # Scale-out: runs go to `prefect worker` processes; each finished run there asks the
        # `warehouse-sync` deployment for a sync (flows/warehouse_sync.py), and its minutely
        # schedule catches anything a request missed.
        from deployments.deployment_executor import DeploymentExecutor

        executor = DeploymentExecutor(settings, engine, instance)
    elif executor is None:
        from deployments.executor import LocalExecutor

        executor = LocalExecutor(settings, engine, instance, on_command_finished=trigger.request)
    return Background(
        executor=executor,
        flow_launcher=FlowLauncher(settings, engine, instance),
        webhook_dispatcher=WebhookDispatcher(settings, engine, instance,
                                             secret_box=runtime.secret_box),
        warehouse_trigger=trigger)
