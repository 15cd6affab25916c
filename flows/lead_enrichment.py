"""The `lead-enrichment` flow: call the configured enrichment services for one lead and store
their answers on it (`POST /api/leads/process/enrich`)."""

from __future__ import annotations

from typing import Any

from prefect import flow

from storage.runtime import runtime_for
from tasks.enrichment.processing import (
    call_enrichment_service,
    describe_failures,
    load_lead_profile,
    save_lead_fields,
)


@flow(name="lead-enrichment", persist_result=False)
def lead_enrichment(company_id: str, lead_id: str, services: list[str], data_dir: str,
                    overwrite: bool = False, run_id: str | None = None) -> dict[str, Any]:
    """Each service answers on its own; one failing service fails the run after the others
    are stored."""
    runtime = runtime_for(data_dir)
    profile = load_lead_profile(runtime, company_id, lead_id)
    states = {service: call_enrichment_service(runtime, company_id, service, profile,
                                               return_state=True)
              for service in services}
    answers = {service: state.result() for service, state in states.items()
               if state.is_completed()}
    failed = sorted(set(services) - set(answers))
    for service, answer in answers.items():
        save_lead_fields(runtime, company_id, lead_id, "enrichment",
                         {service: answer["value"]}, answer["source"], run_id, overwrite)
    if failed:
        raise RuntimeError(f"enrichment failed for: {describe_failures(states)}")
    return {"leadId": lead_id, "written": sorted(answers)}
