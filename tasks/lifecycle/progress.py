"""Progress reporting: the command record (what the status endpoint reads) and a Prefect progress
artifact (what the Prefect UI shows) move together, stage by stage.

What the status reply's counts mean (the same all through a run, never going down):
- `leads_found`: the candidates research found that pass the search's hard filters (excluded
  terms, revenue range, website), at most the research pool (`flows.lead_generation`:
  max(100, 8 × maxLeads)); set when verification starts.
- `leads_verified`: how many of those passed verification; set when scoring starts.
The leads delivered are the complete reply's `leads_generated` and `summary.total_leads`.
"""

from __future__ import annotations

import logging
from uuid import UUID

from prefect.artifacts import create_progress_artifact, update_progress_artifact

from storage.commands.records import record_progress
from storage.db.engine import session_scope
from storage.runtime import Runtime
from tasks.reports.artifact_text import markdown_text

log = logging.getLogger("leadmill.progress")

# Where each stage starts, in percent; the command API reports these.
STAGE_PROGRESS = {
    "queued": 5,
    "initial_search": 10,
    "research": 25,
    "verification": 45,
    "scoring": 65,
    "enrichment": 80,
    "delivery": 90,
    "done": 100,
}


class CommandProgress:
    """Reports one command's progress to its record and to its flow run's progress artifact."""

    def __init__(self, runtime: Runtime, command_id: str) -> None:
        self.runtime = runtime
        self.command_id = command_id
        self._artifact_id: UUID | None = None

    def stage(self, stage: str, *, leads_found: int | None = None,
              leads_verified: int | None = None) -> None:
        """Enter `stage`, with the counts known by then (storage.commands.records.
        record_progress: they never go down)."""
        percentage = STAGE_PROGRESS[stage]
        with session_scope(self.runtime.engine) as session:
            record_progress(session, self.command_id, stage, percentage,
                            leads_found=leads_found, leads_verified=leads_verified)
        self._publish(percentage, stage)

    def _description(self, stage: str) -> str:
        return markdown_text(f"{self.command_id}: {stage}")

    def _publish(self, percentage: int, stage: str) -> None:
        # The artifact is a view for people: never fail the command over it.
        try:
            if self._artifact_id is None:
                self._artifact_id = create_progress_artifact(
                    progress=float(percentage), description=self._description(stage))
            else:
                update_progress_artifact(self._artifact_id, progress=float(percentage),
                                         description=self._description(stage))
        except Exception as exc:  # noqa: BLE001
            log.warning("progress artifact for %s not updated: %s", self.command_id, exc)
