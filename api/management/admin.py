"""Platform administration: `GET /api/admin/companies` and `/api/admin/users`.

Only an API key whose owner is a platform admin (`leadmill admin grant USERNAME` on the server)
may call them; anyone else gets insufficient_permissions, whatever their company role.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from sqlmodel import Session

from api.errors import InsufficientPermissions
from api.security.auth import Caller, authenticate
from storage.db.clock import iso_z
from storage.db.engine import session_scope
from storage.tenancy.platform_admins import is_platform_admin
from storage.workspace.admin_overview import all_companies, all_users


def _require_platform_admin(session: Session, caller: Caller) -> None:
    if caller.method != "api_key" or not is_platform_admin(session, caller.user_id):
        raise InsufficientPermissions("Platform administration needs an admin API key",
                                      details="the key's owner is not a platform admin")


def _dates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "created_at": iso_z(row["created_at"])} for row in rows]


class AdminController(Controller):
    path = "/api/admin"
    tags = ["Admin"]

    @get("/companies", summary="Every company (admin key only)", sync_to_thread=True)
    def companies(self, request: Request, state: State) -> dict[str, Any]:
        """All tenants with their users, clients, leads, commands and live API keys counted."""
        with session_scope(state.engine) as session:
            _require_platform_admin(session, authenticate(request, session))
            rows = _dates(all_companies(session))
        return {"success": True, "companies": rows, "total": len(rows)}

    @get("/users", summary="Every user (admin key only)", sync_to_thread=True)
    def users(self, request: Request, state: State) -> dict[str, Any]:
        """All users of all tenants, with company and role; never a password or key."""
        with session_scope(state.engine) as session:
            _require_platform_admin(session, authenticate(request, session))
            rows = _dates(all_users(session))
        return {"success": True, "users": rows, "total": len(rows)}
