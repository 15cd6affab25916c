"""The `privacy-retention` flow: purge what is kept only for a while (storage.privacy.retention).

Served daily by the scheduler (deployments/scheduler.py) and by the `privacy-retention`
deployment of prefect.yaml; each run leaves a markdown artifact saying how many rows went. It
takes only the data dir (flow-run parameters are stored in clear): the retention setting is
the instance's own, `LEADMILL_RETENTION_DAYS`.
"""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from storage.runtime import runtime_for
from tasks.lifecycle.retention import purge_expired_records

ARTIFACT_KEY = "privacy-retention"


def retention_markdown(result: dict[str, Any]) -> str:
    return "\n".join([
        "# Retention purge",
        "",
        f"Kept for {result['retention_days']} days: everything stored before "
        f"{result['cutoff']} was purged.",
        "",
        "| store | rows purged |",
        "| --- | ---: |",
        f"| raw source leads | {result['source_leads']} |",
        f"| webhook payloads (delivered or failed) | {result['webhook_payloads']} |",
        f"| webhook attempt log | {result['webhook_attempts']} |",
    ])


@flow(name="privacy-retention")
def privacy_retention(data_dir: str) -> dict[str, Any]:
    """Purge raw source leads and settled webhook payloads older than the retention setting
    of the instance at `data_dir`."""
    result = purge_expired_records(runtime_for(data_dir))
    create_markdown_artifact(markdown=retention_markdown(result), key=ARTIFACT_KEY,
                             description="Rows purged by the retention setting")
    return result
