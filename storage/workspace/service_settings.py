"""Per-company (and per-client) service settings: where a service lives and its API key.

`set_service` seals the key; `resolve_services` gives the effective settings of a client (its
own rows over the company-wide ones) with keys opened, for the tasks that call the services.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.db.clock import utcnow
from storage.tenancy.secrets import SecretBox
from storage.workspace.models import ServiceSetting

# The URL settings of the reference, each with `<name>_Apikey` (api_reference.md).
ENRICHMENT_SERVICES = ("companyUrl", "emailFinder", *(f"enrichment{n}" for n in range(1, 11)))
# Leadmill's addition: the OpenAI-compatible chat-completions endpoint copywriting, SDR AI and
# /api/epsimo-chat call (the company's configured LLM).
CHAT_SERVICE = "aiChat"
URL_SERVICES = (*ENRICHMENT_SERVICES, CHAT_SERVICE)


@dataclass(frozen=True)
class ServiceEndpoint:
    service: str
    url: str | None
    api_key: str | None  # in clear: never log or return it


def set_service(
    session: Session,
    box: SecretBox,
    *,
    company_id: str,
    service: str,
    url: str | None,
    api_key: str | None,
    client_id: str | None = None,
) -> ServiceSetting:
    """Create or replace one service's setting (a None api_key keeps the stored one)."""
    client_key = client_id or ""
    row = session.exec(
        select(ServiceSetting).where(
            ServiceSetting.company_id == company_id,
            ServiceSetting.client_key == client_key,
            ServiceSetting.service == service,
        )
    ).first()
    if row is None:
        row = ServiceSetting(id=str(uuid.uuid4()), company_id=company_id, client_key=client_key,
                             service=service)
    row.url = url
    if api_key is not None:
        row.api_key_sealed = box.seal(api_key) if api_key else None
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def list_services(session: Session, company_id: str, client_id: str | None = None
                  ) -> list[ServiceSetting]:
    """The stored rows of a company (company-wide, or one client's own)."""
    return list(session.exec(
        select(ServiceSetting).where(
            ServiceSetting.company_id == company_id,
            ServiceSetting.client_key == (client_id or ""),
        ).order_by(col(ServiceSetting.service))
    ).all())


def resolve_services(
    session: Session, box: SecretBox, company_id: str, client_id: str | None = None
) -> dict[str, ServiceEndpoint]:
    """The effective services of a client: its own rows override the company's defaults."""
    keys = [""] + ([client_id] if client_id else [])
    rows = session.exec(
        select(ServiceSetting).where(
            ServiceSetting.company_id == company_id, col(ServiceSetting.client_key).in_(keys)
        )
    ).all()
    effective: dict[str, ServiceEndpoint] = {}
    for row in sorted(rows, key=lambda r: r.client_key != ""):  # company first, client wins
        if not row.url:
            continue
        key = box.open(row.api_key_sealed) if row.api_key_sealed else None
        effective[row.service] = ServiceEndpoint(row.service, row.url, key)
    return effective
