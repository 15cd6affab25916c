"""The lead-management CLI as a user runs it: processes against a running Leadmill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def leadmill_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_users_create_auth_leads_and_generate_key(leadmill, tmp_path: Path) -> None:
    auth_file = tmp_path / "home" / ".leadmill_auth.json"
    env = {**os.environ, "LEADMILL_DATA_DIR": str(leadmill.settings.data_dir),
           "LEADMILL_AUTH_FILE": str(auth_file), "LEADMILL_NEW_PASSWORD": "s3cret-enough",
           "LEADMILL_PASSWORD": "s3cret-enough"}
    created = leadmill_cli(["users", "create", "--username", "Ana@Example.com",
                            "--company-name", "Ana Co"], env)
    assert created.returncode == 0, created.stderr
    assert "role owner" in created.stdout
    again = leadmill_cli(["users", "create", "--username", "ana@example.com"], env)
    assert again.returncode == 2 and "already exists" in again.stderr

    logged = leadmill_cli(["auth", "--email", "ana@example.com", "--base-url",
                           leadmill.base_url], env)
    assert logged.returncode == 0, logged.stderr
    saved = json.loads(auth_file.read_text())
    assert set(saved) == {"token", "id_token", "refresh_token", "email", "base_url"}
    assert saved["base_url"] == leadmill.base_url
    assert oct(auth_file.stat().st_mode & 0o777) == "0o600"

    # Her new company has no client yet: the CLI says so.
    empty = leadmill_cli(["leads", "list"], env)
    assert empty.returncode == 1 and "your clients: none" in empty.stderr
    headers = {"Authorization": f"Bearer {saved['token']}"}
    client = httpx.post(f"{leadmill.base_url}/api/clients", headers=headers,
                        json={"clientName": "Ana's shop"}).json()["client"]
    httpx.post(f"{leadmill.base_url}/api/leads", headers=headers, json={"leads": [
        {"client_id": client["client_id"], "firstName": "Hugo", "lastName": "Sanchez",
         "email": f"hugo{n}@example.com"} for n in range(3)]})

    listed = leadmill_cli(["leads", "list", "--limit", "2", "--all"], env)
    assert listed.returncode == 0, listed.stderr
    page = json.loads(listed.stdout)
    assert page["total"] == 3 and len(page["leads"]) == 3

    found = leadmill_cli(["leads", "find", "--full-name", "hugo  sanchez"], env)
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)) == 3
    missing = leadmill_cli(["leads", "find", "--email", "nobody@example.com"], env)
    assert missing.returncode == 3

    key = leadmill_cli(["generate-key", "--name", "Production Agent", "--desc", "main"], env)
    assert key.returncode == 0, key.stderr
    issued = json.loads(key.stdout)
    assert issued["key"].startswith("lgp_") and issued["userId"] == issued["owner"]
    reply = httpx.get(f"{leadmill.base_url}/api/clients", headers={"x-api-key": issued["key"]})
    assert [item["client_id"] for item in reply.json()["clients"]] == [client["client_id"]]


def test_cli_refreshes_an_expired_token(leadmill, tmp_path: Path) -> None:
    from api.security.tokens import TokenIssuer
    from storage.tenancy.secrets import load_jwt_secret

    auth_file = tmp_path / "auth.json"
    env = {**os.environ, "LEADMILL_AUTH_FILE": str(auth_file)}
    tokens = httpx.post(f"{leadmill.base_url}/api/auth", json={
        "username": leadmill.credentials["username"],
        "password": leadmill.credentials["password"]}).json()["tokens"]
    expired = TokenIssuer(load_jwt_secret(leadmill.settings),
                          access_seconds=-5).issue("user_123xyz", "demo", "company-demo")
    auth_file.write_text(json.dumps({"token": expired["accessToken"], "id_token": "",
                                     "refresh_token": tokens["refreshToken"],
                                     "email": "demo@leadmill.local",
                                     "base_url": leadmill.base_url}))
    listed = leadmill_cli(["leads", "list", "--client-id", "site_456abc"], env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(auth_file.read_text())["token"] != expired["accessToken"]


def test_cli_logout_ends_the_session_and_forgets_the_tokens(leadmill, tmp_path: Path) -> None:
    auth_file = tmp_path / "auth.json"
    env = {**os.environ, "LEADMILL_AUTH_FILE": str(auth_file),
           "LEADMILL_PASSWORD": leadmill.credentials["password"]}
    env.pop("LEADMILL_API_KEY", None)
    logged = leadmill_cli(["auth", "--email", leadmill.credentials["username"], "--base-url",
                           leadmill.base_url], env)
    assert logged.returncode == 0, logged.stderr
    saved = json.loads(auth_file.read_text())
    out = leadmill_cli(["logout"], env)
    assert out.returncode == 0, out.stderr
    assert "1 session(s) ended" in out.stdout and not auth_file.exists()
    refused = httpx.get(f"{leadmill.base_url}/api/company",
                        headers={"Authorization": f"Bearer {saved['token']}"})
    assert refused.status_code == 401
    again = leadmill_cli(["logout"], env)
    assert again.returncode == 1 and "not logged in" in again.stderr
