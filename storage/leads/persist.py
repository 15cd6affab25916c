"""Writing a command's leads into the lead store: idempotent upserts keyed by identity.

A lead is one person per site, identified by `dedupe_key`. Writing the same command's leads
twice (a retried task) changes nothing the second time; a person an earlier command already
found is updated in place and linked to the new command too.

Deleted stays deleted: a row whose person the site holds only as a deleted lead is not stored
(no new lead, no link, and the deleted lead stays deleted). Dedupe leaves such people out
before (tasks/dedupe/candidates.py); this is the store's own guarantee. Re-creating the lead
with `POST /api/leads` is the only way back (storage/leads/records.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from storage.db.clock import utcnow
from storage.leads.models import CommandLead, Lead
from storage.leads.provenance import record_lead_sources

# Fields a newer finding may overwrite on an existing lead (never the id, site or created_at;
# never `status` or `notes`, which people edit).
REFRESHABLE_FIELDS = (
    "name", "first_name", "last_name", "email", "phone", "company", "company_domain", "position",
    "industry", "website", "location", "city", "region", "country", "company_size", "revenue",
    "revenue_usd", "linkedin", "score", "match_reasons", "verified", "source", "source_record_id",
)


# What a command says about a lead it found again, whatever the lead already holds.
MATCH_FIELDS = ("score", "match_reasons")


def upsert_command_leads(
    session: Session,
    *,
    company_id: str,
    site_id: str,
    command_id: str,
    rows: list[dict[str, Any]],
) -> list[str]:
    """Store `rows` (Lead fields + dedupe_key, match_score, match_reasons) for a command.

    A row's optional `known_lead_id` (tasks/dedupe/candidates.py matched it to that earlier lead)
    merges it into that lead when no lead has the row's own key.

    Returns the ids of the leads stored, in the order of `rows` (the command's rank order);
    a row of a deleted person is left out.
    """
    keys = [row["dedupe_key"] for row in rows]
    existing: dict[str, Lead] = {}
    for lead in session.exec(select(Lead).where(
            Lead.company_id == company_id, Lead.site_id == site_id,
            col(Lead.dedupe_key).in_(keys))).all():
        # One live lead per key; deleted ones of the same key only stand in when none is live.
        held = existing.get(lead.dedupe_key)
        if held is None or (held.deleted_at is not None and lead.deleted_at is None):
            existing[lead.dedupe_key] = lead
    linked = set(
        session.exec(select(CommandLead.lead_id).where(CommandLead.command_id == command_id)).all()
    )
    # Fuzzy or exact matches to the site's earlier leads that the key alone does not find.
    matched = {lead.id: lead for lead in session.exec(select(Lead).where(
        Lead.company_id == company_id, Lead.site_id == site_id,
        col(Lead.id).in_([row["known_lead_id"] for row in rows if row.get("known_lead_id")]),
    )).all()}
    now = utcnow()
    leads: list[Lead] = []
    stored_rows: list[dict[str, Any]] = []
    for row in rows:
        values = {name: row.get(name) for name in REFRESHABLE_FIELDS if name in row}
        lead = existing.get(row["dedupe_key"])
        earlier = matched.get(row.get("known_lead_id") or "")
        if lead is not None and lead.deleted_at is not None:
            # The key's lead was deleted: only a live lead of the same person (re-created
            # with POST /api/leads under another key) takes this finding.
            if earlier is None or earlier.deleted_at is not None:
                continue  # deleted stays deleted
            lead = None
        elif lead is None and earlier is not None and earlier.deleted_at is not None:
            continue
        if lead is None and earlier is not None:
            # The same person under another key (a name typo, a new address): the earlier
            # lead keeps its fields and takes from this finding only what it lacked.
            lead = earlier
            values = {name: value for name, value in values.items()
                      if getattr(lead, name) in (None, "") or name in MATCH_FIELDS}
            values["verified"] = bool(lead.verified or row.get("verified"))
        if lead is None:
            lead = Lead(
                id=str(uuid.uuid4()),
                company_id=company_id,
                site_id=site_id,
                dedupe_key=row["dedupe_key"],
                command_id=command_id,
                created_at=now,
                updated_at=now,
                **values,
            )
            existing[lead.dedupe_key] = lead
        else:
            for name, value in values.items():
                setattr(lead, name, value)
            lead.updated_at = now
        session.add(lead)
        leads.append(lead)
        stored_rows.append(row)
    rows = stored_rows
    # The tables have no ORM relationships, so the unit of work does not order the inserts:
    # leads must exist before the links that reference them.
    session.flush()
    for rank, (lead, row) in enumerate(zip(leads, rows, strict=True), start=1):
        if lead.id in linked:
            continue
        session.add(CommandLead(command_id=command_id, lead_id=lead.id, rank=rank,
                                match_score=row["match_score"],
                                match_reasons=row["match_reasons"]))
        linked.add(lead.id)
    lead_ids = [lead.id for lead in leads]
    session.flush()
    # Provenance: every source that found each person, with the fields it gave.
    record_lead_sources(session, command_id, [
        (lead.id, row["sources"]) for lead, row in zip(leads, rows, strict=True)
        if row.get("sources")])
    return lead_ids
