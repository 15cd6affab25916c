"""The document's auth order over real HTTP (Bearer JWT first, then the API key) and key
onboarding as the LeadGenius CLI (lgp.py) does it: log in, read `sub` from the access token,
`POST /api/agent-api-keys` (200, `apiKey` the key string), then use the key."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator

import httpx
import pytest

from storage.db.engine import engine_for, session_scope
from storage.tenancy.accounts import create_company, create_user, hash_api_key
from storage.tenancy.models import ApiKey, User
from storage.tenancy.passwords import hash_password
from tests.api.tenant_helpers import create_tenant, start_module_instance

PASSWORD = "a long pass phrase"


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir, module_database_url
        ) -> Iterator:
    running = start_module_instance(tmp_path_factory.mktemp("auth-order"), sample_prospect_dir,
                                    database_url=module_database_url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def user(app) -> dict[str, str]:
    """A company owner with a password, logged in over HTTP."""
    username = f"owner-{secrets.token_hex(4)}@example.com"
    with session_scope(engine_for(app.settings.sqlalchemy_url)) as session:
        company = create_company(session, "Order Co")
        created = create_user(session, company, username, role="owner",
                              password_hash=hash_password(PASSWORD))
        user_id = created.id
    tokens = httpx.post(f"{app.base_url}/api/auth",
                        json={"username": username, "password": PASSWORD}).json()["tokens"]
    return {"id": user_id, "token": tokens["accessToken"]}


@pytest.fixture(scope="module")
def key(app, user) -> str:
    return issue_key(app, user["token"])


def jwt_sub(token: str) -> str:
    """The `sub` claim, read the way lgp.py reads it (no signature check)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


def issue_key(app, token: str) -> str:
    reply = httpx.post(f"{app.base_url}/api/agent-api-keys",
                       headers={"Authorization": f"Bearer {token}"},
                       json={"name": "Production Agent", "description": "Key for main agent"})
    assert reply.status_code == 200, reply.text
    return reply.json()["apiKey"]


def campaign_owner(app, headers: dict[str, str]) -> httpx.Response:
    """Whom the request acts for: the owner of the campaign it creates."""
    return httpx.post(f"{app.base_url}/api/campaigns", headers=headers, json={"name": "who"})


def test_key_onboarding_as_the_lgp_cli_does_it(app, user) -> None:
    user_id = jwt_sub(user["token"])
    assert user_id == user["id"]  # the x-user-id a key is checked against
    reply = httpx.post(f"{app.base_url}/api/agent-api-keys",
                       headers={"Authorization": f"Bearer {user['token']}"},
                       json={"name": "CLI Key", "description": "Generated via lgp CLI"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    key = body["apiKey"]
    assert isinstance(key, str) and key.startswith("lgp_")
    assert body["userId"] == user_id and body["key"]["description"] == "Generated via lgp CLI"
    assert key not in httpx.get(f"{app.base_url}/api/agent-api-keys",
                                headers={"Authorization": f"Bearer {user['token']}"}).text
    # lgp.py sends an lgp_ key as x-api-key + x-user-id; other clients send it as Bearer.
    for headers in ({"x-api-key": key, "x-user-id": user_id},
                    {"Authorization": f"Bearer {key}"}):
        listed = httpx.get(f"{app.base_url}/api/campaigns", headers=headers)
        assert listed.status_code == 200, listed.text
        assert isinstance(listed.json()["campaigns"], list)


def test_keys_issued_before_with_lm_keep_working(app, user) -> None:
    old_key = "lm_" + secrets.token_urlsafe(32)
    with session_scope(engine_for(app.settings.sqlalchemy_url)) as session:
        owner = session.get(User, user["id"])
        session.add(ApiKey(id=secrets.token_hex(8), company_id=owner.company_id,
                           user_id=owner.id, name="old", key_hash=hash_api_key(old_key),
                           key_prefix=old_key[:10]))
    for headers in ({"x-api-key": old_key, "x-user-id": user["id"]},
                    {"Authorization": f"Bearer {old_key}"}):
        reply = campaign_owner(app, headers)
        assert reply.status_code == 201, reply.text
        assert reply.json()["campaign"]["owner"] == user["id"]


@pytest.mark.parametrize("combination", [
    "jwt+invalid-key", "jwt+another-users-key", "bearer-key", "x-api-key-alone",
    "invalid-bearer+key"])
def test_bearer_jwt_is_tried_first_then_the_api_key(app, user, key, combination) -> None:
    other = create_tenant(app.settings, "Someone Else")
    headers, acts_for = {
        "jwt+invalid-key": ({"Authorization": f"Bearer {user['token']}",
                             "x-api-key": "lgp_not-a-key"}, user["id"]),
        "jwt+another-users-key": ({"Authorization": f"Bearer {user['token']}",
                                   "x-api-key": other.api_key}, user["id"]),
        "bearer-key": ({"Authorization": f"Bearer {key}"}, user["id"]),
        "x-api-key-alone": ({"x-api-key": other.api_key, "x-user-id": other.user_id},
                            other.user_id),
        "invalid-bearer+key": ({"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.bad",
                                "x-api-key": other.api_key}, other.user_id),
    }[combination]
    reply = campaign_owner(app, headers)
    assert reply.status_code == 201, reply.text
    assert reply.json()["campaign"]["owner"] == acts_for


@pytest.mark.parametrize(("headers", "error_type"), [
    ({"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.bad", "x-api-key": "lgp_nope"},
     "no_valid_credentials"),
    ({"x-api-key": "lgp_nope"}, "no_valid_credentials"),
    ({"Authorization": "Bearer something-else"}, "no_valid_credentials"),
    ({}, "no_valid_credentials"),
])
def test_when_no_credential_identifies_anyone_the_request_is_refused(app, headers,
                                                                     error_type) -> None:
    reply = httpx.get(f"{app.base_url}/api/campaigns", headers=headers)
    assert reply.status_code == 401 and reply.json()["errorType"] == error_type


def test_a_key_with_someone_elses_user_id_is_owner_mismatch(app, key) -> None:
    reply = httpx.get(f"{app.base_url}/api/campaigns",
                      headers={"x-api-key": key, "x-user-id": "someone-else"})
    assert reply.status_code == 403 and reply.json()["errorType"] == "owner_mismatch"


def test_api_key_bodies_refuse_unknown_fields(app, user) -> None:
    reply = httpx.post(f"{app.base_url}/api/agent-api-keys",
                       headers={"Authorization": f"Bearer {user['token']}"},
                       json={"name": "k", "scopes": ["leads"]})
    assert reply.status_code == 400 and reply.json()["errorType"] == "invalid_format"
    assert reply.json()["details"]["field"] == "scopes"
