"""Lead-management auth over real HTTP: log in, refresh, tokens, API keys, rate limits."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest

from api.security.tokens import TokenIssuer
from storage.tenancy.secrets import load_jwt_secret
from tests.fixtures.servers import make_settings, start_in_thread


def login(base_url: str, credentials: dict) -> dict:
    reply = httpx.post(f"{base_url}/api/auth", json={"username": credentials["username"],
                                                      "password": credentials["password"]})
    assert reply.status_code == 200, reply.text
    return reply.json()["tokens"]


def test_demo_user_logs_in_and_uses_the_access_token(leadmill) -> None:
    tokens = login(leadmill.base_url, leadmill.credentials)
    assert tokens["expiresIn"] == 3600
    assert set(tokens) == {"accessToken", "idToken", "refreshToken", "expiresIn"}
    claims = jwt.decode(tokens["accessToken"], options={"verify_signature": False})
    assert claims["sub"] == "user_123xyz"
    reply = httpx.get(f"{leadmill.base_url}/api/agent-api-keys",
                      headers={"Authorization": f"Bearer {tokens['accessToken']}"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["apiKeys"][0]["tier"] == "premium"
    assert "key_hash" not in reply.text
    assert int(reply.headers["X-RateLimit-Limit"]) == 100
    assert int(reply.headers["X-RateLimit-Remaining"]) == 99
    assert int(reply.headers["X-RateLimit-Reset"]) > 0


def test_refresh_token_gives_new_tokens_and_is_refused_as_access(leadmill) -> None:
    tokens = login(leadmill.base_url, leadmill.credentials)
    reply = httpx.post(f"{leadmill.base_url}/api/auth",
                       json={"refreshToken": tokens["refreshToken"]})
    assert reply.status_code == 200, reply.text
    assert reply.json()["tokens"]["accessToken"] != tokens["accessToken"]
    refused = httpx.get(f"{leadmill.base_url}/api/agent-api-keys",
                        headers={"Authorization": f"Bearer {tokens['refreshToken']}"})
    assert refused.status_code == 401
    assert refused.json()["errorType"] == "no_valid_credentials"
    bad = httpx.post(f"{leadmill.base_url}/api/auth", json={"refreshToken": "x.y.z"})
    assert bad.status_code == 401 and bad.json()["errorType"] == "no_valid_tokens"


@pytest.mark.parametrize(
    ("body", "status", "error_type"),
    [
        ({"username": "demo@leadmill.local", "password": "wrong-password"}, 401,
         "no_valid_credentials"),
        ({"username": "nobody@example.com", "password": "whatever1"}, 401,
         "no_valid_credentials"),
        ({"username": "demo@leadmill.local"}, 400, "missing_required_field"),
        ({"username": 5, "password": "x"}, 400, "invalid_format"),
        ([], 400, "invalid_format"),
    ],
)
def test_bad_logins_are_refused_in_the_envelope(leadmill, body, status, error_type) -> None:
    reply = httpx.post(f"{leadmill.base_url}/api/auth", json=body)
    assert reply.status_code == status, reply.text
    payload = reply.json()
    assert payload["success"] is False and payload["errorType"] == error_type
    assert set(payload) == {"success", "error", "errorType", "details", "recommendation"}


def test_expired_and_foreign_tokens(leadmill) -> None:
    secret = load_jwt_secret(leadmill.settings)
    expired = TokenIssuer(secret, access_seconds=-10).issue("user_123xyz", "d", "company-demo")
    reply = httpx.get(f"{leadmill.base_url}/api/agent-api-keys",
                      headers={"Authorization": f"Bearer {expired['accessToken']}"})
    assert reply.status_code == 401 and reply.json()["errorType"] == "token_expired"
    foreign = jwt.encode({"sub": "user_123xyz", "iss": "https://cognito.example", "exp": 2**40,
                          "iat": 1}, "another-secret-of-another-issuer-0123456789")
    reply = httpx.get(f"{leadmill.base_url}/api/agent-api-keys",
                      headers={"Authorization": f"Bearer {foreign}"})
    assert reply.status_code == 401 and reply.json()["errorType"] == "federated_jwt"
    forged = jwt.encode({"sub": "user_123xyz", "iss": "leadmill", "exp": 2**40, "iat": 1,
                         "token_use": "access"}, "a-guessed-secret-that-is-not-ours-0123456789")
    reply = httpx.get(f"{leadmill.base_url}/api/agent-api-keys",
                      headers={"Authorization": f"Bearer {forged}"})
    assert reply.status_code == 401 and reply.json()["errorType"] == "no_valid_credentials"
    # The command API keeps its own envelope for the same failure.
    reply = httpx.get(f"{leadmill.base_url}/api/agents/sales/leadGeneration/status/x",
                      headers={"Authorization": f"Bearer {expired['accessToken']}"})
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "UNAUTHORIZED"


def test_issued_key_works_with_its_owner_and_stops_when_revoked(leadmill) -> None:
    tokens = login(leadmill.base_url, leadmill.credentials)
    bearer = {"Authorization": f"Bearer {tokens['accessToken']}"}
    issued = httpx.post(f"{leadmill.base_url}/api/agent-api-keys", headers=bearer,
                        json={"name": "Production Agent", "description": "main agent"})
    assert issued.status_code == 200, issued.text
    key = {**issued.json()["key"], "key": issued.json()["apiKey"]}
    assert key["key"].startswith("lgp_") and key["tier"] == "standard"
    assert key["description"] == "main agent" and key["prefix"] == key["key"][:10]
    as_owner = {"x-api-key": key["key"], "x-user-id": "user_123xyz"}
    assert httpx.get(f"{leadmill.base_url}/api/agent-api-keys", headers=as_owner
                     ).status_code == 200
    mismatch = httpx.get(f"{leadmill.base_url}/api/agent-api-keys",
                         headers={"x-api-key": key["key"], "x-user-id": "someone-else"})
    assert mismatch.status_code == 403 and mismatch.json()["errorType"] == "owner_mismatch"
    revoked = httpx.delete(f"{leadmill.base_url}/api/agent-api-keys",
                           params={"id": key["id"]}, headers=bearer)
    assert revoked.status_code == 200, revoked.text
    after = httpx.get(f"{leadmill.base_url}/api/agent-api-keys", headers=as_owner)
    assert after.status_code == 401 and after.json()["errorType"] == "no_valid_credentials"
    missing = httpx.delete(f"{leadmill.base_url}/api/agent-api-keys", params={"id": "nope"},
                           headers=bearer)
    assert missing.status_code == 404 and missing.json()["errorType"] == "not_found"


def test_rate_limit_answers_429_in_the_envelope_of_the_path(
    tmp_path: Path, prefect_server: str, sample_prospect_dir: Path, database_url: str | None
) -> None:
    running = start_in_thread(make_settings(tmp_path / "data", sample_prospect_dir,
                                            rate_limit_standard=3, rate_limit_premium=5,
                                            database_url=database_url))
    try:
        key = {"x-api-key": running.credentials["api_key"]}  # the premium demo key
        replies = [httpx.get(f"{running.base_url}/api/agent-api-keys", headers=key)
                   for _ in range(6)]
        assert [reply.status_code for reply in replies] == [200] * 5 + [429]
        assert replies[-1].json()["errorType"] == "rate_limited"
        assert replies[-1].headers["X-RateLimit-Remaining"] == "0"
        assert replies[-1].headers["X-RateLimit-Limit"] == "5"
        command = httpx.get(f"{running.base_url}/api/agents/sales/leadGeneration/status/x",
                            headers=key)
        assert command.status_code == 429
        assert command.json()["error"]["code"] == "QUOTA_EXCEEDED"
        tokens = login(running.base_url, running.credentials)
        bearer = {"Authorization": f"Bearer {tokens['accessToken']}"}
        limited = [httpx.get(f"{running.base_url}/api/agent-api-keys", headers=bearer)
                   for _ in range(4)]
        assert [reply.status_code for reply in limited] == [200, 200, 200, 429]
    finally:
        running.stop()
