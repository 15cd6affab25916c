"""`create_app(settings, executor)`: the Litestar application, built explicitly."""

from __future__ import annotations

import gc
import logging
from typing import Any

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from api.agent.campaigns import AgentCampaignController
from api.agent.clients import AgentClientController
from api.background import CommandExecutor, build_background
from api.command.routes import LeadGenerationController
from api.command.schedules import ScheduleController
from api.command.webhook_deliveries import WebhookDeliveryController
from api.command.website_analysis import analyze_site
from api.deps import DEPENDENCIES
from api.docs.schema import add_catalogued_examples, docs_assets_router, openapi_config
from api.docs.tester import tester_routes
from api.errors import (
    ApiError,
    ManagementError,
    handle_api_error,
    handle_cap_reached,
    handle_http_exception,
    handle_management_error,
    handle_unexpected,
)
from api.management.admin import AdminController
from api.management.analytics import pipeline_analytics
from api.management.auth import AuthController
from api.management.bulk import BulkController
from api.management.clients import ClientController
from api.management.company import CompanyController
from api.management.email import EMAIL_ROUTES
from api.management.leads import LeadController
from api.management.maintenance import MaintenanceController
from api.privacy.erasure import ErasureController
from api.privacy.export import SubjectAccessController
from api.privacy.suppressions import SuppressionController
from api.request_body import LeadmillRequest, RequestModelPlugin
from api.security.ratelimit import LoginThrottle, RateLimiter, RateLimitHeadersMiddleware
from api.security.text_guard import refuse_nul_characters
from api.security.tokens import TokenIssuer
from api.workbench.prospects import import_prospect_list
from api.workbench.research_runs import RESEARCH_ROUTES
from api.workbench.routes import WORKBENCH_ROUTES
from api.workbench.webhooks import WebhookWorkbenchController
from api.worker_threads import PasswordHashing, worker_thread_hooks
from storage.commands.limits import CapReached
from storage.data_dir import prepare_data_dir
from storage.leads.records import ensure_lead_page_indexes
from storage.prospects.admission import sweep_abandoned_spools
from storage.prospects.sites import adopt_legacy_site_dirs_of_db
from storage.runtime import Runtime, open_runtime
from storage.schema import create_schema
from storage.settings import LeadmillSettings
from storage.tenancy.rate_counters import DatabaseCounters, MemoryCounters
from tasks.egress import EgressPolicy


@get("/api/health", summary="Liveness", tags=["Health"])
async def health(state: State) -> dict[str, Any]:
    """Answers without credentials while the API process serves; names its executor mode."""
    return {"success": True, "status": "ok", "executor": state.settings.executor}


def freeze_startup_objects() -> None:
    """Move everything alive after start-up (Prefect, SQLAlchemy, Litestar, their modules and
    caches: ~225,000 objects) out of the garbage collector's sight.

    They live as long as the process, yet every full (generation 2) collection walked them
    all: measured ~130 ms, landing on one in five to seven 5,000-lead bulk pages (55 → 190 ms;
    bench/RESULTS.md, issue 6). Frozen, a full collection only walks what requests allocate.
    `gc.unfreeze` at shutdown hands them back, so a process running several apps (tests)
    frees them again.
    """
    gc.collect()
    gc.freeze()


def create_app(
    settings: LeadmillSettings,
    executor: CommandExecutor | None = None,
    *,
    runtime: Runtime | None = None,
) -> Litestar:
    """The API process's one wiring point: the app over `settings`' stores with every
    background worker (api/background.py) built here and started with the app.

    `runtime` is the process's (`storage.runtime`): its engine, secret box and JWT secret
    serve the requests, and flows run in this process use the same. Without one, the app
    opens it from `settings`, which checks the secrets before anything is served. `executor`
    replaces the command executor the settings name (benchmarks of the API alone).
    Prefect's environment (deployments.prefect_env) is the caller's to set before importing
    this module: api/server.py does.
    """
    runtime = runtime or open_runtime(settings)
    engine = runtime.engine
    prepare_data_dir(settings.data_dir)
    create_schema(engine)
    ensure_lead_page_indexes(engine)
    # Prospect lists imported before client ids were per company move to per-company folders.
    adopt_legacy_site_dirs_of_db(engine, settings.prospect_dir)
    background = build_background(settings, runtime, executor)
    counters = (DatabaseCounters(engine) if settings.rate_limit_backend == "database"
                else MemoryCounters())
    # httpx logs every request at INFO; that is noise next to the API's own log.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    def sweep_spools() -> None:
        # Spools of imports a killed process left behind (storage.prospects.admission).
        sweep_abandoned_spools(settings.data_dir / "tmp")

    def document_examples(app: Litestar) -> None:
        add_catalogued_examples(app.openapi_schema)

    use_worker_threads, stop_worker_threads = worker_thread_hooks(settings.api_worker_threads)
    password_hashing = PasswordHashing(settings.password_hash_concurrency)

    return Litestar(
        route_handlers=[health, docs_assets_router(), *tester_routes(), LeadGenerationController,
                        ScheduleController,
                        import_prospect_list, *RESEARCH_ROUTES,
                        WebhookDeliveryController, WebhookWorkbenchController, AuthController,
                        CompanyController, ClientController, LeadController, BulkController,
                        *WORKBENCH_ROUTES, *EMAIL_ROUTES,
                        AdminController, MaintenanceController, pipeline_analytics,
                        analyze_site, SuppressionController, ErasureController,
                        SubjectAccessController, AgentCampaignController,
                        AgentClientController],
        state=State({
            "settings": settings,
            "runtime": runtime,
            "engine": engine,
            "egress_policy": EgressPolicy.from_settings(settings),
            "executor": background.executor,
            "flow_launcher": background.flow_launcher,
            "webhook_dispatcher": background.webhook_dispatcher,
            "secret_box": runtime.secret_box,
            "tokens": TokenIssuer(runtime.jwt_secret),
            "rate_limiter": RateLimiter({"standard": settings.rate_limit_standard,
                                         "premium": settings.rate_limit_premium}, counters),
            "login_throttle": LoginThrottle(counters, settings.login_failures_per_username,
                                            settings.login_failures_per_ip,
                                            settings.login_window_seconds),
            "password_hashing": password_hashing,
        }),
        exception_handlers={
            ApiError: handle_api_error,
            CapReached: handle_cap_reached,
            ManagementError: handle_management_error,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        dependencies=DEPENDENCIES,
        request_class=LeadmillRequest,
        plugins=[RequestModelPlugin()],
        middleware=[RateLimitHeadersMiddleware],
        before_request=refuse_nul_characters,
        on_startup=[use_worker_threads, sweep_spools, background.start, document_examples,
                    freeze_startup_objects],
        on_shutdown=[background.stop, gc.unfreeze, stop_worker_threads, password_hashing.close],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config("0.1.0"),
        debug=False,
    )
