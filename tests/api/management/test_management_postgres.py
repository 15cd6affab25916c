"""Owner isolation, refresh rotation with reuse detection, logout, login throttling and the
shared rate limit on a real PostgreSQL operational database (the other tests run on SQLite)."""

from __future__ import annotations

import httpx

from tests.fixtures.postgres import create_database, postgres_server  # noqa: F401 - fixture
from tests.fixtures.servers import make_settings, start_in_thread


def test_sessions_owners_and_limits_on_postgresql(
    tmp_path, prefect_server, sample_prospect_dir, postgres_server  # noqa: F811
) -> None:
    settings = make_settings(tmp_path / "data", sample_prospect_dir,
                             database_url=create_database(postgres_server),
                             login_failures_per_username=2, rate_limit_standard=1000)
    running = start_in_thread(settings)
    base = running.base_url
    try:
        login = {"username": running.credentials["username"],
                 "password": running.credentials["password"]}
        first = httpx.post(f"{base}/api/auth", json=login).json()["tokens"]
        owner = {"Authorization": f"Bearer {first['accessToken']}"}
        rotated = httpx.post(f"{base}/api/auth", json={"refreshToken": first["refreshToken"]})
        assert rotated.status_code == 200, rotated.text
        reused = httpx.post(f"{base}/api/auth", json={"refreshToken": first["refreshToken"]})
        assert reused.status_code == 401 and reused.json()["errorType"] == "no_valid_tokens"
        assert httpx.get(f"{base}/api/company", headers=owner).status_code == 401

        second = httpx.post(f"{base}/api/auth", json=login).json()["tokens"]
        owner = {"Authorization": f"Bearer {second['accessToken']}"}
        member = httpx.post(f"{base}/api/company/users", headers=owner, json={
            "username": "member@example.com", "password": "member-password"})
        assert member.status_code == 201, member.text
        tokens = httpx.post(f"{base}/api/auth", json={
            "username": "member@example.com", "password": "member-password"}).json()["tokens"]
        as_member = {"Authorization": f"Bearer {tokens['accessToken']}"}
        lead = httpx.post(f"{base}/api/leads", headers=owner, json={
            "client_id": "site_456abc", "email": "pg@example.com"}).json()["lead"]
        assert lead["owner"] == "user_123xyz"
        refused = httpx.put(f"{base}/api/leads", headers=as_member,
                            json={"id": lead["id"], "notes": "x"})
        assert refused.status_code == 403 and refused.json()["errorType"] == "owner_mismatch"
        page = httpx.get(f"{base}/api/leads", headers=as_member,
                         params={"client_id": "site_456abc"})
        assert page.headers["X-RateLimit-Remaining"] == "998"  # the member's second request

        assert httpx.post(f"{base}/api/auth/logout", headers=as_member).json()["revoked"] == 1
        assert httpx.get(f"{base}/api/company", headers=as_member).status_code == 401

        wrong = {**login, "password": "wrong-password"}
        codes = [httpx.post(f"{base}/api/auth", json=wrong).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
    finally:
        running.stop()
