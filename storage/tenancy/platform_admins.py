"""Platform administrators: users who may see every tenant (`/api/admin/...`).

Kept apart from company roles (owner/admin/member govern one company); granted only from the
command line on the server (`leadmill admin grant USERNAME`), never through the API.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel, select

from storage.db.clock import utcnow
from storage.tenancy.models import User


class PlatformAdmin(SQLModel, table=True):
    user_id: str = Field(foreign_key="user.id", primary_key=True)
    granted_at: datetime = Field(default_factory=utcnow)


def grant_platform_admin(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise LookupError(f"no user {username}")
    if session.get(PlatformAdmin, user.id) is None:
        session.add(PlatformAdmin(user_id=user.id))
    return user


def is_platform_admin(session: Session, user_id: str) -> bool:
    return session.get(PlatformAdmin, user_id) is not None


