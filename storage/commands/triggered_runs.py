"""Background tasks callers asked for (`/api/trigger`, `/api/leads/process/*`).

A run is stored and its id answered at once; the flow launcher then creates the Prefect flow run
and records its id and final state here. Reads are always scoped by company.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.commands.models import TriggeredRun
from storage.db.clock import utcnow
from storage.db.engine import session_scope
from storage.db.leases import Lease, end_lease, expired_leases, take_expired

FINAL_STATES = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})
CRASH_MESSAGE = "The process running this task stopped before it finished."


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


def lease_triggered_run(session: Session, run_id: str, instance: str, lease: Lease) -> bool:
    """Take a waiting run (no flow run, no lease) for `instance`; of processes racing, one wins."""
    result = session.exec(  # type: ignore[call-overload]
        update(TriggeredRun)
        .where(col(TriggeredRun.id) == run_id, col(TriggeredRun.lease_token).is_(None),
               col(TriggeredRun.run_state) == "QUEUED", col(TriggeredRun.flow_run_id).is_(None))
        .values(executor_instance=instance, **lease.columns())
    )
    return result.rowcount == 1


@dataclass
class SettledRuns:
    relaunch: list[str] = field(default_factory=list)  # now leased to the settling instance
    crashed: list[str] = field(default_factory=list)  # Prefect flow-run ids


def settle_expired_runs(engine: Engine, instance: str, lease_seconds: float) -> SettledRuns:
    """Settle the runs whose process stopped renewing their lease, whatever its name: a run
    with no flow run yet is taken by `instance` to launch again, one with a flow run crashed.
    A run stored but never handed to a launcher (its process died between the commit and the
    hand-over) is taken too once it has waited a whole lease."""
    settled = SettledRuns()
    with session_scope(engine) as session:
        expired = expired_leases(session, TriggeredRun)
        abandoned = list(session.exec(
            select(TriggeredRun.id).where(
                col(TriggeredRun.lease_token).is_(None), TriggeredRun.run_state == "QUEUED",
                col(TriggeredRun.flow_run_id).is_(None),
                col(TriggeredRun.updated_at) < utcnow() - timedelta(seconds=lease_seconds))
        ).all())
    for run_id, token in expired:
        with session_scope(engine) as session:
            if not take_expired(session, TriggeredRun, run_id, token):
                continue
            run = session.get(TriggeredRun, run_id)
            if run is None or run.run_state in FINAL_STATES:
                continue
            if run.flow_run_id is None:
                run.run_state = "QUEUED"
                session.add(run)
                abandoned.append(run_id)
            else:
                settled.crashed.append(run.flow_run_id)
                record_triggered_state(session, run_id, "CRASHED", error=CRASH_MESSAGE)
    for run_id in abandoned:
        with session_scope(engine) as session:
            if lease_triggered_run(session, run_id, instance, Lease.new(lease_seconds)):
                settled.relaunch.append(run_id)
    return settled


def record_triggered_outcome(engine: Engine, run_id: str, token: str, run_state: str, *,
                             error: str | None = None,
                             result: dict[str, Any] | None = None) -> bool:
    """Record a run's final state if `token` still holds its lease; False (nothing recorded)
    when another instance settled the run meanwhile."""
    with session_scope(engine) as session:
        if not end_lease(session, TriggeredRun, run_id, token):
            return False
        record_triggered_state(session, run_id, run_state, error=error, result=result)
        return True
