"""`GET /api/agent/clients`: the clients of `/api/clients` (api.management.clients) in
numbered pages, optionally those whose name holds `name` (any case)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from sqlmodel import Session

from api.guards import authenticated
from api.management.clients import numbered_clients
from api.security.auth import Caller


class AgentClientController(Controller):
    path = "/api/agent/clients"
    tags = ["Agent API"]
    guards = [authenticated]

    @get("/", summary="List clients (agent API)", sync_to_thread=True)
    def list_clients(self, request: Request, session: Session,
                     caller: Caller) -> dict[str, Any]:
        """`page` (default 1), `pageSize` (default 20, up to 1000), `name` (a case-insensitive
        part of the client's name) → `{success, data[], pagination}`, oldest first as in
        `GET /api/clients`."""
        clients, paging = numbered_clients(request, session, caller)
        return {"success": True, "data": clients, "pagination": paging}
