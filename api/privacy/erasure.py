"""`POST /api/privacy/erase`: erase one person from every store of the caller's company.

Owners and admins only (`admin_only`): an erasure cannot be undone. The body names the person
by exactly one key — `{"email"}`, `{"linkedinUrl"}`, `{"phone"}` (E.164, with its `+`) or
`{"leadId"}` (the person of that lead; another company's lead is not found). The rules and
their order live in tasks/privacy/erasure.py, which the CLI calls too.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, post
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict

from api.errors import InvalidValue, NotFound, ServiceUnavailable
from api.guards import admin_only, authenticated
from api.security.auth import Caller
from storage.privacy.person import InvalidSubject
from tasks.privacy.erasure import (
    ErasureIncomplete,
    LeadNotFound,
    erase_person,
    erasure_subject,
)


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str | None = None
    linkedinUrl: str | None = None  # noqa: N815 - the documented field name
    phone: str | None = None
    leadId: str | None = None  # noqa: N815


class ErasureController(Controller):
    path = "/api/privacy"
    tags = ["Privacy"]
    guards = [authenticated, admin_only]

    @post("/erase", status_code=200, summary="Erase a person from every store",
          sync_to_thread=True)
    def erase(self, state: State, caller: Caller, data: ErasureRequest) -> dict[str, Any]:
        """Exactly one of `email`, `linkedinUrl`, `phone`, `leadId` → 200 `{erasure: {id,
        subjectKind, removed: {store: counts}, suppressionsAdded, erasedAt}}`. Removes the
        person's leads, sources, command links, source leads, imported prospect rows, lake
        versions, webhook payloads and Prefect artifacts; leaves company-wide suppression
        entries (fingerprints only) and an audit record without the person's data."""
        try:
            report = erase_person(state.runtime, caller.company_id, caller.user_id,
                                  erasure_subject(data.model_dump()))
        except InvalidSubject as error:
            raise InvalidValue("The person to erase is not named by exactly one valid key",
                               details={"field": error.field, "issue": error.issue}) from error
        except LeadNotFound as error:
            raise NotFound("No such lead", details={"field": "leadId",
                                                    "issue": "not found"}) from error
        except ErasureIncomplete as error:
            raise ServiceUnavailable("The erasure could not reach every store; nothing "
                                     "was committed", details=str(error)) from error
        return {"success": True, "erasure": report.public()}
