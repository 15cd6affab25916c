"""Erasure in the operational DB: the person's rows gone, what remains is a fingerprint.

`erase_person_rows` deletes, within one company, the person's leads (storage.privacy.person)
with their provenance (`LeadSource`), command links (`CommandLead`) and generated fields, and
the raw source leads that are them; `erase_from_outbox` takes them out of webhook payloads
(rewritten; a delivery that named only them is deleted with its attempts) and attempt logs;
`suppress_person` lists the person's identity keys company-wide as erasure entries (keyed
fingerprints only: storage.privacy.fingerprints) so no command, import or webhook finds them
again; `record_erasure` writes the audit row (who, when, counts per store, never the PII).
All of it runs in the caller's one transaction (tasks/privacy/erasure.py orders it with the
file stores). Inbound webhook calls keep only a body hash, and search history only counts:
neither holds a person.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyarrow.compute as pc
from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.commands.models import Command
from storage.leads.models import CommandLead, Lead, LeadGeneratedField, LeadSource, SourceLead
from storage.privacy.fingerprints import KEY_KINDS, Fingerprinter, key_fingerprints
from storage.privacy.models import ErasureAudit
from storage.privacy.person import (
    SOURCE_LEAD_COLUMNS,
    ErasedPerson,
    Subject,
    id_chunks,
    key_table,
)
from storage.privacy.scrub import scrub, scrub_text
from storage.privacy.suppressions import suppress_fingerprints
from storage.tenancy.secrets import SecretBox
from storage.webhooks.models import WebhookAttempt, WebhookDelivery


def _delete_where_in(session: Session, model: Any, column: Any, ids: list[str]) -> int:
    removed = 0
    for chunk in id_chunks(ids):
        result = session.exec(delete(model).where(col(column).in_(chunk)))  # type: ignore[call-overload]
        removed += result.rowcount or 0
    return removed


def _matching_source_leads(session: Session, person: ErasedPerson) -> list[str]:
    raw = key_table(session, "sourcelead", SOURCE_LEAD_COLUMNS, person.company_id)
    if not raw.num_rows:
        return []
    return pc.filter(raw.column("id"), person.matches_keys(raw)).to_pylist()


def erase_person_rows(session: Session, person: ErasedPerson) -> dict[str, int]:
    """Delete the person's leads and everything holding them; counts per table."""
    lead_ids = person.lead_ids
    counts = {
        "command_leads": _delete_where_in(session, CommandLead, CommandLead.lead_id, lead_ids),
        "lead_sources": _delete_where_in(session, LeadSource, LeadSource.lead_id, lead_ids),
        "generated_fields": _delete_where_in(session, LeadGeneratedField,
                                             LeadGeneratedField.lead_id, lead_ids),
    }
    session.flush()  # the rows above reference the leads
    counts["leads"] = _delete_where_in(session, Lead, Lead.id, lead_ids)
    counts["source_leads"] = _delete_where_in(session, SourceLead, SourceLead.id,
                                              _matching_source_leads(session, person))
    session.flush()
    return counts


def erase_from_outbox(session: Session, person: ErasedPerson) -> dict[str, int]:
    """The person out of the company's webhook deliveries, pending or delivered, and their
    attempt logs: payloads rewritten; a delivery that named only them deleted."""
    counts = {"deliveries_rewritten": 0, "deliveries_deleted": 0, "attempts_deleted": 0,
              "attempt_logs_rewritten": 0}
    company_commands = select(Command.id).where(Command.company_id == person.company_id)
    deliveries = session.exec(select(WebhookDelivery).where(
        col(WebhookDelivery.command_id).in_(company_commands))).all()
    doomed: list[str] = []
    for delivery in deliveries:
        result = scrub(delivery.payload, person)
        error, replaced = scrub_text(delivery.last_error or "", person)
        if result.records_removed and not result.records_left:
            doomed.append(delivery.id)
            continue
        if result.changed or replaced:
            delivery.payload = result.value
            delivery.last_error = error if delivery.last_error is not None else None
            session.add(delivery)
            counts["deliveries_rewritten"] += 1
    counts["attempts_deleted"] = _delete_where_in(session, WebhookAttempt,
                                                  WebhookAttempt.delivery_id, doomed)
    session.flush()
    counts["deliveries_deleted"] = _delete_where_in(session, WebhookDelivery,
                                                    WebhookDelivery.id, doomed)
    kept = [delivery.id for delivery in deliveries if delivery.id not in set(doomed)]
    for chunk in id_chunks(kept):
        for attempt in session.exec(select(WebhookAttempt).where(
                col(WebhookAttempt.delivery_id).in_(chunk),
                col(WebhookAttempt.error).is_not(None))).all():
            error, replaced = scrub_text(attempt.error or "", person)
            if replaced:
                attempt.error = error
                session.add(attempt)
                counts["attempt_logs_rewritten"] += 1
    session.flush()
    return counts


def person_key_fingerprints(box: SecretBox, person: ErasedPerson) -> set[tuple[str, str]]:
    """(kind, fingerprint) of every identity key of the person: what `SuppressionCheck` looks
    up for a row that is them (storage.privacy.fingerprints.person_fingerprints, whose
    rule this is). Not their domains: erasing one person must not suppress their
    colleagues."""
    return key_fingerprints(Fingerprinter(box), person.company_id,
                            ((kind, key) for kind in KEY_KINDS for key in person.keys[kind]))


def suppress_person(session: Session, box: SecretBox, person: ErasedPerson,
                    created_by: str | None) -> int:
    """Company-wide erasure entries for the person's keys; how many were new."""
    return suppress_fingerprints(session, person.company_id,
                                 person_key_fingerprints(box, person), created_by)


def subject_fingerprint(box: SecretBox, company_id: str, subject: Subject) -> str:
    """How the audit names the subject: the fingerprint of the key it was given by."""
    return Fingerprinter(box)(company_id, subject.kind, subject.key)


def record_erasure(session: Session, *, company_id: str, user_id: str | None, kind: str,
                   fingerprint: str, removed: dict[str, Any]) -> ErasureAudit:
    audit = ErasureAudit(id=f"era_{uuid.uuid4().hex}", company_id=company_id, user_id=user_id,
                         subject_kind=kind, subject_fingerprint=fingerprint, removed=removed)
    session.add(audit)
    session.flush()
    return audit
