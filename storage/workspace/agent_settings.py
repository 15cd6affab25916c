"""AI agent settings of a company or one of its clients (`/api/settings/agent`, `/sdr-ai`).

`kind` "agent" holds the copywriting processes' agents, "sdr-ai" the SDR fields' agents. A
client's own values override the company-wide ones key by key (`effective_agent_values`).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from storage.db.clock import utcnow
from storage.workspace.models import AgentSetting

AGENT_KINDS = ("agent", "sdr-ai")


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
