"""The document's own E2E suite (scripts/test_api.py), against a running Leadmill over HTTP:
log in, client CRUD, lead CRUD single and batch, cleanup."""

from __future__ import annotations

import httpx


class Suite:
    """What scripts/test_api.py does: a client with a Bearer token, checking every reply."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        reply = httpx.post(f"{base_url}/api/auth",
                           json={"username": username, "password": password})
        assert reply.status_code == 200, reply.text
        token = reply.json()["tokens"]["accessToken"]
        self.http = httpx.Client(base_url=f"{base_url}/api", timeout=30, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})

    def call(self, method: str, path: str, status: int = 200, **kwargs) -> dict:
        reply = self.http.request(method, path, **kwargs)
        assert reply.status_code == status, f"{method} {path}: {reply.status_code} {reply.text}"
        body = reply.json()
        assert body["success"] is True
        return body


def test_documented_e2e_suite(leadmill) -> None:
    suite = Suite(leadmill.base_url, leadmill.credentials["username"],
                  leadmill.credentials["password"])

    # Client management
    before = suite.call("GET", "/clients")["clients"]
    created = suite.call("POST", "/clients", 201, json={
        "clientName": "Acme Corp", "companyURL": "https://acme.com",
        "description": "Enterprise client for B2B leads"})["client"]
    assert set(created) >= {"id", "client_id", "clientName", "companyURL", "description",
                            "owner", "company_id"}
    assert created["owner"] == "user_123xyz" and created["company_id"] == "company-demo"
    assert len(suite.call("GET", "/clients")["clients"]) == len(before) + 1
    single = suite.call("GET", "/clients", params={"clientId": created["client_id"]})["client"]
    assert single["id"] == created["id"]
    updated = suite.call("PUT", "/clients", json={"id": created["id"],
                                                   "clientName": "Updated Name",
                                                   "description": "Updated description"})
    assert updated["client"]["clientName"] == "Updated Name"
    assert updated["client"]["companyURL"] == "https://acme.com"
    client_id = created["client_id"]

    # Lead management: single
    lead = suite.call("POST", "/leads", 201, json={
        "client_id": client_id, "firstName": "John", "lastName": "Smith",
        "email": "john.smith@example.com", "companyName": "Acme Corp",
        "companyDomain": "acme.com", "title": "VP Engineering",
        "linkedinUrl": "https://linkedin.com/in/johnsmith"})["lead"]
    assert lead["firstName"] == "John" and lead["client_id"] == client_id
    # ... batch
    batch = suite.call("POST", "/leads", 201, json={"leads": [
        {"client_id": client_id, "firstName": "Jane", "lastName": "Doe",
         "email": "jane@example.com", "companyName": "BatchCorp", "title": "CTO"},
        {"client_id": client_id, "firstName": "Bob", "lastName": "Wilson",
         "email": "bob@example.com", "companyName": "BatchCorp", "title": "VP Sales"},
    ]})
    assert batch["created"] == 2 and batch["skipped"] == []
    listed = suite.call("GET", "/leads", params={"client_id": client_id, "limit": 100})
    assert listed["total"] == 3 and len(listed["leads"]) == 3 and listed["nextToken"] is None
    ids = [item["id"] for item in listed["leads"]]

    changed = suite.call("PUT", "/leads", json={"id": lead["id"], "title": "Senior VP Engineering",
                                                 "notes": "Updated via API"})["lead"]
    assert changed["title"] == "Senior VP Engineering" and changed["notes"] == "Updated via API"
    assert changed["updatedAt"] >= lead["updatedAt"]
    batch_update = suite.call("PUT", "/leads", json={"leads": [
        {"id": ids[0], "notes": "Updated lead 1"}, {"id": ids[1], "notes": "Updated lead 2"}]})
    assert batch_update["updated"] == 2
    found = suite.call("GET", "/find-lead", params={"email": "JANE@example.com"})
    assert found["found"] and found["lead"]["lastName"] == "Doe"

    # Delete: single, then the batch; then the client with purge.
    assert suite.call("DELETE", "/leads", params={"id": lead["id"]})["deleted"] == 1
    rest = [item for item in ids if item != lead["id"]]
    assert suite.call("DELETE", "/leads", json={"ids": rest})["deleted"] == 2
    assert suite.call("GET", "/leads", params={"client_id": client_id})["total"] == 0
    gone = suite.call("DELETE", "/clients", params={"id": created["id"], "purge": "true"})
    assert gone["deleted"] == created["id"]
    after = suite.call("GET", "/clients")["clients"]
    assert created["id"] not in [client["id"] for client in after]
