"""Flow-run state → command status, the table of DESIGN.md, and the documented response shapes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from storage.commands.models import Command, RecurringSearch
from storage.db.clock import iso_z, utcnow
from storage.leads.models import CommandLead, Lead

STATUS_BY_STATE = {
    "QUEUED": "processing",
    "SCHEDULED": "processing",
    "PENDING": "processing",
    "RUNNING": "processing",
    "COMPLETED": "completed",
    "FAILED": "failed",
    "CRASHED": "failed",
    "CANCELLING": "cancelled",
    "CANCELLED": "cancelled",
    "PAUSED": "paused",
}


def command_status(command: Command) -> str:
    return STATUS_BY_STATE.get(command.run_state, "processing")


def command_stage(command: Command) -> str | None:
    """The stage to report: `queued` before the run starts, `done` after it completes."""
    status = command_status(command)
    if command.run_state in {"QUEUED", "SCHEDULED", "PENDING"}:
        return "queued"
    if status == "completed":
        return "done"
    if status in {"cancelled", "paused"}:
        return None
    return command.stage


def _hms(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def estimated_time_remaining(command: Command, typical_seconds: float) -> str:
    """From the elapsed time and the share done; before a start, the typical run time."""
    percentage = max(command.progress_percentage, 1)
    if command.started_at is None or percentage >= 100:
        return _hms(0 if percentage >= 100 else typical_seconds)
    elapsed = (utcnow() - command.started_at).total_seconds()
    return _hms(elapsed * (100 - percentage) / percentage)


def public_lead(
    lead: Lead, link: CommandLead, sources: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A lead as the command API documents it, plus `sources`: its provenance."""
    return {
        "id": lead.id,
        "name": lead.name,
        "email": lead.email,
        "company": lead.company,
        "position": lead.position,
        "phone": lead.phone,
        "website": lead.website,
        "industry": lead.industry,
        "company_size": lead.company_size,
        "location": lead.location,
        "estimated_revenue": lead.revenue,
        "linkedin": lead.linkedin,
        "match_score": link.match_score,
        "match_reasons": list(link.match_reasons),
        "verified": lead.verified,
        "created_at": iso_z(lead.created_at),
        "sources": list(sources or []),
    }


def accepted_reply(command: Command) -> dict[str, Any]:
    return {
        "command_id": command.id,
        "site_id": command.site_id,
        "status": command_status(command),
        "estimated_completion_time": iso_z(command.estimated_completion_time),
        "leads_requested": command.leads_requested,
        "job_priority": command.priority,
        "process_info": {"stage": command_stage(command),
                         "progress_percentage": command.progress_percentage},
    }


def status_reply(
    command: Command, leads: list[dict[str, Any]] | None, typical_seconds: float,
    prefect_ui_url: str | None = None,
) -> dict[str, Any]:
    """The status object: progress while running, the complete response once completed.

    Beside the documented fields: `supervisor`, the command object's agent roles and their
    statuses (not_initialized, running, completed, failed, cancelled); `prefect_run_url`,
    the command's run in the Prefect UI, once the run exists and only when `prefect_ui_url`
    is given — the caller passes it for operators (platform admins) alone, never for tenants.
    """
    status = command_status(command)
    reply: dict[str, Any] = {"command_id": command.id, "site_id": command.site_id,
                             "status": status}
    if status == "completed":
        reply["completion_time"] = iso_z(command.completed_at)
        reply["leads_generated"] = leads or []
        reply["summary"] = command.summary or {}
        if command.source_errors:  # the command completed without these sources
            reply["source_errors"] = dict(command.source_errors)
    else:
        reply["progress"] = {
            "percentage": command.progress_percentage,
            "stage": command_stage(command),
            "leads_found": command.leads_found,
            "leads_verified": command.leads_verified,
            "estimated_time_remaining": estimated_time_remaining(command, typical_seconds)
            if status == "processing" else "00:00:00",
        }
        if command.source_errors:
            reply["progress"]["source_errors"] = dict(command.source_errors)
        if status == "failed":
            reply["error"] = {"code": "SYSTEM_ERROR",
                              "message": command.error or "The lead generation run failed"}
    # The command object's supervisors, as the run has moved them (storage.commands.supervisors).
    reply["supervisor"] = [dict(entry) for entry in command.command_object.get("supervisor", [])]
    if prefect_ui_url and command.flow_run_id:
        base = prefect_ui_url.rstrip("/")
        reply["prefect_run_url"] = f"{base}/runs/flow-run/{command.flow_run_id}"
    reply["created_at"] = iso_z(command.created_at)
    reply["updated_at"] = iso_z(command.updated_at)
    return reply


def estimate_completion(waiting_ahead: int, workers: int, typical_seconds: float) -> Any:
    rounds = waiting_ahead // max(workers, 1) + 1
    return utcnow() + timedelta(seconds=rounds * typical_seconds)


def public_schedule(schedule: RecurringSearch, runs: list[Any] | None = None) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "schedule_id": schedule.id,
        "name": schedule.name,
        "site_id": schedule.site_id,
        "status": "active" if schedule.active else "paused",
        "active": schedule.active,
        "cron": schedule.cron,
        "interval_seconds": schedule.interval_seconds,
        "timezone": schedule.timezone,
        "command": schedule.request,
        "prefect_deployment_id": schedule.prefect_deployment_id,
        "last_run_at": iso_z(schedule.last_run_at),
        "created_at": iso_z(schedule.created_at),
        "updated_at": iso_z(schedule.updated_at),
    }
    if runs is not None:
        reply["runs"] = [{"command_id": run.command_id, "new_leads": run.new_leads,
                          "search_history_id": run.search_history_id,
                          "created_at": iso_z(run.created_at)} for run in runs]
    return reply
