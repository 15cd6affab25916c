"""A company's outreach accounts (`/api/settings/unipile`, `GET /api/unipile-accounts`): the
LinkedIn, e-mail and messaging accounts its SDRs send from, company-wide or one client's own.

The Unipile connection itself (its API base URL and key) is a service setting, `unipile`
(storage.workspace.service_settings: the key sealed like every service key).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from storage.db.clock import iso_z, utcnow

UNIPILE_SERVICE = "unipile"
PROVIDERS = ("LINKEDIN", "EMAIL", "GOOGLE", "MICROSOFT", "IMAP", "WHATSAPP", "TELEGRAM",
             "INSTAGRAM", "MESSENGER", "TWITTER")
STATUSES = ("OK", "CONNECTING", "CREDENTIALS", "ERROR", "STOPPED")


class OutreachAccount(SQLModel, table=True):
    """One connected account; `account_id` is the id clients see (Unipile's, or minted)."""

    __table_args__ = (UniqueConstraint("company_id", "account_id", name="uq_outreach_account"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    client_key: str = Field(default="", description="The client's client_id, or '' for all.")
    account_id: str
    provider: str
    name: str
    identifier: str | None = None
    status: str = "OK"
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


def new_account_id() -> str:
    return f"acc_{uuid.uuid4().hex[:16]}"


def find_account(session: Session, company_id: str, account_id: str) -> OutreachAccount | None:
    return session.exec(select(OutreachAccount).where(
        OutreachAccount.company_id == company_id, OutreachAccount.account_id == account_id)
    ).first()


def list_accounts(session: Session, company_id: str, client_id: str | None = None, *,
                  own_only: bool = False) -> list[OutreachAccount]:
    """The company-wide accounts and (with `client_id`) the client's own; with `own_only`,
    the given scope's rows alone. Oldest first."""
    scopes = [client_id or ""] if own_only else [""] + ([client_id] if client_id else [])
    return list(session.exec(
        select(OutreachAccount).where(OutreachAccount.company_id == company_id,
                                      col(OutreachAccount.client_key).in_(scopes))
        .order_by(col(OutreachAccount.created_at), col(OutreachAccount.account_id))).all())


def save_account(session: Session, company_id: str, client_id: str | None, account_id: str,
                 values: dict[str, Any]) -> OutreachAccount:
    """Create the account or update the given fields of it (provider, name, identifier,
    status)."""
    row = find_account(session, company_id, account_id) or OutreachAccount(
        id=str(uuid.uuid4()), company_id=company_id, client_key=client_id or "",
        account_id=account_id, provider=values.get("provider", ""), name=values.get("name", ""))
    for key in ("provider", "name", "identifier", "status"):
        if key in values and (values[key] is not None or key == "identifier"):
            setattr(row, key, values[key])
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def remove_account(session: Session, row: OutreachAccount) -> None:
    session.delete(row)
    session.flush()


def public_account(row: OutreachAccount) -> dict[str, Any]:
    return {"id": row.account_id, "provider": row.provider, "name": row.name,
            "identifier": row.identifier, "status": row.status,
            "client_id": row.client_key or None, "createdAt": iso_z(row.created_at),
            "updatedAt": iso_z(row.updated_at)}
