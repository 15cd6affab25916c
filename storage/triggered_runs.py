"""Background tasks callers asked for (`/api/trigger`, `/api/leads/process/*`).

A run is stored and its id answered at once; the flow launcher then creates the Prefect flow run
and records its id and final state here. Reads are always scoped by company.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.models import TriggeredRun

FINAL_STATES = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})


def new_run_id() -> str:
    return f"run_{secrets.token_hex(8)}"


def create_triggered_run(session: Session, *, company_id: str, task: str,
                         parameters: dict[str, Any], instance: str,
                         batch_tag: str | None = None) -> TriggeredRun:
    run = TriggeredRun(id=new_run_id(), company_id=company_id, task=task,
                       parameters=parameters, batch_tag=batch_tag, executor_instance=instance)
    session.add(run)
    session.flush()
    return run


def get_triggered_run(session: Session, run_id: str, company_id: str) -> TriggeredRun | None:
    """By Leadmill's run id or by its Prefect flow-run id; another company's is not found."""
    return session.exec(
        select(TriggeredRun).where(
            TriggeredRun.company_id == company_id,
            (col(TriggeredRun.id) == run_id) | (col(TriggeredRun.flow_run_id) == run_id),
        )
    ).first()


def queued_runs(session: Session, company_id: str, limit: int) -> list[TriggeredRun]:
    """Runs whose flow run does not exist yet, newest first."""
    return list(session.exec(
        select(TriggeredRun)
        .where(TriggeredRun.company_id == company_id, col(TriggeredRun.flow_run_id).is_(None),
               TriggeredRun.run_state == "QUEUED")
        .order_by(col(TriggeredRun.created_at).desc())
        .limit(limit)
    ).all())


def record_triggered_state(session: Session, run_id: str, run_state: str, *,
                           flow_run_id: str | None = None, error: str | None = None,
                           result: dict[str, Any] | None = None) -> None:
    run = session.get(TriggeredRun, run_id)
    if run is None:
        return
    run.run_state = run_state
    if flow_run_id is not None:
        run.flow_run_id = flow_run_id
    if error is not None:
        run.error = error[:2000]
    if result is not None:
        run.result = result
    run.updated_at = utcnow()
    if run_state in FINAL_STATES and run.finished_at is None:
        run.finished_at = run.updated_at
    session.add(run)


def unfinished_runs(session: Session, instance: str) -> list[TriggeredRun]:
    """Runs `instance` had taken and not finished (its process died)."""
    return list(session.exec(
        select(TriggeredRun).where(
            TriggeredRun.executor_instance == instance,
            col(TriggeredRun.run_state).not_in(list(FINAL_STATES)),
        )
    ).all())
