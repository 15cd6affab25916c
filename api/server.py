"""The API process: settings, operational DB, local executor and warehouse trigger, then uvicorn."""

from __future__ import annotations

import logging

from deployments.prefect_env import apply_prefect_environment
from storage.settings import LeadmillSettings


def build_local_app(settings: LeadmillSettings):  # -> Litestar, imported lazily below
    """The API with the local executor, as `make run` serves it (one wiring point)."""
    from storage.runtime import open_runtime

    # The process's one runtime, first: a bad secret stops the start before Prefect is loaded;
    # flows the executors run in this process's threads use this runtime too.
    runtime = open_runtime(settings)
    apply_prefect_environment(settings)  # before anything imports Prefect

    from api.app import create_app
    from deployments.executor import LocalExecutor
    from deployments.warehouse_trigger import WarehouseSyncTrigger
    from deployments.webhook_dispatcher import WebhookDispatcher
    from storage.prospects.admission import sweep_abandoned_spools
    from storage.prospects.sites import adopt_legacy_site_dirs_of_db
    from storage.schema import create_schema

    engine = runtime.engine
    create_schema(engine)
    # Prospect lists imported before client ids were per company move to per-company folders.
    adopt_legacy_site_dirs_of_db(engine, settings.prospect_dir)
    trigger = WarehouseSyncTrigger(str(settings.data_dir))
    if settings.executor == "deployment":
        # Scale-out: runs go to `prefect worker` processes; each finished run there asks the
        # `warehouse-sync` deployment for a sync (flows/warehouse_sync.py), and its minutely
        # schedule catches anything a request missed.
        from deployments.deployment_executor import DeploymentExecutor

        executor = DeploymentExecutor(settings, engine, settings.executor_instance)
    else:
        executor = LocalExecutor(settings, engine, settings.executor_instance,
                                 on_command_finished=trigger.request)
    app = create_app(settings, executor, runtime=runtime)
    # Spools of imports a killed process left behind (storage.prospects.admission).
    app.on_startup.append(lambda: sweep_abandoned_spools(settings.data_dir / "tmp"))
    app.on_startup.append(trigger.start)
    app.on_shutdown.append(trigger.stop)
    # The durable webhook outbox is delivered from here, resuming what a killed process left.
    dispatcher = WebhookDispatcher(settings, engine, settings.executor_instance,
                                   secret_box=runtime.secret_box)
    app.state.webhook_dispatcher = dispatcher
    app.on_startup.append(dispatcher.start)
    app.on_shutdown.append(dispatcher.stop)
    # Background tasks (/api/trigger, /api/leads/process/*) run as flow runs from here.
    from deployments.flow_launcher import FlowLauncher

    launcher = FlowLauncher(settings, engine, settings.executor_instance)
    app.state.flow_launcher = launcher
    app.on_startup.append(launcher.start)
    app.on_shutdown.append(launcher.stop)
    return app


# Longer than any client's idle keep-alive (httpx keeps a pooled connection 5 s, uvicorn's own
# default is also 5 s): when both are equal, the server closes a connection just as the client
# reuses it, and the client sees "server disconnected" (2 of 4,994 requests of 200 clients in
# bench/bench_event_loop.py). Proxies in front idle out at 60 s by default; stay above that.
KEEP_ALIVE_SECONDS = 75


def serve_api(settings: LeadmillSettings) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = build_local_app(settings)
    # proxy_headers off: uvicorn would take X-Forwarded-For from 127.0.0.1 on its own;
    # LEADMILL_TRUSTED_PROXIES decides whom to believe (api/security/client_address.py).
    uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_level="warning",
                access_log=False, proxy_headers=False, timeout_keep_alive=KEEP_ALIVE_SECONDS)
