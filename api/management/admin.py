"""Platform administration: `GET /api/admin/companies` and `/api/admin/users`.

Only an API key whose owner is a platform admin (`leadmill admin grant USERNAME` on the server)
may call them; anyone else gets insufficient_permissions, whatever their company role.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from sqlmodel import Session

from api.guards import authenticated, platform_admin
from storage.db.clock import iso_z
from storage.workspace.admin_overview import all_companies, all_users


def _dates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "created_at": iso_z(row["created_at"])} for row in rows]


class AdminController(Controller):
    path = "/api/admin"
    tags = ["Admin"]
    guards = [authenticated, platform_admin]

    @get("/companies", summary="Every company (admin key only)", sync_to_thread=True)
    def companies(self, session: Session) -> dict[str, Any]:
        """All tenants with their users, clients, leads, commands and live API keys counted."""
        rows = _dates(all_companies(session))
        return {"success": True, "companies": rows, "total": len(rows)}

    @get("/users", summary="Every user (admin key only)", sync_to_thread=True)
    def users(self, session: Session) -> dict[str, Any]:
        """All users of all tenants, with company and role; never a password or key."""
        rows = _dates(all_users(session))
        return {"success": True, "users": rows, "total": len(rows)}
