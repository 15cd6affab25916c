"""`leadmill up`, `leadmill api`, `leadmill scheduler`: the processes of the stack."""

from __future__ import annotations

import argparse


def _settings():
    from storage.settings import LeadmillSettings

    return LeadmillSettings()


def _up(_args: argparse.Namespace) -> int:
    from deployments.stack import run_stack

    return run_stack(_settings())


def _api(_args: argparse.Namespace) -> int:
    from api.server import serve_api

    serve_api(_settings())
    return 0


def _scheduler(_args: argparse.Namespace) -> int:
    from deployments.scheduler import serve_schedules

    serve_schedules(_settings())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    for name, handler, text in (
        ("up", _up, "start the whole stack: Prefect server, API, scheduler (make run)"),
        ("api", _api, "serve the API with the local executor"),
        ("scheduler", _scheduler, "serve the scheduled deployments"),
    ):
        subparsers.add_parser(name, help=text, description=text).set_defaults(handler=handler)
