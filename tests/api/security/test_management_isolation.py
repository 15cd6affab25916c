"""Tenant isolation: another company's credentials see nothing of the first on any route."""

from __future__ import annotations

import httpx
from sqlmodel import Session, select

from storage.db.engine import build_engine
from storage.leads.models import Lead, SourceLead
from storage.tenancy.accounts import create_company, create_user, issue_api_key
from storage.tenancy.models import ApiKey, Client
from storage.tenancy.passwords import hash_password


def _login(base_url: str, username: str, password: str) -> dict[str, str]:
    tokens = httpx.post(f"{base_url}/api/auth", json={"username": username,
                                                      "password": password}).json()["tokens"]
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


def test_another_company_sees_nothing_of_the_first(leadmill) -> None:
    base = f"{leadmill.base_url}/api"
    owner = _login(leadmill.base_url, leadmill.credentials["username"],
                   leadmill.credentials["password"])
    client = httpx.post(f"{base}/clients", headers=owner,
                        json={"clientName": "Secret client"}).json()["client"]
    created = httpx.post(f"{base}/leads", headers=owner, json={"leads": [
        {"client_id": client["client_id"], "email": f"secret{n}@example.com",
         "firstName": "Secret"} for n in range(3)]}).json()
    lead_id = created["ids"][0]
    demo_key_id = httpx.get(f"{base}/agent-api-keys", headers=owner).json()["apiKeys"][0]["id"]

    engine = build_engine(leadmill.settings.sqlalchemy_url)
    with Session(engine) as session:
        session.add(SourceLead(id="raw-secret", company_id="company-demo",
                               client_id=client["client_id"], source="apify",
                               email="raw-secret@example.com"))
        other = create_company(session, "Other Inc", company_id="company-other")
        intruder = create_user(session, other, "intruder@other.test", role="owner",
                               password_hash=hash_password("intruder-pass"))
        intruder_key = issue_api_key(session, intruder, "intruder key")
        intruder_id = intruder.id
        session.commit()

    as_jwt = _login(leadmill.base_url, "intruder@other.test", "intruder-pass")
    as_key = {"x-api-key": intruder_key, "x-user-id": intruder_id}
    for headers in (as_jwt, as_key):
        def call(method: str, path: str, headers=headers, **kwargs) -> httpx.Response:
            return httpx.request(method, f"{base}{path}", headers=headers, **kwargs)

        assert call("GET", "/clients").json()["clients"] == []
        for identifier in (client["id"], client["client_id"]):
            assert call("GET", "/clients", params={"clientId": identifier}).status_code == 404
        assert call("PUT", "/clients", json={"id": client["id"], "clientName": "Mine"}
                    ).status_code == 404
        assert call("DELETE", "/clients", params={"id": client["id"], "purge": "true"}
                    ).status_code == 404
        assert call("GET", "/leads", params={"client_id": client["client_id"]}
                    ).status_code == 404
        assert call("GET", "/leads", params={"id": lead_id}).status_code == 404
        assert call("POST", "/leads", json={"client_id": client["client_id"],
                                            "email": "planted@example.com"}).status_code == 404
        batch = call("POST", "/leads", json={"leads": [{"client_id": client["client_id"],
                                                        "email": "planted@example.com"}]})
        assert batch.json()["created"] == 0
        assert call("PUT", "/leads", json={"id": lead_id, "notes": "mine"}).status_code == 404
        assert call("PUT", "/leads", json={"leads": [{"id": lead_id, "notes": "x"}]}
                    ).status_code == 404
        assert call("DELETE", "/leads", params={"id": lead_id}).status_code == 404
        assert call("DELETE", "/leads", json={"ids": created["ids"]}).json()["deleted"] == 0
        assert call("GET", "/find-lead", params={"email": "secret0@example.com"}
                    ).json()["found"] is False
        assert call("GET", "/find-lead", params={"fullName": "Secret"}).json()["leads"] == []
        for path in ("/enrich-leads/list", "/source-leads/list"):
            assert call("GET", path, params={"companyId": "company-demo"}).status_code == 404
            own = call("GET", path, params={"companyId": "company-other"}).json()
            assert own["items"] == []
            assert call("GET", path, params={"companyId": "company-other",
                                             "clientId": client["client_id"]}
                        ).status_code == 404
        company = call("GET", "/company").json()["company"]
        assert company["id"] == "company-other"
        assert [member["username"] for member in company["members"]] == ["intruder@other.test"]
        keys = call("GET", "/agent-api-keys").json()["apiKeys"]
        assert {key["company_id"] for key in keys} == {"company-other"}
        assert call("DELETE", "/agent-api-keys", params={"id": demo_key_id}).status_code == 404
        assert call("PUT", "/company", json={"name": "Renamed"}).json()["company"]["id"] \
            == "company-other"

    # The first company's records are untouched.
    with Session(engine) as session:
        leads = session.exec(select(Lead).where(Lead.site_id == client["client_id"])).all()
        assert len(leads) == 3
        assert all(lead.deleted_at is None and lead.notes is None for lead in leads)
        stored = session.get(Client, client["id"])
        assert stored.client_name == "Secret client" and stored.deleted_at is None
        demo_key = session.get(ApiKey, demo_key_id)
        assert demo_key.revoked_at is None
    engine.dispose()
    # Logging out everywhere ends only the intruder's own sessions, never the first company's.
    logout = httpx.post(f"{base}/auth/logout", headers=as_jwt, json={"allSessions": True})
    assert logout.status_code == 200 and logout.json()["revoked"] == 1
    assert httpx.get(f"{base}/company", headers=owner).json()["company"]["name"] == "Demo Company"
