"""Erasing a person from every store Leadmill keeps them in: the one service the API
(`POST /api/privacy/erase`) and the CLI (`leadmill privacy erase`) call.

Order, so that a crash anywhere leaves a state that running the erasure again completes:
1. find the person in the operational DB (storage.privacy.person) — nothing changed yet;
2. with the warehouse's writer lock held (no sync or compaction writes the lake meanwhile),
   rewrite the prospect store's and the lake's files that hold them (each file atomically:
   storage.privacy.erasure_files) and rewrite or delete their Prefect artifacts;
3. then, in the one transaction of the DB part, delete their rows, take them out of the
   webhook outbox, add the suppression entries and the audit row, and commit — still under
   the lock, so a sync that follows reads none of their rows.
Until step 3 commits, the DB still holds the person, so a second run finds them and the same
files and artifacts again (what is already clean is only read). If the Prefect API cannot be
reached, nothing is committed: `ErasureIncomplete`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from storage.commands.models import Command
from storage.db.clock import iso_z
from storage.db.engine import session_scope
from storage.privacy.erasure import (
    erase_from_outbox,
    erase_person_rows,
    record_erasure,
    subject_fingerprint,
    suppress_person,
)
from storage.privacy.erasure_files import erase_from_lake, erase_from_prospects
from storage.privacy.person import LEAD_ID, SUBJECT_KINDS, Subject, find_person, one_subject
from storage.runtime import Runtime
from storage.tenancy.models import Client
from storage.warehouse.lake import writer_lock
from tasks.privacy.artifacts import erase_from_artifacts

SUBJECT_FIELDS = (*SUBJECT_KINDS, LEAD_ID)


class LeadNotFound(LookupError):
    """`leadId` names no lead of the caller's company."""


class ErasureIncomplete(RuntimeError):
    """A store could not be reached (the Prefect API); nothing was committed: run it again."""


@dataclass(frozen=True)
class ErasureReport:
    audit_id: str
    subject_kind: str
    removed: dict[str, Any]
    suppressions_added: int
    erased_at: datetime

    def public(self) -> dict[str, Any]:
        return {"id": self.audit_id, "subjectKind": self.subject_kind, "removed": self.removed,
                "suppressionsAdded": self.suppressions_added,
                "erasedAt": iso_z(self.erased_at)}


def erasure_subject(values: dict[str, Any]) -> Subject:
    """The one subject of an erasure request's fields (SUBJECT_FIELDS); raises
    InvalidSubject for none, several, or a value that is not a valid key of its kind."""
    return one_subject(values, SUBJECT_FIELDS)


def cli_operator() -> str:
    """Who the audit names for an erasure run at the server's command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def erase_person(runtime: Runtime, company_id: str, user_id: str | None,
                 subject: Subject) -> ErasureReport:
    """Erase the person `subject` names (see `erasure_subject`) from every store of the
    company (module docstring); what was removed where."""
    settings = runtime.settings
    with writer_lock(settings.warehouse_dir), session_scope(runtime.engine) as session:
        person = find_person(session, company_id, subject)
        if person is None:
            raise LeadNotFound(subject.key)
        client_ids = session.exec(select(Client.client_id).where(
            Client.company_id == company_id)).all()
        flow_runs = [run for run in session.exec(select(Command.flow_run_id).where(
            Command.company_id == company_id,
            col(Command.id).in_(sorted(person.command_ids)))).all() if run]
        prospects = erase_from_prospects(settings.prospect_dir, person,
                                         [*client_ids, *person.site_ids])
        lake = erase_from_lake(settings.warehouse_dir, person.lead_ids)
        try:
            artifacts = erase_from_artifacts(person, flow_runs)
        except Exception as error:  # the Prefect API: unreachable, refusing, timing out
            raise ErasureIncomplete(f"Prefect artifacts not erased: {error}") from error
        removed = {
            "operational_db": erase_person_rows(session, person),
            "webhook_outbox": erase_from_outbox(session, person),
            "prospect_store": prospects.as_counts(),
            "warehouse": lake.as_counts(),
            "prefect_artifacts": artifacts.as_counts(),
        }
        added = suppress_person(session, runtime.secret_box, person, user_id)
        audit = record_erasure(
            session, company_id=company_id, user_id=user_id, kind=subject.field,
            fingerprint=subject_fingerprint(runtime.secret_box, company_id, subject),
            removed={**removed, "suppressions_added": added})
        report = ErasureReport(audit.id, subject.field, removed, added, audit.erased_at)
    return report
