"""The `lead-enrichment-batch` flow: the `lead-enrichment` flow for each of many leads, one
subflow per lead (`POST /api/enrichment/trigger`)."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.lead_enrichment import lead_enrichment


@flow(name="lead-enrichment-batch", persist_result=False)
def lead_enrichment_batch(company_id: str, leads: dict[str, list[str]], data_dir: str,
                          overwrite: bool = False, run_id: str | None = None) -> dict[str, Any]:
    """`leads` maps each lead id to the services to call for it. A failing lead fails the run
    after every other lead was enriched."""
    states = {lead_id: lead_enrichment(company_id, lead_id, services, data_dir, overwrite,
                                       run_id, return_state=True)
              for lead_id, services in leads.items()}
    written = {lead_id: state.result()["written"] for lead_id, state in states.items()
               if state.is_completed()}
    failed = sorted(set(leads) - set(written))
    if failed:
        raise RuntimeError(f"enrichment failed for leads: {', '.join(failed)}")
    return {"leads": written}
