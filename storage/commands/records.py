"""Commands in the operational DB: creation, progress, run state and the leads they delivered."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.commands.models import Command
from storage.commands.supervisors import end_run, enter_stage
from storage.db.clock import utcnow
from storage.db.leases import Lease
from storage.leads.models import CommandLead, Lead

PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}
# States after which a run will not change by itself.
TERMINAL_STATES = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})
# States of a run that has not begun working yet.
WAITING_STATES = frozenset({"QUEUED", "SCHEDULED", "PENDING"})


def new_command_id() -> str:
    return f"cmd_{secrets.token_hex(8)}"


def get_command(session: Session, command_id: str, company_id: str | None = None) -> Command | None:
    """A command by id; with `company_id`, another company's command is not found."""
    query = select(Command).where(Command.id == command_id)
    if company_id is not None:
        query = query.where(Command.company_id == company_id)
    return session.exec(query).first()


def update_command(session: Session, command_id: str, **fields: Any) -> Command | None:
    command = session.get(Command, command_id)
    if command is None:
        return None
    for name, value in fields.items():
        setattr(command, name, value)
    command.updated_at = utcnow()
    session.add(command)
    return command


def record_progress(session: Session, command_id: str, stage: str, percentage: int,
                    leads_found: int | None = None,
                    leads_verified: int | None = None) -> Command | None:
    """The run entered `stage` (tasks.lifecycle.progress): stages only move forward (a report
    of an earlier one changes nothing), the counts only grow (one not given stays as it is),
    the supervisors follow the stage (storage.commands.supervisors), and a run that has ended
    is not moved any more."""
    command = session.get(Command, command_id)
    if command is None or command.run_state in TERMINAL_STATES or \
            percentage < command.progress_percentage:
        return command
    fields: dict[str, Any] = {"stage": stage, "progress_percentage": percentage}
    if leads_found is not None:
        fields["leads_found"] = max(command.leads_found, leads_found)
    if leads_verified is not None:
        fields["leads_verified"] = max(command.leads_verified, leads_verified)
    enter_stage(command, stage)
    return update_command(session, command_id, **fields)


def record_run_state(
    session: Session, command_id: str, state_type: str, error: str | None = None
) -> Command | None:
    """Record the Prefect state type of a command's run; a terminal state is never undone, and
    ends the supervisors' work (storage.commands.supervisors)."""
    command = session.get(Command, command_id)
    if command is None or command.run_state in TERMINAL_STATES:
        return command
    fields: dict[str, Any] = {"run_state": state_type}
    if state_type == "RUNNING" and command.started_at is None:
        fields["started_at"] = utcnow()
    if state_type in TERMINAL_STATES:
        fields["completed_at"] = command.completed_at or utcnow()
        end_run(command, state_type)
    if error is not None:
        fields["error"] = error[:2000]
    return update_command(session, command_id, **fields)


def dispatchable_commands(session: Session, limit: int) -> Sequence[Command]:
    """Commands waiting for a flow run, fair between companies and by priority within one
    (`storage.commands.dispatch`)."""
    from storage.commands.dispatch import fair_dispatch_order

    return fair_dispatch_order(session, limit)


def claim_command(session: Session, command_id: str, instance: str, lease: Lease) -> bool:
    """Take a waiting command for executor `instance` under `lease`; of executors racing for
    it, one wins."""
    result = session.exec(  # type: ignore[call-overload]
        update(Command)
        .where(col(Command.id) == command_id, col(Command.run_state) == "QUEUED",
               col(Command.flow_run_id).is_(None))
        .values(run_state="PENDING", executor_instance=instance, **lease.columns())
    )
    return result.rowcount == 1


def count_waiting_ahead(session: Session, command: Command) -> int:
    return int(
        session.exec(
            select(func.count()).where(
                col(Command.run_state).in_(list(WAITING_STATES)),
                Command.created_at < command.created_at,
            )
        ).one()
    )


def command_leads(
    session: Session, command_id: str, offset: int = 0, limit: int | None = None
) -> list[tuple[Lead, CommandLead]]:
    """The leads a command delivered, best first; a lead deleted since is not among them."""
    query = (
        select(Lead, CommandLead)
        .join(CommandLead, col(CommandLead.lead_id) == col(Lead.id))
        .where(CommandLead.command_id == command_id, col(Lead.deleted_at).is_(None))
        .order_by(col(CommandLead.rank))
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def count_command_leads(session: Session, command_id: str) -> int:
    """How many of `command_leads` there are (deleted leads left out)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(CommandLead)
            .join(Lead, col(CommandLead.lead_id) == col(Lead.id))
            .where(CommandLead.command_id == command_id, col(Lead.deleted_at).is_(None))
        ).one()
    )
