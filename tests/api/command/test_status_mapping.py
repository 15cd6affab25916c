"""Flow-run state → command status and stage: the table in DESIGN.md."""

from __future__ import annotations

import pytest

from api.command.status import command_stage, command_status
from storage.commands.models import Command


def command(run_state: str, stage: str = "verification") -> Command:
    return Command(id="cmd_x", company_id="c", site_id="s", leads_requested=1, request={},
                   command_object={}, run_state=run_state, stage=stage)


@pytest.mark.parametrize(("run_state", "status", "stage"), [
    ("QUEUED", "processing", "queued"),
    ("SCHEDULED", "processing", "queued"),
    ("PENDING", "processing", "queued"),
    ("RUNNING", "processing", "verification"),
    ("COMPLETED", "completed", "done"),
    ("FAILED", "failed", "verification"),
    ("CRASHED", "failed", "verification"),
    ("CANCELLING", "cancelled", None),
    ("CANCELLED", "cancelled", None),
    ("PAUSED", "paused", None),
])
def test_run_state_maps_to_documented_status_and_stage(run_state, status, stage):
    assert command_status(command(run_state)) == status
    assert command_stage(command(run_state)) == stage
