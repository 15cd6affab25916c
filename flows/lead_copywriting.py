"""The `lead-copywriting` flow: write copy processes 1-10 on one lead, with the configured
agent (an OpenAI-compatible chat model) or the documented template
(`POST /api/leads/process/copyright`)."""

from __future__ import annotations

from typing import Any

from prefect import flow

from storage.runtime import runtime_for
from tasks.enrichment.copywriting import output_field
from tasks.enrichment.processing import (
    describe_failures,
    draft_lead_field,
    load_lead_profile,
    save_lead_fields,
)


@flow(name="lead-copywriting", persist_result=False)
def lead_copywriting(company_id: str, lead_id: str, agents: dict[str, str | None], data_dir: str,
                     overwrite: bool = False, run_id: str | None = None) -> dict[str, Any]:
    """`agents` maps each process ("1".."10") to its agent id, or None for the template."""
    runtime = runtime_for(data_dir)
    profile = load_lead_profile(runtime, company_id, lead_id)
    states = {name: draft_lead_field(runtime, company_id, "copyright", name, agent, profile,
                                     return_state=True)
              for name, agent in agents.items()}
    written = []
    for name, state in states.items():
        if state.is_completed():
            draft = state.result()
            field = output_field("copyright", name)
            save_lead_fields(runtime, company_id, lead_id, "copyright",
                             {field: draft["value"]}, draft["source"], run_id, overwrite)
            written.append(field)
    failed = sorted(name for name, state in states.items() if not state.is_completed())
    if failed:
        raise RuntimeError(f"copywriting failed for processes: {describe_failures(states)}")
    return {"leadId": lead_id, "written": written}
