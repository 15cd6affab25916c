"""A second tenant for isolation tests, made through storage/tenancy/accounts.py in the app's own
DB,
and a module-wide running API for the lead-management workbench tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from storage.db.engine import engine_for, session_scope
from storage.leads.models import Lead
from storage.settings import LeadmillSettings
from storage.tenancy.accounts import create_client, create_company, create_user, issue_api_key


@dataclass(frozen=True)
class Tenant:
    company_id: str
    user_id: str
    client_id: str
    api_key: str

    def client(self, base_url: str) -> httpx.Client:
        return httpx.Client(base_url=base_url, headers={"x-api-key": self.api_key}, timeout=30)


def create_tenant(settings: LeadmillSettings, name: str = "Other Company",
                  tier: str = "premium") -> Tenant:
    """A company with an owner, one client and an API key (premium: tests poll), in the
    instance's operational DB."""
    suffix = uuid.uuid4().hex[:8]
    with session_scope(engine_for(settings.sqlalchemy_url)) as session:
        company = create_company(session, name)
        user = create_user(session, company, f"owner-{suffix}@example.com", role="owner")
        client = create_client(session, company, user, f"{name} site",
                               client_id=f"site-{suffix}")
        key = issue_api_key(session, user, "tests", tier=tier)
        return Tenant(company.id, user.id, client.client_id, key)


def add_lead(settings: LeadmillSettings, tenant: Tenant, **fields: Any) -> str:
    """A lead of the tenant's client, stored directly (the leads API is tested elsewhere)."""
    lead_id = str(uuid.uuid4())
    values: dict[str, Any] = {"name": "Ada Lovelace", "first_name": "Ada",
                              "last_name": "Lovelace", "email": None, "company": "Acme Robotics",
                              "position": "CTO", "industry": "Technology",
                              "location": "London, United Kingdom", "score": 0.82}
    values.update(fields)
    with session_scope(engine_for(settings.sqlalchemy_url)) as session:
        session.add(Lead(id=lead_id, company_id=tenant.company_id, site_id=tenant.client_id,
                         dedupe_key=f"test:{lead_id}", **values))
    return lead_id


def start_module_instance(base_dir: Path, prospect_dir: Path, **overrides):
    """One running API for a whole test module (starting one per test costs seconds)."""
    from tests.fixtures.servers import make_settings, start_in_thread

    return start_in_thread(make_settings(base_dir / "data", prospect_dir, **overrides))


def create_tenant_through_api(settings: LeadmillSettings, base_url: str, client_id: str,
                              name: str = "Second Company") -> Tenant:
    """A second company made the way a newcomer makes one: an account without a company (the
    one step that is server-side only, `leadmill users create --no-company`), then over HTTP
    log in, `POST /api/company`, `POST /api/clients` with `client_id`, `POST /api/agent-api-keys`.
    """
    from storage.tenancy.passwords import hash_password

    username, password = f"founder-{uuid.uuid4().hex[:8]}@example.com", "a long pass phrase"
    with session_scope(engine_for(settings.sqlalchemy_url)) as session:
        create_user(session, None, username, password_hash=hash_password(password))
    with httpx.Client(base_url=base_url, timeout=30) as http:
        tokens = http.post("/api/auth", json={"username": username, "password": password}
                           ).json()["tokens"]
        http.headers["Authorization"] = f"Bearer {tokens['accessToken']}"
        company = http.post("/api/company", json={"name": name})
        assert company.status_code == 201, company.text
        client = http.post("/api/clients", json={"clientName": f"{name} site",
                                                 "client_id": client_id})
        assert client.status_code == 201, client.text
        key = http.post("/api/agent-api-keys", json={"name": "tests", "tier": "premium"})
        assert key.status_code == 200, key.text
        body = key.json()
    return Tenant(company.json()["company"]["id"], body["key"]["owner"], client_id,
                  body["apiKey"])
