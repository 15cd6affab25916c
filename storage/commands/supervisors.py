"""The supervisors of a command object (`supervisor[]` of the documented "Generated Command
Structure"): which agent role watches which stages of the run, and how far each has got.

A role is `not_initialized` until the run enters its first stage, `running` while the run is in
its stages, `completed` once the run has left them; when the run ends, a role still running
becomes `failed` (the run failed or crashed in its stage) or `cancelled`, and a completed run
completes every role. The stored command object carries the statuses, so the status reply
(api.command.status) and anyone reading the command see the same. Stages only move forward
(tasks.lifecycle.progress), so a status never goes back.
"""

from __future__ import annotations

from typing import Any

from storage.commands.models import Command

# The roles, in the command object's order, and the stages each supervises.
SUPERVISED_STAGES: dict[str, tuple[str, ...]] = {
    "lead_quality_analyst": ("verification", "scoring"),
    "market_researcher": ("research",),
}
SUPERVISOR_STATUSES = ("not_initialized", "running", "completed", "failed", "cancelled")
_ENDED = {"COMPLETED": "completed", "FAILED": "failed", "CRASHED": "failed",
          "CANCELLED": "cancelled"}


def initial_supervisors() -> list[dict[str, str]]:
    """`supervisor[]` of a command object before its run."""
    return [{"agent_role": role, "status": "not_initialized"} for role in SUPERVISED_STAGES]


def _with_statuses(command: Command, status_of: Any) -> None:
    supervisors = command.command_object.get("supervisor") or initial_supervisors()
    changed = [{**entry, "status": status_of(entry.get("agent_role"), entry.get("status"))}
               for entry in supervisors]
    if changed != supervisors:
        # A new object: the JSON column is saved only when it is assigned, not mutated.
        command.command_object = {**command.command_object, "supervisor": changed}


def enter_stage(command: Command, stage: str) -> None:
    """The run entered `stage`: its roles run, roles whose stages it left are completed."""
    def status_of(role: str, status: str) -> str:
        if stage in SUPERVISED_STAGES.get(role, ()):
            return "running"
        return "completed" if status == "running" else status

    _with_statuses(command, status_of)


def end_run(command: Command, state_type: str) -> None:
    """The run ended in Prefect state `state_type`; nothing changes for other states."""
    ended = _ENDED.get(state_type)
    if ended is None:
        return

    def status_of(_role: str, status: str) -> str:
        if ended == "completed":
            return "completed"
        return ended if status == "running" else status

    _with_statuses(command, status_of)
