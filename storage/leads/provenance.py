"""Lead provenance: which sources found a lead, when, and which fields each gave.

`record_lead_sources` is called by the lead upsert for every lead a command stores; a source
that finds the same record again refreshes its row (fields, command, time) instead of adding
one. `lead_sources` / `sources_by_lead` read it back for the APIs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.db.clock import iso_z, utcnow
from storage.leads.models import LeadSource


def _found_at(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return utcnow()


def record_lead_sources(
    session: Session, command_id: str, found: Sequence[tuple[str, list[dict[str, Any]]]]
) -> None:
    """Store provenance: `found` pairs a lead id with its sources ({source, record_id, fields,
    found_at}); idempotent per (lead, source, record)."""
    lead_ids = [lead_id for lead_id, _ in found]
    existing = {
        (row.lead_id, row.source, row.source_record_id): row
        for row in session.exec(select(LeadSource).where(col(LeadSource.lead_id).in_(lead_ids)))
    }
    for lead_id, sources in found:
        for source in sources:
            key = (lead_id, str(source.get("source") or "unknown"),
                   str(source.get("record_id") or ""))
            row = existing.get(key)
            if row is None:
                row = LeadSource(id=str(uuid.uuid4()), lead_id=lead_id, source=key[1],
                                 source_record_id=key[2])
                existing[key] = row
            row.fields = sorted(set(source.get("fields") or []))
            row.command_id = command_id
            row.found_at = _found_at(source.get("found_at"))
            session.add(row)
    session.flush()


def public_source(row: LeadSource) -> dict[str, Any]:
    return {"source": row.source, "source_record_id": row.source_record_id,
            "fields": list(row.fields), "found_at": iso_z(row.found_at),
            "command_id": row.command_id}


def sources_by_lead(session: Session, lead_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Provenance of many leads at once (one query), earliest find first."""
    found: dict[str, list[dict[str, Any]]] = {lead_id: [] for lead_id in lead_ids}
    if not lead_ids:
        return found
    rows = session.exec(select(LeadSource).where(col(LeadSource.lead_id).in_(list(lead_ids)))
                        .order_by(col(LeadSource.found_at), col(LeadSource.source))).all()
    for row in rows:
        found[row.lead_id].append(public_source(row))
    return found


def lead_sources(session: Session, lead_id: str) -> list[dict[str, Any]]:
    """Provenance of one lead (for `GET` on a lead): [{source, source_record_id, fields,
    found_at, command_id}]. The caller checks the lead belongs to the caller's company."""
    return sources_by_lead(session, [lead_id])[lead_id]


def upgrade_command_columns(engine: Engine) -> None:
    """Add `command.source_errors` to a database made before it existed (create_all adds
    tables, never columns)."""
    inspector = inspect(engine)
    if "command" not in inspector.get_table_names():
        return
    present = {column["name"] for column in inspector.get_columns("command")}
    if "source_errors" not in present:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE command ADD COLUMN source_errors JSON"))
