"""`/api/clients`: a company's clients (the command API's sites), with optional lead purge."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from api.errors import AlreadyExists, NotFound
from api.guards import authenticated
from api.management.requests import query_bool, query_text
from api.security.auth import Caller, require_record_owner
from storage.commands.limits import ensure_client_allowed, hold_company
from storage.db.clock import iso_z, utcnow
from storage.leads.records import soft_delete_client_leads
from storage.tenancy.accounts import client_id_in_use
from storage.tenancy.models import Client

MAX_TEXT = 2000


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    clientName: str = Field(min_length=1, max_length=200)  # noqa: N815 - documented names
    companyURL: str | None = Field(default=None, max_length=MAX_TEXT)  # noqa: N815
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    client_id: str | None = Field(default=None, min_length=1, max_length=120,
                                  pattern=r"^[A-Za-z0-9_.:-]+$")


class ClientUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=120)
    clientName: str | None = Field(default=None, min_length=1, max_length=200)  # noqa: N815
    companyURL: str | None = Field(default=None, max_length=MAX_TEXT)  # noqa: N815
    description: str | None = Field(default=None, max_length=MAX_TEXT)


def public_client(client: Client) -> dict[str, Any]:
    return {"id": client.id, "client_id": client.client_id, "clientName": client.client_name,
            "companyURL": client.company_url, "description": client.description,
            "owner": client.owner, "company_id": client.company_id,
            "createdAt": iso_z(client.created_at), "updatedAt": iso_z(client.updated_at)}


def live_client(session: Session, company_id: str, identifier: str) -> Client | None:
    """A live client of the company by its record `id` or its business `client_id`."""
    return session.exec(select(Client).where(
        Client.company_id == company_id, col(Client.deleted_at).is_(None),
        or_(Client.id == identifier, Client.client_id == identifier))).first()


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
        """Your company's clients (`clients[]`), or one with `?clientId=` (`client`)."""
        wanted = query_text(request, "clientId") or query_text(request, "client_id")
        if wanted:
            client = live_client(session, caller.company_id, wanted)
            if client is None:
                raise _not_found(wanted, "clientId")
            return {"success": True, "client": public_client(client)}
        clients = session.exec(select(Client).where(
            Client.company_id == caller.company_id, col(Client.deleted_at).is_(None))
            .order_by(col(Client.created_at), col(Client.id))).all()
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
                        client_name=data.clientName.strip(), company_url=data.companyURL,
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
            client.client_name = changes["clientName"].strip()
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
