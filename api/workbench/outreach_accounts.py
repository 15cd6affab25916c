"""Outreach accounts: `/api/settings/unipile` (GET, POST, PUT) and `GET /api/unipile-accounts`.

A settings section like the others: company-wide, or with `client_id` (query for GET, body
for POST/PUT) one client's own. It holds the Unipile connection (`dsn`, its API base URL, and
`apiKey`, sealed at rest and only ever answered masked) and the `accounts` the company sends
from. POST creates or merges (201), PUT merges into a section that exists (404 when there is
none). Accounts merge by `id`: a known id updates the fields given, a new or missing id adds an
account (`provider` and `name` required), `remove: true` removes one.
"""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from pydantic import Field
from sqlmodel import Session

from api.errors import InvalidValue, MissingRequiredField, NotFound
from api.guards import authenticated
from api.management.requests import StrippedContractBody, query_text
from api.security.auth import Caller
from api.workbench.settings import client_scope, mask_key
from storage.tenancy.secrets import SecretBox
from storage.workspace.outreach_accounts import (
    PROVIDERS,
    STATUSES,
    UNIPILE_SERVICE,
    find_account,
    list_accounts,
    new_account_id,
    public_account,
    remove_account,
    save_account,
)
from storage.workspace.service_settings import list_services, set_service

Provider = Literal[PROVIDERS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]


class OutreachAccountBody(StrippedContractBody):
    id: str | None = Field(default=None, min_length=1, max_length=200)
    provider: Provider | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    identifier: str | None = Field(default=None, max_length=320,
                                   description="The account's e-mail address or profile URL.")
    status: Status | None = None
    remove: bool = False


class UnipileSettingsBody(StrippedContractBody):
    client_id: str | None = None
    dsn: str | None = Field(default=None, description="The Unipile API base URL.")
    apiKey: str | None = None
    accounts: list[OutreachAccountBody] | None = Field(default=None, max_length=100)


def unipile_view(session: Session, box: SecretBox, company_id: str,
                 client_id: str | None) -> dict[str, Any]:
    """The section of one scope: the connection (key masked) and that scope's own accounts."""
    row = next((row for row in list_services(session, company_id, client_id)
                if row.service == UNIPILE_SERVICE), None)
    key = box.open(row.api_key_sealed) if row and row.api_key_sealed else None
    return {"dsn": row.url if row else None, "apiKey": mask_key(key) if key else None,
            "accounts": [public_account(account) for account in
                         list_accounts(session, company_id, client_id, own_only=True)]}


def _save_accounts(session: Session, company_id: str, client_id: str | None,
                   accounts: list[OutreachAccountBody]) -> None:
    for index, account in enumerate(accounts):
        given = account.model_dump(exclude_unset=True, exclude={"id", "remove"})
        stored = find_account(session, company_id, account.id) if account.id else None
        if stored is not None and stored.client_key != (client_id or ""):
            raise InvalidValue(f"Account {account.id} belongs to another scope", details={
                "field": f"accounts.{index}.id", "issue": "used by another client's section"})
        if account.remove:
            if stored is None:
                raise NotFound(f"No account {account.id}",
                               details={"field": f"accounts.{index}.id", "issue": "not found"})
            remove_account(session, stored)
            continue
        for required in ("provider", "name"):
            if stored is None and not given.get(required):
                raise MissingRequiredField(f"accounts.{index}.{required} is required", details={
                    "field": f"accounts.{index}.{required}", "issue": "a new account needs it"})
        save_account(session, company_id, client_id, account.id or new_account_id(), given)


class OutreachAccountsController(Controller):
    path = "/api"
    tags = ["Integrations"]
    guards = [authenticated]

    @get("/settings/unipile", summary="Outreach accounts and the Unipile connection",
         sync_to_thread=True)
    def get_unipile_settings(self, request: Request, state: State, session: Session,
                             caller: Caller) -> dict[str, Any]:
        """`{dsn, apiKey (masked), accounts[]}` of the company, or with `?client_id=` of a
        client's own section."""
        client_id = client_scope(session, caller, query_text(request, "client_id"))
        return {"success": True, "client_id": client_id,
                "settings": unipile_view(session, state.secret_box, caller.company_id,
                                         client_id)}

    @post("/settings/unipile", status_code=201, summary="Create or merge outreach settings",
          sync_to_thread=True)
    def create_unipile_settings(self, state: State, session: Session, caller: Caller,
                                data: UnipileSettingsBody) -> dict[str, Any]:
        """Creates or merges the section; `apiKey` is stored sealed, never answered in clear."""
        return self._write(state, session, caller, data, must_exist=False)

    @put("/settings/unipile", summary="Update outreach settings", sync_to_thread=True)
    def update_unipile_settings(self, state: State, session: Session, caller: Caller,
                                data: UnipileSettingsBody) -> dict[str, Any]:
        """Merges into the existing section (404 when there is none yet)."""
        return self._write(state, session, caller, data, must_exist=True)

    @get("/unipile-accounts", summary="Your connected outreach accounts", sync_to_thread=True)
    def unipile_accounts(self, request: Request, session: Session,
                         caller: Caller) -> dict[str, Any]:
        """`{success, accounts: [{id, provider, name, identifier, status, client_id, ...}],
        total}`: the company-wide accounts, and with `?client_id=` that client's own too;
        an empty list when none are configured."""
        client_id = client_scope(session, caller, query_text(request, "client_id"))
        accounts = [public_account(row)
                    for row in list_accounts(session, caller.company_id, client_id)]
        return {"success": True, "accounts": accounts, "total": len(accounts)}

    def _write(self, state: State, session: Session, caller: Caller,
               body: UnipileSettingsBody, must_exist: bool) -> dict[str, Any]:
        company_id = caller.company_id
        client_id = client_scope(session, caller, body.client_id)
        given = body.model_dump(exclude_unset=True, exclude={"client_id", "accounts"})
        if not given and body.accounts is None:
            raise InvalidValue("No settings given", details={
                "field": "body", "issue": "expected some of dsn, apiKey, accounts"})
        connection = next((row for row in list_services(session, company_id, client_id)
                           if row.service == UNIPILE_SERVICE), None)
        if must_exist and connection is None and not list_accounts(
                session, company_id, client_id, own_only=True):
            raise NotFound("No Unipile settings to update yet",
                           recommendation="Create them with POST /api/settings/unipile.")
        if given:
            url = given.get("dsn", connection.url if connection else None)
            problem = state.egress_policy.literal_problem(url) if url else None
            if problem:
                raise InvalidValue("Invalid URL for dsn", details={"field": "dsn",
                                                                   "issue": problem})
            key = given.get("apiKey") or ("" if "apiKey" in given else None)
            set_service(session, state.secret_box, company_id=company_id,
                        service=UNIPILE_SERVICE, url=url or None, api_key=key,
                        client_id=client_id)
        _save_accounts(session, company_id, client_id, body.accounts or [])
        return {"success": True, "client_id": client_id,
                "settings": unipile_view(session, state.secret_box, company_id, client_id)}
