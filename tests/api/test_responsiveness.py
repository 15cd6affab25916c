"""Nothing blocks the event loop (issue 13), over real HTTP against a running API on SQLite.

While another connection holds SQLite's write lock, a request waiting for it leaves
`/api/health` answering; logins wait for the password-hashing limiter (unknown usernames too,
so timing tells nothing) without holding the loop or a database thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from storage.db.engine import engine_for, session_scope
from storage.tenancy.accounts import create_user
from storage.tenancy.demo import DEMO_COMPANY_ID
from storage.tenancy.models import Company
from tests.api.tenant_helpers import start_module_instance
from tests.fixtures.servers import RunningLeadmill, wait_until

pytestmark = pytest.mark.sqlite_only("holds SQLite's write lock from a second connection")


@pytest.fixture(scope="module")
def app(tmp_path_factory, prefect_server, sample_prospect_dir) -> Iterator[RunningLeadmill]:
    # Two database threads only: a login waiting for Argon2 must not take one of them.
    running = start_module_instance(tmp_path_factory.mktemp("loop"), sample_prospect_dir,
                                    api_worker_threads=2, password_hash_concurrency=1)
    yield running
    running.stop()


def test_health_answers_while_a_request_waits_for_the_sqlite_write_lock(app) -> None:
    blocker = sqlite3.connect(app.settings.data_dir / "leadmill.db", timeout=30)
    blocker.execute("BEGIN IMMEDIATE")  # the write lock, as a long write would hold it
    with app.client() as http, ThreadPoolExecutor(1) as pool:
        try:
            writer = pool.submit(http.post, "/api/clients",
                                 json={"clientName": "Waits for the lock"})
            # Again and again while the writer waits: a writer blocking the event loop would
            # hold every one of these until the lock is released (or its 30 s timeout).
            for _ in range(5):
                health = httpx.get(f"{app.base_url}/api/health", timeout=10)
                assert health.status_code == 200, health.text
                assert not writer.done(), writer.result().text
        finally:
            blocker.rollback()
            blocker.close()
        created = writer.result(timeout=30)
    assert created.status_code == 201, created.text


def _in_loop(app: RunningLeadmill, coroutine: Any) -> Any:
    return asyncio.run_coroutine_threadsafe(coroutine, app.loop).result(timeout=30)


async def _limiter_statistics(limiter: Any) -> Any:
    return limiter.statistics()


def test_every_login_waits_for_the_hashing_limiter_even_for_unknown_users(app) -> None:
    """Unknown usernames and users without a password cost a verification like a wrong
    password does; while the limiter is taken, they wait holding no database thread."""
    with session_scope(engine_for(app.settings.sqlalchemy_url)) as session:
        company = session.get(Company, DEMO_COMPANY_ID)
        no_password = create_user(session, company, f"invited-{uuid.uuid4().hex[:6]}@x.test")
        no_password_name = no_password.username
    limiter = app.app.state.password_hashing.limiter
    holder = object()
    _in_loop(app, limiter.acquire_on_behalf_of(holder))
    attempts = [{"username": f"nobody-{uuid.uuid4().hex[:6]}@x.test", "password": "guess-123"},
                {"username": no_password_name, "password": "guess-123"},
                {"username": app.credentials["username"], "password": "wrong-password"}]
    with ThreadPoolExecutor(len(attempts)) as pool:
        try:
            logins = [pool.submit(httpx.post, f"{app.base_url}/api/auth", json=attempt,
                                  timeout=60) for attempt in attempts]
            wait_until(lambda: _in_loop(app, _limiter_statistics(limiter)).tasks_waiting
                       == len(attempts), 30, "the logins did not all wait for Argon2")
            # Three logins wait for Argon2 and the API has two database threads: they hold
            # none of them, nor the loop.
            with app.client() as http:
                assert http.get("/api/clients").status_code == 200
            assert not any(login.done() for login in logins)
        finally:
            _in_loop(app, _release(limiter, holder))
        replies = [login.result(timeout=60) for login in logins]
    assert [reply.status_code for reply in replies] == [401, 401, 401]
    assert {reply.json()["errorType"] for reply in replies} == {"no_valid_credentials"}


async def _release(limiter: Any, holder: object) -> None:
    limiter.release_on_behalf_of(holder)
