"""The embedded default's demo tenant, carrying the documentation's own ids.

So that the documented example request works verbatim: company "Demo Company" with client
`site_456abc` and user `user_123xyz`. Its API key is written to `<data dir>/demo-credentials.json`
(mode 0600) — the only place it exists in clear; the database holds its hash. The demo user's
`username` and `password` (generated once) are written there too, so the lead-management API's
`POST /api/auth` works out of the box; the database holds only the password's Argon2 hash. The
demo key is premium (1,000 requests/minute): status polls of the examples run every 100 ms.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from storage.db.engine import session_scope
from storage.tenancy.accounts import (
    client_id_in_use,
    create_client,
    create_company,
    create_user,
    find_api_key,
    issue_api_key,
)
from storage.tenancy.models import Company, User
from storage.tenancy.passwords import hash_password, verify_password
from storage.tenancy.secrets import write_private_json

DEMO_COMPANY_ID = "company-demo"
DEMO_SITE_ID = "site_456abc"
DEMO_USER_ID = "user_123xyz"
DEMO_USERNAME = "demo@leadmill.local"


def ensure_demo_tenant(engine: Engine, credentials_file: Path) -> dict[str, Any]:
    """Create the demo tenant if missing; return its credentials (reusing a still-valid key)."""
    with session_scope(engine) as session:
        company = session.get(Company, DEMO_COMPANY_ID) or create_company(
            session, "Demo Company", company_id=DEMO_COMPANY_ID)
        user = session.get(User, DEMO_USER_ID) or create_user(
            session, company, DEMO_USERNAME, user_id=DEMO_USER_ID, role="owner")
        if not client_id_in_use(session, company.id, DEMO_SITE_ID):
            create_client(session, company, user, "Demo Site", client_id=DEMO_SITE_ID,
                          company_url="https://demo-site.example.com",
                          description="The documentation's example site")
        credentials: dict[str, Any] = {}
        if credentials_file.exists():
            try:
                credentials = json.loads(credentials_file.read_text())
            except ValueError:
                credentials = {}
        key = credentials.get("api_key")
        record = find_api_key(session, key) if key else None
        if record is None:
            key = issue_api_key(session, user, "demo key", tier="premium")
        elif record.tier != "premium":
            # A key issued before demo keys were premium: upgrade it rather than replace it,
            # so scripts holding it keep working.
            record.tier = "premium"
            session.add(record)
        password = credentials.get("password")
        if not password or not verify_password(user.password_hash, password):
            password = secrets.token_urlsafe(18)
            user.password_hash = hash_password(password)
            session.add(user)
        credentials.update({"api_key": key, "site_id": DEMO_SITE_ID, "user_id": DEMO_USER_ID,
                            "username": user.username, "password": password})
    write_private_json(credentials_file, credentials)
    return credentials

