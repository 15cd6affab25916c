"""The logger a task should use: the Prefect run logger inside a run (its lines show in the
Prefect UI), the module's own logger when the task is called as `.fn(...)` outside any run."""

from __future__ import annotations

import logging

from prefect import get_run_logger
from prefect.exceptions import MissingContextError


def task_logger(module: str) -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(module)
