"""Companies, their users, API keys and clients: creation and the look-ups auth needs.

API keys: new keys start with `lgp_`, the form of the LeadGenius service's keys, so clients
written for it recognise them as keys (its CLI sends such a key as `x-api-key` with
`x-user-id`, anything else as a Bearer token). Keys issued before start with `lm_` and keep
working: a key is found by its SHA-256 alone, and both prefixes mark a Bearer token as a key.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlmodel import Session, col, func, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.db.clock import utcnow
from storage.tenancy.models import ApiKey, Client, Company, User

API_KEY_PREFIX = "lgp_"
API_KEY_PREFIXES = (API_KEY_PREFIX, "lm_")  # new keys; and keys issued before


def looks_like_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIXES)


def hash_api_key(key: str) -> str:
    """API keys are 256-bit random: a fast hash is enough to store them (no brute force)."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_company(session: Session, name: str, company_id: str | None = None) -> Company:
    company = Company(id=company_id or f"company-{uuid.uuid4().hex[:12]}", name=name)
    session.add(company)
    session.flush()
    return company


def create_user(
    session: Session,
    company: Company | None,
    username: str,
    *,
    user_id: str | None = None,
    role: str = "member",
    password_hash: str | None = None,
) -> User:
    user = User(
        id=user_id or str(uuid.uuid4()),
        company_id=company.id if company else None,
        username=username,
        role=role,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    return user


def issue_api_key(session: Session, user: User, name: str, tier: str = "standard", *,
                  description: str | None = None) -> str:
    """Create a key for `user` and return it; only its hash is stored."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            id=str(uuid.uuid4()),
            company_id=user.company_id,
            user_id=user.id,
            name=name,
            description=description,
            key_hash=hash_api_key(key),
            key_prefix=key[:10],
            tier=tier,
        )
    )
    session.flush()
    return key


def create_client(
    session: Session,
    company: Company,
    owner: User,
    client_name: str,
    *,
    client_id: str | None = None,
    company_url: str | None = None,
    description: str | None = None,
) -> Client:
    client = Client(
        id=str(uuid.uuid4()),
        client_id=client_id or str(uuid.uuid4()),
        company_id=company.id,
        owner=owner.id,
        client_name=client_name,
        company_url=company_url,
        description=description,
    )
    session.add(client)
    session.flush()
    return client


def find_api_key(session: Session, key: str) -> ApiKey | None:
    """The live (not revoked) key record for a presented key, if any."""
    record = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_api_key(key))).first()
    if record is None or record.revoked_at is not None:
        return None
    return record


def find_client(session: Session, company_id: str, client_id: str) -> Client | None:
    """A live client of `company_id` by its business id; another company's is not found."""
    return session.exec(
        select(Client).where(
            Client.client_id == client_id,
            Client.company_id == company_id,
            Client.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()


def live_client(session: Session, company_id: str, identifier: str) -> Client | None:
    """A live client of the company by its record `id` or its business `client_id`."""
    return session.exec(select(Client).where(
        Client.company_id == company_id, col(Client.deleted_at).is_(None),
        or_(Client.id == identifier, Client.client_id == identifier))).first()


def clients_of(company_id: str, name: str | None = None) -> SelectOfScalar[Client]:
    """The company's live clients (a statement to order or page); with `name`, those whose
    name holds it, whatever the case."""
    statement = select(Client).where(Client.company_id == company_id,
                                     col(Client.deleted_at).is_(None))
    if name:
        statement = statement.where(func.lower(Client.client_name).contains(name.lower(),
                                                                             autoescape=True))
    return statement


def client_id_in_use(session: Session, company_id: str, client_id: str) -> bool:
    """Whether `company_id` has, or had, a client `client_id` (a deleted client keeps its id).

    Client ids are unique within a company only: other companies' ids are never consulted, so
    creating a client reveals nothing about them.
    """
    return session.exec(select(Client.id).where(
        Client.company_id == company_id, Client.client_id == client_id)).first() is not None


def operator_client(session: Session, client_id: str, company_id: str | None = None) -> Client:
    """The live client `client_id` for operator tools (the CLI) that name a site by its id.

    Raises:
        LookupError: no such live client, or several companies use the id and `company_id`
            does not say which one is meant.
    """
    query = select(Client).where(Client.client_id == client_id,
                                 Client.deleted_at.is_(None))  # type: ignore[union-attr]
    if company_id:
        query = query.where(Client.company_id == company_id)
    found = session.exec(query.order_by(Client.company_id)).all()
    if not found:
        raise LookupError(f"no site {client_id}" + (f" in company {company_id}" if company_id
                                                      else ""))
    if len(found) > 1:
        companies = ", ".join(client.company_id for client in found)
        raise LookupError(f"several companies have a client {client_id!r} ({companies}); "
                          "name one with --company")
    return found[0]


def operator_company(session: Session, company_id: str | None = None) -> Company:
    """The company an operator tool (the CLI) acts for: `company_id`, or the instance's only
    company when none is named.

    Raises:
        LookupError: no such company, no company at all, or several and none named.
    """
    if company_id:
        company = session.get(Company, company_id)
        if company is None:
            raise LookupError(f"no company {company_id}")
        return company
    found = session.exec(select(Company).order_by(Company.id).limit(2)).all()
    if not found:
        raise LookupError("no company yet")
    if len(found) > 1:
        raise LookupError("several companies use this instance; name one with --company")
    return found[0]


def find_user(session: Session, company_id: str, user_id: str) -> User | None:
    return session.exec(
        select(User).where(User.id == user_id, User.company_id == company_id)
    ).first()


def revoke_api_key(session: Session, key_id: str, company_id: str) -> bool:
    record = session.exec(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.company_id == company_id)
    ).first()
    if record is None:
        return False
    record.revoked_at = utcnow()
    session.add(record)
    return True
