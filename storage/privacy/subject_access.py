"""Subject access: every record a company holds about one person, as one JSON document.

The person is named by one identity key (an e-mail address, a LinkedIn profile or a phone
number) and recognised by the one "same person" rule (storage.leads.identity): a lead is the
person's when any of its keys — e-mail, LinkedIn, E.164 phone, name at company domain —
matches. The keys of the leads found that way are then the person's keys too (the lead that
holds both the requested e-mail and a LinkedIn profile ties the other records carrying that
profile to the person), round after round until no lead adds a key, as erasure finds the
person. A `person:` (name at company) match never ties records whose e-mail addresses differ
(`names_may_match`). Raw source leads match on the keys so gathered.

Everything is read within the caller's company only: another company's lead with the same
address is another company's record, never exported. Deleted leads are included (marked): the
company still holds them.

Reading a company's leads costs one pass over their identity columns, in batches, keeping
only their keys (Arrow columns); the rounds run over those. The keys are the identity
rule's, never a second spelling of them in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow.compute as pc
from sqlmodel import Session, col, select

from storage.commands.models import Command
from storage.db.clock import iso_z, utcnow
from storage.leads.models import CommandLead, Lead, LeadGeneratedField, LeadSource, SourceLead
from storage.leads.provenance import public_source
from storage.privacy.fingerprints import Fingerprinter, person_fingerprints
from storage.privacy.models import Suppression
from storage.privacy.person import (
    LEAD_COLUMNS,
    SOURCE_LEAD_COLUMNS,
    SUBJECT_KINDS,
    Subject,
    find_person,
    key_table,
    one_subject,
)
from storage.tenancy.secrets import SecretBox
from storage.webhooks.models import InboundWebhook, WebhookDelivery

# The query parameters that may name the person (storage.privacy.person.Subject).
SUBJECT_FIELDS = tuple(SUBJECT_KINDS)


def subject_of(values: Mapping[str, str | None]) -> Subject:
    """The one subject `values` ({field: value} of SUBJECT_FIELDS) names, its value echoed
    as given.

    Raises:
        InvalidSubject: none or several fields given, or a value the identity rule does not
            read as a key of its kind.
    """
    return one_subject(values, SUBJECT_FIELDS)


def _plain(value: Any) -> Any:
    return iso_z(value) if isinstance(value, datetime) else value


def _row_dict(row: Any) -> dict[str, Any]:
    return {name: _plain(value) for name, value in row.model_dump().items()}


def _identity_of(lead: Lead) -> dict[str, Any]:
    return {name: getattr(lead, column) for name, column in LEAD_COLUMNS.items()}


def subject_access_report(session: Session, box: SecretBox, company_id: str,
                          subject: Subject) -> dict[str, Any]:
    """Every record of `company_id` about `subject`: its leads (every column, deleted ones
    marked `deleted`, with their sources, generated fields and the commands that delivered
    them), raw source leads, the commands that found them, the inbound webhooks that brought
    them in, the outbound webhook deliveries of those commands, and the suppression entries
    the person falls under (that they exist, never a value)."""
    person = find_person(session, company_id, subject)
    leads = _leads(session, company_id, person.lead_ids if person else [])
    lead_ids = [lead.id for lead in leads]
    raw = key_table(session, "sourcelead", SOURCE_LEAD_COLUMNS, company_id)
    source_lead_ids = pc.filter(raw.column("id"), person.matches_keys(raw)).to_pylist() \
        if raw.num_rows and person else []
    source_leads = session.exec(select(SourceLead).where(
        SourceLead.company_id == company_id, col(SourceLead.id).in_(source_lead_ids))
        .order_by(col(SourceLead.created_at), col(SourceLead.id))).all() if source_lead_ids \
        else []
    sources = _by_lead(session, LeadSource, lead_ids, col(LeadSource.found_at))
    generated = _by_lead(session, LeadGeneratedField, lead_ids, col(LeadGeneratedField.field))
    delivered = _by_lead(session, CommandLead, lead_ids, col(CommandLead.created_at))
    command_ids = ({lead.command_id for lead in leads if lead.command_id}
                   | {row.command_id for rows in sources.values() for row in rows
                      if row.command_id}
                   | {row.command_id for rows in delivered.values() for row in rows})
    commands = session.exec(select(Command).where(
        Command.company_id == company_id, col(Command.id).in_(sorted(command_ids)))
        .order_by(col(Command.created_at))).all() if command_ids else []
    found_commands = [command.id for command in commands]  # the company's only
    identity_rows = [{subject.kind: subject.value}, *(_identity_of(lead) for lead in leads)]
    return {
        "subject": {"field": subject.field, "value": subject.value},
        "companyId": company_id,
        "generatedAt": iso_z(utcnow()),
        "leads": [{**_row_dict(lead), "deleted": lead.deleted_at is not None,
                   "sources": [public_source(row) for row in sources.get(lead.id, [])],
                   "generatedFields": [
                       {"kind": row.kind, "field": row.field, "value": row.value,
                        "source": row.source, "updatedAt": iso_z(row.updated_at)}
                       for row in generated.get(lead.id, [])],
                   "deliveredBy": [
                       {"commandId": row.command_id, "rank": row.rank,
                        "matchScore": row.match_score, "matchReasons": list(row.match_reasons)}
                       for row in delivered.get(lead.id, []) if row.command_id in found_commands]}
                  for lead in leads],
        "sourceLeads": [_row_dict(row) for row in source_leads],
        "commands": [{"id": command.id, "clientId": command.site_id,
                      "createdAt": iso_z(command.created_at),
                      "completedAt": iso_z(command.completed_at),
                      "runState": command.run_state, "stage": command.stage}
                     for command in commands],
        "inboundWebhooks": _inbound_webhooks(session, company_id, leads),
        "webhookDeliveries": _deliveries(session, found_commands),
        "suppressions": _suppressions(session, box, company_id, identity_rows, subject),
    }


def _leads(session: Session, company_id: str, ids: Sequence[str]) -> list[Lead]:
    if not ids:
        return []
    return list(session.exec(select(Lead).where(Lead.company_id == company_id,
                                                col(Lead.id).in_(list(ids)))
                             .order_by(col(Lead.created_at), col(Lead.id))).all())


def _by_lead(session: Session, model: Any, lead_ids: Sequence[str],
             order: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    if not lead_ids:
        return found
    for row in session.exec(select(model).where(col(model.lead_id).in_(list(lead_ids)))
                            .order_by(order)).all():
        found.setdefault(row.lead_id, []).append(row)
    return found


def _inbound_webhooks(session: Session, company_id: str,
                      leads: Sequence[Lead]) -> list[dict[str, Any]]:
    """The company's inbound webhooks that brought any of the leads in (a lead written by one
    records `webhook:<platform>` and the webhook's id). A webhook's call log keeps only each
    body's hash, so which call carried the person cannot be told."""
    lead_ids_by_hook: dict[str, list[str]] = {}
    for lead in leads:
        if (lead.source or "").startswith("webhook:") and lead.source_record_id:
            lead_ids_by_hook.setdefault(lead.source_record_id, []).append(lead.id)
    if not lead_ids_by_hook:
        return []
    hooks = session.exec(select(InboundWebhook).where(
        InboundWebhook.company_id == company_id,
        col(InboundWebhook.id).in_(sorted(lead_ids_by_hook)))).all()
    return [{"webhookId": hook.id, "name": hook.name, "platform": hook.platform,
             "clientId": hook.client_id, "leadIds": lead_ids_by_hook[hook.id]}
            for hook in sorted(hooks, key=lambda hook: hook.id)]


