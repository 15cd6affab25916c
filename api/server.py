"""The API process: its runtime and Prefect's environment, the app (api/app.py), then uvicorn."""

from __future__ import annotations

import logging

from deployments.prefect_env import apply_prefect_environment
from storage.settings import LeadmillSettings


def build_local_app(settings: LeadmillSettings):  # -> Litestar, imported lazily below
    """The API as `make run` serves it: the process's runtime, Prefect's environment, then
    the app (api/app.py builds the executor and every other worker)."""
    from storage.runtime import open_runtime

    # The process's one runtime, first: a bad secret stops the start before Prefect is loaded;
    # flows the executors run in this process's threads use this runtime too.
    runtime = open_runtime(settings)
    apply_prefect_environment(settings)  # before anything imports Prefect

    from api.app import create_app

    return create_app(settings, runtime=runtime)


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
