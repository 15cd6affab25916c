"""Revocable refresh tokens and login throttling over real HTTP.

Refresh tokens rotate (the old one stops working), a rotated token presented again revokes its
whole login session, logout ends a session (or all of a user's), and only hashes of refresh
tokens are stored. Failed logins are throttled per username and per client IP, for a short
window only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, select

from storage.db.engine import engine_for
from storage.tenancy.login_sessions import LoginSession, RefreshToken
from tests.api.tenant_helpers import start_module_instance
from tests.fixtures.servers import wait_until


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("sessions"), sample_prospect_dir,
                                    login_failures_per_username=3, login_failures_per_ip=5,
                                    # long enough for five Argon2 checks (unknown
                                    # usernames cost one too) on a busy machine
                                    login_window_seconds=8)
    yield running
    running.stop()


def log_in(app, password: str | None = None, username: str | None = None,
           local_address: str | None = None) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
    with httpx.Client(base_url=app.base_url, transport=transport, timeout=30) as http:
        return http.post("/api/auth", json={
            "username": username or app.credentials["username"],
            "password": password or app.credentials["password"]})


def tokens_of(app) -> dict:
    reply = log_in(app)
    assert reply.status_code == 200, reply.text
    return reply.json()["tokens"]


def refresh(app, token: str) -> httpx.Response:
    return httpx.post(f"{app.base_url}/api/auth", json={"refreshToken": token})


def company(app, access: str) -> httpx.Response:
    return httpx.get(f"{app.base_url}/api/company",
                     headers={"Authorization": f"Bearer {access}"})


def logout(app, access: str | None = None, **body) -> httpx.Response:
    headers = {"Authorization": f"Bearer {access}"} if access else {}
    return httpx.post(f"{app.base_url}/api/auth/logout", headers=headers, json=body)


def error_type(reply: httpx.Response) -> str:
    return reply.json()["errorType"]


def test_refresh_rotates_and_the_old_token_stops_working(app) -> None:
    first = tokens_of(app)
    second = refresh(app, first["refreshToken"])
    assert second.status_code == 200, second.text
    rotated = second.json()["tokens"]
    assert rotated["refreshToken"] != first["refreshToken"]
    assert company(app, rotated["accessToken"]).status_code == 200
    third = refresh(app, rotated["refreshToken"])
    assert third.status_code == 200, third.text


def test_reusing_a_rotated_token_revokes_the_whole_session(app) -> None:
    first = tokens_of(app)
    rotated = refresh(app, first["refreshToken"]).json()["tokens"]
    reused = refresh(app, first["refreshToken"])
    assert reused.status_code == 401 and error_type(reused) == "no_valid_tokens"
    assert "reuse" in reused.json()["details"]
    # Everything of that login session is dead now: the newer refresh token and its access.
    assert error_type(refresh(app, rotated["refreshToken"])) == "no_valid_tokens"
    refused = company(app, rotated["accessToken"])
    assert refused.status_code == 401 and error_type(refused) == "no_valid_credentials"
    # Another login of the same user is not affected.
    assert company(app, tokens_of(app)["accessToken"]).status_code == 200


def test_logout_ends_the_session_of_the_access_token(app) -> None:
    kept, ended = tokens_of(app), tokens_of(app)
    reply = logout(app, ended["accessToken"])
    assert reply.status_code == 200 and reply.json() == {"success": True, "revoked": 1}
    assert company(app, ended["accessToken"]).status_code == 401
    assert error_type(refresh(app, ended["refreshToken"])) == "no_valid_tokens"
    assert company(app, kept["accessToken"]).status_code == 200


def test_logout_with_only_a_refresh_token_and_of_all_sessions(app) -> None:
    one, two, three = tokens_of(app), tokens_of(app), tokens_of(app)
    assert logout(app, refreshToken=one["refreshToken"]).json()["revoked"] == 1
    assert company(app, one["accessToken"]).status_code == 401
    assert error_type(logout(app, refreshToken="x.y.z")) == "no_valid_tokens"
    everywhere = logout(app, two["accessToken"], allSessions=True)
    assert everywhere.status_code == 200 and everywhere.json()["revoked"] >= 2
    for tokens in (two, three):
        assert company(app, tokens["accessToken"]).status_code == 401
        assert refresh(app, tokens["refreshToken"]).status_code == 401
    missing = logout(app)
    assert missing.status_code == 401 and error_type(missing) == "no_valid_credentials"
    with_key = httpx.post(f"{app.base_url}/api/auth/logout",
                          headers={"x-api-key": app.credentials["api_key"]})
    assert with_key.status_code == 401 and error_type(with_key) == "no_valid_credentials"


def test_only_hashes_of_refresh_tokens_are_stored(app) -> None:
    tokens = tokens_of(app)
    with Session(engine_for(app.settings.sqlalchemy_url)) as session:
        rows = session.exec(select(RefreshToken)).all()
        assert session.exec(select(LoginSession)).first() is not None
    stored = {row.token_hash for row in rows}
    assert hashlib.sha256(tokens["refreshToken"].encode()).hexdigest() in stored
    assert not any(tokens["refreshToken"] in value for value in stored)
    for name in ("leadmill.db", "leadmill.db-wal"):
        database = app.settings.data_dir / name
        if database.exists():
            assert tokens["refreshToken"].encode() not in database.read_bytes()


def test_failed_logins_are_throttled_per_username_then_let_through_again(app) -> None:
    wrong = [log_in(app, password="wrong-password") for _ in range(3)]
    assert [reply.status_code for reply in wrong] == [401, 401, 401]
    throttled = log_in(app)  # even the right password waits for the window to pass
    assert throttled.status_code == 429, throttled.text
    body = throttled.json()
    assert body["success"] is False and body["errorType"] == "rate_limited"
    assert set(body) == {"success", "error", "errorType", "details", "recommendation"}
    assert throttled.headers["X-RateLimit-Limit"] == "3"
    assert throttled.headers["X-RateLimit-Remaining"] == "0"
    assert int(throttled.headers["Retry-After"]) >= 1
    assert int(throttled.headers["X-RateLimit-Reset"]) > 0
    # The window is short: the real user gets in once it has passed.
    wait_until(lambda: log_in(app).status_code == 200, 30, "the username stayed locked")


def test_failed_logins_are_throttled_per_client_ip(app) -> None:
    wait_until(lambda: log_in(app).status_code == 200, 30, "a previous window is still open")
    # A guesser at 127.0.0.3 (the loopback network is 127.0.0.0/8) tries many usernames.
    replies = [log_in(app, password="wrong-password", username=f"nobody{n}@example.com",
                      local_address="127.0.0.3") for n in range(5)]
    assert {reply.status_code for reply in replies} == {401}
    blocked = log_in(app, local_address="127.0.0.3")
    assert blocked.status_code == 429 and blocked.headers["X-RateLimit-Limit"] == "5"
    # Another address is not affected.
    assert log_in(app).status_code == 200
    wait_until(lambda: log_in(app, local_address="127.0.0.3").status_code == 200, 30,
               "the IP stayed locked")


def test_a_login_deletes_refresh_tokens_past_their_expiry(app) -> None:
    from datetime import timedelta

    from storage.db.clock import utcnow
    from storage.db.engine import session_scope

    tokens_of(app)
    engine = engine_for(app.settings.sqlalchemy_url)
    with session_scope(engine) as session:
        family = session.exec(select(LoginSession)).first()
        session.add(RefreshToken(jti="long-expired", session_id=family.id, token_hash="x",
                                 expires_at=utcnow() - timedelta(days=1)))
    tokens_of(app)
    with Session(engine) as session:
        assert session.get(RefreshToken, "long-expired") is None
        assert session.exec(select(RefreshToken)).first() is not None


def change_password(app, access: str, **body) -> httpx.Response:
    return httpx.post(f"{app.base_url}/api/auth/password",
                      headers={"Authorization": f"Bearer {access}"}, json=body)


def test_changing_the_password_ends_every_session_and_only_the_new_one_logs_in(app) -> None:
    from storage.tenancy.accounts import create_user
    from storage.tenancy.passwords import hash_password

    name, old, new = "changer@demo.test", "old-password-1", "new-password-2"
    with Session(engine_for(app.settings.sqlalchemy_url)) as session:
        create_user(session, None, name, password_hash=hash_password(old))
        session.commit()
    phone = log_in(app, old, name).json()["tokens"]
    laptop = log_in(app, old, name).json()["tokens"]

    wrong = change_password(app, laptop["accessToken"], currentPassword="not-it",
                            newPassword=new)
    assert wrong.status_code == 401 and error_type(wrong) == "no_valid_credentials"
    short = change_password(app, laptop["accessToken"], currentPassword=old, newPassword="x")
    assert short.status_code == 400 and error_type(short) == "invalid_value"
    missing = change_password(app, laptop["accessToken"], currentPassword=old)
    assert missing.status_code == 400 and error_type(missing) == "missing_required_field"
    with_key = httpx.post(f"{app.base_url}/api/auth/password",
                          headers={"x-api-key": app.credentials["api_key"]},
                          json={"currentPassword": old, "newPassword": new})
    assert with_key.status_code == 401
    # None of those changed anything: both sessions still live, the old password still works.
    assert company(app, phone["accessToken"]).status_code != 401
    assert log_in(app, old, name).status_code == 200

    changed = change_password(app, laptop["accessToken"], currentPassword=old, newPassword=new)
    assert changed.status_code == 200, changed.text
    assert changed.json()["revoked"] >= 3
    fresh = changed.json()["tokens"]
    for tokens in (phone, laptop):
        assert company(app, tokens["accessToken"]).status_code == 401
        assert error_type(refresh(app, tokens["refreshToken"])) == "no_valid_tokens"
    assert company(app, fresh["accessToken"]).status_code != 401
    assert refresh(app, fresh["refreshToken"]).status_code == 200
    assert log_in(app, old, name).status_code == 401
    assert log_in(app, new, name).status_code == 200
    with Session(engine_for(app.settings.sqlalchemy_url)) as session:
        from storage.tenancy.models import User

        stored = session.exec(select(User).where(User.username == name)).one().password_hash
    assert new not in stored and old not in stored
