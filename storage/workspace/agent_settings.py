"""AI agent settings of a company or one of its clients (`/api/settings/agent`, `/sdr-ai`),
and the one list of the fields lead processing writes on a lead.

`kind` "agent" holds the copywriting processes' agents, "sdr-ai" the SDR fields' agents. A
client's own values override the company-wide ones key by key (`effective_agent_values`).

`SDR_FIELDS` (message1-message10, the sixteen `ai*` fields of api_reference.md, and Leadmill's
own `aiSummary`), `COPY_FIELDS` (copyright1-copyright10) and `GENERATED_FIELDS` (those plus the
enrichment services' answers) are the names of the generated fields: settings, processing and
the lead API all take them from here.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from storage.db.clock import utcnow
from storage.workspace.models import AgentSetting
from storage.workspace.service_settings import ENRICHMENT_SERVICES

AGENT_KINDS = ("agent", "sdr-ai")

COPYRIGHT_PROCESSES = tuple(range(1, 11))
COPY_FIELDS = tuple(f"copyright{n}" for n in COPYRIGHT_PROCESSES)
SDR_MESSAGE_FIELDS = tuple(f"message{n}" for n in range(1, 11))
# The reference's SDR AI fields, in its order (api_reference.md, "SDR AI Settings").
SDR_AI_FIELDS = ("aiLeadScore", "aiQualification", "aiNextAction", "aiColdEmail", "aiInterest",
                 "aiLinkedinConnect", "aiCompetitorAnalysis", "aiEngagementLevel",
                 "aiPurchaseWindow", "aiDecisionMakerRole", "aiSentiment", "aiSocialEngagement",
                 "aiNurturingStage", "aiBudgetEstimation", "aiRiskScore", "aiProductFitScore")
# `aiSummary` is Leadmill's own addition (kept: clients of earlier releases write it).
SDR_FIELDS = (*SDR_MESSAGE_FIELDS, *SDR_AI_FIELDS, "aiSummary")
GENERATED_FIELDS = (*ENRICHMENT_SERVICES, *COPY_FIELDS, *SDR_FIELDS)

# The keys of each settings kind, and the setting naming the agent of one process or field.
AGENT_KEYS = ("projectId", *(f"enrichment{n}AgentId" for n in COPYRIGHT_PROCESSES))
SDR_KEYS = ("projectId", *(f"{field}AgentId" for field in SDR_FIELDS))


def agent_key(kind: str, item: int | str) -> str:
    """The setting holding the agent of copy process `item` ("agent") or SDR field ("sdr-ai")."""
    return f"enrichment{item}AgentId" if kind == "agent" else f"{item}AgentId"


def find_agent_setting(session: Session, company_id: str, kind: str,
                       client_id: str | None = None) -> AgentSetting | None:
    return session.exec(
        select(AgentSetting).where(
            AgentSetting.company_id == company_id,
            AgentSetting.client_key == (client_id or ""),
            AgentSetting.kind == kind,
        )
    ).first()


def merge_agent_values(session: Session, *, company_id: str, kind: str, values: dict[str, Any],
                       client_id: str | None = None) -> AgentSetting:
    """Set the given keys (a None or "" value removes a key); create the row if missing."""
    row = find_agent_setting(session, company_id, kind, client_id)
    if row is None:
        row = AgentSetting(id=str(uuid.uuid4()), company_id=company_id,
                           client_key=client_id or "", kind=kind, values={})
    merged = dict(row.values)
    for key, value in values.items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    row.values = merged  # a new dict, so SQLAlchemy sees the JSON change
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def effective_agent_values(session: Session, company_id: str, kind: str,
                           client_id: str | None = None) -> dict[str, Any]:
    """The company's values with the client's own values over them."""
    keys = [""] + ([client_id] if client_id else [])
    rows = session.exec(
        select(AgentSetting).where(
            AgentSetting.company_id == company_id,
            AgentSetting.kind == kind,
            col(AgentSetting.client_key).in_(keys),
        )
    ).all()
    values: dict[str, Any] = {}
    for row in sorted(rows, key=lambda r: r.client_key != ""):  # company first, client wins
        values.update(row.values)
    return values