def _deliveries(session: Session, command_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The outbound webhook events of the commands that found the person (they report the
    command's outcome; `payloadPurged` once retention has emptied the payload)."""
    if not command_ids:
        return []
    rows = session.exec(select(WebhookDelivery).where(
        col(WebhookDelivery.command_id).in_(list(command_ids)))
        .order_by(col(WebhookDelivery.created_at))).all()
    return [{"id": row.id, "commandId": row.command_id, "event": row.event, "url": row.url,
             "status": row.status, "createdAt": iso_z(row.created_at),
             "deliveredAt": iso_z(row.delivered_at),
             "payloadPurged": row.payload_purged_at is not None} for row in rows]


def _suppressions(session: Session, box: SecretBox, company_id: str,
                  identity_rows: list[dict[str, Any]], subject: Subject) -> list[dict[str, Any]]:
    """The entries the person falls under: that they exist and where they apply, never the
    value an entry holds."""
    fingerprint = Fingerprinter(box)
    prints = set().union(*person_fingerprints(fingerprint, company_id, identity_rows))
    rows = session.exec(select(Suppression).where(
        Suppression.company_id == company_id, col(Suppression.fingerprint).in_(sorted(prints)))
        .order_by(col(Suppression.created_at), col(Suppression.id))).all()
    return [{"id": row.id, "kind": row.kind, "clientId": row.client_id, "reason": row.reason,
             "createdAt": iso_z(row.created_at)} for row in rows]
