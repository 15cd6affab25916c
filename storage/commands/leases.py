"""Settling commands whose executor stopped renewing their lease (its process died).

Any instance does it, whatever its name: a command that had not begun its work is queued again
(nothing of it ran), one that had begun is marked crashed — nothing else would ever end it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from storage.commands.models import Command
from storage.commands.records import (
    TERMINAL_STATES,
    WAITING_STATES,
    record_run_state,
    update_command,
)
from storage.db.engine import session_scope
from storage.db.leases import end_lease, expired_leases, take_expired

CRASH_MESSAGE = "The process running this command stopped before it finished."


@dataclass
class SettledCommands:
    """What a sweep did: (command id, Prefect flow-run id or None) of each settled command."""

    requeued: list[tuple[str, str | None]] = field(default_factory=list)
    crashed: list[tuple[str, str | None]] = field(default_factory=list)


def settle_expired_commands(engine: Engine) -> SettledCommands:
    """Requeue or crash every command whose lease ran out; each in its own transaction, so
    two instances sweeping at once settle each command exactly once."""
    settled = SettledCommands()
    with session_scope(engine) as session:
        expired = expired_leases(session, Command)
    for command_id, token in expired:
        with session_scope(engine) as session:
            if not take_expired(session, Command, command_id, token):
                continue  # renewed meanwhile (alive after all), or another instance took it
            command = session.get(Command, command_id)
            if command is None or command.run_state in TERMINAL_STATES:
                continue
            if command.run_state in WAITING_STATES:
                settled.requeued.append((command_id, command.flow_run_id))
                update_command(session, command_id, run_state="QUEUED", flow_run_id=None,
                               executor_instance=None, stage="queued")
            else:
                settled.crashed.append((command_id, command.flow_run_id))
                record_run_state(session, command_id, "CRASHED", CRASH_MESSAGE)
    return settled


def record_outcome_under_lease(engine: Engine, command_id: str, token: str, state_type: str,
                               error: str | None = None) -> bool:
    """Record a run's final state if `token` still holds the command's lease; False (and
    nothing recorded) when the command was settled by another instance meanwhile."""
    with session_scope(engine) as session:
        if not end_lease(session, Command, command_id, token):
            return False
        record_run_state(session, command_id, state_type, error)
        return True
