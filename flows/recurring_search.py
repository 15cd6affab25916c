"""The `recurring-search` flow: one scheduled run of a saved search.

It stores a normal command (the API's executor runs it, so status, leads and the webhook work
as for any command), then waits for it and records the outcome in search history. The command
keeps only leads new to its site (`dedupe_leads(..., new_only=True)`).
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from storage.runtime import runtime_for
from tasks.lifecycle.recurring import finish_scheduled_command, start_scheduled_command


@flow(name="recurring-search", flow_run_name="recurring-{schedule_id}", persist_result=False)
def recurring_search(
    schedule_id: str, data_dir: str, timeout_seconds: float = 3600.0
) -> dict[str, Any]:
    """Run the saved search of `schedule_id` once, for leads new to its site."""
    from prefect.runtime import flow_run

    runtime = runtime_for(data_dir)
    command_id = start_scheduled_command(runtime, schedule_id, flow_run.id)
    if command_id is None:
        return {"schedule_id": schedule_id, "command_id": None, "status": "skipped"}
    outcome = finish_scheduled_command(runtime, command_id, timeout_seconds)
    return {"schedule_id": schedule_id, **outcome}
