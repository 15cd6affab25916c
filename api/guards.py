"""Guards: who may reach a route, checked before its body is read.

`authenticated` identifies the caller (api.security.auth.authenticate, in a worker thread and
a short transaction of its own), charges its rate limit and leaves the `Caller` on the
connection for the `caller` dependency (api/deps.py). A route for users who have no company
yet (`/api/company`) opts in with `opt={"company_optional": True}`.

`admin_only` (owner or admin of the caller's company) and `platform_admin` (the operators'
back office) come after it in a route's guards.
"""

from __future__ import annotations

from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from api.errors import InsufficientPermissions
from api.security.auth import Caller, authenticate, require_admin
from storage.db.engine import session_scope
from storage.tenancy.platform_admins import is_platform_admin

CALLER_KEY = "caller"


async def authenticated(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    company_required = not handler.opt.get("company_optional", False)
    caller = await sync_to_thread(_authenticate, connection, company_required)
    connection.state[CALLER_KEY] = caller


def _authenticate(connection: ASGIConnection, company_required: bool) -> Caller:
    with session_scope(connection.app.state.engine) as session:
        return authenticate(connection, session, company_required=company_required)  # type: ignore[arg-type]


def caller_of(connection: ASGIConnection) -> Caller:
    return connection.state[CALLER_KEY]


async def admin_only(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    require_admin(caller_of(connection))


async def platform_admin(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """The operators' routes: an API key whose owner is a platform admin (`leadmill admin
    grant`); anyone else is insufficient_permissions, whatever their company role."""
    caller = caller_of(connection)
    if caller.method != "api_key" or \
            not await sync_to_thread(_is_platform_admin, connection, caller.user_id):
        raise InsufficientPermissions("Platform administration needs an admin API key",
                                      details="the key's owner is not a platform admin")


def _is_platform_admin(connection: ASGIConnection, user_id: str) -> bool:
    with session_scope(connection.app.state.engine) as session:
        return is_platform_admin(session, user_id)
