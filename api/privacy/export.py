"""Subject access: `GET /api/privacy/export?email=...` (or `linkedinUrl=`, or `phone=`).

Every record the caller's company holds about one person, as JSON
(storage.privacy.subject_access). Owners and admins only: answering a data-subject request is
an administrator's job, and the reply gathers everything about the person across every client
of the company, beyond what a member's own work shows. Exactly one of the three parameters;
none, several or an invalid value is 400 `invalid_value` naming the field.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from sqlmodel import Session

from api.errors import InvalidValue
from api.guards import admin_only, authenticated
from api.security.auth import Caller
from storage.privacy.person import InvalidSubject
from storage.privacy.subject_access import (
    SUBJECT_FIELDS,
    subject_access_report,
    subject_of,
)


class SubjectAccessController(Controller):
    path = "/api/privacy"
    tags = ["Privacy"]
    guards = [authenticated, admin_only]

    @get("/export", summary="Every record held about one person (subject access)",
         sync_to_thread=True)
    def export_subject(self, request: Request, state: State, session: Session,
                       caller: Caller) -> dict[str, Any]:
        """Exactly one of `email`, `linkedinUrl`, `phone` → `{success, subject, companyId,
        generatedAt, leads (every field, deleted ones marked, with sources, generated fields
        and the commands that delivered them), sourceLeads, commands, inboundWebhooks,
        webhookDeliveries, suppressions (that they exist, never a value)}`. Matching is the
        identity rule's (e-mail, LinkedIn profile, E.164 phone, name at company domain);
        another company's records are never included. Owners and admins only."""
        try:
            subject = subject_of({name: request.query_params.get(name)
                                  for name in SUBJECT_FIELDS})
        except InvalidSubject as exc:
            raise InvalidValue("Name the person with exactly one valid email, linkedinUrl "
                               "or phone", details={"field": exc.field,
                                                    "issue": exc.issue}) from None
        report = subject_access_report(session, state.runtime.secret_box, caller.company_id,
                                       subject)
        return {"success": True, **report}
