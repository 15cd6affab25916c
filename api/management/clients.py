"""`/api/clients`: a company's clients (the command API's sites), with optional lead purge.

`GET /api/clients?clientId=<x>` finds one client by its record `id` or its business
`client_id` and answers it twice: `client` (Leadmill's) and `clients: [client]` (what clients
of the LeadGenius service read, `clients[0]`); an unknown one is 404 not_found. Bodies are
ContractBody models: a field they do not declare is invalid_format naming it.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from pydantic import Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from api.errors import AlreadyExists, NotFound
from api.guards import authenticated
from api.management.requests import (
    StrippedContractBody,
    pagination,
    query_bool,
    query_page,
    query_text,
)
from api.security.auth import Caller, require_record_owner
from storage.commands.limits import ensure_client_allowed, hold_company
from storage.db.clock import iso_z, utcnow
from storage.db.numbered_pages import numbered_page
from storage.leads.records import soft_delete_client_leads
from storage.tenancy.accounts import client_id_in_use, clients_of, live_client
from storage.tenancy.models import Client

MAX_TEXT = 2000


class ClientCreate(StrippedContractBody):
    clientName: str = Field(min_length=1, max_length=200)  # noqa: N815 - documented names
    companyURL: str | None = Field(default=None, max_length=MAX_TEXT)  # noqa: N815
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    client_id: str | None = Field(default=None, min_length=1, max_length=120,
                                  pattern=r"^[A-Za-z0-9_.:-]+$")


class ClientUpdate(StrippedContractBody):
    id: str = Field(min_length=1, max_length=120)
    clientName: str | None = Field(default=None, min_length=1, max_length=200)  # noqa: N815
    companyURL: str | None = Field(default=None, max_length=MAX_TEXT)  # noqa: N815
    description: str | None = Field(default=None, max_length=MAX_TEXT)


def public_client(client: Client) -> dict[str, Any]:
    return {"id": client.id, "client_id": client.client_id, "clientName": client.client_name,
            "companyURL": client.company_url, "description": client.description,
            "owner": client.owner, "company_id": client.company_id,
            "createdAt": iso_z(client.created_at), "updatedAt": iso_z(client.updated_at)}


def _in_listing_order(statement: Any) -> Any:
    return statement.order_by(col(Client.created_at), col(Client.id))


def numbered_clients(request: Request, session: Session, caller: Caller
                     ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One numbered page (`page`, `pageSize`) of the caller's clients, optionally those whose
    name holds `name`, and its pagination (the agent API's listing)."""
    page, page_size = query_page(request)
    statement = clients_of(caller.company_id, query_text(request, "name"))
    rows, total = numbered_page(session, _in_listing_order(statement), page, page_size)
    return [public_client(row) for row in rows], pagination(total, page, page_size)


def _client_id_taken(client_id: str) -> AlreadyExists:
    return AlreadyExists(f"Your company already has a client with client_id {client_id}",
                         details={"field": "client_id"})


def _not_found(identifier: str, field: str) -> NotFound:
    return NotFound(f"No client {identifier}", details={"field": field, "issue": identifier})


class ClientController(Controller):
    path = "/api/clients"
    tags = ["Clients"]
    guards = [authenticated]

    @get("", summary="List clients, or get one with ?clientId=", sync_to_thread=True)
    def list_clients(self, request: Request, session: Session,
                     caller: Caller) -> dict[str, Any]:
        """Your company's clients (`clients[]`), or one with `?clientId=` (its `id` or its
        `client_id`): `{client, clients: [client]}`."""
        wanted = query_text(request, "clientId") or query_text(request, "client_id")
        if wanted:
            client = live_client(session, caller.company_id, wanted)
            if client is None:
                raise _not_found(wanted, "clientId")
            found = public_client(client)
            return {"success": True, "client": found, "clients": [found]}
        clients = session.exec(_in_listing_order(clients_of(caller.company_id))).all()
        return {"success": True, "clients": [public_client(c) for c in clients],
                "total": len(clients)}

    @post("", status_code=201, summary="Create a client", sync_to_thread=True)
    def create_client(self, state: State, session: Session, caller: Caller,
                      data: ClientCreate) -> dict[str, Any]:
        """`{clientName, companyURL?, description?, client_id?}` → 201 `{client}` with `id` (record
        id) and `client_id` (the siteId of the command API).
        """
        hold_company(session, caller.company_id)
        ensure_client_allowed(session, caller.company_id, state.settings.max_clients_per_company)
        client_id = data.client_id or str(uuid.uuid4())
        # Unique within the caller's company only: whether another company uses the id
        # is never looked at, so the answer cannot reveal it.
        if client_id_in_use(session, caller.company_id, client_id):
            raise _client_id_taken(client_id)
        client = Client(id=str(uuid.uuid4()), client_id=client_id,
                        company_id=caller.company_id, owner=caller.user_id,
                        client_name=data.clientName, company_url=data.companyURL,
                        description=data.description)
        session.add(client)
        try:
            session.flush()
        except IntegrityError:  # the same id created at the same moment in this company
            raise _client_id_taken(client_id) from None
        return {"success": True, "client": public_client(client)}

    @put("", summary="Update a client (by id)", sync_to_thread=True)
    def update_client(self, session: Session, caller: Caller,
                      data: ClientUpdate) -> dict[str, Any]:
        """`{id, clientName?, companyURL?, description?}` → `{client}`."""
        client = live_client(session, caller.company_id, data.id)
        if client is None:
            raise _not_found(data.id, "id")
        require_record_owner(caller, client.owner, "client", client.id)
        changes = data.model_dump(exclude_unset=True, exclude={"id"})
        if "clientName" in changes and changes["clientName"] is not None:
            client.client_name = changes["clientName"]
        if "companyURL" in changes:
            client.company_url = changes["companyURL"]
        if "description" in changes:
            client.description = changes["description"]
        client.updated_at = utcnow()
        session.add(client)
        return {"success": True, "client": public_client(client)}

    @delete("", status_code=200, summary="Delete a client (?purge=true: with its leads)",
            sync_to_thread=True)
    def delete_client(self, request: Request, session: Session,
                      caller: Caller) -> dict[str, Any]:
        """Soft-deletes the client `?id=`; with `&purge=true` its leads too."""
        identifier = query_text(request, "id", required=True)
        purge = query_bool(request, "purge")
        client = live_client(session, caller.company_id, identifier)
        if client is None:
            raise _not_found(identifier, "id")
        require_record_owner(caller, client.owner, "client", client.id)
        now = utcnow()
        client.deleted_at = now
        client.updated_at = now
        session.add(client)
        purged = soft_delete_client_leads(session, caller.company_id, client.client_id) \
            if purge else 0
        return {"success": True, "deleted": client.id, "client_id": client.client_id,
                "leadsDeleted": purged}
