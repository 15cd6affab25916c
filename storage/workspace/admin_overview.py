"""Every tenant at a glance, for platform administrators (`/api/admin/companies`, `/users`).

It counts rows of every concept (users, clients, leads, commands, keys), so it sits beside them,
not inside tenancy, which the other concepts build on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from storage.commands.models import Command
from storage.leads.models import Lead
from storage.tenancy.models import ApiKey, Client, Company, User
from storage.tenancy.platform_admins import PlatformAdmin


def _counts(session: Session, column: Any, *conditions: Any) -> dict[str, int]:
    return dict(session.exec(select(column, func.count()).where(*conditions).group_by(column)
                             ).all())


def all_companies(session: Session) -> list[dict[str, Any]]:
    """Every tenant with how much it holds."""
    users = _counts(session, User.company_id)
    clients = _counts(session, Client.company_id, Client.deleted_at.is_(None))  # type: ignore[union-attr]
    leads = _counts(session, Lead.company_id, Lead.deleted_at.is_(None))  # type: ignore[union-attr]
    commands = _counts(session, Command.company_id)
    keys = _counts(session, ApiKey.company_id, ApiKey.revoked_at.is_(None))  # type: ignore[union-attr]
    companies: Sequence[Company] = session.exec(select(Company).order_by(Company.created_at)).all()
    return [{"id": c.id, "name": c.name, "created_at": c.created_at, "users": users.get(c.id, 0),
             "clients": clients.get(c.id, 0), "leads": leads.get(c.id, 0),
             "commands": commands.get(c.id, 0), "api_keys": keys.get(c.id, 0)}
            for c in companies]


def all_users(session: Session) -> list[dict[str, Any]]:
    """Every user of every tenant; never a password hash."""
    admins = set(session.exec(select(PlatformAdmin.user_id)).all())
    users: Sequence[User] = session.exec(select(User).order_by(User.created_at)).all()
    return [{"id": u.id, "username": u.username, "company_id": u.company_id, "role": u.role,
             "platform_admin": u.id in admins, "created_at": u.created_at} for u in users]
