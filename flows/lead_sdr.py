"""The `lead-sdr` flow: write SDR AI fields (message1.., aiLeadScore, aiQualification, ...) on
one lead, with the configured agents or the documented templates
(`POST /api/leads/process/sdr`)."""

from __future__ import annotations

from typing import Any

from prefect import flow

from storage.runtime import runtime_for
from tasks.enrichment.processing import (
    describe_failures,
    draft_lead_field,
    load_lead_profile,
    save_lead_fields,
)


@flow(name="lead-sdr", persist_result=False)
def lead_sdr(company_id: str, lead_id: str, agents: dict[str, str | None], data_dir: str,
             overwrite: bool = False, run_id: str | None = None) -> dict[str, Any]:
    """`agents` maps each SDR field to its agent id, or None for the template."""
    runtime = runtime_for(data_dir)
    profile = load_lead_profile(runtime, company_id, lead_id)
    states = {name: draft_lead_field(runtime, company_id, "sdr", name, agent, profile,
                                     return_state=True)
              for name, agent in agents.items()}
    drafts = {name: state.result() for name, state in states.items() if state.is_completed()}
    for name, draft in drafts.items():
        save_lead_fields(runtime, company_id, lead_id, "sdr", {name: draft["value"]},
                         draft["source"], run_id, overwrite)
    failed = sorted(set(agents) - set(drafts))
    if failed:
        raise RuntimeError(f"SDR AI failed for fields: {describe_failures(states)}")
    return {"leadId": lead_id, "written": sorted(drafts)}
