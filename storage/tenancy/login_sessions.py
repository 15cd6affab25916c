"""Login sessions and their refresh tokens: stored server-side so they can be revoked.

A login (`POST /api/auth` with a password) starts a `LoginSession` — the token *family* —
and stores its first refresh token by `jti`, keeping only the token's SHA-256. Every refresh
rotates: the presented token is marked used (one conditional UPDATE, so two concurrent
refreshes cannot both win) and a new one is stored. A used token presented again means it
was copied: the whole family is revoked, the thief's and the user's tokens alike. Access and
id tokens carry the family's id (`sid`), so revoking a family (logout, reuse, a user losing
access) stops them at once too, not only when they expire.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Field, Session, SQLModel, col, select

from storage.db.clock import utcnow


class LoginSession(SQLModel, table=True):
    """One login and every token refreshed from it (a refresh-token family)."""

    id: str = Field(primary_key=True, description="The `sid` claim of the family's tokens.")
    user_id: str = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    revoked_reason: str | None = Field(default=None,
                                       description="logout | refresh_token_reuse | ...")


class RefreshToken(SQLModel, table=True):
    """One refresh token of a family, by its `jti`; only its SHA-256 is kept."""

    jti: str = Field(primary_key=True)
    session_id: str = Field(foreign_key="loginsession.id", index=True)
    token_hash: str
    issued_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    rotated_at: datetime | None = Field(default=None,
                                        description="Set when it was exchanged for a new one.")


def hash_token(token: str) -> str:
    """Refresh tokens are signed and random: SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token_ids() -> tuple[str, str]:
    """A fresh (session id, refresh jti) pair for a login."""
    return str(uuid.uuid4()), uuid.uuid4().hex


def start_login_session(session: Session, user_id: str, session_id: str) -> LoginSession:
    """A new family for a password login; refresh tokens past their expiry (useless: the JWT's
    own `exp` refuses them first) are deleted on the way, so rows do not pile up."""
    login = LoginSession(id=session_id, user_id=user_id)
    session.add(login)
    table = RefreshToken.__table__
    session.connection().execute(delete(table).where(table.c.expires_at < utcnow()))
    session.flush()
    return login


def store_refresh_token(session: Session, session_id: str, jti: str, token: str,
                        lifetime_seconds: int) -> None:
    session.add(RefreshToken(jti=jti, session_id=session_id, token_hash=hash_token(token),
                             expires_at=utcnow() + timedelta(seconds=lifetime_seconds)))
    session.flush()


@dataclass(frozen=True)
class Rotation:
    """What a presented refresh token turned out to be."""

    outcome: str  # rotated | unknown | revoked | reused
    user_id: str | None = None
    session_id: str | None = None


def rotate_refresh_token(session: Session, jti: str, token: str) -> Rotation:
    """Mark the token used if it is the live one of a live family; on reuse, revoke the
    family (the caller must commit that even though it refuses the request)."""
    row = session.get(RefreshToken, jti)
    if row is None or not hmac.compare_digest(row.token_hash, hash_token(token)):
        return Rotation("unknown")
    login = session.get(LoginSession, row.session_id)
    if login is None or login.revoked_at is not None:
        return Rotation("revoked", session_id=row.session_id)
    table = RefreshToken.__table__
    claimed = session.connection().execute(
        update(table).where(table.c.jti == jti, table.c.rotated_at.is_(None))
        .values(rotated_at=utcnow())).rowcount
    if claimed != 1:
        revoke_login_session(session, login.id, "refresh_token_reuse")
        return Rotation("reused", user_id=login.user_id, session_id=login.id)
    return Rotation("rotated", user_id=login.user_id, session_id=login.id)


def revoke_login_session(session: Session, session_id: str, reason: str) -> int:
    """Revoke one family; 1 if it was live, else 0."""
    table = LoginSession.__table__
    return session.connection().execute(
        update(table).where(table.c.id == session_id, table.c.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)).rowcount or 0


def revoke_user_sessions(session: Session, user_id: str, reason: str) -> int:
    """Revoke every live family of a user (log out everywhere, password change, removal)."""
    table = LoginSession.__table__
    return session.connection().execute(
        update(table).where(table.c.user_id == user_id, table.c.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)).rowcount or 0


def live_login_session(session: Session, session_id: str) -> LoginSession | None:
    """The family of an access token, if it has not been revoked."""
    login = session.get(LoginSession, session_id)
    return login if login is not None and login.revoked_at is None else None


def live_session_count(session: Session, user_id: str) -> int:
    return len(session.exec(select(LoginSession.id).where(
        LoginSession.user_id == user_id, col(LoginSession.revoked_at).is_(None))).all())
